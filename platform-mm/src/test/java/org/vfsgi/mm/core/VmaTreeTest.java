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

    /** The start of the VMA at or after a random page, or of the first VMA; the model is not empty. */
    private static long someStart(TreeMap<Long, Vma> ref, Random rnd, long space) {
        Long k = ref.ceilingKey(rnd.nextInt((int) space) * P);
        return k == null ? ref.firstKey() : k;
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
                long k = someStart(ref, rnd, space);
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

    /** Lowest / highest fitting address by walking the model's gaps (the tail after the last VMA included). */
    private static long modelGapSearch(TreeMap<Long, Vma> ref, long low, long high, long len, boolean topDown) {
        long best = -1;
        long gapStart = 0;
        List<long[]> gaps = new ArrayList<>();
        for (Vma v : ref.values()) {
            gaps.add(new long[] {gapStart, v.start});
            gapStart = v.end;
        }
        gaps.add(new long[] {gapStart, Long.MAX_VALUE});
        for (long[] g : gaps) {
            long gs = Math.max(g[0], low);
            long ge = Math.min(g[1], high);
            if (ge - gs >= len) {
                if (!topDown) {
                    return gs;
                }
                best = ge - len;
            }
        }
        return best;
    }

    /**
     * Thousands of VMAs, so the wide-node tree has several levels and splits, merges and
     * refills its nodes: inserts in descending, ascending and random order, removals, in-place
     * moves of both ends, and every query checked against a TreeMap after each step.
     */
    @Test
    void multiLevelTreeMatchesAReferenceMapStepByStep() {
        Random rnd = new Random(0x5eed_7ee);
        VmaTree t = new VmaTree();
        TreeMap<Long, Vma> ref = new TreeMap<>();
        long space = 20_000;
        long down = space; // descending mmap cursor, as unhinted top-down mappings arrive
        long up = 0;
        int tallest = 0;
        int shortestAfterTallest = Integer.MAX_VALUE;
        for (int step = 0; step < 30_000; step++) {
            int op = step < 6000 ? step % 3 : rnd.nextInt(10);
            if (op <= 2 || ref.isEmpty()) {
                long s = op == 0 && down > 1 ? (down -= 2) * P : op == 1 && up < space ? (up += 3) * P
                        : rnd.nextInt((int) space) * P;
                long e = s + (1 + rnd.nextInt(2)) * P;
                Vma v = vma(s, e);
                if (free(ref, s, e)) {
                    t.insert(v);
                    ref.put(s, v);
                } else {
                    assertThrows(IllegalStateException.class, () -> t.insert(v));
                    assertEquals(true, v.isDetached());
                }
            } else if (op <= 6) {
                // Removals come in runs over neighbours, which empties leaves and merges nodes.
                Long k = ref.ceilingKey(rnd.nextInt((int) space) * P);
                for (int run = 1 + rnd.nextInt(op == 6 ? 80 : 3); run > 0 && k != null; run--) {
                    Vma v = ref.remove(k);
                    t.remove(v);
                    k = ref.higherKey(k);
                }
            } else {
                long k = someStart(ref, rnd, space);
                Vma v = ref.get(k);
                Map.Entry<Long, Vma> pv = ref.lowerEntry(k);
                Map.Entry<Long, Vma> nx = ref.higherEntry(k);
                long floor = pv == null ? 0 : pv.getValue().end;
                long limit = nx == null ? (space + 8) * P : nx.getKey();
                switch (rnd.nextInt(4)) {
                    case 0 -> v.end = Math.min(limit, v.end + P);
                    case 1 -> v.end = Math.max(v.start + P, v.end - P);
                    case 2 -> v.start = Math.max(floor, v.start - P);
                    default -> v.start = Math.min(v.end - P, v.start + P);
                }
                ref.remove(k);
                ref.put(v.start, v);
                t.adjusted(v);
            }
            t.verify();
            assertEquals(ref.size(), t.size());
            tallest = Math.max(tallest, t.height());
            if (tallest >= 3) {
                shortestAfterTallest = Math.min(shortestAfterTallest, t.height());
            }
            long addr = rnd.nextInt((int) space + 8) * P + rnd.nextInt((int) P);
            Map.Entry<Long, Vma> fl = ref.floorEntry(addr);
            Vma expectLookup = fl != null && fl.getValue().end > addr ? fl.getValue() : null;
            assertSame(expectLookup, t.lookup(addr));
            Map.Entry<Long, Vma> hi = ref.higherEntry(addr);
            assertSame(expectLookup != null ? expectLookup : hi == null ? null : hi.getValue(), t.find(addr));
            Map.Entry<Long, Vma> lo = ref.lowerEntry(addr);
            assertSame(lo == null ? null : lo.getValue(), t.before(addr));
            if (!ref.isEmpty()) {
                Vma any = ref.ceilingEntry(addr) == null ? ref.firstEntry().getValue() : ref.ceilingEntry(addr).getValue();
                Map.Entry<Long, Vma> p = ref.lowerEntry(any.start);
                Map.Entry<Long, Vma> n = ref.higherEntry(any.start);
                assertSame(p == null ? null : p.getValue(), t.prev(any));
                assertSame(n == null ? null : n.getValue(), t.next(any));
                assertSame(ref.firstEntry().getValue(), t.first());
                assertSame(ref.lastEntry().getValue(), t.last());
            }
            long len = (1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 64)) * P;
            long low = rnd.nextInt((int) space) * P;
            long high = low + rnd.nextInt((int) space) * P;
            assertEquals(modelGapSearch(ref, low, high, len, false), t.unmappedArea(low, high, len),
                    "bottom-up at step " + step + " low=" + low + " high=" + high + " len=" + len);
            assertEquals(modelGapSearch(ref, low, high, len, true), t.unmappedAreaTopDown(low, high, len),
                    "top-down at step " + step + " low=" + low + " high=" + high + " len=" + len);
            if (step % 1000 == 0) {
                assertEquals(new ArrayList<>(ref.values()), t.toList());
                long rs = rnd.nextInt((int) space) * P;
                long re = rs + rnd.nextInt(200) * P;
                List<Vma> expectRange = new ArrayList<>(ref.subMap(rs, re).values());
                Map.Entry<Long, Vma> straddle = ref.lowerEntry(rs);
                if (straddle != null && straddle.getValue().end > rs) {
                    expectRange.add(0, straddle.getValue());
                }
                assertEquals(expectRange, t.range(rs, re));
                List<Vma> down2 = new ArrayList<>();
                t.descendingBelow(re).forEach(down2::add);
                List<Vma> expectDown = new ArrayList<>(ref.headMap(re, false).descendingMap().values());
                assertEquals(expectDown, down2);
            }
        }
        assertEquals(true, tallest >= 3, "the tree grew to " + tallest + " levels only");
        assertEquals(true, shortestAfterTallest < tallest, "removals never shrank the tree");
        for (Vma v : t.toList()) {
            t.remove(v);
            if (t.size() % 97 == 0) {
                t.verify();
            }
        }
        t.verify();
        assertEquals(0, t.size());
        assertEquals(0, t.height());
        assertNull(t.first());
        assertNull(t.last());
    }

    /** Every query of {@code t} against the model, at random addresses and windows. */
    private static void assertMatchesModel(VmaTree t, TreeMap<Long, Vma> ref, Random rnd, long space, int queries) {
        t.verify();
        assertEquals(ref.size(), t.size());
        assertEquals(new ArrayList<>(ref.values()), t.toList());
        for (int q = 0; q < queries; q++) {
            long addr = rnd.nextInt((int) space + 8) * P + rnd.nextInt((int) P);
            Map.Entry<Long, Vma> fl = ref.floorEntry(addr);
            Vma expectLookup = fl != null && fl.getValue().end > addr ? fl.getValue() : null;
            assertSame(expectLookup, t.lookup(addr), "lookup " + addr);
            Map.Entry<Long, Vma> hi = ref.higherEntry(addr);
            assertSame(expectLookup != null ? expectLookup : hi == null ? null : hi.getValue(), t.find(addr));
            Map.Entry<Long, Vma> lo = ref.lowerEntry(addr);
            assertSame(lo == null ? null : lo.getValue(), t.before(addr));
            long len = (1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 64)) * P;
            long low = rnd.nextInt((int) space) * P;
            long high = low + rnd.nextInt((int) space) * P;
            assertEquals(modelGapSearch(ref, low, high, len, false), t.unmappedArea(low, high, len),
                    "bottom-up low=" + low + " high=" + high + " len=" + len);
            assertEquals(modelGapSearch(ref, low, high, len, true), t.unmappedAreaTopDown(low, high, len),
                    "top-down low=" + low + " high=" + high + " len=" + len);
        }
        Vma prev = null;
        for (Vma v : ref.values()) {
            assertSame(prev, t.prev(v));
            if (prev != null) {
                assertSame(v, t.next(prev));
            }
            prev = v;
        }
        if (prev != null) {
            assertNull(t.next(prev));
        }
    }

    /**
     * The bulk build that fork's copy can use gives the tree inserting the VMAs one by one gives:
     * the same VMAs, neighbours, lookups and free gaps (the largest gap of every node is checked
     * by verify), at every size around the node boundaries (one leaf, one more than a leaf, an
     * underfull last leaf, several levels); and the built tree then takes inserts, removals and
     * moves like any other.
     */
    @Test
    void bulkBuildMatchesIncrementalInsertAndKeepsGapsRight() {
        Random rnd = new Random(0xb01c);
        int s = VmaTree.SLOTS;
        for (int n : new int[] {0, 1, 2, s - 1, s, s + 1, s + 2, 2 * s, s * s, s * s + 1, s * s + 3, 3 * s * s - 5, 5000}) {
            TreeMap<Long, Vma> ref = new TreeMap<>();
            List<Vma> built = new ArrayList<>();
            List<Vma> inserted = new ArrayList<>();
            long a = rnd.nextInt(4) * P;
            for (int i = 0; i < n; i++) {
                long len = (1 + rnd.nextInt(3)) * P;
                Vma v = vma(a, a + len);
                built.add(v);
                inserted.add(vma(a, a + len));
                ref.put(a, v);
                a += len + rnd.nextInt(3) * rnd.nextInt(5) * P; // mostly adjacent, sometimes a gap
            }
            VmaTree bulk = new VmaTree();
            bulk.build(built);
            VmaTree one = new VmaTree();
            for (Vma v : inserted) {
                one.insert(v);
            }
            assertEquals(one.size(), bulk.size());
            assertEquals(true, bulk.height() <= one.height(), "bulk " + bulk.height() + " vs " + one.height() + " levels");
            long space = a / P + 64;
            assertMatchesModel(bulk, ref, rnd, space, 200);
            for (int q = 0; q < 200; q++) {
                long addr = rnd.nextInt((int) space) * P;
                Vma b = bulk.lookup(addr);
                Vma o = one.lookup(addr);
                assertEquals(o == null ? null : o.start, b == null ? null : b.start);
                long len = (1 + rnd.nextInt(8)) * P;
                assertEquals(one.unmappedArea(0, space * P, len), bulk.unmappedArea(0, space * P, len));
                assertEquals(one.unmappedAreaTopDown(0, space * P, len), bulk.unmappedAreaTopDown(0, space * P, len));
            }
            for (Vma v : built) {
                assertEquals(false, v.isDetached(), "a built VMA is attached");
            }
            // The built tree changes like any other: random removals, inserts into the holes, moves.
            for (int step = 0; step < Math.min(3 * n, 3000); step++) {
                Long k = ref.ceilingKey(rnd.nextInt((int) space) * P);
                if (k == null) {
                    continue;
                }
                if (rnd.nextBoolean()) {
                    bulk.remove(ref.remove(k));
                } else {
                    Vma v = ref.get(k);
                    Map.Entry<Long, Vma> pv = ref.lowerEntry(k);
                    long floor = pv == null ? 0 : pv.getValue().end;
                    if (floor < v.start) {
                        Vma fill = vma(floor, v.start);
                        bulk.insert(fill);
                        ref.put(floor, fill);
                    } else if (v.end - v.start > P) {
                        v.end -= P;
                        bulk.adjusted(v);
                    }
                }
                if (step % 97 == 0) {
                    assertMatchesModel(bulk, ref, rnd, space, 5);
                }
            }
            assertMatchesModel(bulk, ref, rnd, space, 50);
        }
    }

    @Test
    void bulkBuildRejectsANonEmptyTreeUnsortedOverlappingAndAttachedVmas() {
        VmaTree t = new VmaTree();
        Vma a = vma(0x1000, 0x3000);
        Vma b = vma(0x2000, 0x4000);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.build(List.of(a, b)));
        assertEquals(true, e.getMessage().contains("out of order"), e.getMessage());
        assertEquals(true, a.isDetached(), "nothing attached by a refused build");
        assertEquals(0, t.size());
        Vma c = vma(0x5000, 0x6000);
        assertThrows(IllegalStateException.class, () -> t.build(List.of(c, a)));
        t.insert(a);
        e = assertThrows(IllegalStateException.class, () -> t.build(List.of(c)));
        assertEquals(true, e.getMessage().contains("bulk build into a tree of 1"), e.getMessage());
        VmaTree other = new VmaTree();
        e = assertThrows(IllegalStateException.class, () -> other.build(List.of(a)));
        assertEquals(true, e.getMessage().contains("attached"), e.getMessage());
        Vma empty = vma(0x7000, 0x7000);
        assertThrows(IllegalStateException.class, () -> other.build(List.of(empty)));
        assertEquals(0, other.size());
        // A tree emptied by removals builds again, reusing nothing stale.
        t.remove(a);
        t.build(List.of(a, c));
        t.verify();
        assertSame(a, t.lookup(0x1000));
        assertSame(c, t.find(0x3000));
    }

    /**
     * Appending after the last VMA skips the descent; an append that would overlap the last VMA
     * is still refused, and appends in order fill leaves completely (sequential growth is dense).
     */
    @Test
    void appendsAfterTheLastVmaFillLeavesAndStillRefuseOverlaps() {
        VmaTree t = new VmaTree();
        int n = VmaTree.SLOTS * VmaTree.SLOTS * 2;
        for (int i = 0; i < n; i++) {
            t.insert(vma(2 * i * P, (2 * i + 1) * P));
        }
        t.verify();
        assertEquals(3, t.height(), "full leaves of " + VmaTree.SLOTS + " need three levels for " + n);
        Vma lastOne = t.last();
        Vma overlap = vma(lastOne.end - P, lastOne.end + P);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.insert(overlap));
        assertEquals(true, e.getMessage().contains("overlaps"), e.getMessage());
        Vma touching = vma(lastOne.end, lastOne.end + P);
        t.insert(touching);
        assertSame(touching, t.lookup(lastOne.end));
        assertSame(lastOne, t.prev(touching));
        t.verify();
    }

    @Test
    void adjustedRejectsAMoveThatBreaksTheOrderAndADetachedVma() {
        VmaTree t = new VmaTree();
        Vma a = vma(0x1000, 0x3000);
        Vma b = vma(0x3000, 0x4000);
        t.insert(a);
        t.insert(b);
        a.end = 0x3800;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.adjusted(a));
        assertEquals(true, e.getMessage().contains("overlaps a neighbour"), e.getMessage());
        a.end = 0x3000;
        t.adjusted(a);
        t.verify();
        Vma c = vma(0x8000, 0x9000);
        assertThrows(IllegalStateException.class, () -> t.adjusted(c));
        assertThrows(IllegalStateException.class, () -> t.remove(c));
        VmaTree other = new VmaTree();
        assertThrows(IllegalStateException.class, () -> other.remove(a), "a VMA of another tree");
        assertThrows(IllegalStateException.class, () -> other.insert(a), "a VMA already in a tree");
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
