package org.vfsgi.drv.chr;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.TraceStep;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.Fcntl;

/**
 * {@code /dev/mem}: a remap of physical memory from the machine's address map, populated at
 * mmap time; the {@code range_is_allowed} policy (EPERM for RAM), unowned frames (EINVAL), offset
 * overflow (EINVAL); {@code error_override} EAGAIN for failures of the action and
 * {@code mapped}, the raw errno before that.
 */
class MemDriverTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;

    private final Machine m = new Machine();
    private final MemDriver mem = new MemDriver(m.physical);
    private final OpenFile f;

    MemDriverTest() {
        m.install(mem, "mem", 1, 1);
        f = m.openRw("mem");
    }

    private long mapMmio(int pages, int flags) {
        return m.p.mmap(A, pages * P, RW, flags, f, Machine.MMIO_PFN * P);
    }

    @Test
    void storesThroughTheMappingReachTheDeviceRegistersAndMemory() {
        long a = mapMmio(2, SHARED);
        VmArea v = m.p.mm().vmaLookup(a);
        assertTrue(v.flags().testAll(VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND, VmaFlag.DONTDUMP));
        assertEquals(2, m.p.mm().pageTable().presentCount(), "remapped at mmap time");
        m.p.writeMemory(a + MmioWindow.REG_DOORBELL, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x2a).array());
        assertEquals(1, m.mmio.doorbellCount(), "a user store rang the doorbell");
        assertEquals(0x2a, m.mmio.lastDoorbellValue());
        m.p.writeMemory(a + P + 8, "devmem".getBytes(US_ASCII));
        byte[] b = new byte[6];
        m.mmio.read(Machine.MMIO_PFN + 1, 8, b, 0, 6);
        assertEquals("devmem", new String(b, US_ASCII));
        assertTrue(m.p.maps().contains("/dev/mem"), m.p.maps());
        m.p.munmap(a, 2 * P);
        assertEquals(0, m.p.mm().pageTable().presentCount());
    }

    @Test
    void readAndWriteUseThePhysicalAddressAsOffset() {
        ByteBuffer src = ByteBuffer.wrap("hello".getBytes(US_ASCII));
        assertEquals(5, m.kernel.vfs().pwrite(f, src, (Machine.MMIO_PFN + 2) * P + 100));
        ByteBuffer dst = ByteBuffer.allocate(5);
        assertEquals(5, m.kernel.vfs().pread(f, dst, (Machine.MMIO_PFN + 2) * P + 100));
        assertEquals("hello", new String(dst.array(), US_ASCII));
        MmException e = assertThrows(MmException.class, () -> m.kernel.vfs().pread(f, ByteBuffer.allocate(4), 0));
        assertEquals(Errno.EPERM, e.errno(), "RAM is not readable through /dev/mem");
    }

    @Test
    void privateMappingIsAWholeVmaRemapThatCopiesOnWrite() {
        long a = mapMmio(2, Mman.MAP_PRIVATE | Mman.MAP_FIXED);
        assertEquals(Machine.MMIO_PFN, m.p.mm().vmaLookup(a).pgoff(), "a CoW remap's pgoff is its first frame");
        m.p.writeMemory(a + P, "mine".getBytes(US_ASCII));
        byte[] b = new byte[4];
        m.mmio.read(Machine.MMIO_PFN + 1, 0, b, 0, 4);
        assertEquals(0, b[0], "the private write went to a copy in RAM");
    }

    @Test
    void rangeIsAllowedAndValidRangeChecks() {
        MmException ram = assertThrows(MmException.class, () -> m.p.mmap(A, P, RW, SHARED, f, 16 * P));
        assertEquals(Errno.EPERM, ram.errno(), "strict devmem: system RAM is not allowed");
        assertEquals("mmap_prepare", ram.step());
        MmException hole = assertThrows(MmException.class, () -> m.p.mmap(A, P, RW, SHARED, f, 0x80000L * P));
        assertEquals(Errno.EINVAL, hole.errno(), "no device owns the frame");
        MmException past = assertThrows(MmException.class,
                () -> m.p.mmap(A, (Machine.MMIO_PAGES + 1) * P, RW, SHARED, f, Machine.MMIO_PFN * P));
        assertEquals(Errno.EINVAL, past.errno(), "the range runs past the window");
        assertEquals(0, m.p.mm().mapCount());

        MemDriver permissive = new MemDriver(m.physical, MemDriver.RangePolicy.ALL);
        m.install(permissive, "mem-all", 1, 2);
        long frame = m.ram.allocate();
        m.ram.write(frame, 0, "ram!".getBytes(US_ASCII), 0, 4);
        long a = m.p.mmap(A, P, Mman.PROT_READ, SHARED, m.openRw("mem-all"), frame * P);
        assertEquals("ram!", new String(m.p.readMemory(a, 4), US_ASCII), "without strict devmem RAM maps");
    }

    @Test
    void offsetThatDoesNotSurviveThePageShiftIsEinval() {
        org.vfsgi.mm.core.VmAreaDescImpl d = new org.vfsgi.mm.core.VmAreaDescImpl(m.p.mm(), f, A, A + P,
                Long.MAX_VALUE >>> 4, f, org.vfsgi.mm.VmaFlags.of(VmaFlag.READ, VmaFlag.SHARED),
                org.vfsgi.mm.PageProt.fromFlags(org.vfsgi.mm.VmaFlags.of(VmaFlag.READ)));
        assertEquals(Errno.EINVAL.negative(), mem.mmapPrepare(d));
    }

    static Set<InjectionPoint> reached() {
        Set<InjectionPoint> s = EnumSet.copyOf(Machine.MMAP_PATH);
        s.removeAll(EnumSet.of(InjectionPoint.BEFORE_COMPLETE, InjectionPoint.AFTER_COMPLETE)); // no mmap_complete
        return s;
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = "SPLIT", mode = EnumSource.Mode.EXCLUDE)
    void failureAtEveryStepGivesThePromisedErrnoAndLeavesNothing(InjectionPoint point) {
        long doorbells = m.mmio.doorbellCount();
        m.injectAndCheck(point, reached(),
                pt -> pt == InjectionPoint.ACTION_COMPLETE || pt == InjectionPoint.MAPPED ? Errno.EAGAIN : Errno.ENOMEM,
                p -> p.mmap(A, 2 * P, RW, SHARED, f, Machine.MMIO_PFN * P), 2 * P,
                () -> assertEquals(doorbells, m.mmio.doorbellCount(), "mapping alone never touches a register"));
        if (point == InjectionPoint.ACTION_COMPLETE) {
            assertTrue(m.kernel.trace().events(TraceStep.MMAP).stream()
                    .anyMatch(e -> e.outcome().equals("EAGAIN") && e.detail().contains("error_override")),
                    "the trace tells the override");
        }
    }

    @Test
    void onlyReadableWhenOpenReadOnly() {
        OpenFile ro = m.open("mem", Fcntl.O_RDONLY);
        MmException e = assertThrows(MmException.class, () -> m.p.mmap(A, P, RW, SHARED, ro, Machine.MMIO_PFN * P));
        assertEquals(Errno.EACCES, e.errno());
        long a = m.p.mmap(A, P, Mman.PROT_READ, SHARED, ro, Machine.MMIO_PFN * P);
        assertEquals(1, m.mmio.readRegister(MmioWindow.REG_STATUS) & 1);
        assertEquals(1, m.p.readMemory(a + MmioWindow.REG_STATUS, 1)[0] & 1, "the status register reads ready");
    }
}
