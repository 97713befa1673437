package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.Fakes.assertVma;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FopFlag;

/** The mmap path of contract section 2: errnos, order of steps, the pairing promise, legacy mmap. */
class MmapPathTest {
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int PRIV = Mman.MAP_PRIVATE;
    private static final int SHARED = Mman.MAP_SHARED;
    private static final int FIXED = Mman.MAP_FIXED;
    private static final long A = 0x10000;

    private final Kernel kernel = new Kernel();
    private final Process p = kernel.spawn();
    private final Fakes.Recorder rec = new Fakes.Recorder();

    private static MmException expect(Errno errno, org.junit.jupiter.api.function.Executable call) {
        MmException e = assertThrows(MmException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().startsWith("errno " + errno.name() + ": " + e.step() + ": "), e.getMessage());
        return e;
    }

    private Fakes.TestFile prepFile(Consumer<VmAreaDesc> prepare) {
        return Fakes.file(FileOperations.builder().name("probe_fops").mmapPrepare(d -> {
            rec.calls.add("prepare");
            prepare.accept(d);
            return 0;
        }).mmapComplete((f, v, ctx) -> {
            rec.calls.add("complete");
            assertTrue(v.mm().isMmapWriteLocked(), "mmap write lock held in mmap_complete");
            assertTrue(v.isWriteLocked(), "VMA write lock held in mmap_complete");
            return 0;
        }).mmapAbort((f, pd, ctx) -> rec.calls.add("abort " + pd + " " + ctx)).build());
    }

    private List<TraceStep> steps() {
        List<TraceStep> out = new ArrayList<>();
        for (TraceEvent e : kernel.trace().snapshot()) {
            out.add(e.step());
        }
        return out;
    }

    // ------------------------------------------------------------ errnos of steps 1 and 2

