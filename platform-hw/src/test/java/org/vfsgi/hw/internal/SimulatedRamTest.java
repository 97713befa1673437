package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;

class SimulatedRamTest {
    private static final long BASE = 0x100;

    private static void assertErrno(String errno, String messagePart, Runnable r) {
        HwException e = assertThrows(HwException.class, r::run);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void allocatesEveryFrameOnceThenReportsEnomem() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 4);
        Set<Long> pfns = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            long pfn = ram.allocate();
            assertTrue(ram.containsPfn(pfn));
            assertEquals(1, ram.refCount(pfn));
            pfns.add(pfn);
        }
        assertEquals(Set.of(BASE, BASE + 1, BASE + 2, BASE + 3), pfns);
        assertEquals(0, ram.freeFrames());
        assertEquals(4, ram.usedFrames());
        assertErrno("ENOMEM", "all 4 frames", ram::allocate);
        assertEquals("1", ram.details().get("allocation failures"));
    }

    @Test
    void referenceCountsFreeTheFrameAtZeroAndItIsReused() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 2);
        long a = ram.allocate();
        ram.get(a);
        ram.get(a);
        assertEquals(3, ram.refCount(a));
        assertEquals(2, ram.put(a));
        assertEquals(1, ram.put(a));
        assertEquals(1, ram.usedFrames());
        assertEquals(0, ram.put(a));
        assertEquals(0, ram.refCount(a));
        assertEquals(0, ram.usedFrames());
        assertEquals(2, ram.freeFrames());
        assertEquals(a, ram.allocate(), "the most recently freed frame is handed out first");
    }

    @Test
    void refcountOperationsOnFreeFramesAreEinval() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 2);
        assertErrno("EINVAL", "not allocated", () -> ram.get(BASE));
        assertErrno("EINVAL", "not allocated", () -> ram.put(BASE + 1));
        long a = ram.allocate();
        ram.put(a);
        assertErrno("EINVAL", "not allocated", () -> ram.put(a));
        assertEquals(0, ram.usedFrames(), "a double put does not corrupt the counters");
    }

    @Test
    void pfnsOutsideTheRangeAreEinval() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 2);
        assertErrno("EINVAL", "PFN 0xff is outside", () -> ram.get(BASE - 1));
        assertErrno("EINVAL", "PFN 0x102 is outside", () -> ram.refCount(BASE + 2));
        assertErrno("EINVAL", "outside device 'ram0'", () -> ram.read(BASE + 2, 0, new byte[1], 0, 1));
        assertErrno("EINVAL", "outside device 'ram0'", () -> ram.write(-1, 0, new byte[1], 0, 1));
    }

    @Test
    void accessesMustStayInsideOneFrameAndTheBuffer() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 2);
        long pfn = ram.allocate();
        assertErrno("EINVAL", "crosses the 4096-byte frame", () -> ram.write(pfn, 4090, new byte[8], 0, 8));
        assertErrno("EINVAL", "crosses", () -> ram.read(pfn, -1, new byte[8], 0, 1));
        assertErrno("EINVAL", "buffer of 4 bytes", () -> ram.read(pfn, 0, new byte[4], 2, 4));
        ram.write(pfn, 4088, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8);
        byte[] back = new byte[8];
        ram.read(pfn, 4088, back, 0, 8);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, back);
    }

    @Test
    void aFrameReadsZeroAfterFreeAndReallocation() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 1);
        long pfn = ram.allocate();
        byte[] junk = new byte[Device.PAGE_SIZE];
        java.util.Arrays.fill(junk, (byte) 0x5a);
        ram.write(pfn, 0, junk, 0, junk.length);
        assertEquals(1, ram.backedFrames());
        ram.put(pfn);
        assertEquals(0, ram.backedFrames(), "freeing drops the storage");
        long again = ram.allocate();
        assertEquals(pfn, again);
        byte[] back = new byte[Device.PAGE_SIZE];
        java.util.Arrays.fill(back, (byte) 1);
        ram.read(again, 0, back, 0, back.length);
        assertArrayEquals(new byte[Device.PAGE_SIZE], back);
    }

    @Test
    void aStaleWriteToAFreeFrameDoesNotLeakIntoTheNextAllocation() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 1);
        // Hardware lets anyone store to a free frame; the allocator still hands out zeros.
        ram.write(BASE, 0, new byte[] {9}, 0, 1);
        long pfn = ram.allocate();
        byte[] b = new byte[1];
        ram.read(pfn, 0, b, 0, 1);
        assertEquals(0, b[0]);
    }

    @Test
    void fourGibibytesCostNothingUntilUsed() {
        int frames = (int) ((4L << 30) / Device.PAGE_SIZE);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        SimulatedRam ram = new SimulatedRam("big", 0, frames);
        List<Long> pfns = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long pfn = ram.allocate();
            ram.write(pfn, 0, new byte[] {(byte) i}, 0, 1);
            pfns.add(pfn);
        }
        assertEquals(frames, ram.pfnCount());
        assertEquals(4L << 30, ram.size());
        assertEquals(frames - 64, ram.freeFrames());
        assertEquals(64, ram.backedFrames());
        for (int i = 0; i < pfns.size(); i++) {
            byte[] b = new byte[1];
            ram.read(pfns.get(i), 0, b, 0, 1);
            assertEquals((byte) i, b[0]);
        }
        // The last frame of the range works too, without touching the ones in between.
        long last = frames - 1;
        ram.write(last, 4095, new byte[] {7}, 0, 1);
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        // Bookkeeping is about 8 bytes per frame (8 MiB here); backing 4 GiB would need 4096 per frame.
        assertTrue(after - before < 64L << 20, "heap grew by " + ((after - before) >> 20) + " MiB");
    }

    @Test
    void concurrentAllocationAndFreeKeepCountsConsistent() throws Exception {
        SimulatedRam ram = new SimulatedRam("ram0", 0, 1024);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    byte[] mine = {(byte) seed};
                    for (int i = 0; i < 5000; i++) {
                        long pfn = ram.allocate();
                        ram.write(pfn, 0, mine, 0, 1);
                        ram.get(pfn);
                        byte[] b = new byte[1];
                        ram.read(pfn, 0, b, 0, 1);
                        assertEquals(seed, b[0], "a frame is owned by one thread at a time");
                        ram.put(pfn);
                        ram.put(pfn);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, ram.usedFrames());
        assertEquals(1024, ram.freeFrames());
        assertEquals(0, ram.backedFrames());
    }

    @Test
    void closedRamRefusesAccessWithEnodev() {
        SimulatedRam ram = new SimulatedRam("ram0", BASE, 2);
        long pfn = ram.allocate();
        ram.close();
        ram.close();
        assertErrno("ENODEV", "'ram0' has been removed", ram::allocate);
        assertErrno("ENODEV", "removed", () -> ram.read(pfn, 0, new byte[1], 0, 1));
    }
}
