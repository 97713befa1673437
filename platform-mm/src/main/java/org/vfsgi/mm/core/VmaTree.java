package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/**
 * The VMA tree of one address space: an intrusive AVL tree ordered by start address,
 * augmented with the largest free gap of each subtree — the structure Linux used before the
 * maple tree ({@code vm_rb} with {@code rb_subtree_gap}). The VMA objects are the nodes, so the
 * tree costs no extra object per VMA.
 *
 * <p>Find, insert, remove, neighbours and the free-area searches ({@code unmapped_area},
 * {@code unmapped_area_topdown}) are O(log n). A VMA's gap is the free space between the end of
 * its predecessor (or address 0) and its start. Callers that move a VMA's start or end in place
 * (merge, split, mremap) call {@link #adjusted(Vma)}; such moves never change the order.
 *
 * <p>Not thread-safe: callers hold the mmap lock (write for changes, read for lookups).
 */
public final class VmaTree implements Iterable<Vma> {
    private Vma root;
    private int size;

    /** @return the number of VMAs in the tree */
    public int size() {
        return size;
    }

    // ------------------------------------------------------------ lookups

    /**
     * {@code find_vma}: the first VMA that ends above {@code addr}.
     *
     * @param addr an address
     * @return the VMA, or null
     */
    public Vma find(long addr) {
        Vma n = root;
        Vma cand = null;
        while (n != null) {
            if (n.end > addr) {
                cand = n;
                if (n.start <= addr) {
                    break;
                }
                n = n.tl;
            } else {
                n = n.tr;
            }
        }
        return cand;
    }

    /**
     * {@code vma_lookup}: the VMA containing {@code addr}.
     *
     * @param addr an address
     * @return the VMA, or null
     */
    public Vma lookup(long addr) {
        Vma v = find(addr);
        return v != null && v.start <= addr ? v : null;
    }

