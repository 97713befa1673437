package org.vfsgi.drv.chr;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.OpenFile;

/**
 * The UIO-like MMIO device: an I/O remap of the window, so user stores reach its registers; the
 * per-device mapping count kept by {@code mapped} (first establishment), {@code open} (split,
 * fork, mremap copies) and {@code close} returns to zero after every path, failures included.
 */
class UioDriverTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;

    private final Machine m = new Machine();
    private final UioDriver uio = new UioDriver(m.mmio);
    private final OpenFile f;

    UioDriverTest() {
        m.install(uio, "uio0", 0, 0);
        f = m.openRw("uio0");
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Test
    void userStoresReachTheRegisters() {
        long a = m.p.mmap(A, Machine.MMIO_PAGES * P, RW, SHARED, f, 0);
        assertTrue(m.p.mm().vmaLookup(a).flags().testAll(VmaFlag.IO, VmaFlag.PFNMAP));
        assertEquals(1, uio.mappings());
        m.p.writeMemory(a + MmioWindow.REG_DOORBELL, le(7));
        m.p.writeMemory(a + MmioWindow.REG_DOORBELL, le(9));
        assertEquals(2, m.mmio.doorbellCount());
        assertEquals(9, m.mmio.lastDoorbellValue());
        m.p.writeMemory(a + MmioWindow.REG_SCRATCH, le(0x1234));
        assertEquals(0x1234, m.mmio.readRegister(MmioWindow.REG_SCRATCH));
        int status = ByteBuffer.wrap(m.p.readMemory(a + MmioWindow.REG_STATUS, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(2, status >>> 8, "the status register counts the rings the process made");
        ByteBuffer text = ByteBuffer.allocate(200);
        m.kernel.vfs().pread(f, text, 0);
        assertTrue(new String(text.array(), 0, text.position(), US_ASCII).contains("mappings 1 doorbell 2"));
        m.p.munmap(a, Machine.MMIO_PAGES * P);
        assertEquals(0, uio.mappings());
    }

    @Test
    void splitForkAndMremapKeepTheCountRight() {
        long a = m.p.mmap(A, 2 * P, RW, SHARED, f, 0);
        Process child = m.p.fork();
        assertEquals(2, uio.mappings(), "fork: open on the child's copy");
        m.p.munmap(a + P, P);
        assertEquals(2, uio.mappings(), "split: open on the new piece, close on the removed one");
        child.exit();
        assertEquals(1, uio.mappings());
        m.p.exit();
        assertEquals(0, uio.mappings());
    }

    @Test
    void prepareChecks() {
        assertEquals(Errno.EINVAL, assertThrows(MmException.class,
                () -> m.p.mmap(A, P, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, f, 0)).errno(), "private");
        assertEquals(Errno.EINVAL, assertThrows(MmException.class,
                () -> m.p.mmap(A, P, RW, SHARED, f, P)).errno(), "map index 1 does not exist");
        assertEquals(Errno.EINVAL, assertThrows(MmException.class,
                () -> m.p.mmap(A, (Machine.MMIO_PAGES + 1) * P, RW, SHARED, f, 0)).errno(), "larger than the window");
        assertEquals(0, uio.mappings());
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = "SPLIT", mode = EnumSource.Mode.EXCLUDE)
    void failureAtEveryStepLeavesTheCountAtZero(InjectionPoint point) {
        m.injectAndCheck(point, MemDriverTest.reached(), pt -> Errno.ENOMEM,
                p -> p.mmap(A, 2 * P, RW, SHARED, f, 0), 2 * P,
                () -> assertEquals(0, uio.mappings(), point + ": a close without mapped must not count down"));
    }
}
