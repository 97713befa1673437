package org.vfsgi.mm.core.vfs;

import java.io.IOException;
import java.util.Objects;
import org.vfsgi.mm.core.page.PageIo;
import org.vfsgi.vfs.AddressSpaceOperations;

/**
 * Adapts a file system's {@link AddressSpaceOperations} to the core page cache's
 * {@link PageIo}, so that the page cache stays a platform object while the file system only
 * moves bytes. Every failure of the file system (an {@link IOException}, an
 * {@code MmException} or a {@code HwException} of its block device) becomes an
 * {@link IOException} naming the page and the inode, which the page cache turns into EIO,
 * so that no runtime exception escapes with the cache's state half-changed.
 */
final class PageIoAdapter implements PageIo {
    private final AddressSpaceOperations aops;
    private final String what;

    PageIoAdapter(AddressSpaceOperations aops, String what) {
        this.aops = Objects.requireNonNull(aops, "aops");
        this.what = what;
    }

    @Override
    public int readPage(long index, byte[] buf) throws IOException {
        try {
            return aops.readPage(index, buf);
        } catch (IOException | RuntimeException e) {
            throw new IOException("read_folio of page " + index + " of " + what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void readPages(long index, int count, byte[] buf) throws IOException {
        try {
            aops.readPages(index, count, buf);
        } catch (IOException | RuntimeException e) {
            throw new IOException("readahead of pages " + index + ".." + (index + count - 1) + " of " + what
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void writePage(long index, byte[] buf, int len) throws IOException {
        try {
            aops.writePage(index, buf, len);
        } catch (IOException | RuntimeException e) {
            throw new IOException("writepage of page " + index + " of " + what + " failed: " + e.getMessage(), e);
        }
    }
}