    /**
     * @param addr an address
     * @return the last VMA starting below {@code addr}, or null
     */
    public Vma before(long addr) {
        Vma n = root;
        Vma cand = null;
        while (n != null) {
            if (n.start < addr) {
                cand = n;
                n = n.tr;
            } else {
                n = n.tl;
            }
        }
        return cand;
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA before it ({@code vma_prev}), or null
     */
    public Vma prev(Vma vma) {
        if (vma.tl != null) {
            Vma n = vma.tl;
            while (n.tr != null) {
                n = n.tr;
            }
            return n;
        }
        Vma n = vma;
        Vma p = n.tp;
        while (p != null && p.tl == n) {
            n = p;
            p = p.tp;
        }
        return p;
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA after it ({@code vma_next}), or null
     */
    public Vma next(Vma vma) {
        if (vma.tr != null) {
            Vma n = vma.tr;
            while (n.tl != null) {
                n = n.tl;
            }
            return n;
        }
        Vma n = vma;
        Vma p = n.tp;
        while (p != null && p.tr == n) {
            n = p;
            p = p.tp;
        }
        return p;
    }

    /**
     * {@code find_vma_intersection}.
     *
     * @param start range start
     * @param end range end, exclusive
     * @return the first VMA overlapping {@code [start, end)}, or null
     */
    public Vma findIntersection(long start, long end) {
        Vma v = find(start);
        return v != null && v.start < end ? v : null;
    }

    /**
     * Range iteration ({@code for_each_vma_range}).
     *
     * @param start range start
     * @param end range end, exclusive
     * @return the VMAs overlapping {@code [start, end)}, in address order
     */
    public List<Vma> range(long start, long end) {
        List<Vma> out = new ArrayList<>();
        for (Vma v = find(start); v != null && v.start < end; v = next(v)) {
            out.add(v);
        }
        return out;
    }

    /** @return the first VMA, or null */
    public Vma first() {
        Vma n = root;
        while (n != null && n.tl != null) {
            n = n.tl;
        }
        return n;
    }

    /** @return the last VMA, or null */
    public Vma last() {
        Vma n = root;
        while (n != null && n.tr != null) {
            n = n.tr;
        }
        return n;
    }

    /** @return the VMAs in address order; do not change the tree while iterating */
    @Override
    public Iterator<Vma> iterator() {
        return walk(first(), this::next);
    }

    /** @return a copy of all VMAs in address order */
    public List<Vma> toList() {
        List<Vma> out = new ArrayList<>(size);
        for (Vma v : this) {
            out.add(v);
        }
        return out;
    }

    Iterable<Vma> descendingBelow(long high) {
        return () -> walk(before(high), this::prev);
    }

    Iterable<Vma> ascendingFrom(long low) {
        return () -> walk(find(low), this::next);
    }

    private static Iterator<Vma> walk(Vma from, UnaryOperator<Vma> step) {
        return new Iterator<>() {
            private Vma cur = from;

            @Override
            public boolean hasNext() {
                return cur != null;
            }

            @Override
            public Vma next() {
                if (cur == null) {
                    throw new NoSuchElementException();
                }
                Vma v = cur;
                cur = step.apply(v);
                return v;
            }
        };
    }

    // ------------------------------------------------------------ free-area search

    /**
     * {@code unmapped_area}: the lowest address {@code a >= low} with {@code [a, a + len)} free
     * and {@code a + len <= high}.
     *
     * @param low lowest acceptable address
     * @param high end of the search window
     * @param len length
     * @return the address, or -1
     */
    public long unmappedArea(long low, long high, long len) {
        long r = bottomUp(root, low, high, len);
        if (r >= 0) {
            return r;
        }
        Vma lastVma = last();
        long tail = Math.max(lastVma == null ? 0 : lastVma.end, low);
        return high - tail >= len ? tail : -1;
    }

    private long bottomUp(Vma n, long low, long high, long len) {
        if (n == null || n.tmax < len) {
            return -1;
        }
        if (n.start > low) {
            long r = bottomUp(n.tl, low, high, len);
            if (r >= 0) {
                return r;
            }
        }
        long gs = Math.max(n.start - n.tgap, low);
        long ge = Math.min(n.start, high);
        if (ge - gs >= len) {
            return gs;
        }
        if (n.end >= high) {
            return -1;
        }
        return bottomUp(n.tr, low, high, len);
    }

    /**
     * {@code unmapped_area_topdown}: the highest address {@code a} with {@code [a, a + len)} free
     * inside {@code [low, high)}.
     *
     * @param low lowest acceptable address
     * @param high end of the search window
     * @param len length
     * @return the address, or -1
     */
    public long unmappedAreaTopDown(long low, long high, long len) {
        Vma lastVma = last();
        long tail = Math.max(lastVma == null ? 0 : lastVma.end, low);
        if (high - tail >= len) {
            return high - len;
        }
        return topDown(root, low, high, len);
    }

    private long topDown(Vma n, long low, long high, long len) {
        if (n == null || n.tmax < len) {
            return -1;
        }
        if (n.end < high) {
            long r = topDown(n.tr, low, high, len);
            if (r >= 0) {
                return r;
            }
        }
        long gapStart = n.start - n.tgap;
        long gs = Math.max(gapStart, low);
        long ge = Math.min(n.start, high);
        if (ge - gs >= len) {
            return ge - len;
        }
        if (gapStart <= low) {
            return -1;
        }
        return topDown(n.tl, low, high, len);
    }

    // ------------------------------------------------------------ changes

    void insert(Vma vma) {
        Vma clash = findIntersection(vma.start, vma.end);
        if (clash != null || vma.start >= vma.end) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps " + clash);
        }
        Vma p = null;
        Vma n = root;
        while (n != null) {
            p = n;
            n = vma.start < n.start ? n.tl : n.tr;
        }
        vma.tl = null;
        vma.tr = null;
        vma.tp = p;
        vma.th = 1;
        if (p == null) {
            root = vma;
        } else if (vma.start < p.start) {
            p.tl = vma;
        } else {
            p.tr = vma;
        }
        size++;
        vma.setDetached(false);
        Vma pred = prev(vma);
        vma.tgap = vma.start - (pred == null ? 0 : pred.end);
        rebalanceUp(vma);
        Vma succ = next(vma);
        if (succ != null) {
            succ.tgap = succ.start - vma.end;
            updateUp(succ);
        }
    }

    void remove(Vma vma) {
        if (vma.isDetached() || !isInThisTree(vma)) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is not in this tree");
        }
        Vma pred = prev(vma);
        Vma succ = next(vma);
        if (vma.tl != null && vma.tr != null) {
            Vma s = succ; // leftmost of the right subtree; it has no left child
            Vma fixFrom;
            if (s.tp == vma) {
                s.tl = vma.tl;
                s.tl.tp = s;
                fixFrom = s;
            } else {
                Vma sp = s.tp;
                sp.tl = s.tr;
                if (s.tr != null) {
                    s.tr.tp = sp;
                }
                s.tl = vma.tl;
                s.tl.tp = s;
                s.tr = vma.tr;
                s.tr.tp = s;
                fixFrom = sp;
            }
            replaceChild(vma.tp, vma, s);
            s.tp = vma.tp;
            s.th = vma.th;
            rebalanceUp(fixFrom);
        } else {
            Vma child = vma.tl != null ? vma.tl : vma.tr;
            Vma p = vma.tp;
            if (child != null) {
                child.tp = p;
            }
            replaceChild(p, vma, child);
            rebalanceUp(p);
        }
        vma.tl = null;
        vma.tr = null;
        vma.tp = null;
        size--;
        vma.setDetached(true);
        if (succ != null) {
            succ.tgap = succ.start - (pred == null ? 0 : pred.end);
            updateUp(succ);
        }
    }

