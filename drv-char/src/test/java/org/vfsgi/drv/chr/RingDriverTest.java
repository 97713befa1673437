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
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.SignalException;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.Fcntl;

/**
 * The kernel-page ring: {@code map_kernel_pages} of frames the driver owns and writes; the
 * process reads the records without a system call; every page-table entry holds a frame
 * reference, so the frames' counts return to the driver's own after unmap, and to free after the
 * driver and the last mapping are gone.
 */
class RingDriverTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;

    private final Machine m = new Machine();
    private final RingDriver ring = new RingDriver(m.ram, 3);
    private final OpenFile f;

    RingDriverTest() {
        m.install(ring, "ring", 0, 0);
        f = m.open("ring", Fcntl.O_RDONLY);
    }

    private int headerInt(long a, int off) {
        return ByteBuffer.wrap(m.p.readMemory(a + off, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private void assertRefs(int expected) {
        for (long pfn : ring.pfns()) {
            assertEquals(expected, m.ram.refCount(pfn), "frame " + pfn);
        }
    }

    @Test
    void theProcessReadsWhatTheDriverPublishes() {
        long a = m.p.mmap(A, 3 * P, Mman.PROT_READ, SHARED, f, 0);
        assertTrue(m.p.mm().vmaLookup(a).flags().test(VmaFlag.MIXEDMAP));
        assertEquals(RingDriver.MAGIC, new String(m.p.readMemory(a, 4), US_ASCII));
        assertEquals(0, headerInt(a, RingDriver.HEAD));
        assertEquals(2 * (int) P, headerInt(a, RingDriver.DATA_SIZE));
        assertRefs(2);
        ring.publish("first record".getBytes(US_ASCII));
        ring.publish("second".getBytes(US_ASCII));
        assertEquals(18, headerInt(a, RingDriver.HEAD), "the producer position moved, no fault or syscall needed");
        assertEquals("first recordsecond", new String(m.p.readMemory(a + P, 18), US_ASCII));
        byte[] wrap = new byte[(int) (2 * P) - 18 + 4];
        java.util.Arrays.fill(wrap, (byte) '.');
        System.arraycopy("TAIL".getBytes(US_ASCII), 0, wrap, wrap.length - 4, 4);
        ring.publish(wrap);
        assertEquals("TAIL", new String(m.p.readMemory(a + P, 4), US_ASCII), "the record wrapped to the start");
        ByteBuffer text = ByteBuffer.allocate(100);
        m.kernel.vfs().pread(f, text, 0);
        assertEquals("ring: 3 pages, 8192 data bytes, position " + (18 + wrap.length) + "\n",
                new String(text.array(), 0, text.position(), US_ASCII));
        m.p.munmap(a, 3 * P);
        assertRefs(1);
    }

    @Test
    void readOnlyForTheProcess() {
        OpenFile rw = m.open("ring", Fcntl.O_RDWR);
        assertEquals(Errno.EPERM, assertThrows(MmException.class,
                () -> m.p.mmap(A, P, Mman.PROT_READ | Mman.PROT_WRITE, SHARED, rw, 0)).errno());
        long a = m.p.mmap(A, P, Mman.PROT_READ, SHARED, rw, 0);
        assertTrue(!m.p.mm().vmaLookup(a).flags().test(VmaFlag.MAYWRITE), "MAYWRITE dropped");
        assertEquals(Errno.EACCES, assertThrows(MmException.class,
                () -> m.p.mprotect(a, P, Mman.PROT_READ | Mman.PROT_WRITE)).errno());
        assertThrows(SignalException.class, () -> m.p.writeMemory(a, new byte[1]));
        assertEquals(Errno.EINVAL, assertThrows(MmException.class,
                () -> m.p.mmap(A + 8 * P, 2 * P, Mman.PROT_READ, SHARED, rw, 2 * P)).errno(), "past the ring");
    }

    @Test
    void framesOutliveTheDriverWhileMapped() {
        long a = m.p.mmap(A + 4 * P, 2 * P, Mman.PROT_READ, SHARED, f, P);
        ring.publish("late".getBytes(US_ASCII));
        ring.shutdown();
        assertEquals("late", new String(m.p.readMemory(a, 4), US_ASCII), "pgoff 1: the first data page");
        long header = ring.pfns()[0];
        assertEquals(0, m.ram.refCount(header), "the unmapped header page is free");
        m.p.exit();
        assertRefs(0);
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = "SPLIT", mode = EnumSource.Mode.EXCLUDE)
    void failureAtEveryStepGivesTheFramesBack(InjectionPoint point) {
        m.injectAndCheck(point, MemDriverTest.reached(), pt -> Errno.ENOMEM,
                p -> p.mmap(A, 3 * P, Mman.PROT_READ, SHARED, f, 0), 3 * P, () -> assertRefs(1));
    }
}
