package org.vfsgi.mm.core;

import java.util.Arrays;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalMemory;

/**
 * System RAM for tests of the core: reference-counted frames, zero on allocation, bytes stored
 * only for frames that were written with something other than zeros, so a million touched
 * frames cost a few MB. Strict where that finds bugs: any access to a free frame throws
 * ("use after free"), and so does dropping a reference of a free frame.
 */
final class TestRam implements PhysicalMemory {
    static final int PAGE = 4096;

    private final long base;
    private final int frames;
    private final byte[][] data;
    private final int[] refs;
    private final int[] free;
    private int freeTop;

    TestRam(int frames) {
        this(0x1000, frames);
    }

    /** Frames from PFN {@code base}: a second instance can play a device elsewhere in the physical map. */
    TestRam(long base, int frames) {
        this.base = base;
        this.frames = frames;
        this.data = new byte[frames][];
        this.refs = new int[frames];
        this.free = new int[frames];
        for (int i = 0; i < frames; i++) {
            free[i] = frames - 1 - i;
        }
        this.freeTop = frames;
    }

    private int slot(long pfn) {
        if (pfn < base || pfn - base >= frames) {
            throw new HwException("EINVAL", "PFN 0x" + Long.toHexString(pfn) + " is not RAM");
        }
        return (int) (pfn - base);
    }

    private int live(long pfn) {
        int s = slot(pfn);
        if (refs[s] == 0) {
            throw new HwException("EINVAL", "PFN 0x" + Long.toHexString(pfn) + " is free (use after free)");
        }
        return s;
    }

    @Override
    public synchronized long allocate() {
        if (freeTop == 0) {
            throw new HwException("ENOMEM", "no free frame");
        }
        int s = free[--freeTop];
        refs[s] = 1;
        data[s] = null;
        return base + s;
    }

    @Override
    public synchronized void get(long pfn) {
        refs[live(pfn)]++;
    }

    @Override
    public synchronized int put(long pfn) {
        int s = live(pfn);
        int left = --refs[s];
        if (left == 0) {
            data[s] = null;
            free[freeTop++] = s;
        }
        return left;
    }

    @Override
    public synchronized int refCount(long pfn) {
        return refs[slot(pfn)];
    }

    @Override
    public synchronized long freeFrames() {
        return freeTop;
    }

    @Override
    public synchronized long usedFrames() {
        return frames - freeTop;
    }

    @Override
    public long pfnStart() {
        return base;
    }

    @Override
    public long pfnCount() {
        return frames;
    }

    private static void span(int offset, int len) {
        if (offset < 0 || len < 0 || offset + len > PAGE) {
            throw new HwException("EINVAL", "access crosses the frame");
        }
    }

    @Override
    public synchronized void read(long pfn, int offset, byte[] dst, int dstOff, int len) {
        int s = live(pfn);
        span(offset, len);
        if (data[s] == null) {
            Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        } else {
            System.arraycopy(data[s], offset, dst, dstOff, len);
        }
    }

    @Override
    public synchronized void write(long pfn, int offset, byte[] src, int srcOff, int len) {
        int s = live(pfn);
        span(offset, len);
        if (data[s] == null) {
            boolean zeros = true;
            for (int i = 0; i < len && zeros; i++) {
                zeros = src[srcOff + i] == 0;
            }
            if (zeros) {
                return; // the frame reads as zeros already
            }
            data[s] = new byte[PAGE];
        }
        System.arraycopy(src, srcOff, data[s], offset, len);
    }

    @Override
    public String name() {
        return "test-ram";
    }

    @Override
    public Kind kind() {
        return Kind.RAM;
    }

    @Override
    public long size() {
        return (long) frames * PAGE;
    }
}