    @Test
    void validationErrnos() {
        int anon = PRIV | Mman.MAP_ANONYMOUS;
        MmException e = expect(Errno.EINVAL, () -> p.mmap(0, 0, RW, anon, null, 0));
        assertEquals("do_mmap", e.step());
        expect(Errno.ENOMEM, () -> p.mmap(0, Long.MAX_VALUE - 10, RW, anon, null, 0));
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, Mman.MAP_ANONYMOUS, null, 0));
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, anon, null, 0x123));
        p.mm().mmapWriteLock();
        try {
            expect(Errno.EOVERFLOW, () -> MmapState.doMmap(p.mm(), null, 0, 0x2000, RW, anon, -1L));
        } finally {
            p.mm().mmapWriteUnlock();
        }
        p.mmap(A, 0x1000, RW, anon | FIXED, null, 0);
        expect(Errno.EEXIST, () -> p.mmap(A, 0x1000, RW, anon | Mman.MAP_FIXED_NOREPLACE, null, 0));
        expect(Errno.EPERM, () -> p.mmap(0x1000, 0x1000, RW, anon | FIXED, null, 0));
        Consistency.check(p.mm());
    }

    @Test
    void mapCountLimitAndAddressSpaceLimitAndNoFreeArea() {
        int anon = PRIV | Mman.MAP_ANONYMOUS | FIXED;
        p.mm().setMaxMapCount(2);
        p.mmap(A, 0x1000, RW, anon, null, 0);
        p.mmap(A + 0x2000, 0x1000, RW, anon, null, 0);
        p.mmap(A + 0x4000, 0x1000, RW, anon, null, 0);
        assertEquals(3, p.mm().mapCount(), "do_mmap rejects only when the count is already over the limit");
        expect(Errno.ENOMEM, () -> p.mmap(A + 0x6000, 0x1000, RW, anon, null, 0));

        Kernel small = new Kernel(KernelConfig.builder().addressSpaceLimit(0x3000).build());
        Process q = small.spawn();
        q.mmap(A, 0x2000, RW, anon, null, 0);
        MmException e = expect(Errno.ENOMEM, () -> q.mmap(A + 0x4000, 0x2000, RW, anon, null, 0));
        assertEquals("may_expand_vm", e.step());

        Kernel tiny = new Kernel(KernelConfig.builder().mmapMinAddr(0x10000).taskSize(0x20000).mmapBase(0x20000)
                .unmappedBase(0x10000).build());
        Process t = tiny.spawn();
        t.mmap(0, 0x8000, RW, PRIV | Mman.MAP_ANONYMOUS, null, 0);
        t.mmap(0, 0x8000, RW, PRIV | Mman.MAP_ANONYMOUS, null, 0);
        expect(Errno.ENOMEM, () -> t.mmap(0, 0x1000, RW, PRIV | Mman.MAP_ANONYMOUS, null, 0));
        Consistency.check(t.mm());
    }

    @Test
    void unalignedFixedAddressCommitLimitAndForeignReverseMap() {
        int anon = PRIV | Mman.MAP_ANONYMOUS;
        MmException e = expect(Errno.EINVAL, () -> p.mmap(A + 0x800, 0x1000, RW, anon | FIXED, null, 0));
        assertEquals("get_unmapped_area", e.step());

        Kernel strict = new Kernel(KernelConfig.builder().commitLimitPages(4).build());
        Process q = strict.spawn();
        q.mmap(A, 0x3000, RW, anon | FIXED, null, 0);
        assertEquals(3, q.mm().committedPages());
        e = expect(Errno.ENOMEM, () -> q.mmap(A + 0x8000, 0x2000, RW, anon | FIXED, null, 0));
        assertEquals("security_vm_enough_memory", e.step());
        q.mmap(A + 0x8000, 0x2000, Mman.PROT_READ, anon | FIXED, null, 0); // read-only: not accountable
        q.mmap(A + 0xc000, 0x2000, RW, anon | FIXED | Mman.MAP_NORESERVE, null, 0);
        // Replacing accounted memory reuses its charge.
        q.mmap(A, 0x3000, RW, anon | FIXED, null, 0);
        assertEquals(3, q.mm().committedPages());
        Consistency.check(q.mm());

        org.vfsgi.vfs.Inode foreign = new org.vfsgi.vfs.Inode() {
            @Override
            public int deviceMajor() {
                return 0;
            }

            @Override
            public int deviceMinor() {
                return 0;
            }

            @Override
            public long ino() {
                return 1;
            }

            @Override
            public long size() {
                return 0;
            }

            @Override
            public org.vfsgi.mm.ReverseMap reverseMap() {
                return null;
            }
        };
        Fakes.TestFile f = Fakes.file(rec.prepareFop(rec.vmOps(false, false, false), true));
        Fakes.TestFile bad = new Fakes.TestFile(null, f.fop, true, true, "/foreign") {
            @Override
            public org.vfsgi.vfs.Inode inode() {
                return foreign;
            }
        };
        e = expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, bad, 0));
        assertEquals(List.of(), rec.calls, "rejected before any hook ran");
    }

    @Test
    void fileChecks() {
        FileOperations fop = rec.prepareFop(rec.vmOps(false, false, false), true);
        Fakes.TestInode ino = new Fakes.TestInode(8, 1, 5, 0x10000);
        Fakes.TestFile readOnly = new Fakes.TestFile(ino, fop, true, false, "/ro");
        Fakes.TestFile writeOnly = new Fakes.TestFile(ino, fop, false, true, "/wo");
        expect(Errno.EACCES, () -> p.mmap(0, 0x1000, RW, SHARED, readOnly, 0));
        expect(Errno.EACCES, () -> p.mmap(0, 0x1000, Mman.PROT_READ, PRIV, writeOnly, 0));
        expect(Errno.EOPNOTSUPP, () -> p.mmap(0, 0x1000, Mman.PROT_READ, Mman.MAP_SHARED_VALIDATE | 0x200000,
                readOnly, 0));
        expect(Errno.EOPNOTSUPP, () -> p.mmap(0, 0x1000, Mman.PROT_READ, Mman.MAP_SHARED_VALIDATE | Mman.MAP_SYNC,
                readOnly, 0));
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, Mman.PROT_READ, 0, readOnly, 0));
        assertEquals(0, rec.calls.size(), "no hook ran for a rejected request");

        // A shared read-only mapping of a read-only file drops MAYWRITE and SHARED, keeps MAYSHARE.
        long a = p.mmap(0, 0x1000, Mman.PROT_READ, SHARED, readOnly, 0);
        Vma v = p.mm().tree().lookup(a);
        assertFalse(v.flags().testAny(VmaFlag.MAYWRITE, VmaFlag.SHARED));
        assertTrue(v.flags().test(VmaFlag.MAYSHARE));

        // MAP_SYNC is accepted where the file has FOP_MMAP_SYNC, and sets SYNC.
        Fakes.TestFile syncFile = new Fakes.TestFile(ino, fop.toBuilder().flag(FopFlag.MMAP_SYNC).build(),
                true, true, "/pmem");
        long s = p.mmap(0, 0x1000, RW, Mman.MAP_SHARED_VALIDATE | Mman.MAP_SYNC, syncFile, 0);
        assertTrue(p.mm().tree().lookup(s).flags().testAll(VmaFlag.SYNC, VmaFlag.SHARED, VmaFlag.MAYSHARE));
        Consistency.check(p.mm());
    }

    @Test
    void hookValidityRules() {
        FileOperations.MmapPrepare prep = d -> 0;
        FileOperations.Mmap legacy = (f, v) -> 0;
        FileOperations.MmapComplete complete = (f, v, c) -> 0;
        FileOperations.MmapAbort abort = (f, pd, c) -> { };
        expect(Errno.ENODEV, () -> p.mmap(0, 0x1000, RW, PRIV, Fakes.file(FileOperations.builder().build()), 0));
        assertEquals(0, kernel.violations().count(ContractViolation.BOTH_MMAP_HOOKS));
        expect(Errno.ENODEV, () -> p.mmap(0, 0x1000, RW, PRIV,
                Fakes.file(FileOperations.builder().mmap(legacy).mmapPrepare(prep).build()), 0));
        assertEquals(1, kernel.violations().count(ContractViolation.BOTH_MMAP_HOOKS), "both hooks is a violation");
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV,
                Fakes.file(FileOperations.builder().mmap(legacy).mmapComplete(complete).build()), 0));
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV,
                Fakes.file(FileOperations.builder().mmapPrepare(prep).mmapAbort(abort).build()), 0));
        assertEquals(0, p.mm().mapCount());
        long a = p.mmap(0, 0x1000, RW, PRIV, Fakes.file(FileOperations.builder().mmapPrepare(prep)
                .mmapComplete(complete).mmapAbort(abort).build()), 0);
        assertTrue(a > 0);
    }

    @Test
    void hookErrorsPropagateUnchanged() {
        Fakes.TestFile f = Fakes.file(FileOperations.builder().name("busy_fops").mmapPrepare(d -> {
            d.setPrivateData("state");
            return Errno.EBUSY.negative();
        }).mmapComplete((fl, v, c) -> 0).mmapAbort((fl, pd, c) -> rec.calls.add("abort")).build());
        MmException e = expect(Errno.EBUSY, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals("mmap_prepare", e.step());
        assertEquals(List.of(), rec.calls, "mmap_abort is not called when mmap_prepare itself failed");
        assertEquals(0, p.mm().mapCount());
    }

    // ------------------------------------------------------------ order of steps

    @Test
    void successfulMappingRunsStepsInContractOrder() {
        VmOperations ops = VmOperations.builder().name("ordered_ops")
                .mapped((s, e, pg, f, pd) -> {
                    rec.calls.add("mapped");
                    pd.set("from-mapped");
                    return 0;
                }).close(v -> rec.calls.add("close")).build();
        Fakes.TestFile f = prepFile(d -> {
            d.setVmOps(ops);
            d.setPrivateData("from-prepare");
            d.setContext("ctx");
            d.actionSuccessHook(v -> {
                rec.calls.add("success");
                return 0;
            });
            d.actionCustom(v -> {
                rec.calls.add("action");
                return 0;
            });
        });
        long a = p.mmap(0, 0x2000, RW, PRIV, f, 0);
        assertEquals(List.of("prepare", "action", "success", "mapped", "complete"), rec.calls);
        assertEquals(List.of(TraceStep.GET_UNMAPPED_AREA, TraceStep.SETUP, TraceStep.PREPARE, TraceStep.ACTION_PREPARE,
                TraceStep.NEW_VMA, TraceStep.USER_FIELDS, TraceStep.MMAP_COMPLETE, TraceStep.ACTION,
                TraceStep.SUCCESS_HOOK, TraceStep.MAPPED, TraceStep.COMPLETE, TraceStep.MMAP), steps());
        Vma v = p.mm().tree().lookup(a);
        assertEquals("from-mapped", v.privateData(), "mapped may replace the private data");
        assertSame(ops, v.vmOps());
        assertTrue(v.flags().test(VmaFlag.SOFTDIRTY));
    }

    @Test
    void mapFixedClosesReplacedVmasBeforeTheNewFilesHooks() {
        VmOperations closing = VmOperations.builder().close(v -> rec.calls.add("close old " + Fakes.range(v.start(),
                v.end()))).build();
        Fakes.TestFile old = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setVmOps(closing);
            return 0;
        }).build());
        p.mmap(A, 0x4000, RW, PRIV | FIXED, old, 0);
        Fakes.TestFile f = prepFile(d -> { });
        kernel.trace().clear();
        /*
         * 0123   (pages from A)
         * OOOO
         *  **    -> O**O: old split, middle replaced; close runs on the replaced middle first
         */
        p.mmap(A + 0x1000, 0x2000, RW, PRIV | FIXED, f, 0);
        assertEquals(List.of("close old [11000,13000)", "prepare", "complete"), rec.calls);
        List<TraceStep> s = steps();
        assertTrue(s.indexOf(TraceStep.CLOSE_REPLACED) < s.indexOf(TraceStep.PREPARE), s.toString());
        assertEquals(3, p.mm().mapCount());
        assertVma(p.mm().tree().lookup(A), A, A + 0x1000, 0);
        assertVma(p.mm().tree().lookup(A + 0x3000), A + 0x3000, A + 0x4000, 3);
        Consistency.check(p.mm());
    }

    @Test
    void failureBeforeCloseRestoresReplacedVmas() {
        Kernel k = new Kernel(KernelConfig.builder().addressSpaceLimit(0x4000).build());
        Process q = k.spawn();
        VmOperations closing = VmOperations.builder().close(v -> rec.calls.add("close")).build();
        Fakes.TestFile old = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setVmOps(closing);
            return 0;
        }).build());
        q.mmap(A, 0x2000, RW, PRIV | FIXED, old, 0);
        Vma before = q.mm().tree().lookup(A);
        Fakes.TestFile f = prepFile(d -> { });
        MmException e = expect(Errno.ENOMEM, () -> q.mmap(A, 0x8000, RW, PRIV | FIXED, f, 0));
        assertEquals("may_expand_vm", e.step());
        assertSame(before, q.mm().tree().lookup(A), "the replaced VMA is back, the same object");
        assertVma(before, A, A + 0x2000, 0);
        assertEquals(List.of(), rec.calls, "no close, no prepare, no abort");
        assertEquals(1, k.trace().events(TraceStep.RESTORE).size());
        Consistency.check(q.mm());
    }

    @Test
    void failureAfterCloseLeavesAHole() {
        VmOperations closing = VmOperations.builder().close(v -> rec.calls.add("close")).build();
        Fakes.TestFile old = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setVmOps(closing);
            return 0;
        }).build());
        p.mmap(A, 0x2000, RW, PRIV | FIXED, old, 0);
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> Errno.EIO.negative()).build());
        expect(Errno.EIO, () -> p.mmap(A, 0x2000, RW, PRIV | FIXED, f, 0));
        assertEquals(List.of("close"), rec.calls);
        assertNull(p.mm().tree().findIntersection(A, A + 0x2000), "the old range is a hole");
        assertEquals(0, p.mm().mapCount());
        assertEquals(0, old.inode.rmap.mappingCount());
        Consistency.check(p.mm());
    }

    @Test
    void sealedVmaCannotBeReplaced() {
        Fakes.TestFile sealed = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.flagsSet(VmaFlag.SEALED);
            return 0;
        }).build());
        p.mmap(A, 0x1000, RW, PRIV | FIXED, sealed, 0);
        expect(Errno.EPERM, () -> p.mmap(A, 0x1000, RW, PRIV | FIXED | Mman.MAP_ANONYMOUS, null, 0));
        expect(Errno.EPERM, () -> p.munmap(A, 0x1000));
        assertEquals(1, p.mm().mapCount());
    }

    // ------------------------------------------------------------ actions, hooks, error override

    @Test
    void mappedFailureUnmapsWithCloseAndAppliesErrorOverride() {
        VmOperations ops = VmOperations.builder().mapped((s, e, pg, f, pd) -> Errno.EIO.negative())
                .close(v -> rec.calls.add("close")).build();
        Fakes.TestFile f = prepFile(d -> {
            d.setVmOps(ops);
            d.setPrivateData("pd");
            d.setContext("ctx");
            d.actionErrorOverride(Errno.EAGAIN.negative());
        });
        MmException e = expect(Errno.EAGAIN, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals("mapped", e.step());
        assertEquals(List.of("prepare", "close", "abort pd ctx"), rec.calls,
                "the VMA is unmapped (close runs), then mmap_abort exactly once");
        List<TraceStep> s = steps();
        assertTrue(s.lastIndexOf(TraceStep.UNMAP) < s.indexOf(TraceStep.ABORT), "abort after teardown: " + s);
        assertEquals(0, p.mm().mapCount());
        Consistency.check(p.mm());
    }

    @Test
    void actionFailureGoesThroughErrorHook() {
        Fakes.TestFile f = prepFile(d -> {
            d.actionCustom(v -> Errno.ENOMEM.negative());
            d.actionErrorHook(err -> {
                rec.calls.add("error_hook " + Errno.describe(err));
                return Errno.ENXIO.negative();
            });
        });
        MmException e = expect(Errno.ENXIO, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals("mmap_action_complete", e.step());
        assertEquals(List.of("prepare", "error_hook ENOMEM", "abort null null"), rec.calls);

        Fakes.TestFile clearing = prepFile(d -> {
            d.actionCustom(v -> Errno.ENOMEM.negative());
            d.actionErrorHook(err -> 0);
        });
        expect(Errno.ENOMEM, () -> p.mmap(0, 0x1000, RW, PRIV, clearing, 0));
        assertEquals(1, kernel.violations().count(ContractViolation.ERROR_HOOK_CLEARED_ERROR));
        assertEquals(0, p.mm().mapCount());
    }

    @Test
    void successHookErrorUnmaps() {
        VmOperations ops = VmOperations.builder().close(v -> rec.calls.add("close")).build();
        Fakes.TestFile f = prepFile(d -> {
            d.setVmOps(ops);
            d.actionSuccessHook(v -> Errno.EFAULT.negative());
        });
        MmException e = expect(Errno.EFAULT, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals("success_hook", e.step());
        assertEquals(List.of("prepare", "close", "abort null null"), rec.calls);
    }

    @Test
    void badErrorOverrideAndUnknownActionAreEinval() {
        Fakes.TestFile bad = prepFile(d -> d.actionErrorOverride(12));
        MmException e = expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, bad, 0));
        assertEquals("mmap_action_prepare", e.step());
        assertEquals(1, kernel.violations().count(ContractViolation.INVALID_ERROR_OVERRIDE));
        rec.calls.clear();
        Fakes.TestFile remap = prepFile(d -> d.actionRemapFull(0x1234));
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, remap, 0));
        assertEquals(List.of("prepare", "abort null null"), rec.calls,
                "without a remap handler installed the action type is unknown: EINVAL after prepare, so abort");
        assertEquals(0, p.mm().mapCount());
    }

    @Test
    void hideFromRmapUntilCompleteKeepsRmapLockedThroughMapped() {
        List<Boolean> seen = new ArrayList<>();
        Fakes.TestFile[] fh = new Fakes.TestFile[1];
        VmOperations ops = VmOperations.builder().mapped((s, e, pg, f, pd) -> {
            seen.add(fh[0].inode.rmap.isWriteLocked());
            return 0;
        }).build();
        fh[0] = prepFile(d -> {
            d.setVmOps(ops);
            d.actionHideFromRmapUntilComplete(true);
        });
        p.mmap(0, 0x1000, RW, PRIV, fh[0], 0);
        assertEquals(List.of(true), seen, "mapped runs while rmap walkers cannot see the VMA");
        assertFalse(fh[0].inode.rmap.isWriteLocked(), "released afterwards");
        assertEquals(1, fh[0].inode.rmap.mappings().size());
        assertEquals(1, kernel.trace().events(TraceStep.RMAP_UNLOCK).size());
    }

    @Test
    void rmapWalkerOnAnotherThreadWaitsUntilTheHiddenVmaIsComplete() throws Exception {
        Fakes.TestFile[] fh = new Fakes.TestFile[1];
        List<Integer> walkerSaw = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread[] walker = new Thread[1];
        VmOperations ops = VmOperations.builder().mapped((s, e, pg, f, pd) -> {
            walker[0] = new Thread(() -> walkerSaw.add(fh[0].inode.rmap.mappings().size()), "rmap-walker");
            walker[0].start();
            // Wait until the walker is parked on the rmap lock: it must not get through while hidden.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (walker[0].getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            rec.calls.add("walker " + walker[0].getState() + " saw " + walkerSaw);
            return 0;
        }).build();
        fh[0] = prepFile(d -> {
            d.setVmOps(ops);
            d.actionHideFromRmapUntilComplete(true);
        });
        p.mmap(0, 0x1000, RW, PRIV, fh[0], 0);
        walker[0].join(10_000);
        assertEquals(List.of("prepare", "walker WAITING saw []", "complete"), rec.calls);
        assertEquals(List.of(1), walkerSaw, "the walker saw the VMA only once it was complete");
    }

    @Test
    void mmapCompleteReleasingTheMmapLockIsAViolation() {
        VmOperations ops = VmOperations.builder().close(v -> rec.calls.add("close")).build();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().name("rogue_fops").mmapPrepare(d -> {
            d.setVmOps(ops);
            return 0;
        }).mmapComplete((fl, v, c) -> {
            v.mm().mmapWriteUnlock();
            return 0;
        }).mmapAbort((fl, pd, c) -> rec.calls.add("abort")).build());
        MmException e = expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals("mmap_complete", e.step());
        assertEquals(1, kernel.violations().count(ContractViolation.MMAP_LOCK_RELEASED));
        assertEquals(List.of("close"), rec.calls, "unmapped, and no abort because mmap_complete was called");
        assertEquals(0, p.mm().mapCount());
        assertFalse(p.mm().isMmapWriteLocked(), "the lock is balanced after the call");
        p.mmap(0, 0x1000, RW, PRIV | Mman.MAP_ANONYMOUS, null, 0);
    }

    @Test
    void mmapCompleteDroppingTheVmaLockIsAViolation() {
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0).mmapComplete((fl, v, c) -> {
            v.mm().mmapWriteUnlock();
            v.mm().mmapWriteLock();
            return 0;
        }).build());
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals(1, kernel.violations().count(ContractViolation.VMA_LOCK_RELEASED));
        assertEquals(0, kernel.violations().count(ContractViolation.MMAP_LOCK_RELEASED));
        assertEquals(0, p.mm().mapCount());
    }

    @Test
    void mmapCompleteErrorUnmapsWithoutAbort() {
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0)
                .mmapComplete((fl, v, c) -> Errno.ENOSPC.negative()).mmapAbort((fl, pd, c) -> rec.calls.add("abort"))
                .build());
        expect(Errno.ENOSPC, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals(List.of(), rec.calls);
        assertEquals(0, p.mm().mapCount());
    }

    @Test
    void descriptorChangesAreCopiedBack() {
        Fakes.TestFile other = new Fakes.TestFile(new Fakes.TestInode(0, 5, 99, 0), FileOperations
                .builder().mmapPrepare(d -> 0).build(), true, true, "/dev/shm/other");
        Fakes.TestFile zeroLike = prepFile(d -> {
            d.setVmFile(other);
            d.setPgoff(7);
            d.flagsSet(VmaFlag.DONTDUMP);
            d.setAnonymous();
        });
        long a = p.mmap(0, 0x1000, RW, PRIV, zeroLike, 0);
        Vma v = p.mm().tree().lookup(a);
        assertSame(other, v.file());
        assertEquals(7, v.pgoff());
        assertTrue(v.flags().test(VmaFlag.DONTDUMP));
        assertNull(v.vmOps(), "no vm_ops: anonymous VMA");
        assertEquals(1, other.inode.rmap.mappingCount());
        assertEquals(0, zeroLike.inode.rmap.mappingCount());
    }

    // ------------------------------------------------------------ legacy f_op->mmap

    @Test
    void legacyMmapRunsOnUninsertedVmaAndNeverMerges() {
        VmOperations ops = VmOperations.builder().close(v -> rec.calls.add("close")).build();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().name("legacy_fops").mmap((fl, v) -> {
            rec.calls.add("mmap detached=" + ((Vma) v).isDetached());
            v.setVmOps(ops);
            v.flagsSet(VmaFlag.DONTDUMP);
            return 0;
        }).build());
        p.mmap(A, 0x1000, RW, PRIV | FIXED, f, 0);
        p.mmap(A + 0x1000, 0x1000, RW, PRIV | FIXED, f, 0x1000);
        assertEquals(2, p.mm().mapCount(), "legacy mappings never merge at mmap time");
        assertEquals(List.of("mmap detached=true", "mmap detached=true"), rec.calls);
        assertTrue(kernel.trace().events(TraceStep.MERGE).isEmpty());
        assertTrue(p.mm().tree().lookup(A).flags().test(VmaFlag.DONTDUMP));
    }

    @Test
    void legacyMmapErrorGetsDummyOpsAndNoClose() {
        VmOperations ops = VmOperations.builder().close(v -> rec.calls.add("close")).build();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmap((fl, v) -> {
            v.setVmOps(ops);
            return Errno.ENXIO.negative();
        }).build());
        MmException e = expect(Errno.ENXIO, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals("mmap", e.step());
        assertEquals(List.of(), rec.calls);
        assertEquals(0, p.mm().mapCount());
        assertEquals(0, f.inode.rmap.mappingCount());
    }

    @Test
    void legacyMmapContractViolations() {
        Fakes.TestInode ino = new Fakes.TestInode(8, 1, 3, 0);
        Fakes.TestFile ro = new Fakes.TestFile(ino, FileOperations.builder().mmap((fl, v) -> {
            v.flagsSet(VmaFlag.MAYWRITE);
            return 0;
        }).build(), true, false, "/ro");
        p.mmap(0, 0x1000, Mman.PROT_READ, SHARED, ro, 0);
        assertEquals(1, kernel.violations().count(ContractViolation.LEGACY_MMAP_GRANTED_MAYWRITE));
        assertEquals(1, p.mm().mapCount(), "granting MAYWRITE only warns");

        Fakes.TestFile mover = Fakes.file(FileOperations.builder().mmap((fl, v) -> {
            ((Vma) v).start += 0x1000;
            return 0;
        }).build());
        expect(Errno.EINVAL, () -> p.mmap(0, 0x2000, RW, PRIV, mover, 0));
        assertEquals(1, kernel.violations().count(ContractViolation.LEGACY_MMAP_MOVED_START));
        assertEquals(1, p.mm().mapCount());
    }

    @Test
    void hookThatThrowsBecomesEinvalAndAViolation() {
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            throw new IllegalStateException("driver bug");
        }).build());
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, f, 0));
        assertEquals(1, kernel.violations().count(ContractViolation.HOOK_THREW));
        Fakes.TestFile weird = Fakes.file(FileOperations.builder().mmapPrepare(d -> 42).build());
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, weird, 0));
        assertEquals(1, kernel.violations().count(ContractViolation.INVALID_HOOK_RETURN));
        assertTrue(kernel.trace().events(TraceStep.CONTRACT_VIOLATION).size() >= 2);
    }

    @Test
    void fileGetUnmappedAreaIsUsedAndChecked() {
        Fakes.TestFile aligned = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0)
                .getUnmappedArea((f, addr, len, pg, fl) -> 0x40000000L).build());
        assertEquals(0x40000000L, p.mmap(0, 0x1000, RW, PRIV, aligned, 0));
        Fakes.TestFile unaligned = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0)
                .getUnmappedArea((f, addr, len, pg, fl) -> 0x40000800L).build());
        expect(Errno.EINVAL, () -> p.mmap(0, 0x1000, RW, PRIV, unaligned, 0));
        Fakes.TestFile failing = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0)
                .getUnmappedArea((f, addr, len, pg, fl) -> Errno.ENXIO.negative()).build());
        expect(Errno.ENXIO, () -> p.mmap(0, 0x1000, RW, PRIV, failing, 0));
    }

    @Test
    void topDownAndBottomUpSearch() {
        int anon = PRIV | Mman.MAP_ANONYMOUS;
        long a = p.mmap(0, 0x3000, RW, Mman.PROT_READ | anon, null, 0);
        assertEquals(kernel.config().mmapBase() - 0x3000, a, "top-down starts right below mmap_base");
        long b = p.mmap(0, 0x1000, RW, anon, null, 0);
        assertEquals(a - 0x1000, b);
        Kernel legacy = new Kernel(KernelConfig.builder().topDown(false).build());
        Process q = legacy.spawn();
        assertEquals(legacy.config().unmappedBase(), q.mmap(0, 0x1000, RW, anon, null, 0));
        assertEquals(legacy.config().unmappedBase() + 0x1000, q.mmap(0, 0x1000, Mman.PROT_READ, anon, null, 0));
        // A free hint is honoured; an occupied one is not.
        assertEquals(0x500000, q.mmap(0x500000, 0x1000, RW, anon, null, 0));
        assertTrue(q.mmap(0x500000, 0x1000, Mman.PROT_READ, anon, null, 0) != 0x500000);
    }

    @Test
    void sharedAnonymousGoesThroughTheShmemSeam() {
        List<Vma> seen = new ArrayList<>();
        kernel.setSharedAnonymous(v -> {
            seen.add(v);
            return SharedAnonymousBacking.UNBACKED.shmemZeroSetup(v);
        });
        long a = p.mmap(0, 0x2000, RW, SHARED | Mman.MAP_ANONYMOUS, null, 0);
        Vma v = p.mm().tree().lookup(a);
        assertEquals(List.of(v), seen);
        assertEquals(0, v.pgoff(), "shared anonymous memory has pgoff 0");
        assertTrue(v.flags().testAll(VmaFlag.SHARED, VmaFlag.MAYSHARE));
        assertFalse(v.flags().test(VmaFlag.ACCOUNT), "shared memory is not charged as private commit");
        VmaFlags f = v.flags();
        assertTrue(f.test(VmaFlag.SOFTDIRTY));
    }
}
