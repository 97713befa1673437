package org.vfsgi.fs.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.MountContext;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SuperBlock;
import org.vfsgi.vfs.VfsPath;

/**
 * The {@code overlay} file-system type ({@code ovl_fs_type}). Options:
 * <ul>
 * <li>{@code lowerdir=/a:/b} — one or more read-only layers, topmost first (at least two
 * without an upper layer);</li>
 * <li>{@code upperdir=/u,workdir=/w} — the writable layer and an empty-able work directory on
 * the same mount (copy-ups are built in {@code /w/work} and renamed into place); without them
 * the mount is read-only;</li>
 * <li>{@code mmap=legacy} (default) or {@code mmap=prepare} — see {@link MmapMode}.</li>
 * </ul>
 * The mount fails with overlayfs's errno and a message naming the problem: ENOENT / ENOTDIR for
 * a missing layer, EROFS for an upper layer on a read-only mount, EINVAL for an upper and work
 * directory on different mounts or inside one another, ELOOP for layers that overlap.
 *
 * <p>Mappings: {@code /proc/PID/maps} shows the real file's path (the layer path), as Linux did
 * before backing files remembered the user's path; page contents, dirty pages and write-back are
 * the real file's. A file mapped from the lower layer keeps mapping the lower file after another
 * writer copies it up: the old mapping goes on showing the lower contents, new opens (and reads
 * through descriptors opened before the copy-up) see the upper copy (overlayfs's documented
 * non-POSIX corner).
 */
public final class OverlayFs implements org.vfsgi.vfs.FileSystemType {
    /** The type's name. */
    public static final String NAME = "overlay";
    private static final String STEP = "ovl_get_layers";
    private static final System.Logger LOG = System.getLogger(OverlayFs.class.getName());

    private final CopyUpFaults faults;

    /** The production type: copy-up never fails on purpose. */
    public OverlayFs() {
        this(CopyUpFaults.NONE);
    }

    /** @param faults failure injection for copy-up, for tests */
    OverlayFs(CopyUpFaults faults) {
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@code ovl_fill_super}.
     *
     * @throws MmException EINVAL for bad options or work/upper directories that do not fit,
     *         ENOENT / ENOTDIR for a missing layer, EROFS for a read-only upper layer, ELOOP for
     *         overlapping layers
     */
    @Override
    public SuperBlock mount(MountRequest request) {
        OverlayOptions opts = OverlayOptions.parse(request);
        MountContext ctx = request.context();
        List<VfsPath> lowers = new ArrayList<>();
        for (String l : opts.lowerDirs()) {
            lowers.add(layer(ctx, "lowerdir", l));
        }
        VfsPath upper = null;
        VfsPath work = null;
        if (opts.upperDir() != null) {
            upper = layer(ctx, "upperdir", opts.upperDir());
            if (upper.readOnly() && !request.readOnly()) {
                throw new MmException(Errno.EROFS, STEP, "overlay: upperdir " + upper.path()
                        + " is on a read-only mount");
            }
            VfsPath workdir = layer(ctx, "workdir", opts.workDir());
            if (!workdir.device().equals(upper.device())) {
                throw new MmException(Errno.EINVAL, "ovl_workdir_ok", "overlay: workdir " + workdir.path() + " (device "
                        + workdir.device() + ") and upperdir " + upper.path() + " (device " + upper.device()
                        + ") must reside under the same mount");
            }
            if (inside(workdir, upper) || inside(upper, workdir)) {
                throw new MmException(Errno.EINVAL, "ovl_workdir_ok", "overlay: workdir " + workdir.path()
                        + " and upperdir " + upper.path() + " must be separate subtrees");
            }
            checkOverlap(upper, "upperdir", lowers);
            checkOverlap(workdir, "workdir", lowers);
            if (!request.readOnly()) {
                work = workDir(workdir);
            }
        }
        for (int i = 0; i < lowers.size(); i++) {
            for (int j = i + 1; j < lowers.size(); j++) {
                if (inside(lowers.get(i), lowers.get(j)) || inside(lowers.get(j), lowers.get(i))) {
                    throw new MmException(Errno.ELOOP, "ovl_check_layer", "overlay: overlapping lowerdir path "
                            + lowers.get(j).path() + " and " + lowers.get(i).path());
                }
            }
        }
        OverlaySuperBlock sb = new OverlaySuperBlock(upper, work, lowers, opts.mmapMode(), faults);
        LOG.log(System.Logger.Level.DEBUG, "overlay {0}: {1}, mmap={2}", request.source(), sb.layerPaths(),
                opts.mmapMode().optionValue());
        return sb;
    }

    /** {@code ovl_mount_dir}: the layer must exist and be a directory. */
    private static VfsPath layer(MountContext ctx, String option, String path) {
        VfsPath p;
        try {
            p = ctx.lookup(path);
        } catch (MmException e) {
            throw new MmException(e.errno(), STEP, "overlay: " + option + " " + path + ": " + e.getMessage(), e);
        }
        if (!p.inode().getattr().isDirectory()) {
            throw new MmException(Errno.ENOTDIR, STEP, "overlay: " + option + " " + path + " is not a directory");
        }
        return p;
    }

    /** Whether {@code a} is {@code b} or lies below it, on the same mount. */
    private static boolean inside(VfsPath a, VfsPath b) {
        String pa = a.path();
        String pb = b.path();
        return pa.equals(pb) || pb.equals("/") || pa.startsWith(pb + "/");
    }

    private static void checkOverlap(VfsPath dir, String option, List<VfsPath> lowers) {
        for (VfsPath l : lowers) {
            if (inside(dir, l) || inside(l, dir)) {
                throw new MmException(Errno.ELOOP, "ovl_check_layer", "overlay: overlapping " + option + " path "
                        + dir.path() + " and lowerdir " + l.path());
            }
        }
    }

    /**
     * {@code ovl_workdir_create}: {@code workdir/work}, made if missing, emptied of whatever an
     * interrupted copy-up left there.
     */
    private static VfsPath workDir(VfsPath workdir) {
        VfsPath w = workdir.child("work");
        if (w == null) {
            FsInode d = workdir.inode();
            d.mkdir("work", 0700);
            w = workdir.child("work");
        } else if (!w.inode().getattr().isDirectory()) {
            throw new MmException(Errno.EINVAL, "ovl_workdir_create", "overlay: " + w.path() + " is not a directory");
        } else {
            OverlaySuperBlock.cleanWorkDir(w);
        }
        return w;
    }

    @Override
    public String toString() {
        return "OverlayFs";
    }
}
