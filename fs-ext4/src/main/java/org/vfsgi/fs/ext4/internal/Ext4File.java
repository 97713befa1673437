package org.vfsgi.fs.ext4.internal;

import java.nio.ByteBuffer;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmFault;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileMapping;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.VfsFile;

/**
 * The file and VM operations of ext4 regular files ({@code ext4_file_operations},
 * {@code ext4_file_vm_ops}). Data goes through the platform's page cache: {@code read} and
 * {@code write} use the file's {@link FileMapping}, faults are the platform's
 * {@link VmOperations#FILEMAP_FAULT} (with readahead), and the engine only sees whole pages
 * through {@link Ext4AddressSpace}. The tables are immutable and stateless: what they need comes
 * from the file they are called with, so {@code mmap_prepare} can run again at any time.
 *
 * <p>No file advertises {@code FOP_MMAP_SYNC}: that flag belongs to DAX files, and no ext4
 * inode is DAX until fs-dax exists (the {@code dax} mount option is refused).
 */
final class Ext4File {
    private static final System.Logger LOG = System.getLogger(Ext4File.class.getName());
    private static final int PAGE = 4096;
    private static final int PAGE_SHIFT = 12;

    /**
     * {@code ext4_file_vm_ops}: {@code fault} is the platform's {@code filemap_fault} (with
     * readahead), {@code map_pages} its {@code filemap_map_pages} (a read fault also maps the
     * cached pages around it), and {@code page_mkwrite} is {@link #pageMkwrite}.
     */
    static final VmOperations VM_OPS = VmOperations.builder().name("ext4_file_vm_ops")
            .fault(VmOperations.FILEMAP_FAULT)
            .mapPages(VmOperations.FILEMAP_MAP_PAGES)
            .pageMkwrite(Ext4File::pageMkwrite)
            .build();

    /** {@code ext4_file_operations}: open, read, write, fsync and {@code mmap_prepare} (no legacy mmap). */
    static final FileOperations FILE_OPERATIONS = FileOperations.builder().name("ext4_file_operations")
            .open(Ext4File::open)
            .read(Ext4File::read)
            .write(Ext4File::write)
            .fsync(Ext4File::fsync)
            .mmapPrepare(Ext4File::mmapPrepare)
            .build();

    private Ext4File() {
    }

    /** The ext4 inode behind a file, or null if the file is not an ext4 file of the VFS. */
    private static Ext4FsInode inodeOf(File file) {
        if (!(file instanceof VfsFile)) {
            return null;
        }
        FsInode fs = ((VfsFile) file).fsInode();
        return fs instanceof Ext4FsInode ? (Ext4FsInode) fs : null;
    }

    /**
     * What a data operation on {@code inode} fails with before it starts: EINVAL for a file that
     * is not ext4's, EIO after a forced shutdown ({@code ext4_forced_shutdown}); 0 to go on.
     */
    private static int refusal(Ext4FsInode inode) {
        if (inode == null) {
            return Errno.EINVAL.negative();
        }
        return inode.superBlock().isShutdown() ? Errno.EIO.negative() : 0;
    }

    /** {@code ext4_file_open}: refused with EIO once the file system is shut down. */
    static int open(org.vfsgi.vfs.Inode inode, File file) {
        Ext4FsInode i = inodeOf(file);
        if (i == null) {
            return Errno.ENODEV.negative();
        }
        return i.superBlock().isShutdown() ? Errno.EIO.negative() : 0;
    }

    /**
     * {@code ext4_file_mmap_prepare}, as the kernel's: EIO after a forced shutdown; MAP_SYNC
     * ({@code VMA_SYNC}) refused with EOPNOTSUPP unless the inode is DAX on a synchronous DAX
     * device ({@code daxdev_mapping_supported}) — never here, since no inode is DAX; then
     * {@code file_accessed} and the page-cache VM operations. Only the descriptor is changed.
     *
     * @param desc the descriptor
     * @return 0, or -ENODEV for a file that is not ext4's, -EIO, -EOPNOTSUPP
     */
    static int mmapPrepare(VmAreaDesc desc) {
        Ext4FsInode inode = inodeOf(desc.file());
        if (inode == null) {
            return Errno.ENODEV.negative();
        }
        if (inode.superBlock().isShutdown()) {
            return Errno.EIO.negative();
        }
        if (!daxMappingSupported(desc)) {
            return Errno.EOPNOTSUPP.negative();
        }
        inode.fileAccessed();
        // The DAX branch (ext4_dax_vm_ops and VMA_HUGEPAGE) comes with fs-dax; until then every
        // ext4 mapping is a page-cache mapping.
        desc.setVmOps(VM_OPS);
        return 0;
    }

    /** {@code daxdev_mapping_supported}: MAP_SYNC needs a DAX inode on a synchronous DAX device. */
    private static boolean daxMappingSupported(VmAreaDesc desc) {
        return !desc.flagsTest(VmaFlag.SYNC);
    }

