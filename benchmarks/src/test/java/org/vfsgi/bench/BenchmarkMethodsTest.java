package org.vfsgi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.infra.Blackhole;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;

/**
 * Every benchmark method once, with its state's setup and teardown, as JMH would call them: the
 * teardowns check that each batch did what its row claims (merge, split, a fault per page, a
 * copy of every VMA), so a benchmark that silently stopped measuring its operation fails here.
 */
class BenchmarkMethodsTest {
    private static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void mmapMunmapLeavesNothingMapped() {
        MmapBenchmarks b = new MmapBenchmarks();
        MmapBenchmarks.File64k s = new MmapBenchmarks.File64k();
        s.boot();
        long a = b.mmap_munmap_shared_64k(s);
        assertTrue(a > 0);
        assertEquals(0, s.p.mm().mapCount());
    }

    @Test
    void mergeBatchIsOneVma() {
        MmapBenchmarks.MergeBatch s = new MmapBenchmarks.MergeBatch();
        s.boot();
        s.prepare();
        new MmapBenchmarks().mmap_merge(s);
        assertEquals(1, s.p.mm().mapCount());
        s.verify();
        assertEquals(0, s.p.mm().mapCount());
    }

    @Test
    void mergeCheckFailsWhenNothingMerged() {
        MmapBenchmarks.MergeBatch s = new MmapBenchmarks.MergeBatch();
        s.boot();
        s.prepare();
        IllegalStateException e = assertThrows(IllegalStateException.class, s::verify);
        assertTrue(e.getMessage().contains("mmap_merge"), e.getMessage());
    }

    @Test
    void splitBatchSplitsEveryVmaAndRemapMergesThemBack() {
        MmapBenchmarks b = new MmapBenchmarks();
        MmapBenchmarks.SplitBatch split = new MmapBenchmarks.SplitBatch();
        split.boot();
        split.prepare();
        assertEquals(MmapBenchmarks.BATCH, split.p.mm().mapCount());
        b.munmap_split(split);
        assertEquals(2 * MmapBenchmarks.BATCH, split.p.mm().mapCount());
        split.verify();

        MmapBenchmarks.RemapBatch remap = new MmapBenchmarks.RemapBatch();
        remap.boot();
        remap.prepare();
        assertEquals(2 * MmapBenchmarks.BATCH, remap.p.mm().mapCount());
        b.munmap_split_remap(remap);
        assertEquals(MmapBenchmarks.BATCH, remap.p.mm().mapCount());
        remap.verify();
        assertEquals(0, remap.p.mm().mapCount());
    }

    @Test
    void splitCheckFailsWhenNothingSplit() {
        MmapBenchmarks.SplitBatch s = new MmapBenchmarks.SplitBatch();
        s.boot();
        s.prepare();
        assertThrows(IllegalStateException.class, s::verify);
    }

    @Test
    void sizedOperationsKeepTheSpaceAndFindTheirVma() {
        SizedBenchmarks b = new SizedBenchmarks();
        SizedBenchmarks.Space s = new SizedBenchmarks.Space();
        s.n = 1000;
        s.build();
        for (int i = 0; i < 2 * VmaSpace.MPROTECT_TARGETS; i++) {
            b.mprotect_split_merge(s);
            assertEquals(1000, s.mm.mapCount(), "split in three and merged back");
        }
        for (int i = 0; i < 100; i++) {
            b.vma_lookup(s);
            VmArea v = b.vma_lookup_find(s);
            assertNotNull(v);
            long target = s.space.lookupTarget(s.next - 1);
            assertTrue(v.start() <= target && target < v.end());
        }
    }

