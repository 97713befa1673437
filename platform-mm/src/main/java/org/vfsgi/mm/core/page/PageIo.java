package org.vfsgi.mm.core.page;

import java.io.IOException;

/**
 * How a page cache reaches its file's data: the file system's {@code read_folio} and
 * {@code writepages} for one inode. Implemented by file systems; called by {@link PageCache}
 * with the cache's lock held, so an implementation must not call back into the cache or touch
 * page tables.
 */
public interface PageIo {
    /**
     * Reads one page of the file ({@code read_folio}).
     *
     * @param index the page index in the file
     * @param buf a buffer of {@link PageTable#PAGE_SIZE} bytes, all zero on entry
     * @return the number of bytes filled from the start of {@code buf} (0 for a hole or a page
     *         beyond the end of the data); the rest stays zero
     * @throws IOException when the data cannot be read; the fault or read that needed it fails
     *         with EIO / SIGBUS
     */
    int readPage(long index, byte[] buf) throws IOException;

    /**
     * Reads consecutive pages in one request ({@code readahead}); by default page by page.
     *
     * @param index the page index of the first page
     * @param count the number of pages, at least 1
     * @param buf {@code count} pages of bytes, all zero on entry; holes stay zero
     * @throws IOException when a page cannot be read; the cache then keeps none of them
     */
    default void readPages(long index, int count, byte[] buf) throws IOException {
        PageIo self = this;
        // The API's page-by-page default is the one loop of readPage calls.
        new org.vfsgi.vfs.AddressSpaceOperations() {
            @Override
            public int readPage(long i, byte[] page) throws IOException {
                return self.readPage(i, page);
            }

            @Override
            public void writePage(long i, byte[] page, int len) throws IOException {
                self.writePage(i, page, len);
            }
        }.readPages(index, count, buf);
    }

    /**
     * Writes one page of the file back ({@code writepage}).
     *
     * @param index the page index in the file
     * @param buf the page's bytes; only the first {@code len} are file data
     * @param len bytes to write: a full page, or less for the page holding end of file
     * @throws IOException when the write fails; the cache records it and reports it once, on
     *         the next {@link PageCache#fsync()}
     */
    void writePage(long index, byte[] buf, int len) throws IOException;
}
