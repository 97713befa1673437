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
 * so that no runtime exception escapes with the cache's state half-changed. The one adapter
 * of every page cache, whichever side (the VFS's read and write, or a fault) made it first.
 */
public final class PageIoAdapter implements PageIo {
    /** Told when a file system throws anything but an {@link IOException}: it broke its contract. */
    @FunctionalInterface
    public interface ContractBreach {
        /**
         * @param op the operation ({@code read_folio}, {@code readahead}, {@code writepage})
         * @param index the (first) page index
         * @param e what it threw
         */
        void threw(String op, long index, RuntimeException e);
    }

    private final AddressSpaceOperations aops;
    private final String what;
    private final ContractBreach onBreach;

    /**
     * @param aops the file system's operations
     * @param what the inode, for messages
     * @param onBreach told of runtime exceptions before they become I/O errors; null for nobody
     */
    public PageIoAdapter(AddressSpaceOperations aops, String what, ContractBreach onBreach) {
        this.aops = Objects.requireNonNull(aops, "aops");
        this.what = what;
        this.onBreach = onBreach;
    }

    @Override
    public int readPage(long index, byte[] buf) throws IOException {
        try {
            return aops.readPage(index, buf);
        } catch (IOException | RuntimeException e) {
            throw failed("read_folio", index, "page " + index, e);
        }
    }

    @Override
    public void readPages(long index, int count, byte[] buf) throws IOException {
        try {
            aops.readPages(index, count, buf);
        } catch (IOException | RuntimeException e) {
            throw failed("readahead", index, "pages " + index + ".." + (index + count - 1), e);
        }
    }

    @Override
    public void writePage(long index, byte[] buf, int len) throws IOException {
        try {
            aops.writePage(index, buf, len);
        } catch (IOException | RuntimeException e) {
            throw failed("writepage", index, "page " + index, e);
        }
    }

    private IOException failed(String op, long index, String pages, Exception e) {
        if (e instanceof RuntimeException && onBreach != null) {
            onBreach.threw(op, index, (RuntimeException) e);
        }
        return new IOException(op + " of " + pages + " of " + what + " failed: " + e.getMessage(), e);
    }
}
