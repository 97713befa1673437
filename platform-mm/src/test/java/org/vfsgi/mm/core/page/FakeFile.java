package org.vfsgi.mm.core.page;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file system's view of one file for {@link PageIo}: bytes in an array, with counters and
 * failure injection as test fields.
 */
final class FakeFile implements PageIo {
    static final int PAGE = PageTable.PAGE_SIZE;

    byte[] bytes;
    long size;
    /** Page indices read, in order. */
    final List<Long> reads = new ArrayList<>();
    /** readPages requests as "first+count", in order (their pages also show in {@link #reads}). */
    final List<String> batches = new ArrayList<>();
    /** Page indices written back, in order. */
    final List<Long> writes = new ArrayList<>();
    /** Lengths passed to writePage, in order. */
    final List<Integer> writeLengths = new ArrayList<>();
    /** Page index whose reads fail, or -1. */
    long failReadIndex = -1;
    /** Number of upcoming writePage calls that fail. */
    int failWrites;

    FakeFile(long size) {
        this.size = size;
        this.bytes = new byte[(int) size];
    }

    /** A file whose byte i is (i * 7 + i / 4096) & 0xff, so pages differ. */
    static FakeFile patterned(long size) {
        FakeFile f = new FakeFile(size);
        for (int i = 0; i < size; i++) {
            f.bytes[i] = pattern(i);
        }
        return f;
    }

    static byte pattern(long i) {
        return (byte) (i * 7 + i / PAGE);
    }

    @Override
    public void readPages(long index, int count, byte[] buf) throws IOException {
        batches.add(index + "+" + count);
        PageIo.super.readPages(index, count, buf);
    }

    @Override
    public int readPage(long index, byte[] buf) throws IOException {
        reads.add(index);
        if (index == failReadIndex) {
            throw new IOException("injected read error at page " + index);
        }
        long pos = index * PAGE;
        if (pos >= size) {
            return 0;
        }
        int n = (int) Math.min(PAGE, size - pos);
        System.arraycopy(bytes, (int) pos, buf, 0, n);
        return n;
    }

    @Override
    public void writePage(long index, byte[] buf, int len) throws IOException {
        if (failWrites > 0) {
            failWrites--;
            throw new IOException("injected write error at page " + index);
        }
        writes.add(index);
        writeLengths.add(len);
        long end = index * PAGE + len;
        if (end > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) end);
        }
        System.arraycopy(buf, 0, bytes, (int) (index * PAGE), len);
    }
}
