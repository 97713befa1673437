package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/**
 * The VMA tree of one address space: a B+tree of wide nodes in the manner of the kernel's maple
 * tree, augmented with the largest free gap under each child (the maple tree's gap tracking for
 * {@code unmapped_area}).
 *
 * <p>Why wide nodes: with a million VMAs a binary tree makes a lookup chase ~20 dependent
 * pointers through a heap far larger than the caches, and each hop is a cache miss. Here every
 * node holds up to {@link #SLOTS} entries whose keys sit in one contiguous {@code long[]}, so a
 * lookup visits about four nodes and searches each with a binary search over a primitive array.
 *
 * <p>Leaves hold the VMAs in address order together with copies of their start and end (so a
 * lookup does not dereference the VMAs it passes over) and are linked to their siblings, so
 * {@link #prev}/{@link #next} cost one scan of one leaf. A branch keeps, per child, the end of
 * the child's last VMA (the search key, like a maple-tree pivot) and the largest gap in the
 * child. A VMA's gap is the free space between the end of its predecessor (or address 0) and
 * its start. Each VMA points back to its leaf ({@code Vma.leaf}).
 *
 * <p>Find, insert, remove, neighbours and the free-area searches ({@code unmapped_area},
 * {@code unmapped_area_topdown}) are O(log n). Callers that move a VMA's start or end in place
 * (merge, split, mremap) call {@link #adjusted(Vma)}; such moves never change the order.
 *
 * <p>Not thread-safe: callers hold the mmap lock (write for changes, read for lookups).
 */
public final class VmaTree implements Iterable<Vma> {
    /** Entries per node: 32 longs of keys span four cache lines, and a million VMAs need four levels. */
    static final int SLOTS = 32;
    /** Below this a node is merged with or refilled from a sibling after a removal. */
    private static final int MIN_FILL = SLOTS / 4;

    /**
     * One node. In a leaf, slot i is a VMA with its start and end; in a branch, slot i is a child
     * with the end of its last VMA and the largest gap under it. The arrays have one slot more
     * than {@link #SLOTS}: an insert into a full node lands first, then the node is split.
     */
    static final class Node {
        final boolean leaf;
        int n;
        Node parent;
        /** Leaf: the VMA's end; branch: the end of the last VMA under the child. */
        final long[] ends = new long[SLOTS + 1];
        /** Leaf: the VMA's start; branch: the largest gap under the child. */
        final long[] keys2 = new long[SLOTS + 1];
        final Vma[] vmas;
        final Node[] kids;
        /** Leaf siblings in address order. */
        Node prev;
        Node next;

        Node(boolean leaf) {
            this.leaf = leaf;
            this.vmas = leaf ? new Vma[SLOTS + 1] : null;
            this.kids = leaf ? null : new Node[SLOTS + 1];
        }

        Object[] refs() {
            return leaf ? vmas : kids;
        }

        long lastEnd() {
            return ends[n - 1];
        }

        /** The gap before slot i of a leaf. */
        long gap(int i) {
            long before = i > 0 ? ends[i - 1] : prev == null ? 0 : prev.lastEnd();
            return keys2[i] - before;
        }

        long maxGap() {
            long m = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                m = Math.max(m, leaf ? gap(i) : keys2[i]);
            }
            return m;
        }

        int indexOf(Object ref) {
            Object[] r = refs();
            for (int i = 0; i < n; i++) {
                if (r[i] == ref) {
                    return i;
                }
            }
            throw new IllegalStateException("VMA tree corruption: " + ref + " is not in its node");
        }

