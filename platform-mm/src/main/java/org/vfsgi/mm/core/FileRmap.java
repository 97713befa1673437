package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.vfsgi.mm.ReverseMap;
import org.vfsgi.mm.VmArea;

/**
 * The reverse map of one inode ({@code i_mmap} with {@code i_mmap_rwsem}): the set of VMAs
 * mapping it. The VFS creates one per inode and returns it from
 * {@link org.vfsgi.vfs.Inode#reverseMap()}.
 *
 * <p>Linking takes the write lock; with {@code hide_from_rmap_until_complete} the mmap path
 * keeps it held until the action and {@code mapped} ran, so {@link #mappings()} (an rmap walk)
 * waits and never sees a half-built VMA.
 */
public final class FileRmap implements ReverseMap {
    private final Set<Vma> vmas = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

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

    boolean contains(Vma vma) {
        lock.readLock().lock();
        try {
            return vmas.contains(vma);
        } finally {
            lock.readLock().unlock();
        }
    }
}
