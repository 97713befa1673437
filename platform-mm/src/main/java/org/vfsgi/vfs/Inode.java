package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ProviderType;
import org.vfsgi.mm.ReverseMap;

/**
 * An inode as memory mapping sees it: identity for {@code /proc/PID/maps}, size, and the
 * reverse map of VMAs mapping it. The VFS implements it.
 */
@ProviderType
public interface Inode {
    /** @return the major number of the device holding the inode ({@code MAJOR(i_sb->s_dev)}) */
    int deviceMajor();

    /** @return the minor number of that device */
    int deviceMinor();

    /** @return the inode number ({@code i_ino}) */
    long ino();

    /** @return the file size in bytes ({@code i_size}) */
    long size();

    /**
     * The inode's reverse map ({@code i_mapping->i_mmap}). The platform creates it; an
     * inode returns the same instance for its whole life.
     *
     * @return the reverse map
     */
    ReverseMap reverseMap();

    /**
     * The inode's page-cache I/O ({@code i_mapping->a_ops}): how the platform's page cache of
     * this inode reads pages in and writes dirty pages back. The platform asks once, when it
     * creates the inode's page cache (on the first fault or {@code msync} that needs it), and
     * keeps the cache for as long as the inode's reverse map lives.
     *
     * @return the operations, or {@code null} (the default) for an inode whose data lives only
     *         in memory (tmpfs, shmem): missing pages start zero-filled and are never written back
     */
    default AddressSpaceOperations addressSpaceOperations() {
        return null;
    }
}
