package org.vfsgi.mm.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;

/**
 * The compat layer of contract section 4: a stacking driver's legacy {@code mmap} hands the
 * mapping to a file underneath through {@link VmArea#vfsMmap}; the inner file's
 * {@code mmap_prepare}, action, {@code mapped} and {@code mmap_complete}/{@code mmap_abort} run
 * inside it; errors go back to the legacy hook raw (no {@code error_override}, no unmap, no
 * {@code close}); the descriptor's {@code file} is the inner file while its {@code vm_file} is
 * whatever the VMA points at.
 */
class CompatMmapTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;

    private final TestRam ram = new TestRam(512);
    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
    private final Vfs vfs = kernel.vfs();
    private final Process p = kernel.spawn();
    private final List<String> calls = new ArrayList<>();

    /** A tmpfs file of three pages whose first bytes name the page. */
    private OpenFile realFile() {
        OpenFile f = vfs.open("/data", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        for (int i = 0; i < 3; i++) {
            vfs.pwrite(f, ByteBuffer.wrap(("page" + i).getBytes(US_ASCII)), i * P);
        }
        vfs.ftruncate(f, 3 * P);
        return f;
    }

    /**
     * An overlay-like stacking file: legacy {@code mmap} only; it points the VMA at the real file
     * ({@code vma_set_file}) and calls {@code vfs_mmap} on it, as {@code backing_file_mmap} does.
     */
    private Fakes.TestFile stacking(File real) {
        return new Fakes.TestFile(new Fakes.TestInode(0, 40, 7, 3 * P), FileOperations.builder().name("ovl_fops")
                .mmap((f, vma) -> {
                    calls.add("ovl_mmap");
                    vma.setFile(real);
                    return vma.vfsMmap(vma.file());
                }).build(), true, true, "/ovl/data");
    }

    /** A stacking file that calls compat_vma_mmap on {@code inner} without switching vm_file. */
    private Fakes.TestFile nesting(File inner) {
        return new Fakes.TestFile(new Fakes.TestInode(0, 41, 8, 1 << 20), FileOperations.builder().name("outer_fops")
                .mmap((f, vma) -> vma.compatVmaMmap(inner)).build(), true, true, "/outer");
    }

    /** An inner mmap_prepare file with complete and abort, recording into {@link #calls}. */
    private Fakes.TestFile inner(Consumer<VmAreaDesc> prepare) {
        return new Fakes.TestFile(new Fakes.TestInode(0, 42, 9, 1 << 20), FileOperations.builder().name("inner_fops")
                .mmapPrepare(d -> {
                    calls.add("prepare file=" + d.file().path() + " vm_file=" + d.vmFile().path());
                    prepare.accept(d);
                    return 0;
                }).mmapComplete((f, v, ctx) -> {
                    calls.add("complete " + f.path() + " ctx=" + ctx);
                    return 0;
                }).mmapAbort((f, pd, ctx) -> calls.add("abort " + f.path() + " " + pd + " " + ctx)).build(),
                true, true, "/inner");
    }

    private VmOperations recordingOps() {
        return VmOperations.builder().name("inner_vm_ops").close(v -> calls.add("close")).mapped((s, e, pg, f, pd) -> {
            calls.add("mapped " + f.path() + " pd=" + pd.get());
            pd.set("pd-from-mapped");
            return 0;
        }).build();
    }

    private String read(long addr) {
        return new String(p.readMemory(addr, 5), US_ASCII);
    }

    @Test
    void stackedMappingShowsTheSamePagesAsMappingTheRealFileDirectly() {
        OpenFile real = realFile();
        int refs = real.fileCount();
        long direct = p.mmap(A, 3 * P, RW, SHARED, real, 0);
        long stacked = p.mmap(A + 8 * P, 3 * P, RW, SHARED, stacking(real), 0);
        assertEquals(List.of("ovl_mmap"), calls);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(p.readMemory(direct + i * P, (int) P), p.readMemory(stacked + i * P, (int) P),
                    "page " + i);
        }
        assertEquals("page1", read(stacked + P));
        VmArea v = p.mm().vmaLookup(stacked);
        assertSame(real, v.file(), "vma_set_file pointed the VMA at the real file");
        assertEquals(2, real.vfsInode().reverseMap().mappingCount(), "both VMAs are in the real inode's rmap");
        p.writeMemory(stacked + 2 * P, "PAGE2".getBytes(US_ASCII));
        assertEquals("PAGE2", read(direct + 2 * P), "one page cache behind both mappings");
        assertTrue(p.maps().contains("/data"), p.maps());
        assertEquals(refs + 2, real.fileCount(), "each VMA holds a reference on the real file");
        p.munmap(stacked, 3 * P);
        p.munmap(direct, 3 * P);
        assertEquals(refs, real.fileCount());
        assertEquals(1, kernel.trace().events(TraceStep.COMPAT_MMAP).size());
        assertEquals(Errno.describe(0), kernel.trace().events(TraceStep.COMPAT_MMAP).get(0).outcome());
    }

    @Test
    void legacyStackedMappingsNeverMergeButDirectOnesDo() {
        OpenFile real = realFile();
        p.mmap(A, P, RW, SHARED, real, 0);
        p.mmap(A + P, P, RW, SHARED, real, P);
        assertEquals(1, p.mm().mapCount(), "direct mmap_prepare mappings merge");
        Fakes.TestFile ovl = stacking(real);
        p.mmap(A + 4 * P, P, RW, SHARED, ovl, 0);
        p.mmap(A + 5 * P, P, RW, SHARED, ovl, P);
        assertEquals(3, p.mm().mapCount(), "legacy mmap runs after the merge attempt, so these stay apart");
    }

    @Test
    void innerHooksRunInOrderWithFileDifferentFromVmFile() {
        List<Boolean> rmapLockedInMapped = new ArrayList<>();
        Fakes.TestFile[] in = new Fakes.TestFile[1];
        VmOperations ops = VmOperations.builder().name("inner_vm_ops").mapped((s, e, pg, f, pd) -> {
            rmapLockedInMapped.add(in[0].inode.rmap.isWriteLocked());
            calls.add("mapped " + f.path() + " pd=" + pd.get());
            pd.set("pd-from-mapped");
            return 0;
        }).build();
        in[0] = inner(d -> {
            d.setVmOps(ops);
            d.setPrivateData("pd");
            d.setContext("ctx");
            d.actionHideFromRmapUntilComplete(true);
            d.actionCustom(v -> {
                calls.add("action detached=" + ((Vma) v).isDetached());
                return 0;
            });
            d.actionSuccessHook(v -> {
                calls.add("success");
                return 0;
            });
        });
        Fakes.TestFile outer = nesting(in[0]);
        long a = p.mmap(A, 2 * P, RW, SHARED, outer, 0);
        assertEquals(List.of("prepare file=/inner vm_file=/outer", "action detached=true", "success",
                "mapped /outer pd=pd", "complete /inner ctx=ctx"), calls,
                "desc.file is the file whose prepare runs, vm_file the VMA's; mapped gets vm_file");
        assertEquals(List.of(false), rmapLockedInMapped, "hide_from_rmap is forced off in the compat layer");
        VmArea v = p.mm().vmaLookup(a);
        assertEquals("pd-from-mapped", v.privateData(), "mapped's private-data out value reached the VMA");
        assertSame(ops, v.vmOps(), "vm_ops copied from the descriptor");
        assertSame(outer, v.file());
        assertEquals(1, outer.inode.rmap.mappingCount());
        assertEquals(0, in[0].inode.rmap.mappingCount());
    }

    @Test
    void actionFailureAbortsAndReturnsTheRawErrorWithoutClose() {
        Fakes.TestFile in = inner(d -> {
            d.setVmOps(recordingOps());
            d.setPrivateData("pd");
            d.setContext("ctx");
            d.actionCustom(v -> Errno.ENOMEM.negative());
            d.actionErrorOverride(Errno.EAGAIN.negative());
        });
        MmException e = assertThrows(MmException.class, () -> p.mmap(A, P, RW, SHARED, nesting(in), 0));
        assertEquals(Errno.ENOMEM, e.errno(), "error_override does not apply in the compat layer");
        assertEquals("mmap", e.step(), "reported by the outer legacy hook");
        assertEquals(List.of("prepare file=/inner vm_file=/outer", "abort /inner pd ctx"), calls,
                "abort once; no close for a VMA that never existed; mapped not reached");
        assertEquals(0, p.mm().mapCount());
        assertEquals("ENOMEM", kernel.trace().events(TraceStep.COMPAT_MMAP).get(0).outcome());
    }

    @Test
    void mappedFailureAbortsAndMmapCompleteFailureDoesNot() {
        VmOperations failing = VmOperations.builder().close(v -> calls.add("close"))
                .mapped((s, e, pg, f, pd) -> Errno.EIO.negative()).build();
        Fakes.TestFile in = inner(d -> d.setVmOps(failing));
        assertEquals(Errno.EIO, assertThrows(MmException.class, () -> p.mmap(A, P, RW, SHARED, nesting(in), 0)).errno());
        assertEquals(List.of("prepare file=/inner vm_file=/outer", "abort /inner null null"), calls);

        calls.clear();
        Fakes.TestFile completeFails = new Fakes.TestFile(new Fakes.TestInode(0, 43, 10, 1 << 20), FileOperations
                .builder().name("inner_fops").mmapPrepare(d -> {
                    d.setVmOps(failing.toBuilder().mapped(null).build());
                    return 0;
                }).mmapComplete((f, v, c) -> Errno.ENOSPC.negative())
                .mmapAbort((f, pd, c) -> calls.add("abort")).build(), true, true, "/inner2");
        assertEquals(Errno.ENOSPC,
                assertThrows(MmException.class, () -> p.mmap(A, P, RW, SHARED, nesting(completeFails), 0)).errno());
        assertEquals(List.of(), calls, "mmap_complete ran, so no abort; no close in the legacy failure path");
        assertEquals(0, p.mm().mapCount());
    }

    @Test
    void prepareFailureCallsNeitherCompleteNorAbort() {
        Fakes.TestFile in = new Fakes.TestFile(new Fakes.TestInode(0, 44, 11, 1 << 20), FileOperations.builder()
                .mmapPrepare(d -> Errno.EPERM.negative()).mmapComplete((f, v, c) -> {
                    calls.add("complete");
                    return 0;
                }).mmapAbort((f, pd, c) -> calls.add("abort")).build(), true, true, "/inner3");
        assertEquals(Errno.EPERM, assertThrows(MmException.class, () -> p.mmap(A, P, RW, SHARED, nesting(in), 0)).errno());
        assertEquals(List.of(), calls);
    }

    @Test
    void mmapCompleteReleasingTheMmapLockInsideCompatIsAViolation() {
        Fakes.TestFile in = new Fakes.TestFile(new Fakes.TestInode(0, 45, 12, 1 << 20), FileOperations.builder()
                .name("rogue_fops").mmapPrepare(d -> 0).mmapComplete((f, v, c) -> {
                    v.mm().mmapWriteUnlock();
                    return 0;
                }).build(), true, true, "/rogue");
        assertEquals(Errno.EINVAL, assertThrows(MmException.class, () -> p.mmap(A, P, RW, SHARED, nesting(in), 0)).errno());
        assertEquals(1, kernel.violations().count(ContractViolation.MMAP_LOCK_RELEASED));
        assertFalse(p.mm().isMmapWriteLocked(), "the caller's lock holds are balanced again");
        assertEquals(0, p.mm().mapCount());
    }

    @Test
    void vfsMmapChecksTheInnerHooksAndCallsALegacyInnerMmap() {
        Fakes.TestFile both = new Fakes.TestFile(new Fakes.TestInode(0, 46, 13, 1 << 20), FileOperations.builder()
                .name("both_fops").mmap((f, v) -> 0).mmapPrepare(d -> 0).build(), true, true, "/both");
        Fakes.TestFile viaVfs = new Fakes.TestFile(new Fakes.TestInode(0, 47, 14, 1 << 20), FileOperations.builder()
                .name("outer_fops").mmap((f, v) -> v.vfsMmap(both)).build(), true, true, "/outer");
        assertEquals(Errno.ENODEV, assertThrows(MmException.class, () -> p.mmap(A, P, RW, SHARED, viaVfs, 0)).errno());
        assertEquals(1, kernel.violations().count(ContractViolation.BOTH_MMAP_HOOKS));

        Fakes.TestFile legacy = new Fakes.TestFile(new Fakes.TestInode(0, 48, 15, 1 << 20), FileOperations.builder()
                .name("legacy_fops").mmap((f, v) -> {
                    calls.add("inner legacy mmap of " + f.path());
                    v.setPrivateData("legacy");
                    return 0;
                }).build(), true, true, "/legacy");
        Fakes.TestFile toLegacy = new Fakes.TestFile(new Fakes.TestInode(0, 49, 16, 1 << 20), FileOperations.builder()
                .name("outer_fops").mmap((f, v) -> v.vfsMmap(legacy)).build(), true, true, "/outer2");
        long a = p.mmap(A, P, RW, SHARED, toLegacy, 0);
        assertEquals(List.of("inner legacy mmap of /legacy"), calls);
        assertEquals("legacy", p.mm().vmaLookup(a).privateData());
    }

    @Test
    void mappedSetByALegacyHookItselfIsNeverCalled() {
        Fakes.TestFile legacy = new Fakes.TestFile(new Fakes.TestInode(0, 53, 20, 1 << 20), FileOperations.builder()
                .name("legacy_fops").mmap((f, v) -> {
                    v.setVmOps(recordingOps());
                    return 0;
                }).build(), true, true, "/legacy-mapped");
        long a = p.mmap(A, P, RW, SHARED, legacy, 0);
        assertEquals(List.of(), calls, "only the compat layer runs mapped inside a legacy hook; core never does");
        assertEquals(null, p.mm().vmaLookup(a).privateData());
    }

    @Test
    void compatOutsideALegacyHookIsEinval() {
        Fakes.TestFile in = inner(d -> { });
        long a = p.mmap(A, P, RW, SHARED, in, 0);
        p.mm().mmapWriteLock();
        try {
            VmArea established = p.mm().vmaLookup(a);
            assertEquals(Errno.EINVAL.negative(), established.vfsMmap(in), "the VMA is already in the tree");
            assertEquals(Errno.EINVAL.negative(), established.compatVmaMmap(in));
        } finally {
            p.mm().mmapWriteUnlock();
        }
    }

    @Test
    void driverRunningItsOwnNestedPrepareUsesCompatVmaMmapPrepared() {
        Fakes.TestFile in = inner(d -> {
            d.setVmOps(recordingOps());
            d.setContext("ctx");
        });
        Fakes.TestFile outer = new Fakes.TestFile(new Fakes.TestInode(0, 50, 17, 1 << 20), FileOperations.builder()
                .name("outer_fops").mmap((f, v) -> {
                    VmAreaDesc desc = v.compatSetDescFromVma(in);
                    assertSame(in, desc.file());
                    assertSame(f, desc.vmFile());
                    assertEquals(v.start(), desc.start());
                    int r = in.fileOperations().mmapPrepare().mmapPrepare(desc);
                    return r != 0 ? r : v.compatVmaMmapPrepared(desc);
                }).build(), true, true, "/outer");
        long a = p.mmap(A, P, RW, SHARED, outer, 0);
        assertEquals(List.of("prepare file=/inner vm_file=/outer", "mapped /outer pd=null", "complete /inner ctx=ctx"),
                calls);
        assertEquals("pd-from-mapped", p.mm().vmaLookup(a).privateData());
        Fakes.TestFile foreign = new Fakes.TestFile(new Fakes.TestInode(0, 51, 18, 1 << 20), FileOperations.builder()
                .mmap((f, v) -> v.compatVmaMmapPrepared(new VmAreaDescImpl(p.mm(), in, 0, P, 0, in,
                        v.flags(), v.pageProt()))).build(), true, true, "/foreign");
        assertEquals(Errno.EINVAL,
                assertThrows(MmException.class, () -> p.mmap(A + 4 * P, P, RW, SHARED, foreign, 0)).errno(),
                "a descriptor not made for this VMA is refused");
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = {"BEFORE_PREPARE", "AFTER_PREPARE", "ACTION_PREPARE",
        "ACTION_COMPLETE", "MAPPED", "BEFORE_COMPLETE", "AFTER_COMPLETE"})
    void failureAtEveryCompatStepKeepsThePairingPromiseAndLeavesNothing(InjectionPoint point) {
        OpenFile real = realFile();
        int refs = real.fileCount();
        long kp = ram.allocate();
        Fakes.TestFile in = inner(d -> {
            d.setVmOps(recordingOps());
            d.actionMapKernelPagesFull(new long[] {kp, kp, kp});
        });
        Fakes.TestFile ovl = new Fakes.TestFile(new Fakes.TestInode(0, 52, 19, 3 * P), FileOperations.builder()
                .name("ovl_fops").mmap((f, vma) -> {
                    vma.setFile(real);
                    return vma.compatVmaMmap(in);
                }).build(), true, true, "/ovl/data");
        kernel.faultInjection().arm(point, 1, Errno.ENOMEM);
        MmException e = assertThrows(MmException.class, () -> p.mmap(A, 3 * P, RW, SHARED, ovl, 0));
        assertEquals(Errno.ENOMEM, e.errno());
        assertFalse(kernel.faultInjection().isArmed(point), point + " was reached");
        List<String> hooks = calls.stream().filter(c -> c.startsWith("complete") || c.startsWith("abort")).toList();
        if (point == InjectionPoint.BEFORE_PREPARE) {
            assertEquals(List.of(), hooks, "prepare failed: neither hook");
        } else {
            assertEquals(1, hooks.size(), "exactly one of complete/abort: " + calls);
            assertTrue(hooks.get(0).startsWith(point == InjectionPoint.AFTER_COMPLETE ? "complete" : "abort"), calls.toString());
        }
        assertFalse(calls.contains("close"), "a VMA that never existed gets no close: " + calls);
        assertEquals(1, ram.refCount(kp), "the inserted kernel pages were taken out again");
        assertEquals(0, p.mm().mapCount());
        assertEquals(0, real.vfsInode().reverseMap().mappingCount());
        assertEquals(refs, real.fileCount(), "the VMA's reference on the real file was dropped");
        assertEquals(0, p.mm().pageTable().presentCount(), "nothing populated stays mapped");
        assertNull(p.mm().vmaLookup(A));
    }
}
