package org.vfsgi.mm.core.shmem;

import java.nio.ByteBuffer;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmFault;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileMapping;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.VfsFile;

/**
 * The file and VM operations of tmpfs regular files and shmem objects
 * ({@code shmem_file_operations}, {@code shmem_vm_ops}, {@code shmem_anon_vm_ops}). The
 * tables are immutable and hold no state: everything they need comes from the file they are
 * called with, so the mmap path can call {@code mmap_prepare} again at any time.
 */
public final class ShmemFile {
    private static final System.Logger LOG = System.getLogger(ShmemFile.class.getName());
    private static final int PAGE = ShmemSuperBlock.PAGE;
    private static final int PAGE_SHIFT = 12;
    /** {@code SEEK_DATA}: the next offset holding data. */
    public static final int SEEK_DATA = 3;
    /** {@code SEEK_HOLE}: the next offset in a hole. */
    public static final int SEEK_HOLE = 4;

    /**
     * {@code shmem_vm_ops}: faults supply pages from the inode's page cache, and a read fault
     * first maps the cached pages around it ({@code filemap_map_pages}).
     */
    public static final VmOperations VM_OPS = VmOperations.builder().name("shmem_vm_ops").fault(ShmemFile::fault)
            .mapPages(VmOperations.FILEMAP_MAP_PAGES).build();

    /** {@code shmem_anon_vm_ops}: the same for shared anonymous memory and shared {@code /dev/zero}. */
    public static final VmOperations ANON_VM_OPS = VmOperations.builder().name("shmem_anon_vm_ops")
            .fault(ShmemFile::fault).mapPages(VmOperations.FILEMAP_MAP_PAGES).build();

    /**
     * {@code shmem_file_operations}: {@code mmap_prepare} (no legacy {@code mmap}), read, write,
     * llseek with {@code SEEK_DATA}/{@code SEEK_HOLE}, and a no-op fsync.
     */
    public static final FileOperations FILE_OPERATIONS = FileOperations.builder().name("shmem_file_operations")
            .mmapPrepare(ShmemFile::mmapPrepare)
            .read(ShmemFile::read)
            .write(ShmemFile::write)
            .llseek(ShmemFile::llseek)
            .fsync(ShmemFile::fsync)
            .build();

    private ShmemFile() {
    }

    /** The tmpfs inode of a file, with its page cache attached; null if the file is not ours. */
    private static ShmemInode inodeOf(File file) {
        if (!(file instanceof VfsFile)) {
            return null;
        }
        VfsFile vf = (VfsFile) file;
        FsInode fs = vf.fsInode();
        if (!(fs instanceof ShmemInode)) {
            return null;
        }
        ShmemInode inode = (ShmemInode) fs;
        inode.attach(vf.mapping());
        return inode;
    }

    /**
     * {@code shmem_mmap_prepare}: marks the file accessed and gives the mapping the shmem VM
     * operations, whose fault reads the page cache. Stateless: it only fills the descriptor.
     *
     * @param desc the descriptor
     * @return {@code 0}, or {@code -ENODEV} for a file that is not a tmpfs file
     */
    static int mmapPrepare(VmAreaDesc desc) {
        ShmemInode inode = inodeOf(desc.file());
        if (inode == null) {
            return Errno.ENODEV.negative();
        }
        inode.accessed();
        desc.setVmOps(VM_OPS);
        return 0;
    }

    /**
     * {@code shmem_file_read_iter}: holes read as zeros without allocating pages, as the kernel
     * copies from {@code ZERO_PAGE} instead of filling the cache.
     */
    static long read(File file, ByteBuffer dst, long pos) {
        ShmemInode inode = inodeOf(file);
        if (inode == null) {
            return Errno.EINVAL.negative();
        }
        FileMapping mapping = inode.mapping();
        long size = inode.size();
        if (pos >= size || !dst.hasRemaining()) {
            return 0;
        }
        long total = Math.min(dst.remaining(), size - pos);
        long done = 0;
        try {
            while (done < total) {
                long p = pos + done;
                int inPage = (int) (p & (PAGE - 1));
                int n = (int) Math.min(total - done, PAGE - inPage);
                if (mapping.isCached(p >>> PAGE_SHIFT)) {
                    ByteBuffer part = dst.slice();
                    part.limit(n);
                    int got = mapping.read(p, part);
                    dst.position(dst.position() + got);
                    done += got;
                    if (got < n) {
                        break; // truncated meanwhile: stop at the new end of file
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        dst.put((byte) 0);
                    }
                    done += n;
                }
            }
        } catch (MmException e) {
            if (done == 0) {
                return e.negative();
            }
        }
        inode.accessed();
        return done;
    }

