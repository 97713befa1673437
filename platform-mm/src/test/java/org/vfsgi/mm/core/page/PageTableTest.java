package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class PageTableTest {
    static final long P = PageTable.PAGE_SIZE;
    static final long BASE = 0x7f00_0000_0000L;

    final FakePhysicalMemory ram = new FakePhysicalMemory(256);
    final PageTable pt = new PageTable(ram);

    long anonPage() {
        return Pte.mkdirty(Pte.make(ram.allocate(), Pte.USER | Pte.WRITE | Pte.ANON | Pte.ACCESSED));
    }

    @Test
    void getSetClearRoundTheAddressDownToItsPage() {
        long pte = Pte.make(42, Pte.USER);
        assertEquals(Pte.NONE, pt.set(BASE + 5, pte));
        assertEquals(pte, pt.get(BASE));
        assertEquals(pte, pt.get(BASE + P - 1));
        assertEquals(Pte.NONE, pt.get(BASE + P));
        assertEquals(1, pt.presentCount());
        assertEquals(pte, pt.clear(BASE));
        assertEquals(0, pt.presentCount());
        assertEquals(4, pt.tableCount(), "clear leaves the tables to the next zap");
    }

    @Test
    void rejectsAddressesOutsideThe48BitUserSpaceAndNonPresentEntries() {
        assertThrows(IllegalArgumentException.class, () -> pt.get(PageTable.TASK_SIZE));
        assertThrows(IllegalArgumentException.class, () -> pt.get(-P));
        assertThrows(IllegalArgumentException.class, () -> pt.set(0, Pte.WRITE));
        assertThrows(IllegalArgumentException.class, () -> pt.zapRange(1, P, (a, e) -> { }));
        assertThrows(IllegalArgumentException.class, () -> pt.forEachPresent(2 * P, P, (a, e) -> { }));
        pt.set(PageTable.TASK_SIZE - P, Pte.make(1, 0));
        assertEquals(1, pt.presentCount());
    }

    @Test
    void zapReturnsEveryEntryAndFreesTheTables() {
        long[] ptes = new long[10];
        for (int i = 0; i < 10; i++) {
            ptes[i] = anonPage();
            pt.set(BASE + i * P, ptes[i]);
        }
        pt.set(BASE + 600 * P, anonPage()); // in a second PTE table
        assertEquals(11, ram.usedFrames());
        assertEquals(5, pt.tableCount());
        List<Long> addrs = new ArrayList<>();
        long removed = pt.zapRange(BASE + 2 * P, BASE + 8 * P, (a, pte) -> {
            addrs.add(a);
            assertEquals(ptes[(int) ((a - BASE) / P)], pte);
            ram.put(Pte.pfn(pte));
        });
        assertEquals(6, removed);
        assertEquals(List.of(BASE + 2 * P, BASE + 3 * P, BASE + 4 * P, BASE + 5 * P, BASE + 6 * P, BASE + 7 * P), addrs);
        assertEquals(5, ram.usedFrames());
        assertEquals(5, pt.presentCount());
        assertEquals(5, pt.tableCount(), "both PTE tables still hold entries");
        pt.zapRange(BASE, BASE + 1024 * P, (a, pte) -> ram.put(Pte.pfn(pte)));
        assertEquals(0, ram.usedFrames());
        assertEquals(0, pt.presentCount());
        assertEquals(0, pt.tableCount(), "every emptied table, up to the PGD, is freed");
        assertEquals(0, pt.tableBytes());
    }

    @Test
    void moveRangeMovesEntriesAndToleratesOverlap() {
        for (int i = 0; i < 4; i++) {
            pt.set(BASE + i * P, Pte.make(100 + i, Pte.USER | Pte.DIRTY));
        }
        pt.moveRange(BASE, BASE + 2 * P, 4 * P); // overlapping move up
        assertEquals(Pte.NONE, pt.get(BASE));
        assertEquals(Pte.NONE, pt.get(BASE + P));
        for (int i = 0; i < 4; i++) {
            assertEquals(Pte.make(100 + i, Pte.USER | Pte.DIRTY), pt.get(BASE + (i + 2) * P));
        }
        pt.moveRange(BASE + 2 * P, BASE + P, 4 * P); // overlapping move down
        for (int i = 0; i < 4; i++) {
            assertEquals(100 + i, Pte.pfn(pt.get(BASE + (i + 1) * P)));
        }
        assertEquals(Pte.NONE, pt.get(BASE + 5 * P));
        pt.moveRange(BASE + P, 0x1000_0000L, 4 * P); // far away: the old tables go
        assertEquals(4, pt.presentCount());
        assertEquals(103, Pte.pfn(pt.get(0x1000_0000L + 3 * P)));
        assertEquals(4, pt.tableCount(), "the old tables were freed");
    }

    @Test
    void moveRangeRefusesAPopulatedDestinationAndChangesNothing() {
        pt.set(BASE, Pte.make(1, 0));
        pt.set(BASE + 10 * P, Pte.make(2, 0));
        assertThrows(IllegalStateException.class, () -> pt.moveRange(BASE, BASE + 9 * P, 2 * P));
        assertEquals(1, Pte.pfn(pt.get(BASE)));
        assertEquals(2, Pte.pfn(pt.get(BASE + 10 * P)));
        assertEquals(2, pt.presentCount());
    }

    @Test
    void forkCopyTakesReferencesAndWriteProtectsBothSidesOfAPrivateMapping() {
        PageTable child = new PageTable(ram);
        long anon = anonPage();
        long special = Pte.make(0x9999, Pte.USER | Pte.WRITE | Pte.SPECIAL);
        long readOnly = Pte.make(ram.allocate(), Pte.USER | Pte.ACCESSED);
        pt.set(BASE, anon);
        pt.set(BASE + P, special);
        pt.set(BASE + 2 * P, readOnly);
        List<Long> copied = new ArrayList<>();
        assertEquals(3, PageTable.copyRangeForFork(pt, child, BASE, BASE + 4 * P, true, (a, e) -> copied.add(a)));
        assertEquals(List.of(BASE, BASE + P, BASE + 2 * P), copied);
        assertEquals(2, ram.refCount(Pte.pfn(anon)));
        assertEquals(2, ram.refCount(Pte.pfn(readOnly)));
        assertEquals(Pte.wrprotect(anon), pt.get(BASE), "parent keeps dirty and accessed, loses write");
        assertEquals(Pte.mkold(Pte.wrprotect(anon)), child.get(BASE));
        assertFalse(Pte.isWritable(pt.get(BASE + P)));
        assertFalse(Pte.isWritable(child.get(BASE + P)));
        assertEquals(Pte.mkold(readOnly), child.get(BASE + 2 * P));
        assertThrows(IllegalStateException.class,
                () -> PageTable.copyRangeForFork(pt, child, BASE, BASE + P, true));
        assertEquals(2, ram.refCount(Pte.pfn(anon)), "a refused copy takes nothing");
    }

    @Test
    void forkCopyOfASharedMappingKeepsWriteAndCleansOnlyTheChild() {
        PageTable child = new PageTable(ram);
        long pte = Pte.mkdirty(Pte.make(ram.allocate(), Pte.USER | Pte.WRITE | Pte.ACCESSED));
        pt.set(BASE, pte);
        PageTable.copyRangeForFork(pt, child, BASE, BASE + P, false);
        assertEquals(pte, pt.get(BASE));
        assertEquals(Pte.mkold(Pte.mkclean(pte)), child.get(BASE));
        assertTrue(Pte.isWritable(child.get(BASE)));
        assertThrows(IllegalArgumentException.class, () -> PageTable.copyRangeForFork(pt, pt, 0, P, true));
    }

    @Test
    void forEachPresentAndChangeRangeWalkOnlyTheRange() {
        for (int i = 0; i < 8; i++) {
            pt.set(BASE + i * P, Pte.make(i + 1, Pte.USER | Pte.WRITE));
        }
        List<Long> seen = new ArrayList<>();
        assertEquals(3, pt.forEachPresent(BASE + 2 * P, BASE + 5 * P, (a, e) -> seen.add(Pte.pfn(e))));
        assertEquals(List.of(3L, 4L, 5L), seen);
        assertEquals(4, pt.changeRange(BASE, BASE + 4 * P, (a, e) -> Pte.wrprotect(e)));
        assertEquals(0, pt.changeRange(BASE, BASE + 4 * P, (a, e) -> Pte.wrprotect(e)), "nothing left to change");
        assertFalse(Pte.isWritable(pt.get(BASE + 3 * P)));
        assertTrue(Pte.isWritable(pt.get(BASE + 4 * P)));
        assertThrows(IllegalArgumentException.class, () -> pt.changeRange(BASE, BASE + P, (a, e) -> Pte.NONE));
    }

    @Test
    void concurrentFaultersSeeEachEntryChangeAtomically() throws Exception {
        AtomicInteger installed = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    long addr = BASE + i * P;
                    pt.ptl().lock();
                    try {
                        if (pt.get(addr) == Pte.NONE) { // the fault path's pte_same re-check
                            pt.set(addr, Pte.make(id + 1, 0));
                            installed.incrementAndGet();
                        }
                    } finally {
                        pt.ptl().unlock();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(2000, installed.get());
        assertEquals(2000, pt.presentCount());
    }
}