    private boolean isInThisTree(Vma vma) {
        Vma n = vma;
        while (n.tp != null) {
            n = n.tp;
        }
        return n == root;
    }

    /**
     * Recomputes the gaps around a VMA whose start or end moved in place.
     *
     * @throws IllegalStateException if the move broke the order (a caller bug)
     */
    void adjusted(Vma vma) {
        Vma pred = prev(vma);
        Vma succ = next(vma);
        if ((pred != null && pred.end > vma.start) || (succ != null && vma.end > succ.start) || vma.start >= vma.end) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps a neighbour after a resize");
        }
        vma.tgap = vma.start - (pred == null ? 0 : pred.end);
        updateUp(vma);
        if (succ != null) {
            succ.tgap = succ.start - vma.end;
            updateUp(succ);
        }
    }

    void clear() {
        for (Vma v : toList()) {
            v.tl = null;
            v.tr = null;
            v.tp = null;
            v.setDetached(true);
        }
        root = null;
        size = 0;
    }

    // ------------------------------------------------------------ AVL machinery

    private static int h(Vma n) {
        return n == null ? 0 : n.th;
    }

    private static long m(Vma n) {
        return n == null ? Long.MIN_VALUE : n.tmax;
    }

    private static void pull(Vma n) {
        n.th = 1 + Math.max(h(n.tl), h(n.tr));
        n.tmax = Math.max(n.tgap, Math.max(m(n.tl), m(n.tr)));
    }

    private void replaceChild(Vma parent, Vma old, Vma nu) {
        if (parent == null) {
            root = nu;
        } else if (parent.tl == old) {
            parent.tl = nu;
        } else {
            parent.tr = nu;
        }
    }

    private Vma rotateLeft(Vma x) {
        Vma y = x.tr;
        x.tr = y.tl;
        if (y.tl != null) {
            y.tl.tp = x;
        }
        y.tp = x.tp;
        replaceChild(x.tp, x, y);
        y.tl = x;
        x.tp = y;
        pull(x);
        pull(y);
        return y;
    }

    private Vma rotateRight(Vma x) {
        Vma y = x.tl;
        x.tl = y.tr;
        if (y.tr != null) {
            y.tr.tp = x;
        }
        y.tp = x.tp;
        replaceChild(x.tp, x, y);
        y.tr = x;
        x.tp = y;
        pull(x);
        pull(y);
        return y;
    }

    private void rebalanceUp(Vma n) {
        while (n != null) {
            pull(n);
            int bal = h(n.tl) - h(n.tr);
            if (bal > 1) {
                if (h(n.tl.tl) < h(n.tl.tr)) {
                    rotateLeft(n.tl);
                }
                n = rotateRight(n);
            } else if (bal < -1) {
                if (h(n.tr.tr) < h(n.tr.tl)) {
                    rotateRight(n.tr);
                }
                n = rotateLeft(n);
            }
            n = n.tp;
        }
    }

    private static void updateUp(Vma n) {
        while (n != null) {
            pull(n);
            n = n.tp;
        }
    }

    /** Checks the AVL, order and gap invariants; for tests. */
    void verify() {
        verify(root, null, Long.MIN_VALUE);
    }

    private long verify(Vma n, Vma parent, long minStart) {
        if (n == null) {
            return minStart;
        }
        if (n.tp != parent) {
            throw new IllegalStateException("bad parent link at " + n);
        }
        long after = verify(n.tl, n, minStart);
        Vma pred = prev(n);
        if (n.start < after || n.tgap != n.start - (pred == null ? 0 : pred.end)) {
            throw new IllegalStateException("bad order or gap at " + n);
        }
        verify(n.tr, n, n.end);
        if (Math.abs(h(n.tl) - h(n.tr)) > 1 || n.th != 1 + Math.max(h(n.tl), h(n.tr))
                || n.tmax != Math.max(n.tgap, Math.max(m(n.tl), m(n.tr)))) {
            throw new IllegalStateException("bad balance or augmentation at " + n);
        }
        return n.end;
    }
}
