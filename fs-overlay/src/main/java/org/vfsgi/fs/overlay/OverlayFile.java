package org.vfsgi.fs.overlay;

import java.nio.ByteBuffer;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.Inode;
import org.vfsgi.vfs.VfsFile;
import org.vfsgi.vfs.VfsPath;

/**
 * The file operations of overlay regular files ({@code ovl_file_operations}). Opening an
 * overlay file opens the real file underneath ({@code ovl_open} → {@code backing_file_open}),
 * copying the inode up first when it is opened for writing; the real file is the overlay
 * file's private data, and reads, writes, fsync and mmap all go to it. The tables hold no state.
 */
final class OverlayFile {
    private static final System.Logger LOG = System.getLogger(OverlayFile.class.getName());

    private OverlayFile() {
    }

    /**
     * @param mode the mount's mmap mode
     * @return {@code ovl_file_operations} with the legacy {@code mmap} hook, or its
     *         {@code mmap=prepare} variant with {@code mmap_prepare} / {@code mmap_complete} /
     *         {@code mmap_abort} handing over to the real file's hooks
     */
    static FileOperations operations(MmapMode mode) {
        FileOperations.Builder b = FileOperations.builder()
                .open(OverlayFile::open)
                .release(OverlayFile::release)
                .read(OverlayFile::read)
                .write(OverlayFile::write)
                .fsync(OverlayFile::fsync);
        if (mode == MmapMode.LEGACY) {
            return b.name("ovl_file_operations").mmap(OverlayFile::mmap).build();
        }
        return b.name("ovl_file_operations_mmap_prepare").mmapPrepare(OverlayFile::mmapPrepare)
                .mmapComplete(OverlayFile::mmapComplete).mmapAbort(OverlayFile::mmapAbort).build();
    }

    /** {@code ovl_open}: copy up for writing ({@code O_TRUNC} already truncated through setattr), then open the real file. */
    static int open(Inode inode, File file) {
        if (!(file instanceof VfsFile) || !(((VfsFile) file).fsInode() instanceof OverlayInode)) {
            return Errno.EINVAL.negative();
        }
        OverlayInode node = (OverlayInode) ((VfsFile) file).fsInode();
        try {
            if (file.canWrite()) {
                CopyUp.copyUp(node);
            }
            int flags = ((VfsFile) file).flags() & Fcntl.O_ACCMODE;
            file.setPrivateData(node.real().open(flags));
            return 0;
        } catch (MmException e) {
            LOG.log(System.Logger.Level.DEBUG, "ovl_open of {0}: {1}", node.overlayPath(), e.getMessage());
            return e.negative();
        }
    }

    /** {@code ovl_release}: drops the overlay file's reference on the real file (mappings hold their own). */
    static int release(Inode inode, File file) {
        VfsFile real = realFile(file);
        if (real != null) {
            file.setPrivateData(null);
            real.close();
        }
        return 0;
    }

    /** The real file behind an open overlay file ({@code ovl_real_file}), or null. */
    static VfsFile realFile(File file) {
        Object p = file == null ? null : file.privateData();
        return p instanceof VfsFile ? (VfsFile) p : null;
    }

    /**
     * {@code ovl_real_fdget}: the real file for data access. A file opened before another writer
     * copied its inode up still holds the lower file; as overlayfs does since Linux 4.19, it is
     * reopened on the upper copy so that read and fsync see what writers wrote. (Mappings are
     * never moved: an existing mapping keeps its lower file, the corner {@link OverlayFs}
     * documents; the mmap hooks take the file as it is, without the VFS lock this reopen needs.)
     */
    static VfsFile currentReal(File file) {
        VfsFile real = realFile(file);
        if (real == null || !(file instanceof VfsFile) || !(((VfsFile) file).fsInode() instanceof OverlayInode)) {
            return real;
        }
        VfsPath upper = ((OverlayInode) ((VfsFile) file).fsInode()).upper();
        if (upper == null || isInode(real, upper)) {
            return real;
        }
        synchronized (file) {
            real = realFile(file);
            if (real != null && !isInode(real, upper)) {
                VfsFile fresh = upper.open(real.flags() & Fcntl.O_ACCMODE);
                file.setPrivateData(fresh);
                real.close();
                real = fresh;
            }
            return real;
        }
    }

    private static boolean isInode(VfsFile real, VfsPath p) {
        Inode i = real.inode();
        return i.ino() == p.inode().ino() && i.deviceMajor() == p.device().major()
                && i.deviceMinor() == p.device().minor();
    }

