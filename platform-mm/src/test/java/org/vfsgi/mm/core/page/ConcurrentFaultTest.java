package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.Test;

/**
 * Faults racing under the mmap read lock: the loser of a {@code pte_same} re-check must give
 * back everything it prepared.
 */
class ConcurrentFaultTest {
    static final int P = PageTable.PAGE_SIZE;
    static final long VMA = 0x2000_0000L;
    static final int PAGES = 2000;
    static final int THREADS = 4;

    final FakePhysicalMemory ram = new FakePhysicalMemory(4 * PAGES);
    final FaultCore core = new FaultCore(new AnonPages(ram));
    final PageTable pt = new PageTable(ram);

    void race(FaultMapping m, boolean write, ConcurrentHashMap<FaultResult, Integer> results) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < PAGES; i++) {
                        FaultResult r = core.handleFault(pt, VMA + (long) i * P, write, m);
                        results.merge(r, 1, Integer::sum);
                    }
                } catch (Throwable ex) {
                    synchronized (errors) {
                        errors.add(ex);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void racingAnonymousWriteFaultsInstallOnePagePerAddressAndLeakNothing() throws Exception {
        ConcurrentHashMap<FaultResult, Integer> results = new ConcurrentHashMap<>();
        race(FaultMapping.anonymous(), true, results);
        assertEquals(PAGES, results.get(FaultResult.MINOR));
        assertEquals((THREADS - 1) * PAGES, results.get(FaultResult.MAPPED_EXISTING));
        assertEquals(PAGES, ram.usedFrames(), "losers gave their pages back");
        core.zapRange(pt, VMA, VMA + (long) PAGES * P, FaultMapping.anonymous());
        assertEquals(0, ram.usedFrames());
    }

    @Test
    void racingFileReadFaultsCountEachMappingOnce() throws Exception {
        PageCache cache = PageCache.memoryOnly(ram);
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 0, () -> (long) PAGES * P);
        ConcurrentHashMap<FaultResult, Integer> results = new ConcurrentHashMap<>();
        race(m, false, results);
        assertEquals(PAGES, results.get(FaultResult.MINOR));
        for (int i = 0; i < PAGES; i++) {
            assertEquals(1, cache.mapCount(i));
            assertEquals(2, ram.refCount(cache.find(i)), "cache + one entry");
        }
        core.zapRange(pt, VMA, VMA + (long) PAGES * P, m);
        cache.truncate(0);
        assertEquals(0, ram.usedFrames());
    }

    @Test
    void aSharedWriteFaultThatLosesTheRaceDuringPageMkwriteDropsItsReference() throws IOException {
        FakeFile file = FakeFile.patterned(P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping[] m = {null};
        // While our fault sits in page_mkwrite, "another thread" read-faults the page in.
        m[0] = FaultMapping.fileShared(cache, VMA, 0, () -> file.size)
                .withMkwrite((addr, index) -> {
                    core.handleFault(pt, addr, false, m[0]);
                    return null;
                });
        assertEquals(FaultResult.MAPPED_EXISTING, core.handleFault(pt, VMA, true, m[0]));
        long pfn = cache.find(0);
        assertEquals(2, ram.refCount(pfn), "cache + the winner's entry; the loser's reference is gone");
        assertEquals(1, cache.mapCount(0));
        assertFalse(Pte.isWritable(pt.get(VMA)), "the retried access will fault again to write");
        assertFalse(cache.isDirty(0));
    }
}