    /** {@code ext4_file_read_iter} → {@code filemap_read}: through the page cache, with readahead. */
    static long read(File file, ByteBuffer dst, long pos) {
        Ext4FsInode inode = inodeOf(file);
        int refused = refusal(inode);
        if (refused != 0) {
            return refused;
        }
        try {
            int n = ((VfsFile) file).mapping().read(pos, dst);
            inode.fileAccessed();
            return n;
        } catch (MmException e) {
            return e.negative();
        }
    }

    /**
     * {@code ext4_buffered_write_iter}: reserves the blocks the write's holes need
     * ({@code ext4_da_write_begin}; ENOSPC before anything is written), clears stale bytes past
     * the old end of file in a cached last page, copies into the page cache (dirty pages are
     * written back later), then grows {@code i_size} or updates the times.
     */
    static long write(File file, ByteBuffer src, long pos) {
        Ext4FsInode inode = inodeOf(file);
        int refused = refusal(inode);
        if (refused != 0) {
            return refused;
        }
        Ext4SuperBlock sb = inode.superBlock();
        int len = src.remaining();
        if (len == 0) {
            return 0;
        }
        long end = pos + len;
        if (pos < 0 || end < 0 || end > sb.volume().maxFileSize()) {
            return Errno.EFBIG.negative();
        }
        FileMapping mapping = ((VfsFile) file).mapping();
        synchronized (sb.inodeLock(inode.ino())) {
            try {
                long oldSize = inode.disk("ext4_write_begin").size();
                sb.reserve(inode.ino(), pos, len, "ext4_da_write_begin");
                zeroCachedTail(mapping, oldSize, pos);
                int n = mapping.write(pos, src);
                if (pos + n > oldSize) {
                    long newSize = pos + n;
                    Ext4Errors.run("ext4_write_end", sb.deviceName(),
                            () -> sb.volume().truncate(inode.ino(), newSize));
                } else {
                    inode.fileUpdateTime("file_update_time");
                }
                return n;
            } catch (MmException e) {
                return e.negative();
            }
        }
    }

    /**
     * {@code pagecache_isize_extended}: a write beyond end of file exposes the old last page's
     * bytes past the old end, which a shared mapping may have scribbled on; they must read as zeros.
     */
    private static void zeroCachedTail(FileMapping mapping, long oldSize, long pos) {
        int inPage = (int) (oldSize & (PAGE - 1));
        if (pos <= oldSize || inPage == 0 || !mapping.isCached(oldSize >>> PAGE_SHIFT)) {
            return;
        }
        long stop = Math.min(pos, (oldSize | (PAGE - 1)) + 1);
        mapping.write(oldSize, ByteBuffer.wrap(new byte[(int) (stop - oldSize)]));
    }

    /** {@code ext4_sync_file}: writes the dirty pages back, then the metadata. */
    static int fsync(File file, long start, long end, boolean datasync) {
        Ext4FsInode inode = inodeOf(file);
        int refused = refusal(inode);
        if (refused != 0) {
            return refused;
        }
        Ext4SuperBlock sb = inode.superBlock();
        try {
            ((VfsFile) file).mapping().fsync();
            sb.sync();
            return 0;
        } catch (MmException e) {
            return e.negative();
        }
    }

    /**
     * {@code ext4_page_mkwrite}: before a page of a shared mapping becomes writable, refuse on a
     * shut-down file system, reserve the blocks its holes need (a full file system is SIGBUS, as
     * the kernel's ENOSPC here), and update the file's times. The platform then maps the page
     * writable and marks it dirty in the page cache, so write-back writes it (and write-back
     * write-protects it again, so the next write comes back here).
     *
     * @param vmf the write fault
     * @return {@link VmFaultResult#LOCKED} to allow, SIGBUS to refuse
     */
    static VmFaultResult pageMkwrite(VmFault vmf) {
        File file = vmf.vma() == null ? null : vmf.vma().file();
        Ext4FsInode inode = inodeOf(file);
        if (inode == null) {
            return VmFaultResult.SIGBUS;
        }
        Ext4SuperBlock sb = inode.superBlock();
        if (sb.isShutdown() || sb.readOnly()) {
            return VmFaultResult.SIGBUS;
        }
        try {
            long size = inode.disk("ext4_page_mkwrite").size();
            long pos = vmf.pgoff() << PAGE_SHIFT;
            if (vmf.pgoff() < 0 || pos >= size) {
                return VmFaultResult.SIGBUS; // truncated meanwhile
            }
            sb.reserve(inode.ino(), pos, Math.min(PAGE, size - pos), "ext4_page_mkwrite");
            inode.fileUpdateTime("ext4_page_mkwrite");
        } catch (MmException e) {
            LOG.log(System.Logger.Level.DEBUG, "ext4_page_mkwrite of page {0} refused: {1}", vmf.pgoff(),
                    e.getMessage());
            return e.errno() == Errno.ENOMEM ? VmFaultResult.OOM : VmFaultResult.SIGBUS;
        }
        sb.countPageMkwrite();
        return VmFaultResult.LOCKED;
    }
}
