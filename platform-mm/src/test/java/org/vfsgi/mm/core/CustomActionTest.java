package org.vfsgi.mm.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.FileOperations;

/**
 * A custom action that maps its VMA from two separate device regions with
 * {@code vma_desc_action_prepare} / {@code vma_desc_action_complete}
 * ({@link VmArea#descActionPrepare}, {@link VmArea#descActionComplete}): each part is checked as
 * a hook's own action would be, populates only its range, and a failing part fails the mapping
 * (unmapped, nothing left populated, {@code mmap_abort} once).
 */
class CustomActionTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private final TestRam ram = new TestRam(64);
    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
    private final Process p = kernel.spawn();
    private final long regionA = ram.allocate();
    private final long gap = ram.allocate();
    private final long regionB = ram.allocate();
    private final List<String> calls = new ArrayList<>();

    CustomActionTest() {
        ram.write(regionA, 0, "AAAA".getBytes(US_ASCII), 0, 4);
        ram.write(gap, 0, "gap!".getBytes(US_ASCII), 0, 4);
        ram.write(regionB, 0, "BBBB".getBytes(US_ASCII), 0, 4);
    }

    /** One part: a remap of {@code size} bytes at {@code offset} into the VMA from {@code pfn}. */
    private static int part(VmArea vma, long offset, long pfn, long size) {
        VmAreaDesc d = vma.compatSetDescFromVma(vma.file());
        d.actionRemap(vma.start() + offset, pfn, size);
        int r = vma.descActionPrepare(d);
        return r != 0 ? r : vma.descActionComplete(d);
    }

    private Fakes.TestFile driver(long secondOffset, long secondSize) {
        VmOperations ops = VmOperations.builder().name("split_vm_ops").close(v -> calls.add("close")).build();
        return Fakes.file(FileOperations.builder().name("split_fops").mmapPrepare(d -> {
            d.setVmOps(ops);
            // Special from the start: the action only runs on a new VMA, never after a merge.
            d.flagsSet(VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND, VmaFlag.DONTDUMP);
            d.actionCustom(v -> {
                int r = part(v, 0, regionA, P);
                calls.add("part 1: " + Errno.describe(r));
                if (r != 0) {
                    return r;
                }
                r = part(v, secondOffset, regionB, secondSize);
                calls.add("part 2: " + Errno.describe(r));
                return r;
            });
            return 0;
        }).mmapComplete((f, v, c) -> {
            calls.add("complete");
            return 0;
        }).mmapAbort((f, pd, c) -> calls.add("abort")).build());
    }

    @Test
    void twoPartialRemapsFromSeparateRegions() {
        long a = p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, driver(P, P), 0);
        assertEquals("AAAA", new String(p.readMemory(a, 4), US_ASCII));
        assertEquals("BBBB", new String(p.readMemory(a + P, 4), US_ASCII), "not the frame after regionA");
        assertEquals(2, p.mm().pageTable().presentCount());
        assertTrue(p.mm().vmaLookup(a).flags().testAll(VmaFlag.PFNMAP, VmaFlag.IO));
        p.writeMemory(a + P, "bbbb".getBytes(US_ASCII));
        byte[] b = new byte[4];
        ram.read(regionB, 0, b, 0, 4);
        assertEquals("bbbb", new String(b, US_ASCII), "a shared store reaches the region");
        assertEquals(List.of("part 1: " + Errno.describe(0), "part 2: " + Errno.describe(0), "complete"), calls);
        assertEquals(2, kernel.trace().events(TraceStep.DESC_ACTION).size());
    }

    @Test
    void aPartOutsideTheVmaFailsTheMappingAndLeavesNothing() {
        MmException e = assertThrows(MmException.class,
                () -> p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, driver(P, 2 * P), 0));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(1, kernel.violations().count(ContractViolation.ACTION_RANGE_OUTSIDE_VMA));
        assertEquals(List.of("part 1: " + Errno.describe(0), "part 2: EFAULT", "close", "abort"), calls);
        assertEquals(0, p.mm().pageTable().presentCount(), "the first part was unmapped with the VMA");
        assertEquals(0, p.mm().mapCount());
    }

    @Test
    void aPartialRemapOfACopyOnWriteMappingIsEinval() {
        MmException e = assertThrows(MmException.class,
                () -> p.mmap(A, 2 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, driver(P, P), 0));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(List.of("part 1: EINVAL", "close", "abort"), calls);
    }

    @Test
    void failureInjectedIntoTheSecondPartUnwindsTheFirst() {
        kernel.faultInjection().arm(InjectionPoint.ACTION_COMPLETE, 3, Errno.ENOMEM); // the action, part 1, part 2
        MmException e = assertThrows(MmException.class,
                () -> p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, driver(P, P), 0));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(List.of("part 1: " + Errno.describe(0), "part 2: ENOMEM", "close", "abort"), calls);
        assertEquals(0, p.mm().pageTable().presentCount());
    }

    @Test
    void aForeignDescriptorIsRefused() {
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.actionCustom(v -> {
                VmAreaDesc other = new VmAreaDescImpl(p.mm(), v.file(), v.start(), v.end() + P, 0, v.file(),
                        v.flags(), v.pageProt());
                return v.descActionPrepare(other);
            });
            return 0;
        }).build());
        assertEquals(Errno.EINVAL,
                assertThrows(MmException.class, () -> p.mmap(A, P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, f, 0)).errno());
    }
}
