package org.vfsgi.vfs;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;
import org.vfsgi.mm.MmException;

/**
 * An inode's page cache as its file system's file operations see it ({@code i_mapping}): the
 * generic read, write and fault helpers a file system's {@code read}, {@code write} and
 * {@code fault} hooks are built from ({@code filemap_read}, {@code generic_perform_write},
 * {@code filemap_fault}). The platform implements it; the page cache belongs to the platform,
 * so it survives a swap of the file-system bundle.
 */
@ProviderType
public interface FileMapping {
    /** @return whether the cache has no {@link AddressSpaceOperations} behind it (tmpfs, shmem) */
    boolean isMemoryOnly();

    /**
     * {@code filemap_read}: copies file data into {@code dst} from its position to its limit,
     * stopping at end of file ({@code i_size}); advances the buffer's position.
     *
     * @param pos the file offset
     * @param dst where the bytes go
     * @return the number of bytes copied, 0 at or beyond end of file
     * @throws MmException EIO if a page cannot be read, ENOMEM if no frame is free, EINVAL for a negative offset
     */
    int read(long pos, ByteBuffer dst);

    /**
     * {@code generic_perform_write}: copies {@code src} from its position to its limit into
     * the cache and dirties the pages; advances the buffer's position. Extending
     * {@code i_size} is the caller's business, as in the kernel.
     *
     * @param pos the file offset
     * @param src the bytes
     * @return the number of bytes written
     * @throws MmException EIO if a partly written page cannot be read first, ENOMEM, EFBIG
     *         beyond the largest file offset
     */
    int write(long pos, ByteBuffer src);

    /**
     * @param index a page index in the file
     * @return whether the page is in the cache
     */
    boolean isCached(long index);

    /** @return the number of cached pages */
    long cachedPages();

    /**
     * {@code filemap_fault}'s page lookup: the cached page at {@code index}, read (or created
     * zero-filled for a memory-only cache) if missing.
     *
     * @param index the page index in the file
     * @return the page's frame number, with one reference taken for the caller (the mapping
     *         that installs it owns that reference, the kernel's {@code vmf->page})
     * @throws MmException EIO if the page cannot be read, ENOMEM if no frame is free
     */
    long faultPage(long index);

    /**
     * {@code filemap_write_and_wait_range} over the whole file and the write-back error check.
     *
     * @throws MmException EIO, once, if a write-back failed since the last report
     */
    void fsync();
}
