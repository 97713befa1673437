package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.vfs.FileOperations;

/**
 * Failure injected at every point of the mmap path over a MAP_FIXED replacement:
 * <pre>
 * 0123   pages from 0x10000
 * OOOO   old mapping (ops with close)
 * NNNN   new mapping (mmap_prepare + mmap_complete + mmap_abort, vm_ops with close and mapped)
 * </pre>
 * Whatever fails: if prepare succeeded exactly one of complete/abort ran; no new VMA is left;
 * the old VMA is restored if the failure came before it was closed, else its range is a hole.
 */
class FaultInjectionTest {
    private static final long A = 0x10000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private enum Expect { RESTORED, HOLE }

    private final Kernel kernel = new Kernel();
    private final Process p = kernel.spawn();
    private final List<String> calls = new ArrayList<>();
    private Fakes.TestFile newFile;
    private Vma old;

    private void setUp() {
        VmOperations oldOps = VmOperations.builder().name("old_ops").close(v -> calls.add("close old"))
                .open(v -> calls.add("open old")).build();
        Fakes.TestFile oldFile = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setVmOps(oldOps);
            return 0;
        }).build());
        p.mmap(A, 0x4000, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, oldFile, 0);
        old = p.mm().tree().lookup(A);
        VmOperations newOps = VmOperations.builder().name("new_ops").close(v -> calls.add("close new"))
                .mapped((s, e, pg, f, pd) -> {
                    calls.add("mapped");
                    return 0;
                }).build();
        newFile = new Fakes.TestFile(new Fakes.TestInode(8, 2, 77, 0x100000), FileOperations.builder()
                .name("new_fops").mmapPrepare(d -> {
                    calls.add("prepare");
                    d.setVmOps(newOps);
                    d.setPrivateData("pd");
                    d.setContext("ctx");
                    return 0;
                }).mmapComplete((f, v, c) -> {
                    calls.add("complete");
                    return 0;
                }).mmapAbort((f, pd, c) -> calls.add("abort " + pd + " " + c)).build(), true, true, "/new");
        calls.clear();
        kernel.trace().clear();
    }

    private MmException mapNew(long start, long len) {
        return assertThrows(MmException.class,
                () -> p.mmap(start, len, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, newFile, 0));
    }

    private void assertPairing() {
        long prepares = calls.stream().filter("prepare"::equals).count();
        long completes = calls.stream().filter("complete"::equals).count();
        long aborts = calls.stream().filter(c -> c.startsWith("abort")).count();
        if (prepares == 1) {
            assertEquals(1, completes + aborts, "exactly one of complete/abort after a successful prepare: " + calls);
        } else {
            assertEquals(0, completes + aborts, "neither complete nor abort without a prepare: " + calls);
        }
        if (aborts == 1) {
            assertTrue(calls.contains("abort pd ctx"), "abort gets what prepare set: " + calls);
        }
    }

    private void assertOutcome(Expect expect) {
        assertEquals(0, newFile.inode.rmap.mappingCount(), "no VMA of the new file is left");
        if (expect == Expect.RESTORED) {
            assertSame(old, p.mm().tree().lookup(A), "the old VMA is back");
            assertEquals(A + 0x4000, old.end());
            assertFalse(calls.contains("close old"), calls.toString());
        } else {
            assertNull(p.mm().tree().findIntersection(A, A + 0x4000), "the replaced range is a hole");
            assertTrue(calls.contains("close old"), calls.toString());
        }
        Consistency.check(p.mm());
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = {"VMA_ALLOC", "BEFORE_PREPARE", "AFTER_PREPARE",
        "ACTION_PREPARE", "ACTION_COMPLETE", "MAPPED", "BEFORE_COMPLETE", "AFTER_COMPLETE"})
    void everyHookBoundaryKeepsThePairingPromise(InjectionPoint point) {
        setUp();
        kernel.faultInjection().arm(point, 1, Errno.ENOMEM);
        MmException e = mapNew(A, 0x4000);
        assertEquals(Errno.ENOMEM, e.errno(), e.getMessage());
        assertFalse(kernel.faultInjection().isArmed(point), point + " was reached");
        assertPairing();
        assertOutcome(Expect.HOLE);
        boolean established = point == InjectionPoint.ACTION_COMPLETE || point == InjectionPoint.MAPPED
                || point == InjectionPoint.BEFORE_COMPLETE || point == InjectionPoint.AFTER_COMPLETE;
        assertEquals(established, calls.contains("close new"),
                "only an established VMA is unmapped with close: " + calls);
        assertEquals(point == InjectionPoint.AFTER_COMPLETE, calls.contains("complete"));
        assertEquals(point == InjectionPoint.BEFORE_COMPLETE || point == InjectionPoint.AFTER_COMPLETE,
                calls.contains("mapped"), "mapped ran only when the action succeeded: " + calls);
        if (calls.stream().anyMatch(c -> c.startsWith("abort"))) {
            List<TraceStep> steps = kernel.trace().snapshot().stream().map(TraceEvent::step).toList();
            assertTrue(steps.lastIndexOf(TraceStep.ABORT) > steps.lastIndexOf(TraceStep.UNMAP),
                    "abort after teardown: " + steps);
        }
    }

    @Test
    void treePreallocFailureInGatherRestoresEverything() {
        setUp();
        kernel.faultInjection().arm(InjectionPoint.TREE_PREALLOC, 1, Errno.ENOMEM);
        MmException e = mapNew(A, 0x4000);
        assertEquals("__mmap_setup", e.step());
        assertEquals(List.of(), calls);
        assertOutcome(Expect.RESTORED);
    }

    @Test
    void treePreallocFailureForTheNewVmaLeavesAHole() {
        setUp();
        kernel.faultInjection().arm(InjectionPoint.TREE_PREALLOC, 2, Errno.ENOMEM);
        MmException e = mapNew(A, 0x4000);
        assertEquals("vma_iter_prealloc", e.step());
        assertPairing();
        assertTrue(calls.contains("abort pd ctx"));
        assertOutcome(Expect.HOLE);
    }

    @Test
    void splitFailureWhileGatheringChangesNothing() {
        setUp();
        kernel.faultInjection().arm(InjectionPoint.SPLIT, 1, Errno.ENOMEM);
        MmException e = mapNew(A + 0x1000, 0x2000);
        assertEquals("__split_vma", e.step());
        assertEquals(List.of(), calls);
        assertOutcome(Expect.RESTORED);
        assertEquals(1, p.mm().mapCount());
    }

    @Test
    void mergeOutOfMemoryIsAFailureAfterPrepare() {
        setUp();
        /*
         * 01234567
         * OOOO*     the new range at page 4 would merge with O (same file? no — so use anonymous memory
         *           next to an anonymous neighbour, whose merge needs a tree preallocation)
         */
        Fakes.TestFile mergeable = new Fakes.TestFile(new Fakes.TestInode(8, 3, 5, 0), FileOperations
                .builder().name("merge_fops").mmapPrepare(d -> {
                    calls.add("prepare");
                    return 0;
                }).mmapComplete((f, v, c) -> {
                    calls.add("complete");
                    return 0;
                }).mmapAbort((f, pd, c) -> calls.add("abort " + pd + " " + c)).build(), true, true, "/m");
        p.mmap(0x100000, 0x1000, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, mergeable, 0);
        calls.clear();
        kernel.faultInjection().arm(InjectionPoint.TREE_PREALLOC, 1, Errno.ENOMEM);
        MmException e = assertThrows(MmException.class,
                () -> p.mmap(0x101000, 0x1000, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, mergeable, 0x1000));
        assertEquals("vma_merge_new_range", e.step());
        assertEquals(List.of("prepare", "abort null null"), calls);
        assertVmaUnchanged(p.mm().tree().lookup(0x100000));
        Consistency.check(p.mm());
        // Without the injection the same mapping merges, and mmap_complete gets the merged VMA.
        calls.clear();
        p.mmap(0x101000, 0x1000, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, mergeable, 0x1000);
        assertEquals(List.of("prepare", "complete"), calls);
        assertEquals(0x102000, p.mm().tree().lookup(0x100000).end());
    }

    private static void assertVmaUnchanged(Vma v) {
        assertNotNull(v);
        Fakes.assertVma(v, 0x100000, 0x101000, 0);
    }

    @Test
    void armCountsCallsAndFiresOnce() {
        FaultInjection fi = kernel.faultInjection();
        fi.arm(InjectionPoint.SPLIT, 2, Errno.EIO);
        assertEquals(0, fi.check(InjectionPoint.SPLIT));
        assertEquals(Errno.EIO.negative(), fi.check(InjectionPoint.SPLIT));
        assertEquals(0, fi.check(InjectionPoint.SPLIT));
        assertEquals(3, fi.calls(InjectionPoint.SPLIT));
        InjectionPoint other = InjectionPoint.values()[(InjectionPoint.SPLIT.ordinal() + 1) % InjectionPoint.values().length];
        long before = fi.calls(other);
        fi.check(other);
        assertEquals(before + 1, fi.calls(other), "each point counts its own calls");
        assertEquals(3, fi.calls(InjectionPoint.SPLIT));
        assertThrows(IllegalArgumentException.class, () -> fi.arm(InjectionPoint.SPLIT, 0, Errno.EIO));
        fi.reset();
        assertEquals(0, fi.calls(InjectionPoint.SPLIT));
        assertEquals(0, fi.calls(other));
    }
}
