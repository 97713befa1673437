package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmaFlags;

/**
 * The augmented tree against a plain sorted map and brute-force gap searches, with seeded
 * random operations (insert, remove, grow, shrink) and the invariant check after each step.
 */
class VmaTreeTest {
    private static final long P = 0x1000;

    private final Kernel kernel = new Kernel();
    private final MmStruct mm = kernel.spawn().mm();

    private Vma vma(long start, long end) {
        return new Vma(mm, start, end, 0, VmaFlags.EMPTY, PageProt.NONE);
    }

    private static long bruteBottomUp(TreeMap<Long, Vma> ref, long low, long high, long len) {
        for (long a = low; a + len <= high; a += P) {
            if (free(ref, a, a + len)) {
                return a;
            }
        }
        return -1;
    }

    private static long bruteTopDown(TreeMap<Long, Vma> ref, long low, long high, long len) {
        for (long a = high - len; a >= low; a -= P) {
            if (free(ref, a, a + len)) {
                return a;
            }
        }
        return -1;
    }

    private static boolean free(TreeMap<Long, Vma> ref, long s, long e) {
        Map.Entry<Long, Vma> f = ref.lowerEntry(e);
        return f == null || f.getValue().end <= s;
    }

    @Test
    void randomOperationsMatchAReferenceMap() {
        Random rnd = new Random(20260521);
        VmaTree t = new VmaTree();
        TreeMap<Long, Vma> ref = new TreeMap<>();
        long space = 512;
        for (int step = 0; step < 6000; step++) {
            int op = rnd.nextInt(4);
            if (op <= 1 || ref.isEmpty()) {
                long s = rnd.nextInt((int) space) * P;
                long e = s + (1 + rnd.nextInt(6)) * P;
                if (free(ref, s, e)) {
                    Vma v = vma(s, e);
                    t.insert(v);
                    ref.put(s, v);
                } else {
                    Vma v = vma(s, e);
                    assertThrows(IllegalStateException.class, () -> t.insert(v));
                }
            } else if (op == 2) {
                Long k = ref.ceilingKey(rnd.nextInt((int) space) * P);
                if (k == null) {
                    k = ref.firstKey();
                }
                Vma v = ref.remove(k);
                t.remove(v);
                assertThrows(IllegalStateException.class, () -> t.remove(v));
            } else {
                Long k = ref.ceilingKey(rnd.nextInt((int) space) * P);
                if (k == null) {
                    k = ref.firstKey();
                }
                Vma v = ref.get(k);
                Map.Entry<Long, Vma> nx = ref.higherEntry(k);
                long limit = nx == null ? space * P + 8 * P : nx.getKey();
                if (rnd.nextBoolean() && v.end + P <= limit) {
                    v.end += P;
                } else if (v.end - v.start > P) {
                    v.end -= P;
                }
                t.adjusted(v);
            }
            t.verify();
            assertEquals(ref.size(), t.size());
            if (step % 50 == 0) {
                assertEquals(new ArrayList<>(ref.values()), t.toList());
                for (int q = 0; q < 20; q++) {
                    long addr = rnd.nextInt((int) space + 8) * P + rnd.nextInt((int) P);
                    Map.Entry<Long, Vma> fl = ref.floorEntry(addr);
                    Vma expectLookup = fl != null && fl.getValue().end > addr ? fl.getValue() : null;
                    assertSame(expectLookup, t.lookup(addr));
                    Vma expectFind = expectLookup != null ? expectLookup
                            : (ref.higherEntry(addr) == null ? null : ref.higherEntry(addr).getValue());
                    assertSame(expectFind, t.find(addr));
                    Map.Entry<Long, Vma> lo = ref.lowerEntry(addr);
                    assertSame(lo == null ? null : lo.getValue(), t.before(addr));
                    long len = (1 + rnd.nextInt(8)) * P;
                    long low = rnd.nextInt(64) * P;
                    long high = low + rnd.nextInt((int) space) * P;
                    assertEquals(bruteBottomUp(ref, low, high, len), t.unmappedArea(low, high, len),
                            "bottom-up low=" + low + " high=" + high + " len=" + len);
                    assertEquals(bruteTopDown(ref, low, high, len), t.unmappedAreaTopDown(low, high, len),
                            "top-down low=" + low + " high=" + high + " len=" + len);
                }
            }
        }
        List<Vma> all = t.toList();
        for (int i = 0; i + 1 < all.size(); i++) {
            assertSame(all.get(i + 1), t.next(all.get(i)));
            assertSame(all.get(i), t.prev(all.get(i + 1)));
        }
        assertNull(t.prev(all.get(0)));
        assertNull(t.next(all.get(all.size() - 1)));
        t.clear();
        assertEquals(0, t.size());
        assertNull(t.first());
    }

    @Test
    void unhintedTopDownMappingsStayFastWithManyVmas() {
        Process p = new Kernel(KernelConfig.builder().maxMapCount(200_000).traceCapacity(16).build()).spawn();
        int n = 100_000;
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            // Alternate protections so neighbours never merge: every mapping is its own VMA.
            int prot = (i & 1) == 0 ? org.vfsgi.mm.Mman.PROT_READ : org.vfsgi.mm.Mman.PROT_READ
                    | org.vfsgi.mm.Mman.PROT_WRITE;
            lowest = Math.min(lowest, p.mmap(0, P, prot, org.vfsgi.mm.Mman.MAP_PRIVATE
                    | org.vfsgi.mm.Mman.MAP_ANONYMOUS, null, 0));
        }
        assertEquals(n, p.mm().mapCount());
        assertEquals(p.kernel().config().mmapBase() - n * P, lowest, "packed downwards from mmap_base");
        p.mm().tree().verify();
        // Punch a hole high up; the next unhinted mapping takes it (highest fitting gap).
        long hole = p.kernel().config().mmapBase() - 10 * P;
        p.munmap(hole, P);
        assertEquals(hole, p.mmap(0, P, org.vfsgi.mm.Mman.PROT_EXEC, org.vfsgi.mm.Mman.MAP_PRIVATE
                | org.vfsgi.mm.Mman.MAP_ANONYMOUS, null, 0));
    }
}
