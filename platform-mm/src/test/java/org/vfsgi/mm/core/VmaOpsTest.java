package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.Fakes.assertVma;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.FileOperations;

/** Split, munmap, mprotect, mremap, fork and exit (contract section 3). Pages are counted from 0x10000. */
class VmaOpsTest {
    private static final long A = 0x10000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int FIXED_PRIVATE = Mman.MAP_PRIVATE | Mman.MAP_FIXED;

    private final Kernel kernel = new Kernel();
    private final Process p = kernel.spawn();
    private final List<String> calls = new ArrayList<>();
    private final VmOperations ops = VmOperations.builder().name("tracking_ops")
            .open(v -> calls.add("open " + Fakes.range(v.start(), v.end())))
            .close(v -> calls.add("close " + Fakes.range(v.start(), v.end())))
            .mapped((s, e, pg, f, pd) -> {
                calls.add("mapped " + Fakes.range(s, e));
                return 0;
            }).build();
    private final Fakes.TestFile file = Fakes.file(FileOperations.builder().name("tracking_fops")
            .mmapPrepare(d -> {
                d.setVmOps(ops);
                return 0;
            }).build());

    private Vma at(long addr) {
        return p.mm().tree().lookup(addr);
    }

    private void mapFile(long addr, long len, long offset) {
        p.mmap(addr, len, RW, FIXED_PRIVATE, file, offset);
    }