    @Test
    void faultBatchesFaultEveryPage() {
        FaultBenchmarks b = new FaultBenchmarks();
        FaultBenchmarks.AnonBatch anon = new FaultBenchmarks.AnonBatch();
        anon.boot();
        anon.prepare();
        b.fault_anon_write(anon);
        anon.verify();
        assertEquals(0, anon.p.mm().mapCount());

        FaultBenchmarks.CachedReadBatch cached = new FaultBenchmarks.CachedReadBatch();
        cached.boot();
        cached.prepare();
        b.fault_file_read_cached(cached, BH);
        assertEquals(0x5a, cached.p.readMemory(cached.addr + 5 * BenchSystem.PG, 1)[0], "the cached file's bytes");
        cached.verify();

        FaultBenchmarks.SharedWriteBatch shared = new FaultBenchmarks.SharedWriteBatch();
        shared.boot();
        shared.prepare();
        b.fault_shared_write(shared);
        shared.verify();
        // The next batch starts from an empty file again.
        shared.prepare();
        assertEquals(0, shared.p.mm().pageTable().forEachPresent(shared.addr,
                shared.addr + FaultBenchmarks.PAGES * BenchSystem.PG, (a, pte) -> { }));
    }

    @Test
    void faultBatchRefusesToStartOverALeftoverMapping() {
        FaultBenchmarks.AnonBatch anon = new FaultBenchmarks.AnonBatch();
        anon.boot();
        anon.prepare();
        IllegalStateException e = assertThrows(IllegalStateException.class, anon::prepare);
        assertTrue(e.getMessage().contains("an empty address space before the batch"), e.getMessage());
        assertEquals(1, anon.p.mm().mapCount(), "the second setup mapped nothing");
    }

    @Test
    void blockdevBatchesReadEveryPageFromTheDevice() {
        FaultBenchmarks b = new FaultBenchmarks();
        FaultBenchmarks.BlockdevBatch seq = new FaultBenchmarks.BlockdevBatch();
        seq.boot();
        Path dir = seq.disk.dir();
        long len = FaultBenchmarks.BLOCKDEV_PAGES * BenchSystem.PG;
        try {
            long before = seq.disk.sectorsRead();
            seq.prepare();
            assertEquals(0, seq.disk.pageCache().pageCount(), "the batch starts from an evicted page cache");
            b.fault_file_read_blockdev(seq, BH);
            assertEquals(Ext4Image.FILL_BYTE, seq.p.readMemory(seq.addr + 4095 * BenchSystem.PG, 1)[0],
                    "the file's bytes, from the ext4 image");
            assertEquals(FaultBenchmarks.BLOCKDEV_PAGES, seq.disk.pageCache().pageCount());
            long sectors = seq.disk.sectorsRead() - before;
            assertTrue(sectors >= FaultBenchmarks.BLOCKDEV_PAGES * 8L, sectors + " sectors read");
            seq.verify();
            assertEquals(0, seq.p.mm().mapCount());
            // The next batch starts from an evicted cache again.
            seq.prepare();
            assertEquals(0, seq.disk.pageCache().pageCount());
            seq.p.munmap(seq.addr, len);
        } finally {
            seq.shutdown();
        }
        assertFalse(Files.exists(dir), "the image's temporary folder is removed");
        assertTrue(seq.sys.kernel().vfs().mounts().stream().noneMatch(m -> m.type().equals("ext4")),
                "unmounted: " + seq.sys.kernel().vfs().mounts());

        FaultBenchmarks.BlockdevRandomBatch random = new FaultBenchmarks.BlockdevRandomBatch();
        random.boot();
        try {
            random.prepare();
            b.fault_file_read_blockdev_random(random, BH);
            assertEquals(1, random.disk.pageCache().readaheadWindow(), "no readahead: one device read per fault");
            assertEquals(FaultBenchmarks.BLOCKDEV_RANDOM_PAGES, random.disk.pageCache().pageCount());
            random.verify();
        } finally {
            random.shutdown();
        }
    }