        /** Points the entries in slots [from, to) back at this node. */
        void adopt(int from, int to) {
            for (int i = from; i < to; i++) {
                if (leaf) {
                    vmas[i].leaf = this;
                } else {
                    kids[i].parent = this;
                }
            }
        }
    }

    private Node root;
    private Node head;
    private Node tail;
    private int size;

    /** @return the number of VMAs in the tree */
    public int size() {
        return size;
    }

    // ------------------------------------------------------------ lookups

    /** First index in a[0..n) holding a value above key, or n. */
    private static int firstAbove(long[] a, int n, long key) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] > key) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** @return the leaf holding the first VMA that ends above addr, or null if none does */
    private Node leafFor(long addr) {
        Node x = root;
        if (x == null) {
            return null;
        }
        while (!x.leaf) {
            int i = firstAbove(x.ends, x.n, addr);
            if (i == x.n) {
                return null;
            }
            x = x.kids[i];
        }
        return x;
    }

    /**
     * {@code find_vma}: the first VMA that ends above {@code addr}.
     *
     * @param addr an address
     * @return the VMA, or null
     */
    public Vma find(long addr) {
        Node l = leafFor(addr);
        if (l == null || l.lastEnd() <= addr) {
            return null;
        }
        return l.vmas[firstAbove(l.ends, l.n, addr)];
    }

    /**
     * {@code vma_lookup}: the VMA containing {@code addr}.
     *
     * @param addr an address
     * @return the VMA, or null
     */
    public Vma lookup(long addr) {
        Node l = leafFor(addr);
        if (l == null || l.lastEnd() <= addr) {
            return null;
        }
        int i = firstAbove(l.ends, l.n, addr);
        return l.keys2[i] <= addr ? l.vmas[i] : null;
    }

    /**
     * @param addr an address
     * @return the last VMA starting below {@code addr}, or null
     */
    public Vma before(long addr) {
        Node l = leafFor(addr);
        if (l == null || l.lastEnd() <= addr) {
            return last();
        }
        int i = firstAbove(l.ends, l.n, addr);
        // The first VMA ending above addr, if it starts below addr; else its predecessor (which ends at or below addr).
        return l.keys2[i] < addr ? l.vmas[i] : prevOf(l, i);
    }

    private static Vma prevOf(Node l, int i) {
        if (i > 0) {
            return l.vmas[i - 1];
        }
        return l.prev == null ? null : l.prev.vmas[l.prev.n - 1];
    }

    private static Vma nextOf(Node l, int i) {
        if (i + 1 < l.n) {
            return l.vmas[i + 1];
        }
        return l.next == null ? null : l.next.vmas[0];
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA before it ({@code vma_prev}), or null
     */
    public Vma prev(Vma vma) {
        Node l = vma.leaf;
        return l == null ? null : prevOf(l, l.indexOf(vma));
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA after it ({@code vma_next}), or null
     */
    public Vma next(Vma vma) {
        Node l = vma.leaf;
        return l == null ? null : nextOf(l, l.indexOf(vma));
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
        return head == null ? null : head.vmas[0];
    }

    /** @return the last VMA, or null */
    public Vma last() {
        return tail == null ? null : tail.vmas[tail.n - 1];
    }

    /** @return the VMAs in address order; do not change the tree while iterating */
    @Override
    public Iterator<Vma> iterator() {
        return walk(first(), this::next);
    }

    /** @return a copy of all VMAs in address order */
    public List<Vma> toList() {
        List<Vma> out = new ArrayList<>(size);
        for (Node l = head; l != null; l = l.next) {
            for (int i = 0; i < l.n; i++) {
                out.add(l.vmas[i]);
            }
        }
        return out;
    }

    Iterable<Vma> descendingBelow(long high) {
        return () -> walk(before(high), this::prev);
    }

    Iterable<Vma> ascendingFrom(long low) {
        return () -> walk(find(low), this::next);
    }

    /** Steps from VMA to VMA, one step ahead, so the caller may remove the VMA it was just given. */
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
        long r = root == null ? -1 : bottomUp(root, 0, low, high, len);
        if (r >= 0) {
            return r;
        }
        Vma lastVma = last();
        long tail = Math.max(lastVma == null ? 0 : lastVma.end, low);
        return high - tail >= len ? tail : -1;
    }

    /**
     * Lowest fitting gap under x, whose gaps start at or after {@code before} (the end of the
     * VMA preceding x's subtree, or 0). Children whose largest gap is too small are skipped.
     */
    private long bottomUp(Node x, long before, long low, long high, long len) {
        for (int i = 0; i < x.n; i++) {
            long gapStart = i > 0 ? x.ends[i - 1] : before;
            if (gapStart >= high) {
                return -1; // every later gap starts at or above high
            }
            if (x.ends[i] <= low) {
                continue; // every gap in this slot ends below low
            }
            if (x.leaf) {
                long gs = Math.max(gapStart, low);
                long ge = Math.min(x.keys2[i], high);
                if (ge - gs >= len) {
                    return gs;
                }
            } else if (x.keys2[i] >= len) {
                long r = bottomUp(x.kids[i], gapStart, low, high, len);
                if (r >= 0) {
                    return r;
                }
            }
        }
        return -1;
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
        return root == null ? -1 : topDown(root, 0, low, high, len);
    }

    /** Highest fitting gap under x; {@code before} as in {@link #bottomUp}. */
    private long topDown(Node x, long before, long low, long high, long len) {
        for (int i = x.n - 1; i >= 0; i--) {
            if (x.ends[i] <= low) {
                return -1; // this slot's gaps and all earlier ones end below low
            }
            long gapStart = i > 0 ? x.ends[i - 1] : before;
            if (gapStart >= high) {
                continue; // this slot's gaps start at or above high
            }
            if (x.leaf) {
                long gs = Math.max(gapStart, low);
                long ge = Math.min(x.keys2[i], high);
                if (ge - gs >= len) {
                    return ge - len;
                }
                if (gapStart <= low) {
                    return -1;
                }
            } else if (x.keys2[i] >= len) {
                long r = topDown(x.kids[i], gapStart, low, high, len);
                if (r >= 0) {
                    return r;
                }
            }
        }
        return -1;
    }

    // ------------------------------------------------------------ changes

    void insert(Vma vma) {
        Vma clash = findIntersection(vma.start, vma.end);
        if (clash != null || vma.start >= vma.end || vma.leaf != null) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps " + clash
                    + (vma.leaf != null ? " (it is already in a tree)" : ""));
        }
        if (root == null) {
            Node l = new Node(true);
            root = l;
            head = l;
            tail = l;
            putInLeaf(l, 0, vma);
        } else {
            Node l = leafFor(vma.start);
            if (l == null || l.lastEnd() <= vma.start) {
                putInLeaf(tail, tail.n, vma);
            } else {
                putInLeaf(l, firstAbove(l.ends, l.n, vma.start), vma);
            }
        }
        size++;
        vma.setDetached(false);
    }

    /** Puts a VMA into slot i of leaf l, splitting l if that overfills it. */
    private void putInLeaf(Node l, int i, Vma vma) {
        shiftRight(l, i);
        l.ends[i] = vma.end;
        l.keys2[i] = vma.start;
        l.vmas[i] = vma;
        vma.leaf = l;
        splitOverfull(l, i);
        // The next leaf's first gap starts at the end of the leaf that now holds the VMA.
        if (vma.leaf.next != null) {
            refreshUp(vma.leaf.next);
        }
    }

    private static void shiftRight(Node x, int i) {
        int k = x.n - i;
        System.arraycopy(x.ends, i, x.ends, i + 1, k);
        System.arraycopy(x.keys2, i, x.keys2, i + 1, k);
        System.arraycopy(x.refs(), i, x.refs(), i + 1, k);
        x.n++;
    }

    private static void removeSlot(Node x, int i) {
        int k = x.n - i - 1;
        System.arraycopy(x.ends, i + 1, x.ends, i, k);
        System.arraycopy(x.keys2, i + 1, x.keys2, i, k);
        System.arraycopy(x.refs(), i + 1, x.refs(), i, k);
        x.n--;
        x.refs()[x.n] = null;
    }

    /** Moves {@code count} slots of {@code src} from si into {@code dst} at di. */
    private static void move(Node src, int si, Node dst, int di, int count) {
        System.arraycopy(dst.ends, di, dst.ends, di + count, dst.n - di);
        System.arraycopy(dst.keys2, di, dst.keys2, di + count, dst.n - di);
        System.arraycopy(dst.refs(), di, dst.refs(), di + count, dst.n - di);
        System.arraycopy(src.ends, si, dst.ends, di, count);
        System.arraycopy(src.keys2, si, dst.keys2, di, count);
        System.arraycopy(src.refs(), si, dst.refs(), di, count);
        dst.n += count;
        dst.adopt(di, di + count);
        int rest = src.n - si - count;
        System.arraycopy(src.ends, si + count, src.ends, si, rest);
        System.arraycopy(src.keys2, si + count, src.keys2, si, rest);
        System.arraycopy(src.refs(), si + count, src.refs(), si, rest);
        Arrays.fill(src.refs(), src.n - count, src.n, null);
        src.n -= count;
    }

    /**
     * Splits a node that holds one entry too many (the new one, at slot i) into itself and a
     * new right sibling, and so on up while parents overfill; then refreshes the keys above.
     * An insert at a node's edge (ascending or descending mmap, a split at the last VMA) is
     * split off next to the new entry so the full part stays full: sequential growth leaves
     * nodes full, not half full.
     */
    private void splitOverfull(Node x, int i) {
        while (x.n > SLOTS) {
            int keep = i <= 1 ? 1 : i >= SLOTS - 1 ? SLOTS : (SLOTS + 1) / 2;
            Node r = new Node(x.leaf);
            move(x, keep, r, 0, x.n - keep);
            if (x.leaf) {
                r.prev = x;
                r.next = x.next;
                if (x.next != null) {
                    x.next.prev = r;
                } else {
                    tail = r;
                }
                x.next = r;
            }
            Node p = x.parent;
            if (p == null) {
                p = new Node(false);
                root = p;
                p.n = 1;
                p.kids[0] = x;
                x.parent = p;
            }
            int j = p.indexOf(x);
            p.ends[j] = x.lastEnd();
            p.keys2[j] = x.maxGap();
            shiftRight(p, j + 1);
            p.kids[j + 1] = r;
            r.parent = p;
            p.ends[j + 1] = r.lastEnd();
            p.keys2[j + 1] = r.maxGap();
            x = p;
            i = j + 1;
        }
        refreshUp(x);
    }

    void remove(Vma vma) {
        if (vma.isDetached() || !isInThisTree(vma)) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is not in this tree");
        }
        Node l = vma.leaf;
        removeSlot(l, l.indexOf(vma));
        vma.leaf = null;
        size--;
        vma.setDetached(true);
        if (l.n == 0) {
            Node after = l.next;
            unlinkLeaf(l);
            removeNode(l);
            if (after != null) {
                refreshUp(after);
            }
        } else {
            refreshLeafAndNext(l);
            rebalance(l);
        }
    }

    private boolean isInThisTree(Vma vma) {
        Node x = vma.leaf;
        if (x == null) {
            return false;
        }
        while (x.parent != null) {
            x = x.parent;
        }
        return x == root;
    }

    private void unlinkLeaf(Node l) {
        if (l.prev != null) {
            l.prev.next = l.next;
        } else {
            head = l.next;
        }
        if (l.next != null) {
            l.next.prev = l.prev;
        } else {
            tail = l.prev;
        }
        l.prev = null;
        l.next = null;
    }

    /** Takes an emptied or merged-away node out of its parent. */
    private void removeNode(Node x) {
        Node p = x.parent;
        x.parent = null;
        if (p == null) {
            root = null;
            return;
        }
        removeSlot(p, p.indexOf(x));
        if (p.n == 0) {
            removeNode(p);
            return;
        }
        refreshUp(p);
        rebalance(p);
    }

    /**
     * After a removal: merges an underfull node into a sibling, or evens the two out, and
     * shrinks the tree when the root branch is left with one child, so height stays O(log n).
     */
    private void rebalance(Node x) {
        Node p = x.parent;
        if (p == null) {
            while (!root.leaf && root.n == 1) {
                root = root.kids[0];
                root.parent = null;
            }
            return;
        }
        if (x.n >= MIN_FILL || p.n < 2) {
            return;
        }
        int j = p.indexOf(x);
        Node left = j > 0 ? p.kids[j - 1] : x;
        Node right = j > 0 ? x : p.kids[j + 1];
        if (left.n + right.n <= SLOTS) {
            move(right, 0, left, left.n, right.n);
            if (right.leaf) {
                unlinkLeaf(right);
            }
            refreshUp(left);
            removeNode(right);
            if (left.leaf) {
                refreshUp(left);
                if (left.next != null) {
                    refreshUp(left.next);
                }
            }
        } else if (left.n < right.n) {
            move(right, 0, left, left.n, (right.n - left.n) / 2);
            refreshUp(left);
            refreshUp(right);
        } else {
            move(left, left.n - (left.n - right.n) / 2, right, 0, (left.n - right.n) / 2);
            refreshUp(left);
            refreshUp(right);
        }
    }

    /**
     * Recomputes the slot keys of a VMA whose start or end moved in place, and the gaps around it.
     *
     * @throws IllegalStateException if the move broke the order (a caller bug)
     */
    void adjusted(Vma vma) {
        Node l = vma.leaf;
        if (l == null) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is not in a tree");
        }
        int i = l.indexOf(vma);
        Vma pred = prevOf(l, i);
        Vma succ = nextOf(l, i);
        if ((pred != null && pred.end > vma.start) || (succ != null && vma.end > succ.start) || vma.start >= vma.end) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps a neighbour after a resize");
        }
        l.keys2[i] = vma.start;
        l.ends[i] = vma.end;
        refreshLeafAndNext(l);
    }

    void clear() {
        for (Node l = head; l != null; l = l.next) {
            for (int i = 0; i < l.n; i++) {
                l.vmas[i].leaf = null;
                l.vmas[i].setDetached(true);
            }
        }
        root = null;
        head = null;
        tail = null;
        size = 0;
    }

    // ------------------------------------------------------------ augmentation

    /** A leaf changed: its keys and gaps, and the first gap of the next leaf (which starts at this leaf's last end). */
    private void refreshLeafAndNext(Node l) {
        refreshUp(l);
        if (l.next != null) {
            refreshUp(l.next);
        }
    }

    /** Recomputes x's key and largest gap in its parent, and so on up while anything changes. */
    private static void refreshUp(Node x) {
        while (x.parent != null) {
            Node p = x.parent;
            int j = p.indexOf(x);
            long end = x.lastEnd();
            long gap = x.maxGap();
            if (p.ends[j] == end && p.keys2[j] == gap) {
                return;
            }
            p.ends[j] = end;
            p.keys2[j] = gap;
            x = p;
        }
    }

    /** @return the number of node levels (0 when empty), for tests and diagnostics */
    int height() {
        int h = 0;
        for (Node x = root; x != null; x = x.leaf ? null : x.kids[0]) {
            h++;
        }
        return h;
    }

    /** Checks order, links, keys, gaps and equal leaf depth; for tests. */
    void verify() {
        if (root == null) {
            if (size != 0 || head != null || tail != null) {
                throw new IllegalStateException("empty tree with size " + size + " or leaves");
            }
            return;
        }
        if (root.parent != null) {
            throw new IllegalStateException("root has a parent");
        }
        List<Node> leaves = new ArrayList<>();
        verify(root, leaves);
        int depth = -1;
        long count = 0;
        long lastEnd = Long.MIN_VALUE;
        Node prevLeaf = null;
        for (Node l : leaves) {
            if (l.prev != prevLeaf || (prevLeaf == null ? head != l : prevLeaf.next != l)) {
                throw new IllegalStateException("bad sibling links at leaf of " + l.vmas[0]);
            }
            int d = 0;
            for (Node x = l; x.parent != null; x = x.parent) {
                d++;
            }
            if (depth >= 0 && d != depth) {
                throw new IllegalStateException("leaves at depths " + depth + " and " + d);
            }
            depth = d;
            for (int i = 0; i < l.n; i++) {
                Vma v = l.vmas[i];
                if (v.leaf != l || v.isDetached() || l.keys2[i] != v.start || l.ends[i] != v.end
                        || v.start >= v.end || v.start < lastEnd) {
                    throw new IllegalStateException("bad order, keys or back link at " + v);
                }
                lastEnd = v.end;
                count++;
            }
            prevLeaf = l;
        }
        if (tail != prevLeaf || count != size) {
            throw new IllegalStateException("bad tail or size " + size + " for " + count + " VMAs");
        }
        // The largest node count at this depth if every non-root node were minimally full keeps the height logarithmic.
        if (depth > 1 && Math.pow(2, depth - 1) > Math.max(count, 1)) {
            throw new IllegalStateException("tree of " + count + " VMAs is " + depth + " levels deep");
        }
    }

    private void verify(Node x, List<Node> leaves) {
        if (x.n < 1 || x.n > SLOTS || (x != root && x.parent == null)) {
            throw new IllegalStateException("bad node fill " + x.n);
        }
        Object[] refs = x.refs();
        for (int i = x.n; i < refs.length; i++) {
            if (refs[i] != null) {
                throw new IllegalStateException("stale reference past the end of a node");
            }
        }
        if (x.leaf) {
            leaves.add(x);
            return;
        }
        for (int i = 0; i < x.n; i++) {
            Node k = x.kids[i];
            if (k.parent != x || k.leaf != x.kids[0].leaf) {
                throw new IllegalStateException("bad parent link or mixed levels");
            }
            verify(k, leaves);
        }
        for (int i = 0; i < x.n; i++) {
            Node k = x.kids[i];
            if (x.ends[i] != k.lastEnd() || x.keys2[i] != k.maxGap()) {
                throw new IllegalStateException("bad key or gap for child " + i + ": " + x.ends[i] + "/" + x.keys2[i]
                        + " vs " + k.lastEnd() + "/" + k.maxGap());
            }
        }
    }
}