    private static void expect(Errno errno, org.junit.jupiter.api.function.Executable call) {
        MmException e = assertThrows(MmException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
    }

    @Test
    void munmapArgumentChecks() {
        mapFile(A, 0x3000, 0);
        expect(Errno.EINVAL, () -> p.munmap(A + 1, 0x1000));
        expect(Errno.EINVAL, () -> p.munmap(A, 0));
        expect(Errno.EINVAL, () -> p.munmap(A, -1));
        expect(Errno.EINVAL, () -> p.munmap(kernel.config().taskSize() - 0x1000, 0x3000));
        p.munmap(0x900000, 0x1000); // nothing mapped there: a no-op
        assertEquals(1, p.mm().mapCount());
        calls.clear();
        p.munmap(A, 0x3000);
        assertEquals(List.of("close [10000,13000)"), calls);
        assertEquals(0, p.mm().mapCount());
        assertEquals(0, file.inode.rmap.mappingCount());
        Consistency.check(p.mm());
    }

    @Test
    void munmapMiddleSplitsOpenOnSurvivorsCloseOnRemoved() {
        /*
         * 0123
         * VVVV
         *  **   -> V  V
         */
        mapFile(A, 0x4000, 0);
        calls.clear();
        p.munmap(A + 0x1000, 0x2000);
        assertEquals(List.of("open [10000,11000)", "open [13000,14000)", "close [11000,13000)"), calls);
        assertEquals(2, p.mm().mapCount());
        assertVma(at(A), A, A + 0x1000, 0);
        assertVma(at(A + 0x3000), A + 0x3000, A + 0x4000, 3);
        assertFalse(calls.stream().anyMatch(c -> c.startsWith("mapped")), "mapped never runs on split");
        assertEquals(2, file.inode.rmap.mappingCount());
        Consistency.check(p.mm());
    }

    @Test
    void munmapAcrossSeveralVmas() {
        /*
         * 0123456
         * AA BB CC
         *  *****    -> A     C
         */
        mapFile(A, 0x2000, 0);
        p.mmap(A + 0x3000, 0x2000, RW, FIXED_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        mapFile(A + 0x6000, 0x2000, 0x6000);
        calls.clear();
        p.munmap(A + 0x1000, 0x6000);
        assertEquals(2, p.mm().mapCount());
        assertVma(at(A), A, A + 0x1000, 0);
        assertVma(at(A + 0x7000), A + 0x7000, A + 0x8000, 7);
        assertNull(p.mm().tree().findIntersection(A + 0x1000, A + 0x7000));
        Consistency.check(p.mm());
    }

    @Test
    void splitAtMapCountLimitAndMaySplitVeto() {
        mapFile(A, 0x4000, 0);
        p.mm().setMaxMapCount(1);
        MmException e = assertThrows(MmException.class, () -> p.munmap(A + 0x1000, 0x1000));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(1, p.mm().mapCount());
        p.mm().setMaxMapCount(100);

        VmOperations picky = VmOperations.builder().name("dax_like").maySplit((v, addr) ->
                (addr & 0x1fff) == 0 ? 0 : Errno.EINVAL.negative()).build();
        Fakes.TestFile dax = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setVmOps(picky);
            return 0;
        }).build());
        p.mmap(0x100000, 0x4000, RW, FIXED_PRIVATE, dax, 0);
        e = assertThrows(MmException.class, () -> p.munmap(0x101000, 0x1000));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("may_split", e.step());
        assertVma(at(0x100000), 0x100000, 0x104000, 0);
        p.munmap(0x102000, 0x2000); // aligned to 2 pages: allowed
        assertVma(at(0x100000), 0x100000, 0x102000, 0);
        Consistency.check(p.mm());
    }

    @Test
    void mprotectSplitsThenMergesBack() {
        VmOperations openOnly = VmOperations.builder().name("open_only")
                .open(v -> calls.add("open " + Fakes.range(v.start(), v.end()))).build();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setVmOps(openOnly);
            return 0;
        }).build());
        /*
         * 0123
         * VVVV
         *  **   read-only -> V RR V, then read-write again -> VVVV
         */
        p.mmap(A, 0x4000, RW, FIXED_PRIVATE, f, 0);
        calls.clear();
        p.mprotect(A + 0x1000, 0x2000, Mman.PROT_READ);
        assertEquals(3, p.mm().mapCount());
        Vma mid = at(A + 0x1000);
        assertVma(mid, A + 0x1000, A + 0x3000, 1);
        assertFalse(mid.flags().test(VmaFlag.WRITE));
        assertFalse(mid.pageProt().write());
        assertEquals(List.of("open [10000,11000)", "open [13000,14000)"), calls);
        p.mprotect(A + 0x1000, 0x2000, RW);
        assertEquals(1, p.mm().mapCount(), "merged back with both neighbours");
        assertVma(at(A), A, A + 0x4000, 0);
        assertTrue(calls.size() == 2, "a merge calls neither open nor close: " + calls);
        Consistency.check(p.mm());
    }

    @Test
    void mprotectMergeRespectsClose() {
        /*
         * 012
         * VVV  -> make page 2 read-only: V V R; back: the merge would remove the piece with close → split stays
         */
        mapFile(A, 0x3000, 0);
        p.mprotect(A + 0x2000, 0x1000, Mman.PROT_READ);
        assertEquals(2, p.mm().mapCount());
        p.mprotect(A + 0x2000, 0x1000, RW);
        assertEquals(2, p.mm().mapCount(), "the whole middle has close, so it cannot be merged away");
        // Anonymous memory has no close: it merges back.
        p.mmap(0x200000, 0x3000, RW, FIXED_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        p.mprotect(0x202000, 0x1000, Mman.PROT_READ);
        p.mprotect(0x202000, 0x1000, RW);
        assertVma(at(0x200000), 0x200000, 0x203000, 0x200);
    }

    @Test
    void mprotectErrors() {
        mapFile(A, 0x1000, 0);
        expect(Errno.ENOMEM, () -> p.mprotect(A, 0x2000, Mman.PROT_READ));
        expect(Errno.EINVAL, () -> p.mprotect(A + 1, 0x1000, Mman.PROT_READ));
        expect(Errno.EINVAL, () -> p.mprotect(A, 0x1000, 0x100));
        Fakes.TestFile ro = new Fakes.TestFile(new Fakes.TestInode(8, 1, 40, 0x1000), file.fop, true, false,
                "/ro");
        p.mmap(0x300000, 0x1000, Mman.PROT_READ, Mman.MAP_SHARED | Mman.MAP_FIXED, ro, 0);
        expect(Errno.EACCES, () -> p.mprotect(0x300000, 0x1000, RW));
        assertEquals(2, p.mm().mapCount(), "nothing changed");
    }

    @Test
    void mremapShrinkGrowInPlaceAndMove() {
        mapFile(A, 0x4000, 0);
        calls.clear();
        assertEquals(A, p.mremap(A, 0x4000, 0x2000, 0, 0));
        assertVma(at(A), A, A + 0x2000, 0);
        assertEquals(List.of("open [10000,12000)", "close [12000,14000)"), calls);
        calls.clear();
        assertEquals(A, p.mremap(A, 0x2000, 0x3000, 0, 0));
        assertVma(at(A), A, A + 0x3000, 0);
        assertEquals(List.of(), calls, "growing in place calls no hook");
        // Block growth in place, then grow with a move.
        p.mmap(A + 0x3000, 0x1000, RW, FIXED_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        expect(Errno.ENOMEM, () -> p.mremap(A, 0x3000, 0x5000, 0, 0));
        calls.clear();
        long moved = p.mremap(A, 0x3000, 0x5000, Mman.MREMAP_MAYMOVE, 0);
        assertTrue(moved != A);
        Vma nv = at(moved);
        assertVma(nv, moved, moved + 0x5000, 0);
        assertSame(file, nv.file());
        assertEquals(List.of("open " + Fakes.range(moved, moved + 0x5000), "close [10000,13000)"), calls,
                "the moved copy gets open, the old range close; mapped never runs");
        assertNull(at(A));
        Consistency.check(p.mm());
    }

    @Test
    void mremapFixedAndErrors() {
        mapFile(A, 0x2000, 0);
        expect(Errno.EFAULT, () -> p.mremap(A, 0x3000, 0x3000, 0, 0));
        expect(Errno.EINVAL, () -> p.mremap(A, 0x2000, 0x2000, Mman.MREMAP_FIXED, 0x400000));
        expect(Errno.EINVAL, () -> p.mremap(A + 1, 0x1000, 0x2000, 0, 0));
        expect(Errno.EINVAL, () -> p.mremap(A, 0x2000, 0x2000, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, A + 0x1000));
        assertEquals(0x400000, p.mremap(A, 0x2000, 0x2000, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, 0x400000));
        assertVma(at(0x400000), 0x400000, 0x402000, 0);
        Fakes.TestFile special = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.flagsSet(VmaFlag.DONTEXPAND);
            return 0;
        }).build());
        p.mmap(0x500000, 0x1000, RW, FIXED_PRIVATE, special, 0);
        expect(Errno.EFAULT, () -> p.mremap(0x500000, 0x1000, 0x2000, Mman.MREMAP_MAYMOVE, 0));
        Consistency.check(p.mm());
    }

    @Test
    void anonymousMremapMoveTakesTheNewOffset() {
        p.mmap(A, 0x2000, RW, FIXED_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        long to = p.mremap(A, 0x2000, 0x2000, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, 0x700000);
        assertVma(at(to), 0x700000, 0x702000, 0x700);
    }

    @Test
    void forkCopiesOpensAndMarksForkChildren() {
        mapFile(A, 0x2000, 0);
        p.mmap(A + 0x3000, 0x1000, RW, FIXED_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        at(A + 0x3000).anonVmaPrepare();
        p.mmap(A + 0x5000, 0x1000, RW, FIXED_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        at(A + 0x5000).anonVmaPrepare();
        p.mmap(A + 0x7000, 0x1000, RW, FIXED_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        p.mm().mmapWriteLock();
        at(A + 0x5000).startWrite();
        at(A + 0x7000).startWrite();
        at(A + 0x5000).setFlags(at(A + 0x5000).flags().set(VmaFlag.WIPEONFORK));
        at(A + 0x7000).setFlags(at(A + 0x7000).flags().set(VmaFlag.DONTCOPY));
        p.mm().mmapWriteUnlock();
        calls.clear();
        Process child = p.fork();
        assertNotSame(p, child);
        assertTrue(child.pid() != p.pid());
        assertSame(child, kernel.process(child.pid()));
        MmStruct cm = child.mm();
        assertEquals(3, cm.mapCount(), "DONTCOPY skipped");
        assertNull(cm.tree().lookup(A + 0x7000));
        assertEquals(List.of("open [10000,12000)"), calls, "open on each copy that has it; mapped never runs");
        Vma anonCopy = cm.tree().lookup(A + 0x3000);
        assertTrue(anonCopy.isForkChild());
        assertSame(at(A + 0x3000).anonVma(), anonCopy.anonVma().parent());
        Vma wiped = cm.tree().lookup(A + 0x5000);
        assertNull(wiped.anonVma(), "WIPEONFORK: the child starts with fresh memory");
        assertFalse(wiped.isForkChild());
        assertEquals(2, file.inode.rmap.mappingCount(), "the child's copy is in the file's rmap");
        Consistency.check(cm);
        assertEquals(p.maps().lines().filter(l -> !l.startsWith(String.format("%08x", A + 0x7000))).toList(),
                child.maps().lines().toList());

        calls.clear();
        child.exit();
        assertEquals(List.of("close [10000,12000)"), calls);
        assertTrue(child.isExited());
        assertNull(kernel.process(child.pid()));
        assertEquals(0, cm.mapCount());
        assertEquals(1, file.inode.rmap.mappingCount());
        expect(Errno.ESRCH, () -> child.mmap(0, 0x1000, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0));
        Consistency.check(p.mm());
    }

    @Test
    void forkFailureLeavesNoChild() {
        mapFile(A, 0x1000, 0);
        mapFile(A + 0x2000, 0x1000, 0x2000);
        kernel.faultInjection().arm(InjectionPoint.VMA_ALLOC, 2, Errno.ENOMEM);
        calls.clear();
        MmException e = assertThrows(MmException.class, p::fork);
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(List.of("open [10000,11000)", "close [10000,11000)"), calls,
                "the partial child is torn down: its one copy is closed again");
        assertEquals(1, kernel.processes().size());
        assertEquals(2, file.inode.rmap.mappingCount());
    }

    @Test
    void modifyFlagsRejectsRangesOutsideOneVma() {
        mapFile(A, 0x1000, 0);
        expect(Errno.EINVAL, () -> p.modifyFlags(A, 0x2000, at(A).flags()));
    }

    @Test
    void vmaSettersRequireTheWriteLock() {
        mapFile(A, 0x1000, 0);
        Vma v = at(A);
        assertThrows(IllegalStateException.class, () -> v.setPrivateData("x"));
        p.mm().mmapWriteLock();
        try {
            v.startWrite();
            v.setPrivateData("x");
        } finally {
            p.mm().mmapWriteUnlock();
        }
        assertEquals("x", v.privateData());
        assertFalse(v.isWriteLocked(), "unlocking the mmap lock ends the VMA write lock");
    }
}
