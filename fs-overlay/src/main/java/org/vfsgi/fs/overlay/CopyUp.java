package org.vfsgi.fs.overlay;

import java.nio.ByteBuffer;
import java.util.Map;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.VfsFile;
import org.vfsgi.vfs.VfsPath;

/**
 * Copy-up and whiteouts ({@code fs/overlayfs/copy_up.c}, {@code ovl_whiteout}). Every new upper
 * object that replaces something is built complete in the work directory under a temporary
 * name and then renamed into place, so that a copy-up that fails half-way (a full upper file
 * system, an I/O error, an injected fault) leaves the overlay showing the lower object as
 * before and nothing partial anywhere in the upper layer; the temporary object is removed.
 */
final class CopyUp {
    private static final System.Logger LOG = System.getLogger(CopyUp.class.getName());
    /** Bytes per copy step ({@code OVL_COPY_UP_CHUNK_SIZE} is 1 MiB; smaller keeps the fault points dense). */
    static final int CHUNK = 64 * 1024;

    private CopyUp() {
    }

    /**
     * {@code ovl_copy_up}: gives {@code node} an upper object, copying up its parents first.
     * Does nothing for an inode that already has one.
     *
     * @throws MmException EROFS without an upper layer, or the error that stopped the copy
     */
    static void copyUp(OverlayInode node) {
        if (node.upper() != null) {
            return;
        }
        OverlaySuperBlock sb = node.superBlock();
        if (!sb.writable()) {
            throw new MmException(Errno.EROFS, "ovl_copy_up", "overlay: " + node.overlayPath()
                    + " cannot be copied up: the overlay has no writable upper layer");
        }
        OverlayInode parent = node.parent();
        copyUp(parent);
        VfsPath lower = node.lowers().get(0);
        InodeAttributes a = lower.inode().getattr();
        String tmp = sb.tempName();
        VfsPath work = sb.work;
        makeLike(work, tmp, lower, a);
        VfsPath made = work.child(tmp);
        try {
            if (a.isRegular()) {
                copyData(sb, node.overlayPath(), lower, made, a.size());
            }
            for (Map.Entry<String, byte[]> x : OverlayInode.userXattrs(lower.inode()).entrySet()) {
                made.inode().setxattr(x.getKey(), x.getValue(), 0);
            }
            made.inode().setxattr(OverlaySuperBlock.ORIGIN, OverlayInode.utf8(OverlaySuperBlock.key(lower)), 0);
            if (!a.isSymlink()) {
                made.setattr(SetAttr.builder().mode(a.mode() & FileType.PERMISSION_MASK).uid(a.uid()).gid(a.gid())
                        .atime(a.atimeNanos()).mtime(a.mtimeNanos()).build());
            }
            // The one step that makes the copy visible: rename over nothing (the name is free in
            // the upper directory, or the lower object would not be visible).
            work.rename(tmp, parent.upper(), node.name(), Fcntl.RENAME_NOREPLACE);
        } catch (RuntimeException e) {
            cleanup(work, tmp);
            LOG.log(System.Logger.Level.DEBUG, "copy-up of {0} failed, nothing left behind: {1}", node.overlayPath(),
                    e.getMessage());
            throw e;
        }
        node.setUpper(parent.upper().child(node.name()));
        LOG.log(System.Logger.Level.DEBUG, "copied up {0} from {1}", node.overlayPath(), lower.path());
    }

    /** Creates the empty upper object of the lower one's type in {@code dir} under {@code name}. */
    private static void makeLike(VfsPath dir, String name, VfsPath lower, InodeAttributes a) {
        FsInode d = dir.inode();
        int perm = a.mode() & FileType.PERMISSION_MASK;
        switch (a.type()) {
            case DIRECTORY -> d.mkdir(name, perm);
            case REGULAR -> d.create(name, perm);
            case SYMLINK -> d.symlink(name, lower.inode().readlink());
            default -> d.mknod(name, a.mode(), a.rdev());
        }
    }

    /** {@code ovl_copy_up_file}: the data, chunk by chunk, through both layers' file operations. */
    private static void copyData(OverlaySuperBlock sb, String what, VfsPath from, VfsPath to, long size) {
        VfsFile in = from.open(Fcntl.O_RDONLY);
        try {
            VfsFile out = to.open(Fcntl.O_WRONLY);
            try {
                FileOperations.ReadWrite read = in.fileOperations().read();
                FileOperations.ReadWrite write = out.fileOperations().write();
                if (read == null || write == null) {
                    throw new MmException(Errno.EINVAL, "ovl_copy_up_file", "overlay: " + what
                            + ": a layer's file operations cannot read or write");
                }
                ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                long pos = 0;
                while (pos < size) {
                    check(sb.faults.beforeChunk(what, pos), what, pos);
                    buf.clear();
                    buf.limit((int) Math.min(CHUNK, size - pos));
                    long n = read.transfer(in, buf, pos);
                    check(n, what, pos);
                    if (n == 0) {
                        break; // the lower file shrank meanwhile
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        long w = write.transfer(out, buf, pos + buf.position());
                        check(w, what, pos);
                    }
                    pos += n;
                }
            } finally {
                out.close();
            }
        } finally {
            in.close();
        }
    }

    private static void check(long r, String what, long pos) {
        if (r < 0) {
            Errno e = r >= -4095 ? Errno.ofNumber((int) -r) : null;
            throw new MmException(e == null ? Errno.EIO : e, "ovl_copy_up_data", "overlay: copy-up of " + what
                    + " failed at offset " + pos + ": " + Errno.describe((int) r));
        }
    }

    /**
     * {@code ovl_whiteout}: a character device 0:0 made in the work directory and renamed over
     * {@code name} of {@code dir}'s upper directory (replacing a copied-up file in one step).
     */
    static void whiteout(OverlayInode dir, String name) {
        OverlaySuperBlock sb = dir.superBlock();
        String tmp = sb.tempName();
        sb.work.inode().mknod(tmp, FileType.CHAR_DEVICE.mode(0), DeviceNumber.WHITEOUT);
        try {
            sb.work.rename(tmp, dir.upper(), name, 0);
        } catch (RuntimeException e) {
            cleanup(sb.work, tmp);
            throw e;
        }
    }

    /** Removes a temporary object from the work directory; a failure here is logged, the first error wins. */
    static void cleanup(VfsPath work, String tmp) {
        try {
            VfsPath t = work.child(tmp);
            if (t == null) {
                return;
            }
            if (t.inode().getattr().isDirectory()) {
                OverlaySuperBlock.cleanWorkDir(t);
                work.rmdir(tmp);
            } else {
                work.unlink(tmp);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "overlay: cannot remove {0}/{1} from the work directory: {2}",
                    work.path(), tmp, e.getMessage());
        }
    }
}
