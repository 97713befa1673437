package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RadixLongArrayTest {
    @Test
    void storesSparseEntriesAndAllocatesOnlyTheirPath() {
        RadixLongArray a = new RadixLongArray(4, 4);
        assertEquals(0, a.get(123));
        assertEquals(0, a.nodeCount());
        assertEquals(0, a.set(5, 50));
        assertEquals(4, a.nodeCount(), "PGD, PUD, PMD and one PTE table");
        assertEquals(50, a.set(5, 51));
        a.set((1L << 36) - 1, 9);
        assertEquals(7, a.nodeCount(), "the last index needs its own PUD, PMD and leaf");
        assertEquals(51, a.get(5));
        assertEquals(9, a.get((1L << 36) - 1));
        assertEquals(2, a.count());
        assertThrows(IllegalArgumentException.class, () -> a.get(1L << 36));
        assertThrows(IllegalArgumentException.class, () -> a.set(-1, 1));
    }

    @Test
    void storingZeroRemovesTheEntryButKeepsTheTables() {
        RadixLongArray a = new RadixLongArray(4, 4);
        a.set(1000, 1);
        assertEquals(1, a.set(1000, 0));
        assertEquals(0, a.count());
        assertEquals(4, a.nodeCount());
        assertEquals(0, a.set(1000, 0), "clearing a missing entry is a no-op");
        assertEquals(0, a.removeRange(0, 1 << 20, (i, v) -> { }));
        assertEquals(0, a.nodeCount(), "a zap over the range frees the empty tables");
    }

    @Test
    void removeRangeVisitsInOrderAndFreesOnlyEmptiedTables() {
        RadixLongArray a = new RadixLongArray(4, 4);
        for (long i = 0; i < 2000; i += 3) {
            a.set(i, i + 1);
        }
        List<Long> seen = new ArrayList<>();
        long removed = a.removeRange(512, 1536, (i, v) -> {
            assertEquals(i + 1, v);
            seen.add(i);
        });
        assertEquals(seen.size(), removed);
        assertEquals(513, seen.get(0));
        assertEquals(1533, seen.get(seen.size() - 1));
        assertEquals(0, a.get(1023));
        assertEquals(1537, a.get(1536));
        // leaves 0 and 3 remain (0..511, 1536..2047), leaves 1 and 2 were freed
        assertEquals(3 + 2, a.nodeCount());
    }

    @Test
    void growsLikeAnXarrayAndShrinksToNothing() {
        RadixLongArray a = new RadixLongArray(1, 6);
        a.set(3, 1);
        assertEquals(1, a.nodeCount());
        a.set(1L << 40, 2);
        assertEquals(2, a.get(1L << 40));
        assertEquals(1, a.get(3));
        assertEquals(2, a.count());
        a.removeRange(0, a.limit(), (i, v) -> { });
        assertEquals(0, a.nodeCount());
        assertEquals(0, a.count());
        a.set(7, 7);
        assertEquals(7, a.get(7));
    }

    @Test
    void updateRewritesAndCanRemove() {
        RadixLongArray a = new RadixLongArray(2, 2);
        for (long i = 0; i < 10; i++) {
            a.set(i, i + 100);
        }
        long seen = a.update(2, 8, (i, v) -> i % 2 == 0 ? 0 : v * 2);
        assertEquals(6, seen);
        assertEquals(7, a.count());
        assertEquals(206, a.get(3));
        assertEquals(0, a.get(4));
        assertEquals(108, a.get(8));
        List<Long> order = new ArrayList<>();
        a.forEach(0, 100, (i, v) -> order.add(i));
        assertEquals(List.of(0L, 1L, 3L, 5L, 7L, 8L, 9L), order);
    }
}
