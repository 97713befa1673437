package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.FileOperations;

/**
 * Every contract violation of issue 4 item 5, each by a deliberately bad driver: detected
 * (the errno the contract gives), counted once under its own kind and no other, traced as a
 * {@link TraceStep#CONTRACT_VIOLATION} event naming the kind, no VMA left behind, and — where
 * {@code mmap_prepare} succeeded — exactly one of {@code mmap_complete} / {@code mmap_abort}.
 */
class ContractViolationTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    /** A bad driver: what it gets wrong, the errno, and its operations (built against a recorder). */
    private enum BadDriver {
        BOTH_HOOKS(ContractViolation.BOTH_MMAP_HOOKS, Errno.ENODEV,
                calls -> FileOperations.builder().name("both_fops").mmap((f, v) -> 0).mmapPrepare(d -> 0).build()),
        COMPLETE_WITHOUT_PREPARE(ContractViolation.MMAP_COMPLETE_WITHOUT_PREPARE, Errno.EINVAL,
                calls -> FileOperations.builder().name("legacy_complete_fops").mmap((f, v) -> 0)
                        .mmapComplete((f, v, c) -> 0).build()),
        ABORT_WITHOUT_COMPLETE(ContractViolation.MMAP_ABORT_WITHOUT_PARTNERS, Errno.EINVAL,
                calls -> FileOperations.builder().name("abort_only_fops").mmapPrepare(d -> 0)
                        .mmapAbort((f, pd, c) -> calls.add("abort")).build()),
        COMPLETE_RELEASES_MMAP_LOCK(ContractViolation.MMAP_LOCK_RELEASED, Errno.EINVAL,
                calls -> paired(calls, d -> 0).mmapComplete((f, v, c) -> {
                    calls.add("complete");
                    v.mm().mmapWriteUnlock();
                    return 0;
                }).build()),
        COMPLETE_RELEASES_VMA_LOCK(ContractViolation.VMA_LOCK_RELEASED, Errno.EINVAL,
                calls -> paired(calls, d -> 0).mmapComplete((f, v, c) -> {
                    calls.add("complete");
                    v.mm().mmapWriteUnlock(); // the last release ends every VMA write lock
                    v.mm().mmapWriteLock();
                    return 0;
                }).build()),
        LEGACY_MOVES_START(ContractViolation.LEGACY_MMAP_MOVED_START, Errno.EINVAL,
                calls -> FileOperations.builder().name("mover_fops").mmap((f, v) -> {
                    ((Vma) v).start += P;
                    return 0;
                }).build()),
        LEGACY_GRANTS_MAYWRITE(ContractViolation.LEGACY_MMAP_GRANTED_MAYWRITE, null,
                calls -> FileOperations.builder().name("granter_fops").mmap((f, v) -> {
                    v.flagsSet(VmaFlag.MAYWRITE);
                    return 0;
                }).build()),
        ERROR_HOOK_CLEARS(ContractViolation.ERROR_HOOK_CLEARED_ERROR, Errno.EIO,
                calls -> paired(calls, d -> {
                    d.actionCustom(v -> Errno.EIO.negative());
                    d.actionErrorHook(err -> 0);
                    return 0;
                }).build()),
        REMAP_OUTSIDE_VMA(ContractViolation.ACTION_RANGE_OUTSIDE_VMA, Errno.EFAULT,
                calls -> paired(calls, d -> {
                    d.actionRemap(d.start() + P, 0x10, d.size());
                    return 0;
                }).build()),
        KERNEL_PAGES_OUTSIDE_VMA(ContractViolation.ACTION_RANGE_OUTSIDE_VMA, Errno.EFAULT,
                calls -> paired(calls, d -> {
                    d.actionMapKernelPages(d.start() - P, new long[] {1});
                    return 0;
                }).build()),
        BAD_ERROR_OVERRIDE(ContractViolation.INVALID_ERROR_OVERRIDE, Errno.EINVAL,
                calls -> paired(calls, d -> {
                    d.actionErrorOverride(-99999);
                    return 0;
                }).build()),
        HOOK_THROWS(ContractViolation.HOOK_THREW, Errno.EINVAL,
                calls -> paired(calls, d -> {
                    throw new IllegalStateException("driver bug");
                }).build()),
        HOOK_RETURNS_POSITIVE(ContractViolation.INVALID_HOOK_RETURN, Errno.EINVAL,
                calls -> paired(calls, d -> 5).build());

        final ContractViolation kind;
        final Errno errno;
        final Function<List<String>, FileOperations> fops;

        BadDriver(ContractViolation kind, Errno errno, Function<List<String>, FileOperations> fops) {
            this.kind = kind;
            this.errno = errno;
            this.fops = fops;
        }

        /** mmap_prepare (recorded) with mmap_complete and mmap_abort that record too. */
        private static FileOperations.Builder paired(List<String> calls, FileOperations.MmapPrepare prepare) {
            return FileOperations.builder().name("bad_fops").mmapPrepare(d -> {
                calls.add("prepare");
                return prepare.mmapPrepare(d);
            }).mmapComplete((f, v, c) -> {
                calls.add("complete");
                return 0;
            }).mmapAbort((f, pd, c) -> calls.add("abort"));
        }
    }

    private final TestRam ram = new TestRam(64);
    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
    private final Process p = kernel.spawn();

    @ParameterizedTest
    @EnumSource(BadDriver.class)
    void eachViolationIsDetectedCountedAndTraced(BadDriver bad) {
        List<String> calls = new ArrayList<>();
        Fakes.TestFile f = Fakes.file(bad.fops.apply(calls));
        if (bad.errno == null) {
            p.mmap(A, 2 * P, Mman.PROT_READ, Mman.MAP_SHARED | Mman.MAP_FIXED,
                    new Fakes.TestFile(f.inode, f.fop, true, false, "/ro"), 0);
            assertEquals(1, p.mm().mapCount(), "a warning only: the mapping stands");
        } else {
            MmException e = assertThrows(MmException.class,
                    () -> p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, f, 0));
            assertEquals(bad.errno, e.errno(), e.getMessage());
            assertEquals(0, p.mm().mapCount(), "no VMA left behind");
            assertEquals(0, f.inode.rmap.mappingCount());
        }
        assertEquals(1, kernel.violations().count(bad.kind), bad.kind + " counted once");
        assertEquals(1, kernel.violations().total(), "and nothing else counted: " + kernel.violations().counts());
        List<TraceEvent> ev = kernel.trace().events(TraceStep.CONTRACT_VIOLATION);
        assertEquals(1, ev.size());
        assertEquals(bad.kind.name(), ev.get(0).outcome());
        assertTrue(ev.get(0).detail().length() > 10, "the trace says what the driver did: " + ev.get(0));
        if (calls.contains("prepare") && !calls.isEmpty()) {
            long pairs = calls.stream().filter(c -> c.equals("complete") || c.equals("abort")).count();
            boolean prepareFailed = bad == BadDriver.HOOK_THROWS || bad == BadDriver.HOOK_RETURNS_POSITIVE;
            assertEquals(prepareFailed ? 0 : 1, pairs, "pairing promise: " + calls);
        }
        assertEquals(false, p.mm().isMmapWriteLocked(), "the lock is balanced after the call");
    }

    @Test
    void everyKindOfIssueItemFiveHasABadDriver() {
        Set<ContractViolation> covered = EnumSet.noneOf(ContractViolation.class);
        for (BadDriver b : BadDriver.values()) {
            covered.add(b.kind);
        }
        Set<ContractViolation> missing = EnumSet.complementOf(EnumSet.copyOf(covered));
        missing.remove(ContractViolation.UNKNOWN_ACTION); // needs a kernel without page actions, below
        assertEquals(Set.of(), missing, "a violation kind without a deliberately bad driver");
    }

    @Test
    void unknownActionTypeOnAKernelWithoutPageActions() {
        Kernel bare = Fakes.lowKernel();
        Process q = bare.spawn();
        List<String> calls = new ArrayList<>();
        Fakes.TestFile f = Fakes.file(BadDriver.paired(calls, d -> {
            d.actionRemapFull(0x10);
            return 0;
        }).build());
        MmException e = assertThrows(MmException.class, () -> q.mmap(A, P, RW, Mman.MAP_SHARED, f, 0));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(1, bare.violations().count(ContractViolation.UNKNOWN_ACTION));
        assertEquals(List.of("prepare", "abort"), calls);
    }
}
