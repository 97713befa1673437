package org.vfsgi.hw.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalMemory;

/**
 * System RAM as an array of page frames. Sized for a million frames and more, so there is no
 * object per frame: reference counts live in one {@code int[]}, free frames on an {@code int[]}
 * stack that only grows as frames are freed, and a frame's 4 KiB of storage is created on its
 * first write. A frame never written reads as zeros; freeing a frame drops its storage, so a
 * configured 4 GiB costs a few bytes per frame of bookkeeping until it is used.
 *
 * <p>Every method takes the one monitor of this object. Faults from several threads serialise
 * on it for the length of a 4 KiB copy at most, which keeps the locking obviously correct.
 */
public final class SimulatedRam implements PhysicalMemory, SimulatedDevice {
    private static final System.Logger LOG = System.getLogger(SimulatedRam.class.getName());

    private final String name;
    private final long pfnStart;
    private final int frameCount;
    /** Reference count per frame; zero means free. */
    private final int[] refCounts;
    /** Frame storage; {@code null} means all zeros. */
    private final byte[][] frames;
    /** Freed frames, reused last-in first-out so recently used frames are handed out again first. */
    private int[] freeStack = new int[16];
    private int freeTop;
    /** Frames at and above this index have never been allocated (they are free and not on the stack). */
    private int neverAllocated;
    private int used;
    /** Frames with storage behind them; at most {@code used} plus free frames written through a stale access. */
    private int backed;
    private long allocations;
    private long releases;
    private long allocationFailures;
    private boolean closed;

    /**
     * @param name the device name
     * @param pfnStart the first PFN
     * @param frameCount the number of frames, at least one
     * @throws HwException EINVAL if {@code frameCount} is not positive
     */
    public SimulatedRam(String name, long pfnStart, int frameCount) {
        if (frameCount <= 0) {
            throw new HwException("EINVAL", "RAM device '" + name + "' needs at least one frame, not " + frameCount);
        }
        this.name = name;
        this.pfnStart = pfnStart;
        this.frameCount = frameCount;
        this.refCounts = new int[frameCount];
        this.frames = new byte[frameCount][];
        LOG.log(System.Logger.Level.DEBUG, "RAM {0}: {1,number,#} frames at PFN {2}", name, frameCount, Checks.hex(pfnStart));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return Kind.RAM;
    }

    @Override
    public long size() {
        return (long) frameCount * PAGE_SIZE;
    }

    @Override
    public long pfnStart() {
        return pfnStart;
    }

    @Override
    public long pfnCount() {
        return frameCount;
    }

    @Override
    public synchronized long allocate() {
        ensureOpen();
        int index;
        if (freeTop > 0) {
            index = freeStack[--freeTop];
        } else if (neverAllocated < frameCount) {
            index = neverAllocated++;
        } else {
            allocationFailures++;
            throw new HwException("ENOMEM", "RAM device '" + name + "': all " + frameCount + " frames are in use");
        }
        // A free frame may have been written through a stale physical access; a new frame reads zero.
        dropStorage(index);
        refCounts[index] = 1;
        used++;
        allocations++;
        return pfnStart + index;
    }

    @Override
    public synchronized void get(long pfn) {
        ensureOpen();
        int index = allocatedIndex(pfn, "get");
        if (refCounts[index] == Integer.MAX_VALUE) {
            throw new HwException("EINVAL", "reference count of PFN " + Checks.hex(pfn) + " would overflow");
        }
        refCounts[index]++;
    }

    @Override
    public synchronized int put(long pfn) {
        ensureOpen();
        int index = allocatedIndex(pfn, "put");
        int left = --refCounts[index];
        if (left == 0) {
            dropStorage(index);
            if (freeTop == freeStack.length) {
                freeStack = Arrays.copyOf(freeStack, Math.min(frameCount, freeStack.length * 2));
            }
            freeStack[freeTop++] = index;
            used--;
            releases++;
        }
        return left;
    }

    @Override
    public synchronized int refCount(long pfn) {
        return refCounts[index(pfn)];
    }

    @Override
    public synchronized long freeFrames() {
        return frameCount - used;
    }

    @Override
    public synchronized long usedFrames() {
        return used;
    }

    /** @return how many frames currently have storage behind them (were written since allocation) */
    public synchronized long backedFrames() {
        return backed;
    }

    @Override
    public synchronized void read(long pfn, int offset, byte[] dst, int dstOff, int len) {
        ensureOpen();
        int index = Checks.frameIndex(this, pfn, offset, dst, dstOff, len);
        byte[] frame = frames[index];
        if (frame == null) {
            Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        } else {
            System.arraycopy(frame, offset, dst, dstOff, len);
        }
    }

    @Override
    public synchronized void write(long pfn, int offset, byte[] src, int srcOff, int len) {
        ensureOpen();
        int index = Checks.frameIndex(this, pfn, offset, src, srcOff, len);
        if (len == 0) {
            return;
        }
        byte[] frame = frames[index];
        if (frame == null) {
            frame = new byte[PAGE_SIZE];
            frames[index] = frame;
            backed++;
        }
        System.arraycopy(src, srcOff, frame, offset, len);
    }

    @Override
    public synchronized String state() {
        return (frameCount - used) + "/" + frameCount + " free";
    }

    @Override
    public synchronized Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kind", kind().id());
        d.put("size", Checks.humanSize(size()) + " (" + size() + " bytes)");
        d.put("PFNs", Checks.pfnRange(pfnStart, frameCount));
        d.put("frames", Integer.toString(frameCount));
        d.put("used frames", Integer.toString(used));
        d.put("free frames", Integer.toString(frameCount - used));
        d.put("backed frames", Long.toString(backedFrames()));
        d.put("allocations", Long.toString(allocations));
        d.put("frees", Long.toString(releases));
        d.put("allocation failures", Long.toString(allocationFailures));
        return d;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Arrays.fill(frames, null);
            backed = 0;
            LOG.log(System.Logger.Level.DEBUG, "RAM {0} closed with {1,number,#} frames in use", name, used);
        }
    }

    @Override
    public String toString() {
        return "ram '" + name + "' PFNs " + Checks.pfnRange(pfnStart, frameCount);
    }

    private int index(long pfn) {
        if (!containsPfn(pfn)) {
            throw new HwException("EINVAL", "PFN " + Checks.hex(pfn) + " is outside RAM device '" + name
                    + "' (PFNs " + Checks.pfnRange(pfnStart, frameCount) + ")");
        }
        return (int) (pfn - pfnStart);
    }

    private int allocatedIndex(long pfn, String op) {
        int index = index(pfn);
        if (refCounts[index] == 0) {
            throw new HwException("EINVAL", op + " on PFN " + Checks.hex(pfn) + " of RAM device '" + name
                    + "', which is not allocated");
        }
        return index;
    }

    private void dropStorage(int index) {
        if (frames[index] != null) {
            frames[index] = null;
            backed--;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new HwException("ENODEV", "RAM device '" + name + "' has been removed");
        }
    }
}
