package org.vfsgi.mm.core.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.ReverseMap;
import org.vfsgi.mm.core.FileRmap;
import org.vfsgi.mm.core.PageMemory;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.mm.core.page.PageTable;
import org.vfsgi.vfs.AddressSpaceOperations;
import org.vfsgi.vfs.FileMapping;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.Inode;

/**
 * The platform's half of an inode: what the mmap path sees ({@link Inode}: device, inode
 * number, size, reverse map) and the page cache ({@code i_mapping}), created on first use from
 * the file system's {@link AddressSpaceOperations}, or memory-only when it has none. One per
 * (mount, inode number) while the VFS holds it; the file system's {@link FsInode} is kept
 * beside it.
 */
public final class VfsInode implements Inode {
    private final Mount mount;
    private final long ino;
    private final PhysicalMemory ram;
    /** The kernel's page layer, which makes page caches with contract checking; null in a bare VFS. */
    private final PageMemory pageMemory;
    private final FileRmap rmap = new FileRmap();
    private final Mapping mapping = new Mapping();
    private volatile FsInode fs;
    /** Open files on this inode; guarded by the namespace lock. */
    int openCount;

    VfsInode(Mount mount, FsInode fs, PhysicalMemory ram, PageMemory pageMemory) {
        this.mount = mount;
        this.fs = fs;
        this.ino = fs.ino();
        this.ram = ram;
        this.pageMemory = pageMemory;
    }

    /** @return the file system's inode */
    public FsInode fsInode() {
        return fs;
    }

    /** A lookup may hand out a fresh object for the same inode; the latest one is used. */
    void refresh(FsInode newer) {
        fs = newer;
    }

    /** @return the mount the inode belongs to */
    public Mount mount() {
        return mount;
    }

    @Override
    public int deviceMajor() {
        return mount.dev.major();
    }

    @Override
    public int deviceMinor() {
        return mount.dev.minor();
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public long size() {
        return fs.getattr().size();
    }

    @Override
    public ReverseMap reverseMap() {
        return rmap;
    }

    /** The file system's page I/O for this inode, so the kernel's page layer can build the same cache. */
    @Override
    public AddressSpaceOperations addressSpaceOperations() {
        return fs.addressSpaceOperations();
    }

    /** @return whether a page cache exists yet */
    public boolean hasPageCache() {
        return rmap.pageCache() != null;
    }

    /**
     * The inode's page cache, created on first use ({@code i_mapping}). It is kept in the
     * inode's reverse map ({@link FileRmap#installPageCache}), the one place the kernel's page
     * layer ({@code PageMemory.pageCacheOf}) also looks, so that read, write, truncate and
     * faults through any mapping of the inode share one cache whichever side made it first.
     *
     * @return the cache
     */
    public PageCache pageCache() {
        PageCache c = rmap.pageCache();
        if (c != null) {
            return c;
        }
        if (pageMemory != null) {
            return pageMemory.pageCacheOf(this); // the same cache, made the way a fault makes it
        }
        AddressSpaceOperations aops = fs.addressSpaceOperations();
        PageCache fresh = aops == null ? PageCache.memoryOnly(ram)
                : new PageCache(ram, new PageIoAdapter(aops, describe(), null), this::size);
        // A racing creator may have won; installPageCache returns the one that is kept.
        return rmap.installPageCache(fresh);
    }

    /** @return the API view of the page cache handed to file operations */
    public FileMapping mapping() {
        return mapping;
    }

    /** Drops every cached page ({@code truncate_inode_pages_final}) before the inode goes away. */
    void dropPageCache() {
        PageCache c = rmap.pageCache();
        if (c != null) {
            c.truncate(0);
        }
    }

    String describe() {
        return "inode " + ino + " on " + mount.dev;
    }

    @Override
    public String toString() {
        return "VfsInode[" + describe() + "]";
    }

    /** {@link FileMapping} over this inode's page cache, translating the cache's errors to errnos. */
    private final class Mapping implements FileMapping {
        @Override
        public boolean isMemoryOnly() {
            return pageCache().isMemoryOnly();
        }

        @Override
        public int read(long pos, ByteBuffer dst) {
            if (pos < 0) {
                throw new MmException(Errno.EINVAL, "filemap_read", "negative file offset " + pos);
            }
            int len = dst.remaining();
            byte[] tmp = new byte[len];
            int n;
            try {
                n = pageCache().read(pos, tmp, 0, len, size());
            } catch (IOException e) {
                throw new MmException(Errno.EIO, "filemap_read", describe() + ": " + e.getMessage(), e);
            } catch (HwException e) {
                throw hw("filemap_read", e);
            }
            dst.put(tmp, 0, n);
            return n;
        }

        @Override
        public int write(long pos, ByteBuffer src) {
            int len = src.remaining();
            if (pos < 0 || pos + len < 0 || (pos + len) >>> PageTable.PAGE_SHIFT > PageCache.MAX_INDEX) {
                throw new MmException(Errno.EFBIG, "generic_perform_write", "write of " + len + " bytes at "
                        + pos + " goes beyond the largest file offset");
            }
            byte[] tmp = new byte[len];
            src.get(tmp);
            try {
                return pageCache().write(pos, tmp, 0, len);
            } catch (IOException e) {
                throw new MmException(Errno.EIO, "generic_perform_write", describe() + ": " + e.getMessage(), e);
            } catch (HwException e) {
                throw hw("generic_perform_write", e);
            }
        }

        @Override
        public boolean isCached(long index) {
            return index >= 0 && index <= PageCache.MAX_INDEX && pageCache().find(index) != PageCache.NO_PAGE;
        }

        @Override
        public long cachedPages() {
            PageCache c = rmap.pageCache();
            return c == null ? 0 : c.pageCount();
        }

        @Override
        public long faultPage(long index) {
            if (index < 0 || index > PageCache.MAX_INDEX) {
                throw new MmException(Errno.EINVAL, "filemap_fault", "page index " + index + " out of range");
            }
            try {
                long pfn = pageCache().findOrRead(index);
                ram.get(pfn); // the reference the installing page-table entry will own
                return pfn;
            } catch (IOException e) {
                throw new MmException(Errno.EIO, "filemap_fault", describe() + ": " + e.getMessage(), e);
            } catch (HwException e) {
                throw hw("filemap_fault", e);
            }
        }

        @Override
        public void fsync() {
            PageCache c = rmap.pageCache();
            if (c == null) {
                return;
            }
            try {
                c.fsync();
            } catch (IOException e) {
                throw new MmException(Errno.EIO, "file_write_and_wait_range", describe() + ": " + e.getMessage(), e);
            }
        }

        private MmException hw(String step, HwException e) {
            Errno errno;
            try {
                errno = Errno.valueOf(e.errno());
            } catch (IllegalArgumentException unknown) {
                errno = Errno.EIO; // an errno name the platform does not know is still a device failure
            }
            return new MmException(errno, step, describe() + ": " + e.getMessage(), e);
        }
    }
}
