package org.vfsgi.mm.core.page;

import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalMemory;

/**
 * A test double of system RAM: frames with reference counts, zero-filled on allocation, data
 * stored lazily so that a million untouched frames cost little. Stricter than the contract where
 * that catches bugs: touching a free frame is an error ("use after free"). Test fields:
 * {@link #allocations}, {@link #failAllocationsAfter} (inject ENOMEM).
 */
final class FakePhysicalMemory implements PhysicalMemory {
    static final int PAGE = PageTable.PAGE_SIZE;

    private final long base;
    private final int frames;
    private final byte[][] data;
    private final int[] refs;
    private final int[] freeStack;
    private int freeTop;

    /** Total successful allocations, for tests. */
    long allocations;
    /** When non-negative, allocations fail with ENOMEM once this many more have succeeded. */
    long failAllocationsAfter = -1;

    FakePhysicalMemory(long base, int frames) {
        this.base = base;
        this.frames = frames;
        this.data = new byte[frames][];
        this.refs = new int[frames];
        this.freeStack = new int[frames];
        for (int i = 0; i < frames; i++) {
            freeStack[i] = frames - 1 - i; // pop in ascending order
        }
        this.freeTop = frames;
    }

    FakePhysicalMemory(int frames) {
        this(0x100, frames);
    }

    private int slot(long pfn) {
        if (pfn < base || pfn - base >= frames) {
            throw new HwException("EINVAL", "PFN 0x" + Long.toHexString(pfn) + " outside RAM");
        }
        return (int) (pfn - base);
    }

    private int allocated(long pfn) {
        int s = slot(pfn);
        if (refs[s] == 0) {
            throw new HwException("EINVAL", "PFN 0x" + Long.toHexString(pfn) + " is free (use after free)");
        }
        return s;
    }

    @Override
    public synchronized long allocate() {
        if (failAllocationsAfter == 0 || freeTop == 0) {
            throw new HwException("ENOMEM", "no free frame");
        }
        if (failAllocationsAfter > 0) {
            failAllocationsAfter--;
        }
        int s = freeStack[--freeTop];
        refs[s] = 1;
        data[s] = null;
        allocations++;
        return base + s;
    }

    @Override
    public synchronized void get(long pfn) {
        refs[allocated(pfn)]++;
    }

    @Override
    public synchronized int put(long pfn) {
        int s = allocated(pfn);
        int left = --refs[s];
        if (left == 0) {
            data[s] = null;
            freeStack[freeTop++] = s;
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

    private static void checkSpan(int offset, int len) {
        if (offset < 0 || len < 0 || offset + len > PAGE) {
            throw new HwException("EINVAL", "access crosses the frame");
        }
    }

    @Override
    public synchronized void read(long pfn, int offset, byte[] dst, int dstOff, int len) {
        int s = allocated(pfn);
        checkSpan(offset, len);
        if (data[s] == null) {
            java.util.Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        } else {
            System.arraycopy(data[s], offset, dst, dstOff, len);
        }
    }

    @Override
    public synchronized void write(long pfn, int offset, byte[] src, int srcOff, int len) {
        int s = allocated(pfn);
        checkSpan(offset, len);
        if (data[s] == null) {
            data[s] = new byte[PAGE];
        }
        System.arraycopy(src, srcOff, data[s], offset, len);
    }

    /** @return a copy of a frame's bytes */
    byte[] frame(long pfn) {
        byte[] b = new byte[PAGE];
        read(pfn, 0, b, 0, PAGE);
        return b;
    }

    @Override
    public String name() {
        return "fake-ram";
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
