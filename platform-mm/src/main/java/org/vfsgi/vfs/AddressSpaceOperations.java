package org.vfsgi.vfs;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The page-cache I/O of one inode ({@code struct address_space_operations}, reduced to
 * {@code read_folio} and {@code writepage}). A file system implements it and returns it from
 * {@link Inode#addressSpaceOperations()}; the platform's page cache calls it with the cache's
 * own lock held, so an implementation must not call back into the page cache, the VFS or
 * page tables (that would invert the lock order mmap lock → page-table lock → cache lock).
 */
@ConsumerType
public interface AddressSpaceOperations {
    /**
     * {@code read_folio}: fills one page of the file.
     *
     * @param index the page index in the file
     * @param buf a buffer of one page (4096 bytes), all zero on entry
     * @return the number of bytes filled from the start of {@code buf}: 0 for a hole or a page
     *         beyond the data; the rest of the page stays zero
     * @throws IOException when the data cannot be read; the fault that needed the page gets
     *         SIGBUS, a read gets EIO
     */
    int readPage(long index, byte[] buf) throws IOException;

    /**
     * {@code writepage}: writes one dirty page back.
     *
     * @param index the page index in the file
     * @param buf the page's bytes; only the first {@code len} are file data
     * @param len bytes to write: a whole page, or fewer for the page holding end of file
     * @throws IOException when the write fails; the platform remembers the error and reports
     *         EIO once, on the next {@code msync(MS_SYNC)} or {@code fsync}
     */
    void writePage(long index, byte[] buf, int len) throws IOException;
}
