package org.vfsgi.mm;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The reverse map of one inode ({@code address_space->i_mmap}): every VMA that maps it, with
 * its own lock ({@code i_mmap_rwsem}). The platform implements it; an inode owns exactly one.
 */
@ProviderType
public interface ReverseMap {
    /** @return the number of VMAs mapping the inode */
    int mappingCount();

    /**
     * An rmap walk: a snapshot of the VMAs mapping the inode, taken under the rmap read lock,
     * so it waits while a VMA is hidden from the rmap until its mapping completes.
     *
     * @return the VMAs, in no particular order
     */
    List<VmArea> mappings();

    /** @return whether some thread holds the rmap lock for writing (a VMA is being linked or is hidden) */
    boolean isWriteLocked();
}
