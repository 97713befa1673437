package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.page.PageTable;

/**
 * A million pages of anonymous memory written one by one through the fault path, then freed by
 * exit: checks that the structures scale and the frame accounting stays exact. Logs the time;
 * asserts no timing.
 */
class MillionPageTouchTest {
    private static final System.Logger LOG = System.getLogger(MillionPageTouchTest.class.getName());
    private static final int PAGES = 1_000_000;
    private static final long P = Mman.PAGE_SIZE;

    @Test
    void aMillionWriteFaultsThenExit() {
        TestRam ram = new TestRam(PAGES + 64);
        Kernel kernel = new Kernel(KernelConfig.defaults(), ram);
        Process p = kernel.spawn();
        long start = ram.usedFrames();
        long a = p.mmap(0, PAGES * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        // Zero bytes: every page takes a write fault and a frame, but the test RAM stores no data for them.
        byte[] zero = new byte[1];
        long t0 = System.nanoTime();
        for (long i = 0; i < PAGES; i++) {
            p.writeMemory(a + i * P, zero);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, "{0} write faults through Process.writeMemory in {1} ms", Integer.toString(PAGES),
                Long.toString(ms));
        PageTable pt = p.mm().pageTable();
        assertEquals(PAGES, pt.presentCount());
        assertEquals(start + PAGES, ram.usedFrames());

        byte[] mark = {(byte) 0xa5, 0x5a};
        long last = a + (PAGES - 1) * P + P - 2;
        p.writeMemory(last, mark);
        assertArrayEquals(mark, p.readMemory(last, 2));
        assertEquals(start + PAGES, ram.usedFrames(), "writes to touched pages need no frame");

        p.exit();
        assertEquals(start, ram.usedFrames(), "exit freed every frame");
        assertEquals(0, pt.tableCount());
    }
}
