package org.vfsgi.fs.ext4.internal;

import java.io.IOException;

import org.vfsgi.fs.ext4.disk.Ext4Exception;
import org.vfsgi.hw.HwException;
import org.vfsgi.vfs.AddressSpaceOperations;

/**
 * {@code ext4_aops} of one regular file: {@code read_folio} and {@code writepage} over the
 * engine. The platform's page cache calls them with its own lock held; they only call the engine
 * (whose lock is always taken last) and the superblock's reservation counter.
 */
final class Ext4AddressSpace implements AddressSpaceOperations {
    private static final int PAGE = 4096;

    private final Ext4SuperBlock sb;
    private final long ino;

    Ext4AddressSpace(Ext4SuperBlock sb, long ino) {
        this.sb = sb;
        this.ino = ino;
    }

    /** {@code ext4_read_folio}: holes and the part past end of file read as zeros. */
    @Override
    public int readPage(long index, byte[] buf) throws IOException {
        try {
            return sb.volume().readPage(ino, index, buf);
        } catch (Ext4Exception | HwException e) {
            throw new IOException("ext4 on " + sb.deviceName() + ": reading page " + index + " of inode " + ino + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@code ext4_readahead}: a window of pages, each run of adjacent blocks in one device request. */
    @Override
    public void readPages(long index, int count, byte[] buf) throws IOException {
        try {
            sb.volume().readPages(ino, index, count, buf);
        } catch (Ext4Exception | HwException e) {
            throw new IOException("ext4 on " + sb.deviceName() + ": reading pages " + index + ".." + (index + count - 1)
                    + " of inode " + ino + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code ext4_writepages} for one page: allocates the page's holes (their reservation ends)
     * and writes the bytes below end of file.
     *
     * @throws IOException with ENOSPC when not every block could be allocated, or the engine's error
     */
    @Override
    public void writePage(long index, byte[] buf, int len) throws IOException {
        byte[] page = buf;
        if (buf.length != PAGE) {
            page = java.util.Arrays.copyOf(buf, PAGE);
        }
        int written;
        try {
            written = sb.volume().writePage(ino, index, page);
        } catch (Ext4Exception | HwException e) {
            throw new IOException("ext4 on " + sb.deviceName() + ": writing page " + index + " of inode " + ino + ": "
                    + e.getMessage(), e);
        } finally {
            sb.unreserve(ino, index * PAGE, PAGE);
        }
        if (written < len) {
            throw new IOException("ext4 on " + sb.deviceName() + ": ENOSPC: only " + written + " of " + len
                    + " bytes of page " + index + " of inode " + ino + " could be written");
        }
    }

    @Override
    public String toString() {
        return "ext4_aops[inode " + ino + " on " + sb.deviceName() + "]";
    }
}
