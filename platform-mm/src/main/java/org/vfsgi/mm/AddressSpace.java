package org.vfsgi.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An address space ({@code struct mm_struct}) as hooks see it: its VMAs, its counters and its
 * mmap lock. The platform implements it.
 *
 * <p>The mmap lock is exposed because the kernel exposes it: a hook is <em>not</em> allowed to
 * release it while the platform holds it across a call (for example during
 * {@code mmap_complete}); doing so is a contract violation that the platform detects.
 */
@ProviderType
public interface AddressSpace {
    /** @return the id of the process that owns this address space, or 0 for none */
    int ownerPid();

    /** @return the number of VMAs ({@code map_count}) */
    int mapCount();

    /** @return the map-count limit ({@code sysctl_max_map_count}) */
    int maxMapCount();

    /**
     * {@code find_vma}: the first VMA that ends above {@code addr}.
     *
     * @param addr a user address
     * @return that VMA (which may start above {@code addr}), or {@code null}
     */
    VmArea findVma(long addr);

    /**
     * {@code vma_lookup}: the VMA that contains {@code addr}.
     *
     * @param addr a user address
     * @return the VMA, or {@code null} if the address is not mapped
     */
    VmArea vmaLookup(long addr);

    /** {@code mmap_write_lock}: takes the mmap lock for writing (reentrant for the owning thread). */
    void mmapWriteLock();

    /** {@code mmap_write_unlock}: releases one write hold; the last release ends every VMA write lock. */
    void mmapWriteUnlock();

    /** {@code mmap_read_lock}. */
    void mmapReadLock();

    /** {@code mmap_read_unlock}. */
    void mmapReadUnlock();

    /** @return whether the current thread holds the mmap lock for writing ({@code mmap_assert_write_locked}) */
    boolean isMmapWriteLocked();
}
