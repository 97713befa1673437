package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.vfsgi.mm.VmaFlag;

/** Invariants every address space must keep after any operation, failed or not. */
final class Consistency {
    private Consistency() {
    }

    static void check(MmStruct mm) {
        mm.tree().verify();
        long pages = 0;
        long accounted = 0;
        long lastEnd = Long.MIN_VALUE;
        int n = 0;
        for (Vma v : mm.tree()) {
            assertTrue(v.start() < v.end(), "empty VMA " + v);
            assertTrue(v.start() >= lastEnd, "overlap at " + v);
            assertTrue(!v.isDetached(), "VMA in the tree marked detached: " + v);
            lastEnd = v.end();
            pages += v.pages();
            if (v.flags().test(VmaFlag.ACCOUNT)) {
                accounted += v.pages();
            }
            if (v.file() != null) {
                assertTrue(mm.kernel().rmapOf(v.file()).contains(v), "VMA missing from its file's rmap: " + v);
            }
            n++;
        }
        assertEquals(n, mm.mapCount(), "map count");
        assertEquals(pages, mm.totalVm(), "total_vm");
        assertEquals(accounted, mm.committedPages(), "committed pages");
    }
}
