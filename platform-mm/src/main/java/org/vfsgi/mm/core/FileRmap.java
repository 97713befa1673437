package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.vfsgi.mm.ReverseMap;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.core.page.PageCache;

/**
 * The reverse map of one inode ({@code i_mmap} with {@code i_mmap_rwsem}): the set of VMAs
 * mapping it. The VFS creates one per inode and returns it from
 * {@link org.vfsgi.vfs.Inode#reverseMap()}.
 *
 * <p>Linking takes the write lock; with {@code hide_from_rmap_until_complete} the mmap path
 * keeps it held until the action and {@code mapped} ran, so {@link #mappings()} (an rmap walk)
 * waits and never sees a half-built VMA.
 *
 * <p>It also holds the inode's page cache ({@code inode->i_mapping}): the reverse map is the one
 * platform object every mapped inode already owns for its whole life, so keeping the cache
 * here gives the cache exactly the inode's lifetime without a global registry keyed by inode
 * objects (which would either leak inodes or depend on how a VFS implements {@code equals}).
 */
public final class FileRmap implements ReverseMap {
    private final Set<Vma> vmas = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile PageCache pageCache;

    /** Creates an empty reverse map. */
    public FileRmap() {
    }

    @Override
    public int mappingCount() {
        lock.readLock().lock();
        try {
            return vmas.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<VmArea> mappings() {
        lock.readLock().lock();
        try {
            return new ArrayList<>(vmas);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean isWriteLocked() {
        return lock.isWriteLocked();
    }

    /** @return whether the current thread holds the write lock */
    boolean isWriteLockedByCurrentThread() {
        return lock.isWriteLockedByCurrentThread();
    }

    /**
     * {@code vma_link_file}: adds a VMA.
     *
     * @param vma the VMA
     * @param holdLock leave the write lock held on return ({@code hide_from_rmap_until_complete})
     */
    void link(Vma vma, boolean holdLock) {
        lock.writeLock().lock();
        try {
            vmas.add(vma);
        } finally {
            if (!holdLock) {
                lock.writeLock().unlock();
            }
        }
    }

    /** Takes the write lock around a change of a linked VMA's range ({@code vma_prepare}). */
    void lockWrite() {
        lock.writeLock().lock();
    }

    void unlockWrite() {
        lock.writeLock().unlock();
    }

    /** Releases the write lock kept by {@link #link(Vma, boolean)} with {@code holdLock}. */
    void unlockHeld() {
        lock.writeLock().unlock();
    }

    /** {@code unlink_file_vma}: removes a VMA. */
    void unlink(Vma vma) {
        lock.writeLock().lock();
        try {
            vmas.remove(vma);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * @return the inode's page cache, or null if nobody needed one yet
     */
    public PageCache pageCache() {
        return pageCache;
    }

    /**
     * Gives the inode its page cache unless it has one already; the first cache installed stays
     * for the inode's life, so the VFS (buffered read/write) and the fault path always share one.
     * The cache's mkclean hook is set to write-protect this inode's shared mappings, so
     * write-back sees writes made through them.
     *
     * @param cache the cache to install if none is
     * @return the inode's page cache: {@code cache}, or the one installed earlier
     */
    public synchronized PageCache installPageCache(PageCache cache) {
        java.util.Objects.requireNonNull(cache, "cache");
        if (pageCache == null) {
            cache.setMkcleanHook(this::mkclean);
            pageCache = cache;
        }
        return pageCache;
    }

    /**
     * {@code folio_mkclean} over a range of the file: for every shared VMA mapping part of
     * {@code [fromIndex, toIndex)}, move the dirty bits of its entries into the page cache and
     * write-protect them, so the next write faults and dirties the page again. Runs under the
     * rmap read lock (so no VMA is unlinked meanwhile), then each page table's lock.
     */
    private void mkclean(long fromIndex, long toIndex) {
        forEachMapping(v -> {
            PageMemory pm = v.mm.kernel().pageMemory();
            if (pm == null || v.mm.pageTable() == null) {
                return;
            }
            long pages = v.pages();
            long lo = Math.max(fromIndex, v.pgoff);
            long hi = Math.min(toIndex, v.pgoff + pages);
            if (lo >= hi) {
                return;
            }
            long s = v.start + ((lo - v.pgoff) << org.vfsgi.mm.Mman.PAGE_SHIFT);
            long e = v.start + ((hi - v.pgoff) << org.vfsgi.mm.Mman.PAGE_SHIFT);
            pm.faultCore().syncDirty(v.mm.pageTable(), s, e, pm.mappingOf(v, false));
        });
    }

    /** Calls {@code action} for each VMA, holding the rmap read lock (an rmap walk). */
    void forEachMapping(Consumer<Vma> action) {
        lock.readLock().lock();
        try {
            for (Vma v : vmas) {
                action.accept(v);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean contains(Vma vma) {
        lock.readLock().lock();
        try {
            return vmas.contains(vma);
        } finally {
            lock.readLock().unlock();
        }
    }
}