    /** {@code ovl_read_iter} → {@code backing_file_read_iter}. */
    static long read(File file, ByteBuffer dst, long pos) {
        VfsFile real;
        try {
            real = currentReal(file);
        } catch (MmException e) {
            return e.negative();
        }
        FileOperations.ReadWrite hook = real == null ? null : real.fileOperations().read();
        return hook == null ? Errno.EINVAL.negative() : hook.transfer(real, dst, pos);
    }

    /** {@code ovl_write_iter} → {@code backing_file_write_iter}: the file was copied up when it was opened. */
    static long write(File file, ByteBuffer src, long pos) {
        VfsFile real = realFile(file);
        FileOperations.ReadWrite hook = real == null ? null : real.fileOperations().write();
        return hook == null ? Errno.EINVAL.negative() : hook.transfer(real, src, pos);
    }

    /** {@code ovl_fsync}: the real file's fsync, or a write-back of its page cache. */
    static int fsync(File file, long start, long end, boolean datasync) {
        VfsFile real;
        try {
            real = currentReal(file);
        } catch (MmException e) {
            return e.negative();
        }
        if (real == null) {
            return Errno.EINVAL.negative();
        }
        FileOperations.Fsync hook = real.fileOperations().fsync();
        if (hook != null) {
            return hook.fsync(real, start, end, datasync);
        }
        try {
            real.mapping().fsync();
            return 0;
        } catch (MmException e) {
            return e.negative();
        }
    }

    /**
     * {@code ovl_mmap} → {@code backing_file_mmap}: point the VMA at the real file
     * ({@code vma_set_file}) and let {@code vfs_mmap} run the real file's hook — its
     * {@code mmap_prepare} through {@code compat_vma_mmap}, or its legacy {@code mmap} (a lower
     * overlay in this mode, which repeats the step one level down).
     */
    static int mmap(File file, VmArea vma) {
        VfsFile real = realFile(file);
        if (real == null) {
            return Errno.EIO.negative(); // backing_file_mmap on a file without a backing file
        }
        vma.setFile(real);
        return vma.vfsMmap(real);
    }

    /**
     * The {@code mmap=prepare} hook: the descriptor's {@code vm_file} becomes the real file (its
     * reference handed over with it), then {@code vfs_mmap_prepare(realfile, desc)} runs the real
     * file's {@code mmap_prepare} on the same descriptor, seen with the real file as its
     * {@code file}. On failure the descriptor is left as it came. A real file with only a legacy
     * {@code mmap} cannot be prepared: ENODEV.
     */
    static int mmapPrepare(VmAreaDesc desc) {
        VfsFile real = realFile(desc.file());
        if (real == null) {
            return Errno.EIO.negative();
        }
        File before = desc.vmFile();
        File ref = real.getFile();
        desc.setVmFile(ref);
        int r;
        try {
            r = desc.vfsMmapPrepare(real);
        } catch (RuntimeException e) {
            // A throwing hook is the real file system's contract violation: give the reference
            // back and let the platform see the throw, which it counts and reports.
            undoVmFile(desc, before, ref);
            throw e;
        }
        if (r != 0) {
            LOG.log(System.Logger.Level.DEBUG, "mmap=prepare of {0} failed: {1}", real.path(), Errno.describe(r));
            undoVmFile(desc, before, ref);
            return r;
        }
        if (desc.vmFile() != ref) {
            ref.fput(); // the real file's hook substituted a file of its own (a lower overlay did)
        }
        return 0;
    }

    private static void undoVmFile(VmAreaDesc desc, File before, File ref) {
        if (desc.vmFile() == ref) {
            desc.setVmFile(before);
        }
        ref.fput();
    }

    /** Hands {@code mmap_complete} to the real file, if its table has one. */
    static int mmapComplete(File file, VmArea vma, Object context) {
        VfsFile real = realFile(file);
        if (real == null) {
            return Errno.EIO.negative();
        }
        FileOperations.MmapComplete hook = real.fileOperations().mmapComplete();
        return hook == null ? 0 : hook.mmapComplete(real, vma, context);
    }

    /** Hands {@code mmap_abort} to the real file, if its table has one. */
    static void mmapAbort(File file, Object privateData, Object context) {
        VfsFile real = realFile(file);
        FileOperations.MmapAbort hook = real == null ? null : real.fileOperations().mmapAbort();
        if (hook != null) {
            hook.mmapAbort(real, privateData, context);
        }
    }
}