    @Test
    void blockdevChecksFailWhenTheRowIsNotWhatItClaims() {
        FaultBenchmarks.BlockdevRandomBatch s = new FaultBenchmarks.BlockdevRandomBatch();
        s.boot();
        long len = FaultBenchmarks.BLOCKDEV_RANDOM_PAGES * BenchSystem.PG;
        try {
            // Nothing touched: no fault, nothing read from the device.
            s.prepare();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::verify);
            assertTrue(e.getMessage().contains("fault per page"), e.getMessage());
            s.p.munmap(s.addr, len);

            // A page another process still maps cannot be evicted: the batch would not read it from the device.
            org.vfsgi.mm.core.Process other = s.sys.kernel().spawn();
            long held = other.mmap(0, BenchSystem.PG, Mman.PROT_READ, Mman.MAP_SHARED, s.file, 0);
            other.readMemory(held, 1);
            e = assertThrows(IllegalStateException.class, s::prepare);
            assertTrue(e.getMessage().contains("left 1 of 2048 pages cached"), e.getMessage());
            assertEquals(0, s.p.mm().mapCount(), "nothing mapped by the refused batch");
            other.munmap(held, BenchSystem.PG);

            // Touched in ascending order, readahead reads ahead: not the one read per fault the row claims.
            s.prepare();
            for (int i = 0; i < FaultBenchmarks.BLOCKDEV_RANDOM_PAGES; i++) {
                s.p.readMemory(s.addr + i * BenchSystem.PG, 1);
            }
            e = assertThrows(IllegalStateException.class, s::verify);
            assertTrue(e.getMessage().contains("readahead window of 1 pages"), e.getMessage());
            s.p.munmap(s.addr, len);
        } finally {
            s.shutdown();
        }
    }

    @Test
    void missingMke2fsIsSaidClearly(@TempDir Path empty) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Ext4Image.create(new BenchSystem(1000), "nope", 16, List.of(empty)));
        assertTrue(e.getMessage().startsWith("mke2fs (e2fsprogs >= 1.47) is not installed"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install e2fsprogs") && e.getMessage().contains(empty.toString()),
                e.getMessage());
    }

    @Test
    void faultCheckFailsWhenNoPageWasTouched() {
        FaultBenchmarks.AnonBatch anon = new FaultBenchmarks.AnonBatch();
        anon.boot();
        anon.prepare();
        assertThrows(IllegalStateException.class, anon::verify);
    }

    @Test
    void forkCopiesEveryVmaAndTheChildGoes() {
        ForkBenchmarks b = new ForkBenchmarks();
        ForkBenchmarks.Parent s = new ForkBenchmarks.Parent();
        s.build();
        assertTrue(b.fork_10k(s).isExited());
        org.vfsgi.mm.core.Process child = b.fork_10k_parent(s);
        assertEquals(ForkBenchmarks.VMAS, child.mm().mapCount());
        s.reap();
        assertTrue(child.isExited());
        assertEquals(1, s.sys.kernel().processes().size(), "only the parent is left");
    }

    @Test
    void vmaSpaceHasTheHostLayout() {
        BenchSystem sys = new BenchSystem(100_000);
        VmaSpace space = new VmaSpace(sys.process(), 2000);
        assertEquals(2000, sys.process().mm().mapCount());
        for (int i = 0; i < space.mprotectTargets(); i++) {
            long mid = space.mprotectTarget(i);
            assertTrue(sys.oneVma(mid - BenchSystem.PG, mid + 2 * BenchSystem.PG), "a 3-page read-write VMA");
        }
        VmArea ro = sys.vmaAt(space.base() + BenchSystem.PG);
        assertEquals(Mman.PROT_READ, ro.flags().test(org.vfsgi.mm.VmaFlag.WRITE) ? -1 : Mman.PROT_READ);
        long end = space.base() + space.pages() * BenchSystem.PG;
        for (int i = 0; i < VmaSpace.LOOKUP_TARGETS; i++) {
            long t = space.lookupTarget(i);
            assertTrue(t >= space.base() && t < end && (t & (BenchSystem.PG - 1)) == 0);
        }
        VmaSpace again = new VmaSpace(new BenchSystem(100_000).process(), 2000);
        assertEquals(space.lookupTarget(7) - space.base(), again.lookupTarget(7) - again.base(), "fixed seed");
        assertThrows(IllegalArgumentException.class, () -> new VmaSpace(sys.process(), 15));
    }
}
