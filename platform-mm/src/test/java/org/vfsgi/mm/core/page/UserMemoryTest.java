package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalRange;

class UserMemoryTest {
    static final int P = PageTable.PAGE_SIZE;
    static final long VMA = 0x10_0000L;

    final FakePhysicalMemory ram = new FakePhysicalMemory(64);
    final FaultCore core = new FaultCore(new AnonPages(ram));
    final PageTable pt = new PageTable(ram);

    @Test
    void accessesCrossPagesAndFaultOnlyWhereNeeded() {
        UserMemory user = new UserMemory(ram, null);
        List<String> faults = new ArrayList<>();
        UserMemory.Faulter faulter = (a, w) -> {
            faults.add(Long.toHexString(a) + (w ? "w" : "r"));
            return core.handleFault(pt, a, w, FaultMapping.anonymous());
        };
        byte[] src = new byte[2 * P + 10];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) i;
        }
        assertEquals(src.length, user.writeUser(pt, VMA + P - 5, src, 0, src.length, faulter));
        assertEquals(List.of("100ffbw", "101000w", "102000w", "103000w"), faults);
        byte[] back = new byte[src.length];
        assertEquals(back.length, user.readUser(pt, VMA + P - 5, back, 0, back.length, faulter));
        assertArrayEquals(src, back);
        assertEquals(4, faults.size(), "no faults for mapped pages");
        assertTrue(Pte.isDirty(pt.get(VMA)) && Pte.isAccessed(pt.get(VMA)));
    }

    @Test
    void aWriteThroughAWritableEntrySetsItsDirtyBit() {
        UserMemory user = new UserMemory(ram, null);
        long pfn = ram.allocate();
        pt.set(VMA, Pte.make(pfn, Pte.USER | Pte.WRITE));
        user.readUser(pt, VMA, new byte[1], 0, 1, (a, w) -> FaultResult.SIGSEGV);
        assertEquals(Pte.make(pfn, Pte.USER | Pte.WRITE | Pte.ACCESSED), pt.get(VMA));
        user.writeUser(pt, VMA, new byte[] {1}, 0, 1, (a, w) -> FaultResult.SIGSEGV);
        assertEquals(Pte.make(pfn, Pte.USER | Pte.WRITE | Pte.ACCESSED | Pte.DIRTY), pt.get(VMA));
    }

    @Test
    void aFailedFaultRaisesTheSignalWithTheBytesDone() {
        UserMemory user = new UserMemory(ram, null);
        core.handleFault(pt, VMA, true, FaultMapping.anonymous());
        UserAccessException ex = assertThrows(UserAccessException.class,
                () -> user.writeUser(pt, VMA + P - 3, new byte[8], 0, 8, (a, w) -> FaultResult.SIGSEGV));
        assertEquals("SIGSEGV", ex.signal());
        assertEquals(VMA + P, ex.address());
        assertEquals(3, ex.transferred());
        assertThrows(UserAccessException.class,
                () -> user.readUser(pt, PageTable.TASK_SIZE - 1, new byte[2], 0, 2, (a, w) -> FaultResult.MINOR));
    }

    @Test
    void aFaulterThatMakesNoProgressIsCaught() {
        UserMemory user = new UserMemory(ram, null);
        assertThrows(IllegalStateException.class,
                () -> user.readUser(pt, VMA, new byte[1], 0, 1, (a, w) -> FaultResult.MAPPED_EXISTING));
    }

    @Test
    void specialPfnsOfOtherDevicesAreReachedThroughThePhysicalAddressSpace() {
        FakePhysicalMemory pmem = new FakePhysicalMemory(0x8_0000, 2);
        long pfn = pmem.allocate();
        PhysicalAddressSpace phys = new PhysicalAddressSpace() {
            @Override
            public Optional<PhysicalRange> rangeOf(long p) {
                return pmem.containsPfn(p) ? Optional.of(pmem) : ram.containsPfn(p) ? Optional.of(ram) : Optional.empty();
            }

            @Override
            public List<PhysicalRange> ranges() {
                return List.of(ram, pmem);
            }
        };
        core.remapPfnRange(pt, VMA, VMA + P, pfn, true);
        core.remapPfnRange(pt, VMA + P, VMA + 2L * P, 0x9_0000, true); // nothing there
        UserMemory user = new UserMemory(ram, phys);
        user.writeUser(pt, VMA + 1, new byte[] {3}, 0, 1, (a, w) -> FaultResult.SIGSEGV);
        assertEquals(3, pmem.frame(pfn)[1]);
        UserAccessException ex = assertThrows(UserAccessException.class,
                () -> user.readUser(pt, VMA + P, new byte[1], 0, 1, (a, w) -> FaultResult.MAPPED_EXISTING));
        assertEquals("SIGBUS", ex.signal());
        UserMemory ramOnly = new UserMemory(ram, null);
        assertEquals("SIGBUS", assertThrows(UserAccessException.class,
                () -> ramOnly.readUser(pt, VMA, new byte[1], 0, 1, (a, w) -> FaultResult.MINOR)).signal());
    }
}
