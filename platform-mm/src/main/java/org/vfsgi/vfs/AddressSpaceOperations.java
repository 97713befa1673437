package org.vfsgi.vfs;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The page-cache I/O of one inode ({@code struct address_space_operations}, reduced to
 * {@code read_folio}, {@code readahead} and {@code writepage}). A file system implements it and returns it from
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
     * {@code readahead}: fills {@code count} consecutive pages in one request, as the page
     * cache's readahead asks for a whole window at once; a file system whose blocks lie
     * together on the device reads them with one device request instead of one per page. The
     * default reads page by page with {@link #readPage}.
     *
     * @param index the page index of the first page
     * @param count the number of pages, at least 1
     * @param buf {@code count * 4096} bytes, all zero on entry; holes and bytes beyond the data
     *        stay zero
     * @throws IOException when any of the pages cannot be read; none of them is then cached
     *         (a page the reader needs is read again on its own)
     */
    default void readPages(long index, int count, byte[] buf) throws IOException {
        byte[] page = new byte[4096];
        for (int i = 0; i < count; i++) {
            java.util.Arrays.fill(page, (byte) 0);
            int n = readPage(index + i, page);
            if (n < 0 || n > page.length) {
                throw new IOException("readPage(" + (index + i) + ") returned " + n + " bytes");
            }
            System.arraycopy(page, 0, buf, i * page.length, n);
        }
    }

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
