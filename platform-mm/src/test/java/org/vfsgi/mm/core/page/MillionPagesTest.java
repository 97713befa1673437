package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/**
 * A million pages in a page table and in a page cache: checks the structures stay correct and
 * prints what each mapped or cached page costs on the heap. No timing assertions.
 */
class MillionPagesTest {
    static final int PAGES = 1_000_000;
    static final long P = PageTable.PAGE_SIZE;

    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    @Test
    void aMillionMappedPagesInAPageTable() {
        FakePhysicalMemory ram = new FakePhysicalMemory(PAGES + 16);
        FaultCore core = new FaultCore(new AnonPages(ram));
        long[] pfns = new long[PAGES];
        for (int i = 0; i < PAGES; i++) {
            pfns[i] = ram.allocate();
        }
        long before = usedHeap();
        PageTable pt = new PageTable(ram);
        long base = 0x7000_0000_0000L;
        for (int i = 0; i < PAGES; i++) {
            pt.set(base + i * P, Pte.make(pfns[i], Pte.USER | Pte.WRITE | Pte.ANON));
        }
        long measured = usedHeap() - before;
        assertEquals(PAGES, pt.presentCount());
        // 1e6 / 512 = 1953.1 → 1954 PTE tables, plus 4 PMDs, one PUD, the PGD
        assertEquals(1954 + 4 + 1 + 1, pt.tableCount());
        System.out.printf("PageTable, %d dense pages: %d tables, estimated %.2f bytes/page, measured heap %.2f bytes/page%n",
                PAGES, pt.tableCount(), (double) pt.tableBytes() / PAGES, (double) measured / PAGES);

        // The same number of pages in 1000 scattered 1000-page regions (each 4 MiB apart at 1 GiB strides).
        long before2 = usedHeap();
        PageTable sparse = new PageTable(ram);
        for (int r = 0; r < 1000; r++) {
            long regionBase = (long) r << 30;
            for (int i = 0; i < 1000; i++) {
                sparse.set(regionBase + i * P, Pte.make(pfns[r * 1000 + i], Pte.USER | Pte.SPECIAL));
            }
        }
        long measured2 = usedHeap() - before2;
        System.out.printf("PageTable, %d pages in 1000 regions: %d tables, estimated %.2f bytes/page, measured heap %.2f bytes/page%n",
                PAGES, sparse.tableCount(), (double) sparse.tableBytes() / PAGES, (double) measured2 / PAGES);

        long[] refs = {0};
        PageTable child = new PageTable(ram);
        assertEquals(PAGES, core.copyRangeForFork(pt, child, base, base + PAGES * P, FaultMapping.anonymous()));
        assertEquals(2, ram.refCount(pfns[PAGES - 1]));
        assertEquals(PAGES, core.zapRange(child, base, base + PAGES * P, FaultMapping.anonymous()));
        assertEquals(PAGES, pt.zapRange(base, base + PAGES * P, (a, pte) -> {
            refs[0]++;
            ram.put(Pte.pfn(pte));
        }));
        assertEquals(PAGES, refs[0]);
        assertEquals(0, ram.usedFrames());
        assertEquals(0, pt.tableCount());
        assertEquals(0, child.tableCount());
        assertEquals(PAGES, sparse.zapRange(0, PageTable.TASK_SIZE, (a, pte) -> { }));
        assertEquals(0, sparse.tableCount());
    }

    @Test
    void aMillionCachedPagesInAPageCache() throws IOException {
        FakePhysicalMemory ram = new FakePhysicalMemory(PAGES + 16);
        long[] reads = {0};
        PageIo holes = new PageIo() {
            @Override
            public int readPage(long index, byte[] buf) {
                reads[0]++;
                return 0; // a sparse file: the frames stay zero and the fake stores no bytes
            }

            @Override
            public void writePage(long index, byte[] buf, int len) {
            }
        };
        long before = usedHeap();
        PageCache cache = new PageCache(ram, holes);
        assertEquals(PAGES, cache.readahead(0, PAGES));
        long measured = usedHeap() - before;
        assertEquals(PAGES, cache.pageCount());
        assertEquals(PAGES, ram.usedFrames());
        assertEquals(PAGES, reads[0]);
        System.out.printf("PageCache, %d cached pages: estimated %.2f bytes/page, measured heap %.2f bytes/page%n",
                PAGES, (double) cache.estimatedBytes() / PAGES, (double) measured / PAGES);
        assertTrue(cache.estimatedBytes() < 10L * PAGES, "about eight bytes per dense page");

        for (long i = 0; i < PAGES; i += 2) {
            cache.markDirty(i);
        }
        assertEquals(PAGES / 2, cache.dirtyCount());
        assertEquals(PAGES / 2, cache.writeback(0, PageCache.MAX_INDEX + 1));
        assertEquals(0, cache.dirtyCount());

        // Far indices grow the tree in height without touching the dense part.
        long far = PageCache.MAX_INDEX;
        cache.findOrRead(far);
        assertEquals(PAGES + 1, cache.pageCount());
        assertEquals(PAGES + 1, cache.truncate(0));
        assertEquals(0, ram.usedFrames());
        assertEquals(0, cache.estimatedBytes());
    }
}
