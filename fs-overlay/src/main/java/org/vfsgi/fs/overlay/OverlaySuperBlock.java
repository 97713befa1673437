package org.vfsgi.fs.overlay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.SuperBlock;
import org.vfsgi.vfs.VfsPath;

/**
 * An overlay mount ({@code struct ovl_fs}): the layers, the work directory, the mmap mode and
 * the table of overlay inodes. Overlay inode numbers are allocated per mount and keyed by the
 * inode they originate from (the topmost lower inode, or for an upper-only object its
 * {@code trusted.overlay.origin} if it was copied up, else the upper inode itself), so an
 * object keeps its number across copy-up and rename, as overlayfs keeps {@code st_ino} with
 * its origin xattr.
 */
final class OverlaySuperBlock implements SuperBlock {
    /** Marks a directory whose lower layers are hidden. */
    static final String OPAQUE = "trusted.overlay.opaque";
    /** Names the lower inode an upper object was copied up from ({@code "major:minor:ino"}). */
    static final String ORIGIN = "trusted.overlay.origin";
    /** Overlay's private xattrs: hidden from users, refused when they try to set them. */
    static final String PRIVATE_PREFIX = "trusted.overlay.";
    /** {@code OVERLAYFS_SUPER_MAGIC}. */
    static final long MAGIC = 0x794c7630L;
    private static final long ROOT_INO = 1;

    /** The upper layer, or null; without {@link #work} (a read-only mount) it is only the top layer. */
    final VfsPath upperRoot;
    /** {@code workdir/work}, where copy-ups and whiteouts are made before they are renamed into place. */
    final VfsPath work;
    final List<VfsPath> lowerRoots;
    final MmapMode mmapMode;
    final FileOperations fileOperations;
    final CopyUpFaults faults;
    final OverlayInode root;
    private final Map<String, Long> inos = new HashMap<>();
    private final Map<Long, OverlayInode> nodes = new HashMap<>();
    private long nextIno = ROOT_INO + 1;
    private long tmpSeq;

    OverlaySuperBlock(VfsPath upperRoot, VfsPath work, List<VfsPath> lowerRoots, MmapMode mmapMode,
            CopyUpFaults faults) {
        this.upperRoot = upperRoot;
        this.work = work;
        this.lowerRoots = List.copyOf(lowerRoots);
        this.mmapMode = mmapMode;
        this.faults = faults;
        this.fileOperations = OverlayFile.operations(mmapMode);
        this.root = new OverlayInode(this, ROOT_INO);
        root.set(null, "", upperRoot, lowerRoots);
        nodes.put(ROOT_INO, root);
    }

    /** @return whether copy-up is possible: an upper layer with its work directory (not a read-only mount) */
    boolean writable() {
        return work != null;
    }

    /** The overlay inode for a lookup result, made on first sight, its layers refreshed. */
    synchronized OverlayInode node(OverlayInode parent, String name, VfsPath upper, List<VfsPath> lowers) {
        String key = lowers.isEmpty() ? originOf(upper) : key(lowers.get(0));
        long ino = inos.computeIfAbsent(key, k -> nextIno++);
        OverlayInode n = nodes.computeIfAbsent(ino, i -> new OverlayInode(this, i));
        n.set(parent, name, upper, lowers);
        return n;
    }

    /** The identity of a layer inode: its device and inode number. */
    static String key(VfsPath p) {
        return p.device() + ":" + p.inode().ino();
    }

    /** An upper object's origin: the lower inode it was copied up from, or itself. */
    private static String originOf(VfsPath upper) {
        byte[] origin = xattr(upper.inode(), ORIGIN);
        return origin == null ? key(upper) : new String(origin, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A xattr's value, or null if unset or unsupported by that layer's file system. */
    static byte[] xattr(FsInode inode, String name) {
        try {
            return inode.getxattr(name);
        } catch (MmException e) {
            if (e.errno() == Errno.ENODATA || e.errno() == Errno.EOPNOTSUPP) {
                return null;
            }
            throw e;
        }
    }

    /** @return whether {@code dir} carries {@code trusted.overlay.opaque=y} */
    static boolean isOpaque(VfsPath dir) {
        byte[] v = xattr(dir.inode(), OPAQUE);
        return v != null && v.length == 1 && v[0] == 'y';
    }

    /** @return a fresh temporary name in the work directory ({@code ovl_tempname}: {@code #<hex>}) */
    synchronized String tempName() {
        return "#" + Long.toHexString(++tmpSeq);
    }

    /**
     * {@code ovl_workdir_create}'s cleanup: removes whatever a copy-up interrupted by a crash or
     * unmount left in the work directory, so it can never be mistaken for a layer object.
     */
    static void cleanWorkDir(VfsPath work) {
        for (DirEntry e : work.inode().readdir()) {
            VfsPath child = work.child(e.name());
            if (child == null) {
                continue;
            }
            if (child.inode().getattr().isDirectory()) {
                cleanWorkDir(child);
                work.rmdir(e.name());
            } else {
                work.unlink(e.name());
            }
        }
    }

    @Override
    public FsInode root() {
        return root;
    }

    /** Overlay has no space of its own: no limits are reported, with overlay's magic. */
    @Override
    public StatFs statfs() {
        return new StatFs(MAGIC, 4096, 0, 0, 0, 0, 0, 255);
    }

    /** Nothing to write: the layers' own superblocks hold all data and are synced by the platform. */
    @Override
    public void sync() {
    }

    @Override
    public synchronized void kill() {
        nodes.clear();
        inos.clear();
    }

    /** Without an upper layer and work directory nothing can be written: {@code SB_RDONLY} as overlayfs forces it. */
    @Override
    public boolean forcedReadOnly() {
        return work == null;
    }

    /** @return the layers, for messages */
    List<String> layerPaths() {
        List<String> out = new ArrayList<>();
        if (upperRoot != null) {
            out.add("upper " + upperRoot.path());
        }
        for (VfsPath l : lowerRoots) {
            out.add("lower " + l.path());
        }
        return out;
    }
}