    /**
     * {@code shmem_file_write_iter}: charges the pages the write adds against {@code size=}
     * (ENOSPC before anything is written), copies into the page cache, grows {@code i_size}.
     */
    static long write(File file, ByteBuffer src, long pos) {
        ShmemInode inode = inodeOf(file);
        if (inode == null) {
            return Errno.EINVAL.negative();
        }
        int len = src.remaining();
        if (len == 0) {
            return 0;
        }
        long end = pos + len;
        if (end < 0) {
            return Errno.EFBIG.negative();
        }
        FileMapping mapping = inode.mapping();
        ShmemSuperBlock sb = inode.superBlock();
        try {
            synchronized (sb) {
                long missing = 0;
                for (long i = pos >>> PAGE_SHIFT; i <= (end - 1) >>> PAGE_SHIFT; i++) {
                    if (!mapping.isCached(i)) {
                        missing++;
                    }
                }
                sb.chargePages(missing, "shmem_write_begin");
                int n = mapping.write(pos, src);
                inode.written(pos + n);
                return n;
            }
        } catch (MmException e) {
            return e.negative();
        }
    }

    /** {@code shmem_file_llseek}: the generic whences plus {@code SEEK_DATA} / {@code SEEK_HOLE} over cached pages. */
    static long llseek(File file, long offset, int whence) {
        ShmemInode inode = inodeOf(file);
        if (inode == null) {
            return Errno.EINVAL.negative();
        }
        long size = inode.size();
        long pos;
        switch (whence) {
            case Fcntl.SEEK_SET:
                pos = offset;
                break;
            case Fcntl.SEEK_CUR:
                pos = ((VfsFile) file).position() + offset;
                break;
            case Fcntl.SEEK_END:
                pos = size + offset;
                break;
            case SEEK_DATA:
            case SEEK_HOLE:
                if (offset < 0) {
                    return Errno.EINVAL.negative();
                }
                if (offset >= size) {
                    return Errno.ENXIO.negative();
                }
                pos = seekDataHole(inode.mapping(), offset, size, whence == SEEK_DATA);
                if (pos < 0) {
                    return Errno.ENXIO.negative();
                }
                break;
            default:
                return Errno.EINVAL.negative();
        }
        return pos < 0 ? Errno.EINVAL.negative() : pos;
    }

    /** The first offset at or after {@code offset} in data (or a hole); end of file is a hole. */
    private static long seekDataHole(FileMapping mapping, long offset, long size, boolean data) {
        long lastIndex = (size - 1) >>> PAGE_SHIFT;
        for (long i = offset >>> PAGE_SHIFT; i <= lastIndex; i++) {
            if (mapping.isCached(i) == data) {
                return Math.max(offset, i << PAGE_SHIFT);
            }
        }
        return data ? -1 : size;
    }

    /** {@code noop_fsync}: the page cache is the only copy of tmpfs data, there is nowhere to write it. */
    static int fsync(File file, long start, long end, boolean datasync) {
        return 0;
    }

    /**
     * {@code shmem_fault}: the page at the fault's offset from the inode's page cache, created
     * zero-filled (and charged against {@code size=}) if missing. Beyond end of file, over the
     * size limit, or for a caller that cannot take a page: SIGBUS; no memory: OOM.
     *
     * @param vmf the fault; the page is handed over with {@link VmFault#setPage}
     * @return {@link VmFaultResult#PAGE} with the page delivered, or the error outcome
     */
    static VmFaultResult fault(VmFault vmf) {
        File file = vmf.vma() == null ? null : vmf.vma().file();
        ShmemInode inode = inodeOf(file);
        if (inode == null) {
            LOG.log(System.Logger.Level.WARNING, "shmem_fault on a VMA without a tmpfs file: {0}", vmf.vma());
            return VmFaultResult.SIGBUS;
        }
        long index = vmf.pgoff();
        long size = inode.size();
        if (index < 0 || index >= (size + PAGE - 1) >>> PAGE_SHIFT) {
            return VmFaultResult.SIGBUS;
        }
        FileMapping mapping = inode.mapping();
        ShmemSuperBlock sb = inode.superBlock();
        long pfn;
        try {
            synchronized (sb) {
                if (!mapping.isCached(index)) {
                    sb.chargePages(1, "shmem_get_folio");
                }
                pfn = mapping.faultPage(index);
            }
        } catch (MmException e) {
            return e.errno() == Errno.ENOMEM ? VmFaultResult.OOM : VmFaultResult.SIGBUS;
        }
        try {
            vmf.setPage(pfn);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // A fault object that cannot take a page (not the platform's): give the reference back.
            LOG.log(System.Logger.Level.WARNING, "shmem_fault: {0} cannot take page 0x{1}: {2}", vmf,
                    Long.toHexString(pfn), e.getMessage());
            inode.superBlock().ram.put(pfn);
            return VmFaultResult.SIGBUS;
        }
        return VmFaultResult.PAGE;
    }
}
