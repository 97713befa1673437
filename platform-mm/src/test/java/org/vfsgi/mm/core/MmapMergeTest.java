package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.Fakes.assertVma;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.FileOperations;

/**
 * Merging at mmap time and through vma_modify_flags, drawn the tools/testing/vma way: each
 * layout comment shows pages 0..c, a letter per page of a VMA, '*' for the range acted on.
 */
class MmapMergeTest {
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int FIXED_PRIVATE = Mman.MAP_PRIVATE | Mman.MAP_FIXED;
    private static final VmaFlags RW_PRIVATE_FILE = VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.MAYREAD,
            VmaFlag.MAYWRITE, VmaFlag.MAYEXEC, VmaFlag.ACCOUNT);

    private final Kernel kernel = Fakes.lowKernel();
    private final Process p = kernel.spawn();
    private final Fakes.Recorder rec = new Fakes.Recorder();

    private Vma at(long addr) {
        return p.mm().tree().lookup(addr);
    }

    @Test
    void newRangeBetweenTwoNeighboursMergesAllThree() {
        VmOperations ops = rec.vmOps(false, true, true);
        Fakes.TestFile f = Fakes.file(rec.prepareFop(ops, true));
        /*
         * 0123
         * A B
         */
        p.mmap(0, 0x1000, RW, FIXED_PRIVATE, f, 0);
        p.mmap(0x2000, 0x1000, RW, FIXED_PRIVATE, f, 0x2000);
        assertEquals(2, p.mm().mapCount());
        rec.calls.clear();
        kernel.trace().clear();
        /*
         * 0123
         * A*B  -> AAA
         */
        assertEquals(0x1000, p.mmap(0x1000, 0x1000, RW, FIXED_PRIVATE, f, 0x1000));
        Vma v = at(0);
        assertVma(v, 0, 0x3000, 0);
        assertEquals(1, p.mm().mapCount());
        assertEquals(RW_PRIVATE_FILE, Fakes.withoutSticky(v.flags()));
        assertTrue(v.flags().test(VmaFlag.SOFTDIRTY), "SOFTDIRTY set on the expanded VMA");
        assertSame(ops, v.vmOps());
        assertEquals("pd", v.privateData(), "private data applied to the merged VMA too");
        assertEquals(List.of("prepare [1000,2000) pgoff 1", "complete [0,3000) ctx ctx"), rec.calls,
                "a merged mapping runs neither the action nor mapped, but mmap_complete gets the merged VMA");
        List<TraceEvent> merges = kernel.trace().events(TraceStep.MERGE);
        assertEquals(1, merges.size());
        assertEquals("merged", merges.get(0).outcome());
        assertTrue(merges.get(0).detail().contains("mmap_complete receives the merged VMA"), merges.get(0).detail());
        assertEquals(1, f.inode.rmap.mappingCount(), "the absorbed VMA left the reverse map");
        assertEquals(3, p.mm().totalVm());
    }

    @Test
    void modifyFlagsWithSameFlagsSplitsButMprotectDoesNot() {
        Fakes.TestFile f = Fakes.file(rec.prepareFop(rec.vmOps(false, true, false), false));
        /*
         * 0123
         * VVV
         */
        p.mmap(0, 0x3000, RW, FIXED_PRIVATE, f, 0);
        VmaFlags same = at(0).flags();
        // mprotect with unchanged protection: mprotect_fixup returns early, nothing splits.
        p.mprotect(0x1000, 0x1000, RW);
        assertEquals(1, p.mm().mapCount());
        assertVma(at(0), 0, 0x3000, 0);
        assertEquals(0, rec.count("open"));
        /*
         * vma_modify_flags over the middle with the same flags: no merge is possible (the range
         * touches neither edge), so it splits, exactly as the kernel's test_simple_modify expects.
         *
         * 0123
         * V*V  -> ABC
         */
        p.modifyFlags(0x1000, 0x1000, same);
        assertEquals(3, p.mm().mapCount());
        assertVma(at(0), 0, 0x1000, 0);
        assertVma(at(0x1000), 0x1000, 0x2000, 1);
        assertVma(at(0x2000), 0x2000, 0x3000, 2);
        assertEquals(List.of("open [0,1000)", "open [2000,3000)"), rec.calls.subList(1, 3),
                "open runs on each new piece");
        assertEquals(same, at(0x1000).flags());
    }

    /** Ops with close for pgoff >= closeFrom, without close below. */
    private FileOperations fopClosingFrom(long closeFrom, VmOperations withClose, VmOperations without) {
        return FileOperations.builder().name("split_close_fops").mmapPrepare(d -> {
            rec.calls.add("prepare " + Fakes.range(d.start(), d.end()));
            d.setVmOps(d.pgoff() >= closeFrom ? withClose : without);
            return 0;
        }).build();
    }

    @Test
    void nextWithCloseIsKeptAndPrevGrows() {
        VmOperations closing = rec.vmOps(true, false, false);
        VmOperations plain = rec.vmOps(false, false, false);
        Fakes.TestFile f = Fakes.file(fopClosingFrom(5, closing, plain));
        /*
         * 0123456789
         * PPP  NNNN
         */
        p.mmap(0, 0x3000, RW, FIXED_PRIVATE, f, 0);
        p.mmap(0x5000, 0x4000, RW, FIXED_PRIVATE, f, 0x5000);
        Vma n = at(0x5000);
        rec.calls.clear();
        /*
         * 0123456789
         * PPP**NNNN  -> PPPPPNNNN
         */
        p.mmap(0x3000, 0x2000, RW, FIXED_PRIVATE, f, 0x3000);
        assertVma(at(0), 0, 0x5000, 0);
        assertSame(n, at(0x5000));
        assertVma(n, 0x5000, 0x9000, 5);
        assertEquals(2, p.mm().mapCount());
        assertEquals(0, rec.count("close"), "the kept next VMA is not closed");
        assertEquals(RW_PRIVATE_FILE, Fakes.withoutSticky(at(0).flags()));
        assertEquals(RW_PRIVATE_FILE, Fakes.withoutSticky(n.flags()));
        assertSame(plain, at(0).vmOps(), "the grown VMA carries the ops the last prepare set");
        assertSame(closing, n.vmOps());
        Consistency.check(p.mm());
    }

    @Test
    void bothNeighboursWithCloseOnlyLeftMerges() {
        VmOperations closing = rec.vmOps(true, false, false);
        Fakes.TestFile f = Fakes.file(fopClosingFrom(0, closing, closing));
        /*
         * 01234567
         * PP   NN
         */
        p.mmap(0, 0x2000, RW, FIXED_PRIVATE, f, 0);
        p.mmap(0x5000, 0x2000, RW, FIXED_PRIVATE, f, 0x5000);
        Vma prev = at(0);
        Vma next = at(0x5000);
        /*
         * 01234567
         * PP***NN  -> PPPPPNN
         */
        p.mmap(0x2000, 0x3000, RW, FIXED_PRIVATE, f, 0x2000);
        assertSame(prev, at(0));
        assertVma(prev, 0, 0x5000, 0);
        assertSame(next, at(0x5000));
        assertVma(next, 0x5000, 0x7000, 5);
        assertEquals(2, p.mm().mapCount());
        assertEquals(0, rec.count("close"));
        assertEquals(RW_PRIVATE_FILE, Fakes.withoutSticky(prev.flags()));
        assertTrue(prev.flags().test(VmaFlag.SOFTDIRTY));
        assertEquals(7, p.mm().totalVm());
        Consistency.check(p.mm());
    }

    @Test
    void eachSpecialFlagBlocksAMergeThatWouldOtherwiseHappen() {
        for (VmaFlag special : new VmaFlag[] {VmaFlag.IO, VmaFlag.DONTEXPAND, VmaFlag.PFNMAP, VmaFlag.MIXEDMAP}) {
            Kernel k = Fakes.lowKernel();
            Process proc = k.spawn();
            Fakes.TestFile f = Fakes.file(FileOperations.builder().name("special_fops").mmapPrepare(d -> {
                d.flagsSet(special);
                return 0;
            }).build());
            /*
             * 01234
             * AAA*
             */
            proc.mmap(0, 0x3000, RW, FIXED_PRIVATE, f, 0);
            proc.mmap(0x3000, 0x1000, RW, FIXED_PRIVATE, f, 0x3000);
            assertEquals(2, proc.mm().mapCount(), special + " must block the merge");
            assertEquals("nomerge", k.trace().events(TraceStep.MERGE).get(0).outcome(), "the first mapping had no neighbour to try");
        }
        // Control: the same layout without a special flag merges.
        Kernel k = Fakes.lowKernel();
        Process proc = k.spawn();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().name("plain_fops").mmapPrepare(d -> 0).build());
        proc.mmap(0, 0x3000, RW, FIXED_PRIVATE, f, 0);
        proc.mmap(0x3000, 0x1000, RW, FIXED_PRIVATE, f, 0x3000);
        assertEquals(1, proc.mm().mapCount());
    }

    @Test
    void eachSpecialFlagBlocksMergeOfExistingRange() {
        for (VmaFlag special : new VmaFlag[] {VmaFlag.IO, VmaFlag.DONTEXPAND, VmaFlag.PFNMAP, VmaFlag.MIXEDMAP}) {
            Kernel k = Fakes.lowKernel();
            Process proc = k.spawn();
            Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0).build());
            proc.mmap(0, 0x4000, RW, FIXED_PRIVATE, f, 0);
            VmaFlags base = proc.mm().tree().lookup(0).flags();
            /*
             * 01234
             * AAAB   A gets the special flag (split off); then B is given A's flags: equal flags,
             *        adjacent, contiguous offsets — only the special flag prevents the merge.
             */
            proc.modifyFlags(0, 0x3000, base.set(special));
            assertEquals(2, proc.mm().mapCount());
            proc.modifyFlags(0x3000, 0x1000, base.set(special));
            assertEquals(2, proc.mm().mapCount(), special + " must block the merge of an existing range");
            assertVma(proc.mm().tree().lookup(0), 0, 0x3000, 0);
            assertVma(proc.mm().tree().lookup(0x3000), 0x3000, 0x4000, 3);
            assertEquals(proc.mm().tree().lookup(0).flags(), proc.mm().tree().lookup(0x3000).flags());
        }
        // Control: without a special flag the same two steps end in one VMA.
        Process proc = Fakes.lowKernel().spawn();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0).build());
        proc.mmap(0, 0x4000, RW, FIXED_PRIVATE, f, 0);
        VmaFlags base = proc.mm().tree().lookup(0).flags();
        proc.modifyFlags(0, 0x3000, base.set(VmaFlag.DONTDUMP));
        assertEquals(2, proc.mm().mapCount());
        proc.modifyFlags(0x3000, 0x1000, base.set(VmaFlag.DONTDUMP));
        assertEquals(1, proc.mm().mapCount());
        assertVma(proc.mm().tree().lookup(0), 0, 0x4000, 0);
    }

    @Test
    void anonymousHintedMappingsMergeIntoTwoVmas() {
        Kernel k = new Kernel();
        Process proc = k.spawn();
        int anon = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
        assertEquals(0x300000, proc.mmap(0x300000, 3 * 0x1000, RW, anon, null, 0));
        assertEquals(0x250000, proc.mmap(0x250000, 3 * 0x1000, RW, anon, null, 0));
        assertEquals(0x303000, proc.mmap(0x303000, 3 * 0x1000, RW, anon, null, 0));
        assertEquals(0x24d000, proc.mmap(0x24d000, 3 * 0x1000, RW, anon, null, 0));
        List<Vma> all = proc.mm().tree().toList();
        assertEquals(2, all.size(), all.toString());
        assertVma(all.get(0), 0x24d000, 0x253000, 0x24d);
        assertVma(all.get(1), 0x300000, 0x306000, 0x300);
        assertNull(all.get(0).vmOps(), "anonymous VMAs have no vm_ops");
        assertTrue(all.get(0).isAnonymous());
        assertEquals(12, proc.mm().totalVm());
    }

    @Test
    void stickyFlagsAreIgnoredForMergeAndUnited() {
        Fakes.TestFile f = Fakes.file(FileOperations.builder().name("guard_fops").mmapPrepare(d -> {
            if (d.pgoff() == 0) {
                d.flagsSet(VmaFlag.MAYBE_GUARD);
            }
            return 0;
        }).build());
        /*
         * 012
         * A*   A has MAYBE_GUARD, the new range not: sticky flags do not block the merge
         */
        p.mmap(0, 0x1000, RW, FIXED_PRIVATE, f, 0);
        p.mmap(0x1000, 0x1000, RW, FIXED_PRIVATE, f, 0x1000);
        assertEquals(1, p.mm().mapCount());
        assertTrue(at(0).flags().testAllMask(VmaFlags.STICKY), "union of the sticky flags");
    }

    @Test
    void forkChildAnonymousMemoryDoesNotMergeWithNewRange() {
        Kernel k = new Kernel();
        Process parent = k.spawn();
        int anon = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;
        parent.mmap(0x400000, 0x2000, RW, anon, null, 0);
        parent.mm().tree().lookup(0x400000).anonVmaPrepare();
        Process child = parent.fork();
        Vma copy = child.mm().tree().lookup(0x400000);
        assertTrue(copy.isForkChild());
        /*
         * child: CC*  the copy's anonymous memory came from fork: no merge
         */
        child.mmap(0x402000, 0x1000, RW, anon, null, 0);
        assertEquals(2, child.mm().mapCount());
        // In the parent the same mapping merges (its anon_vma is its own).
        parent.mmap(0x402000, 0x1000, RW, anon, null, 0);
        assertEquals(1, parent.mm().mapCount());
        assertFalse(parent.mm().tree().lookup(0x400000).isForkChild());
    }
}
