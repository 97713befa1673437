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
 * <p>Why this layout: with a million VMAs the nodes are far larger than the caches, and a lookup
 * costs what its chain of dependent cache misses costs. So nodes are not objects: a node is an
 * int id into pooled primitive arrays, one pool for leaves and one for branches (so the branches,
 * which every lookup crosses, sit densely together and stay cached), and a node's keys are one
 * contiguous run of longs. A branch slot holds the pivot and the child's id side by side, so the
 * descent reads no object and no second array; a lookup touches an object only when it returns
 * the VMA. Each node is searched with a branch-free count over all its slots (unused slots hold
 * {@link #NONE}): the loads are independent of each other and of the comparisons, so the CPU
 * issues them together and a node costs about one memory latency, not one per binary-search
 * probe, and nothing is mispredicted. The leaf's VMA references are touched as soon as the leaf
 * is known, so their line arrives together with the keys'.
 *
 * <p>Leaves hold the VMAs in address order together with copies of their start and end (so a
 * lookup does not dereference the VMAs it passes over) and are linked to their siblings, so
 * {@link #prev}/{@link #next} cost one scan of one leaf. A branch keeps, per child, the end of
 * the child's last VMA (the search key, like a maple-tree pivot) and the largest gap in the
 * child. A VMA's gap is the free space between the end of its predecessor (or address 0) and
 * its start. Each VMA holds the id of its leaf ({@code Vma.leaf}).
 *
 * <p>Find, insert, remove, neighbours and the free-area searches ({@code unmapped_area},
 * {@code unmapped_area_topdown}) are O(log n); appending after the last VMA (fork copying a
 * parent in order, ascending mmap) skips the descent, and {@link #build} fills an empty tree
 * from sorted VMAs bottom-up in O(n). Callers that move a VMA's start or end in place (merge,
 * split, mremap) call {@link #adjusted(Vma)}; such moves never change the order.
 *
 * <p>Not thread-safe: callers hold the mmap lock (write for changes, read for lookups).
 */
public final class VmaTree implements Iterable<Vma> {
    /**
     * Entries per node: a leaf's 16 start/end pairs are four cache lines and its 16 references
     * one, fetched together; a branch's 16 last-end/child pairs are four lines. A million VMAs
     * need five levels, of which the four branch levels (about a megabyte) stay cached.
     */
    static final int SLOTS = 16;
    /** Below this a node is merged with or refilled from a sibling after a removal. */
    private static final int MIN_FILL = SLOTS / 4;
    /** Longs per node in an arena's keys: a pair per slot. */
    private static final int STRIDE = 2 * SLOTS;
    /**
     * The key of an unused slot: above every address, so the branch-free search never counts it
     * and needs no bound on the node's fill.
     */
    private static final long NONE = Long.MAX_VALUE;
    /**
     * Offsets of node 0 in an arena's keys and in the leaf references. Large arrays (G1 humongous
     * objects) start on a region boundary and their elements 16 bytes later; these pads put every
     * node's keys and every leaf's references (4-byte compressed oops) on cache-line boundaries
     * there, so a leaf is exactly five lines. Elsewhere they only cost a few bytes.
     */
    private static final int KEY_PAD = 6;
    private static final int REF_PAD = 12;
    /** No node. Leaves have ids 0, 1, 2...; branch b of the branch arena has id {@code -2 - b}. */
    private static final int NIL = -1;

    /**
     * A pool of nodes of one kind, by index. Node i slot j is the pair
     * {@code keys[KEY_PAD + i * STRIDE + 2 * j]} and the long after it: in a leaf, the VMA's
     * start and end; in a branch, the child's id and the end of the last VMA under the child
     * (the pivot), so the child is in the lines the search has just read. Unused slots hold NONE.
     */
    private static final class Arena {
        final boolean leaf;
        long[] keys;
        int[] count;
        /** The parent branch's id, or NIL. */
        int[] parent;
        /** Leaves: the VMAs, {@code refs[REF_PAD + i * SLOTS + j]}. */
        Vma[] refs;
        /** Leaves: siblings in address order, NIL at the ends. */
        int[] prev;
        int[] next;
        /** Branches: the largest gap under each child, {@code gaps[i * SLOTS + j]}. */
        long[] gaps;
        /** Indexes handed out so far; freed ones wait in {@code free} for reuse. */
        int used;
        int[] free = new int[4];
        int freeCount;

        Arena(boolean leaf, int capacity) {
            this.leaf = leaf;
            keys = new long[KEY_PAD + capacity * STRIDE];
            Arrays.fill(keys, NONE);
            count = new int[capacity];
            parent = new int[capacity];
            if (leaf) {
                refs = new Vma[REF_PAD + capacity * SLOTS];
                prev = new int[capacity];
                next = new int[capacity];
            } else {
                gaps = new long[capacity * SLOTS];
            }
        }

        int alloc() {
            int i;
            if (freeCount > 0) {
                i = free[--freeCount];
            } else {
                if (used == count.length) {
                    grow();
                }
                i = used++;
            }
            count[i] = 0;
            parent[i] = NIL;
            if (leaf) {
                prev[i] = NIL;
                next[i] = NIL;
            }
            return i;
        }

        /** Grows by half: the arenas of a million VMAs are tens of MB, so doubling would waste much. */
        private void grow() {
            int cap = count.length + Math.max(4, count.length / 2);
            int old = keys.length;
            keys = Arrays.copyOf(keys, KEY_PAD + cap * STRIDE);
            Arrays.fill(keys, old, keys.length, NONE);
            count = Arrays.copyOf(count, cap);
            parent = Arrays.copyOf(parent, cap);
            if (leaf) {
                refs = Arrays.copyOf(refs, REF_PAD + cap * SLOTS);
                prev = Arrays.copyOf(prev, cap);
                next = Arrays.copyOf(next, cap);
            } else {
                gaps = Arrays.copyOf(gaps, cap * SLOTS);
            }
        }

        /** Returns an emptied node to the pool; its slots already hold NONE and null. */
        void release(int i) {
            count[i] = 0;
            parent[i] = NIL;
            if (freeCount == free.length) {
                free = Arrays.copyOf(free, freeCount * 2);
            }
            free[freeCount++] = i;
        }

        boolean isFree(int i) {
            for (int f = 0; f < freeCount; f++) {
                if (free[f] == i) {
                    return true;
                }
            }
            return false;
        }
    }

    private Arena leaves;
    private Arena branches;
    private int root = NIL;
    private int head = NIL;
    private int tail = NIL;
    /** Node levels, 0 when empty: a lookup descends through height - 1 branches. */
    private int height;
    private int size;
    /** Node splits so far: an insert that split refreshes the keys above it up to the root. */
    private int splits;

    /** An empty tree. */
    public VmaTree() {
        reset(4);
    }

    private void reset(int leafCapacity) {
        leaves = new Arena(true, leafCapacity);
        branches = new Arena(false, Math.max(4, leafCapacity / (SLOTS - 1) + 2));
        root = NIL;
        head = NIL;
        tail = NIL;
        height = 0;
        size = 0;
    }

    /** @return the number of VMAs in the tree */
    public int size() {
        return size;
    }

    // ------------------------------------------------------------ node access

    private static boolean isLeaf(int x) {
        return x >= 0;
    }

    private static int branchId(int b) {
        return -2 - b;
    }

    private Arena arena(int x) {
        return x >= 0 ? leaves : branches;
    }

    /** The node's index in its arena. */
    private static int ix(int x) {
        return x >= 0 ? x : -2 - x;
    }

    private static int kb(int i) {
        return KEY_PAD + i * STRIDE;
    }

    private static int rb(int i) {
        return REF_PAD + i * SLOTS;
    }

    private int count(int x) {
        return arena(x).count[ix(x)];
    }

    private int parent(int x) {
        return arena(x).parent[ix(x)];
    }

    private void setParent(int x, int p) {
        arena(x).parent[ix(x)] = p;
    }

    /** Leaf: the VMA's end; branch: the end of the last VMA under the child. */
    private long end(int x, int j) {
        return arena(x).keys[kb(ix(x)) + 2 * j + 1];
    }

    private long start(int l, int j) {
        return leaves.keys[kb(l) + 2 * j];
    }

    private int kid(int b, int j) {
        return (int) branches.keys[kb(ix(b)) + 2 * j];
    }

    private long gapOfKid(int b, int j) {
        return branches.gaps[ix(b) * SLOTS + j];
    }

    private long lastEnd(int x) {
        return end(x, count(x) - 1);
    }

    private Vma vmaAt(int l, int j) {
        return leaves.refs[rb(l) + j];
    }

    private int prevLeaf(int l) {
        return leaves.prev[l];
    }

    private int nextLeaf(int l) {
        return leaves.next[l];
    }

    // ------------------------------------------------------------ lookups

    /**
     * The first slot of the node at {@code keys[b..]} whose end (leaf) or pivot (branch) is above
     * addr, or SLOTS if none is: a branch-free count of the slots at or below addr over all
     * SLOTS slots (keys ascend and unused ones are NONE), so the CPU fetches the node's lines
     * together and mispredicts nothing.
     */
    private static int firstAbove(long[] keys, int b, long addr) {
        if (addr < 0) {
            return 0; // keys are never negative; the count below needs addr >= 0 not to overflow
        }
        int c = 0;
        for (int j = b + 1; j < b + STRIDE; j += 2) {
            // 1 exactly when keys[j] <= addr: keys[j] - addr - 1 is then negative.
            c += (int) ((keys[j] - addr - 1) >>> 63);
        }
        return c;
    }

    private int firstAbove(int x, long addr) {
        return firstAbove(arena(x).keys, kb(ix(x)), addr);
    }

    /** @return the leaf holding the first VMA that ends above addr, or NIL if none does */
    private int leafFor(long addr) {
        if (root == NIL || addr >= lastEnd(tail)) {
            return NIL;
        }
        // Below the last end, every pivot on the way down is above addr: no fill checks needed.
        int x = root;
        long[] bk = branches.keys;
        for (int h = height; h > 1; h--) {
            int b = kb(-2 - x);
            x = (int) bk[b + 2 * firstAbove(bk, b, addr)];
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
        int l = leafFor(addr);
        return l == NIL ? null : vmaAt(l, firstAbove(leaves.keys, kb(l), addr));
    }

    /**
     * {@code vma_lookup}: the VMA containing {@code addr}.
     *
     * @param addr an address
     * @return the VMA, or null
     */
    public Vma lookup(long addr) {
        int l = leafFor(addr);
        if (l == NIL) {
            return null;
        }
        int r = rb(l);
        Vma[] rs = leaves.refs;
        // Loaded now, before the search, so the references' line is fetched together with the
        // keys' lines instead of after them; a leaf's slot 0 is never empty.
        if (rs[r] == null) {
            throw new IllegalStateException("VMA tree corruption: empty leaf " + l);
        }
        long[] k = leaves.keys;
        int b = kb(l);
        int j = firstAbove(k, b, addr);
        return k[b + 2 * j] <= addr ? rs[r + j] : null;
    }

    /**
     * @param addr an address
     * @return the last VMA starting below {@code addr}, or null
     */
    public Vma before(long addr) {
        int l = leafFor(addr);
        if (l == NIL) {
            return last();
        }
        int j = firstAbove(l, addr);
        // The first VMA ending above addr, if it starts below addr; else its predecessor (which ends at or below addr).
        return start(l, j) < addr ? vmaAt(l, j) : prevOf(l, j);
    }

    private Vma prevOf(int l, int j) {
        if (j > 0) {
            return vmaAt(l, j - 1);
        }
        int p = prevLeaf(l);
        return p == NIL ? null : vmaAt(p, count(p) - 1);
    }

    private Vma nextOf(int l, int j) {
        if (j + 1 < count(l)) {
            return vmaAt(l, j + 1);
        }
        int n = nextLeaf(l);
        return n == NIL ? null : vmaAt(n, 0);
    }

    /** The slot of vma in its leaf of this tree, or -1 if it is not in this tree. */
    private int slotOf(Vma vma) {
        int l = vma.leaf;
        if (l < 0 || l >= leaves.used) {
            return -1;
        }
        int r = rb(l);
        for (int j = 0; j < leaves.count[l]; j++) {
            if (leaves.refs[r + j] == vma) {
                return j;
            }
        }
        return -1;
    }

    private int slotOfOrFail(Vma vma) {
        int j = slotOf(vma);
        if (j < 0) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is not in this tree");
        }
        return j;
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA before it ({@code vma_prev}), or null
     */
    public Vma prev(Vma vma) {
        return vma.leaf == NIL ? null : prevOf(vma.leaf, slotOfOrFail(vma));
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA after it ({@code vma_next}), or null
     */
    public Vma next(Vma vma) {
        return vma.leaf == NIL ? null : nextOf(vma.leaf, slotOfOrFail(vma));
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
        return head == NIL ? null : vmaAt(head, 0);
    }

    /** @return the last VMA, or null */
    public Vma last() {
        return tail == NIL ? null : vmaAt(tail, count(tail) - 1);
    }

    /** @return the VMAs in address order; do not change the tree while iterating */
    @Override
    public Iterator<Vma> iterator() {
        return walk(first(), this::next);
    }

    /** @return a copy of all VMAs in address order */
    public List<Vma> toList() {
        List<Vma> out = new ArrayList<>(size);
        for (int l = head; l != NIL; l = nextLeaf(l)) {
            for (int j = 0; j < count(l); j++) {
                out.add(vmaAt(l, j));
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
        long r = root == NIL ? -1 : bottomUp(root, 0, low, high, len);
        if (r >= 0) {
            return r;
        }
        Vma lastVma = last();
        long tailEnd = Math.max(lastVma == null ? 0 : lastVma.end, low);
        return high - tailEnd >= len ? tailEnd : -1;
    }

    /**
     * Lowest fitting gap under x, whose gaps start at or after {@code before} (the end of the
     * VMA preceding x's subtree, or 0). Children whose largest gap is too small are skipped.
     */
    private long bottomUp(int x, long before, long low, long high, long len) {
        for (int j = 0; j < count(x); j++) {
            long gapStart = j > 0 ? end(x, j - 1) : before;
            if (gapStart >= high) {
                return -1; // every later gap starts at or above high
            }
            if (end(x, j) <= low) {
                continue; // every gap in this slot ends below low
            }
            if (isLeaf(x)) {
                long gs = Math.max(gapStart, low);
                long ge = Math.min(start(x, j), high);
                if (ge - gs >= len) {
                    return gs;
                }
            } else if (gapOfKid(x, j) >= len) {
                long r = bottomUp(kid(x, j), gapStart, low, high, len);
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
        long tailEnd = Math.max(lastVma == null ? 0 : lastVma.end, low);
        if (high - tailEnd >= len) {
            return high - len;
        }
        return root == NIL ? -1 : topDown(root, 0, low, high, len);
    }

    /** Highest fitting gap under x; {@code before} as in {@link #bottomUp}. */
    private long topDown(int x, long before, long low, long high, long len) {
        for (int j = count(x) - 1; j >= 0; j--) {
            if (end(x, j) <= low) {
                return -1; // this slot's gaps and all earlier ones end below low
            }
            long gapStart = j > 0 ? end(x, j - 1) : before;
            if (gapStart >= high) {
                continue; // this slot's gaps start at or above high
            }
            if (isLeaf(x)) {
                long gs = Math.max(gapStart, low);
                long ge = Math.min(start(x, j), high);
                if (ge - gs >= len) {
                    return ge - len;
                }
                if (gapStart <= low) {
                    return -1;
                }
            } else if (gapOfKid(x, j) >= len) {
                long r = topDown(kid(x, j), gapStart, low, high, len);
                if (r >= 0) {
                    return r;
                }
            }
        }
        return -1;
    }

    // ------------------------------------------------------------ changes

    void insert(Vma vma) {
        if (vma.leaf != NIL || !vma.isDetached()) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is already in a tree");
        }
        if (vma.start >= vma.end) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is empty or inverted");
        }
        if (root == NIL) {
            int l = leaves.alloc();
            root = l;
            head = l;
            tail = l;
            height = 1;
            putVma(l, 0, vma);
        } else if (vma.start >= lastEnd(tail)) {
            append(vma);
        } else {
            int l = leafFor(vma.start);
            int j = firstAbove(l, vma.start);
            Vma clash = vmaAt(l, j);
            if (clash.start < vma.end) {
                throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps " + clash);
            }
            putVma(l, j, vma);
        }
        size++;
        vma.setDetached(false);
    }

    /**
     * Puts a VMA after the last one (fork copying in order, ascending mmap): no descent and no
     * search. When the last leaf has room, its ancestors are each the last child of theirs, so
     * each level only takes the new end as pivot and the new gap into its largest gap.
     */
    private void append(Vma vma) {
        int l = tail;
        int n = leaves.count[l];
        if (n == SLOTS) {
            putVma(l, n, vma);
            return;
        }
        long gap = vma.start - end(l, n - 1);
        putSlot(l, n, vma, NIL, vma.start, vma.end);
        for (int p = parent(l); p != NIL; p = parent(p)) {
            int j = count(p) - 1;
            setBranchSlot(p, j, Math.max(gapOfKid(p, j), gap), vma.end);
        }
    }

    /** Puts a VMA into slot j of leaf l (splitting full nodes) and refreshes the keys and gaps above. */
    private void putVma(int l, int j, Vma vma) {
        int splitsBefore = splits;
        int holder = insertAt(l, j, vma, NIL, vma.start, vma.end);
        refreshUp(holder, splits != splitsBefore);
        // The next leaf's first gap starts at the end of the leaf that now holds the VMA.
        if (nextLeaf(holder) != NIL) {
            refreshUp(nextLeaf(holder));
        }
    }

    /**
     * Inserts an entry (a VMA into a leaf, or a child into a branch) at slot j of x. A full node
     * is split first, with a new right sibling, and the sibling inserted into the parent the
     * same way, up to a new root. An insert at a node's edge (ascending or descending mmap, a
     * split at the last VMA) is split off next to the new entry so the full part stays full:
     * sequential growth leaves nodes full, not half full.
     *
     * @param vma the VMA for a leaf, null for a branch
     * @param kid the child for a branch
     * @param k the VMA's start (leaf) or the child's largest gap (branch)
     * @param end the VMA's end (leaf) or the child's last end (branch)
     * @return the node that holds the entry
     */
    private int insertAt(int x, int j, Vma vma, int kid, long k, long end) {
        if (count(x) < SLOTS) {
            putSlot(x, j, vma, kid, k, end);
            return x;
        }
        // Of the SLOTS + 1 entries, the first `keep` stay in x.
        int keep = j <= 1 ? 1 : j >= SLOTS - 1 ? SLOTS : (SLOTS + 1) / 2;
        boolean leaf = isLeaf(x);
        int r = leaf ? leaves.alloc() : branchId(branches.alloc());
        splits++;
        int holder;
        if (j < keep) {
            move(x, keep - 1, r, 0, SLOTS - keep + 1);
            putSlot(x, j, vma, kid, k, end);
            holder = x;
        } else {
            move(x, keep, r, 0, SLOTS - keep);
            putSlot(r, j - keep, vma, kid, k, end);
            holder = r;
        }
        if (leaf) {
            int after = leaves.next[x];
            leaves.prev[r] = x;
            leaves.next[r] = after;
            if (after != NIL) {
                leaves.prev[after] = r;
            } else {
                tail = r;
            }
            leaves.next[x] = r;
        }
        int p = parent(x);
        if (p == NIL) {
            p = branchId(branches.alloc());
            root = p;
            height++;
            putSlot(p, 0, null, x, 0, 0);
        }
        int i = indexOfKid(p, x);
        setBranchSlot(p, i, maxGap(x), lastEnd(x));
        insertAt(p, i + 1, null, r, maxGap(r), lastEnd(r));
        return holder;
    }

    private void setBranchSlot(int b, int j, long gap, long end) {
        int i = ix(b);
        branches.keys[kb(i) + 2 * j + 1] = end;
        branches.gaps[i * SLOTS + j] = gap;
    }

    /** Shifts slots [j, count) of x right by one and puts the entry into slot j; x has room. */
    private void putSlot(int x, int j, Vma vma, int kid, long k, long end) {
        Arena a = arena(x);
        int i = ix(x);
        int n = a.count[i];
        int b = kb(i);
        System.arraycopy(a.keys, b + 2 * j, a.keys, b + 2 * j + 2, 2 * (n - j));
        a.keys[b + 2 * j + 1] = end;
        if (a.leaf) {
            a.keys[b + 2 * j] = k;
            int r = rb(i);
            System.arraycopy(a.refs, r + j, a.refs, r + j + 1, n - j);
            a.refs[r + j] = vma;
            vma.leaf = x;
        } else {
            a.keys[b + 2 * j] = kid;
            int g = i * SLOTS;
            System.arraycopy(a.gaps, g + j, a.gaps, g + j + 1, n - j);
            a.gaps[g + j] = k;
            setParent(kid, x);
        }
        a.count[i] = n + 1;
    }

    /** Removes slot j of x, shifting the rest left; the freed last slot gets NONE keys and no reference. */
    private void removeSlot(int x, int j) {
        Arena a = arena(x);
        int i = ix(x);
        int n = a.count[i];
        int b = kb(i);
        System.arraycopy(a.keys, b + 2 * j + 2, a.keys, b + 2 * j, 2 * (n - j - 1));
        a.keys[b + 2 * (n - 1)] = NONE;
        a.keys[b + 2 * (n - 1) + 1] = NONE;
        if (a.leaf) {
            int r = rb(i);
            System.arraycopy(a.refs, r + j + 1, a.refs, r + j, n - j - 1);
            a.refs[r + n - 1] = null;
        } else {
            int g = i * SLOTS;
            System.arraycopy(a.gaps, g + j + 1, a.gaps, g + j, n - j - 1);
        }
        a.count[i] = n - 1;
    }

    /** Moves {@code cnt} slots of {@code src} from si into {@code dst} at di (both of one kind; dst has room). */
    private void move(int src, int si, int dst, int di, int cnt) {
        Arena a = arena(src);
        int s = ix(src);
        int d = ix(dst);
        int sn = a.count[s];
        int dn = a.count[d];
        shift(a.keys, kb(s), kb(d), 2, si, di, cnt, sn, dn);
        Arrays.fill(a.keys, kb(s) + 2 * (sn - cnt), kb(s) + 2 * sn, NONE);
        if (a.leaf) {
            shift(a.refs, rb(s), rb(d), 1, si, di, cnt, sn, dn);
            Arrays.fill(a.refs, rb(s) + sn - cnt, rb(s) + sn, null);
            for (int j = di; j < di + cnt; j++) {
                a.refs[rb(d) + j].leaf = dst;
            }
        } else {
            shift(a.gaps, s * SLOTS, d * SLOTS, 1, si, di, cnt, sn, dn);
            for (int j = di; j < di + cnt; j++) {
                setParent(kid(dst, j), dst);
            }
        }
        a.count[s] = sn - cnt;
        a.count[d] = dn + cnt;
    }

    /**
     * The array part of {@link #move} for one array with {@code w} elements per slot: opens room
     * at di in the destination, copies the slots over and closes the hole in the source.
     */
    private static void shift(Object arr, int sb, int db, int w, int si, int di, int cnt, int sn, int dn) {
        System.arraycopy(arr, db + w * di, arr, db + w * (di + cnt), w * (dn - di));
        System.arraycopy(arr, sb + w * si, arr, db + w * di, w * cnt);
        System.arraycopy(arr, sb + w * (si + cnt), arr, sb + w * si, w * (sn - si - cnt));
    }

    private int indexOfKid(int p, int x) {
        int b = kb(ix(p));
        long[] k = branches.keys;
        for (int j = 0; j < count(p); j++) {
            if (k[b + 2 * j] == x) {
                return j;
            }
        }
        throw new IllegalStateException("VMA tree corruption: node " + x + " is not in its parent " + p);
    }

    void remove(Vma vma) {
        int j = vma.isDetached() ? -1 : slotOf(vma);
        if (j < 0) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is not in this tree");
        }
        int l = vma.leaf;
        removeSlot(l, j);
        vma.leaf = NIL;
        size--;
        vma.setDetached(true);
        if (count(l) == 0) {
            int after = nextLeaf(l);
            unlinkLeaf(l);
            removeNode(l);
            if (after != NIL) {
                refreshUp(after);
            }
        } else {
            refreshLeafAndNext(l);
            rebalance(l);
        }
    }

    private void unlinkLeaf(int l) {
        int p = leaves.prev[l];
        int n = leaves.next[l];
        if (p != NIL) {
            leaves.next[p] = n;
        } else {
            head = n;
        }
        if (n != NIL) {
            leaves.prev[n] = p;
        } else {
            tail = p;
        }
        leaves.prev[l] = NIL;
        leaves.next[l] = NIL;
    }

    private void release(int x) {
        arena(x).release(ix(x));
    }

    /** Takes an emptied or merged-away node out of its parent and returns it to its pool. */
    private void removeNode(int x) {
        int p = parent(x);
        release(x);
        if (p == NIL) {
            root = NIL;
            height = 0;
            return;
        }
        removeSlot(p, indexOfKid(p, x));
        if (count(p) == 0) {
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
    private void rebalance(int x) {
        int p = parent(x);
        if (p == NIL) {
            while (root != NIL && !isLeaf(root) && count(root) == 1) {
                int old = root;
                root = kid(old, 0);
                setParent(root, NIL);
                removeSlot(old, 0);
                release(old);
                height--;
            }
            return;
        }
        if (count(x) >= MIN_FILL || count(p) < 2) {
            return;
        }
        int j = indexOfKid(p, x);
        int left = j > 0 ? kid(p, j - 1) : x;
        int right = j > 0 ? x : kid(p, j + 1);
        int ln = count(left);
        int rn = count(right);
        if (ln + rn <= SLOTS) {
            move(right, 0, left, ln, rn);
            if (isLeaf(right)) {
                unlinkLeaf(right);
            }
            refreshUp(left);
            removeNode(right);
            if (isLeaf(left)) {
                refreshLeafAndNext(left);
            }
        } else if (ln < rn) {
            move(right, 0, left, ln, (rn - ln) / 2);
            refreshUp(left);
            refreshUp(right);
        } else {
            move(left, ln - (ln - rn) / 2, right, 0, (ln - rn) / 2);
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
        int j = slotOf(vma);
        if (j < 0) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is not in a tree");
        }
        int l = vma.leaf;
        Vma pred = prevOf(l, j);
        Vma succ = nextOf(l, j);
        if ((pred != null && pred.end > vma.start) || (succ != null && vma.end > succ.start) || vma.start >= vma.end) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps a neighbour after a resize");
        }
        int b = kb(l) + 2 * j;
        leaves.keys[b] = vma.start;
        leaves.keys[b + 1] = vma.end;
        refreshLeafAndNext(l);
    }

    void clear() {
        for (int l = head; l != NIL; l = nextLeaf(l)) {
            for (int j = 0; j < count(l); j++) {
                Vma v = vmaAt(l, j);
                v.leaf = NIL;
                v.setDetached(true);
            }
        }
        reset(4);
    }

    /**
     * Fills this empty tree with VMAs already in address order, bottom-up in O(n): full leaves
     * left to right, then each level of branches over the one below, up to a single root (the
     * last two nodes of a level share their entries when the last would be underfull). The
     * result holds what inserting the VMAs one by one gives, without a descent per VMA.
     *
     * @param sorted detached VMAs in ascending, non-overlapping order
     * @throws IllegalStateException if the tree is not empty, or a VMA is attached, empty or out of order
     */
    void build(List<Vma> sorted) {
        if (root != NIL) {
            throw new IllegalStateException("VMA tree corruption: bulk build into a tree of " + size + " VMAs");
        }
        long lastEnd = Long.MIN_VALUE;
        for (Vma v : sorted) {
            if (v.leaf != NIL || !v.isDetached() || v.start >= v.end || v.start < lastEnd) {
                throw new IllegalStateException("VMA tree corruption: bulk build given " + v
                        + (v.start < lastEnd ? " out of order" : " attached or empty"));
            }
            lastEnd = v.end;
        }
        int n = sorted.size();
        if (n == 0) {
            return;
        }
        int nleaves = (n + SLOTS - 1) / SLOTS;
        reset(nleaves);
        int[] level = new int[nleaves];
        int prev = NIL;
        for (int i = 0; i < nleaves; i++) {
            int l = leaves.alloc();
            level[i] = l;
            leaves.prev[l] = prev;
            if (prev != NIL) {
                leaves.next[prev] = l;
            }
            prev = l;
            int from = fillStart(i, nleaves, n);
            int to = fillStart(i + 1, nleaves, n);
            int b = kb(l);
            int r = rb(l);
            for (int e = from; e < to; e++) {
                Vma v = sorted.get(e);
                leaves.keys[b + 2 * (e - from)] = v.start;
                leaves.keys[b + 2 * (e - from) + 1] = v.end;
                leaves.refs[r + e - from] = v;
                v.leaf = l;
                v.setDetached(false);
            }
            leaves.count[l] = to - from;
        }
        head = level[0];
        tail = prev;
        size = n;
        height = 1;
        while (level.length > 1) {
            int m = (level.length + SLOTS - 1) / SLOTS;
            int[] up = new int[m];
            for (int i = 0; i < m; i++) {
                int p = branchId(branches.alloc());
                up[i] = p;
                int from = fillStart(i, m, level.length);
                int to = fillStart(i + 1, m, level.length);
                for (int e = from; e < to; e++) {
                    int c = level[e];
                    putSlot(p, e - from, null, c, maxGap(c), lastEnd(c));
                }
            }
            level = up;
            height++;
        }
        root = level[0];
    }

    /**
     * Where the i-th of {@code nodes} nodes of a level starts among {@code n} entries: SLOTS per
     * node, except that the last two split their entries evenly when the last would be underfull.
     */
    private static int fillStart(int i, int nodes, int n) {
        if (i < nodes - 1 || nodes < 2) {
            return Math.min(i * SLOTS, n);
        }
        if (i == nodes) {
            return n;
        }
        int lastTwo = n - (nodes - 2) * SLOTS;
        return lastTwo - SLOTS >= MIN_FILL ? i * SLOTS : (nodes - 2) * SLOTS + lastTwo / 2;
    }

    // ------------------------------------------------------------ augmentation

    private long maxGap(int x) {
        long m = Long.MIN_VALUE;
        if (isLeaf(x)) {
            long[] k = leaves.keys;
            int b = kb(x);
            int p = leaves.prev[x];
            long before = p == NIL ? 0 : lastEnd(p);
            for (int j = 0, n = leaves.count[x]; j < n; j++) {
                m = Math.max(m, k[b + 2 * j] - before);
                before = k[b + 2 * j + 1];
            }
        } else {
            long[] g = branches.gaps;
            int i = ix(x);
            for (int j = i * SLOTS, e = j + branches.count[i]; j < e; j++) {
                m = Math.max(m, g[j]);
            }
        }
        return m;
    }

    /** A leaf changed: its keys and gaps, and the first gap of the next leaf (which starts at this leaf's last end). */
    private void refreshLeafAndNext(int l) {
        refreshUp(l);
        if (nextLeaf(l) != NIL) {
            refreshUp(nextLeaf(l));
        }
    }

    /**
     * Recomputes x's pivot and largest gap in its parent, and so on up while anything changes:
     * every entry above is a function of the entries below it, so an unchanged one ends the walk.
     */
    private void refreshUp(int x) {
        refreshUp(x, false);
    }

    /**
     * @param all go on to the root even past unchanged levels: after a split, an ancestor above
     *        the node's (freshly computed) entry may still lack the new sibling's gap
     */
    private void refreshUp(int x, boolean all) {
        for (int p = parent(x); p != NIL; x = p, p = parent(x)) {
            int j = indexOfKid(p, x);
            long gap = maxGap(x);
            long end = lastEnd(x);
            if (!all && end(p, j) == end && gapOfKid(p, j) == gap) {
                return;
            }
            setBranchSlot(p, j, gap, end);
        }
    }

    /** @return the number of node levels (0 when empty), for tests and diagnostics */
    int height() {
        return height;
    }

    /** Checks order, links, keys, gaps, unused slots, the node pools, height and equal leaf depth; for tests. */
    void verify() {
        if (root == NIL) {
            if (size != 0 || head != NIL || tail != NIL || height != 0) {
                throw new IllegalStateException("empty tree with size " + size + ", height " + height + " or leaves");
            }
            return;
        }
        if (parent(root) != NIL) {
            throw new IllegalStateException("root has a parent");
        }
        List<Integer> leafList = new ArrayList<>();
        int[] live = new int[2];
        verify(root, leafList, live);
        checkPool(leaves, live[0]);
        checkPool(branches, live[1]);
        int depth = -1;
        long total = 0;
        long lastEnd = Long.MIN_VALUE;
        int prev = NIL;
        for (int l : leafList) {
            if (prevLeaf(l) != prev || (prev == NIL ? head != l : nextLeaf(prev) != l)) {
                throw new IllegalStateException("bad sibling links at leaf of " + vmaAt(l, 0));
            }
            int d = 0;
            for (int x = l; parent(x) != NIL; x = parent(x)) {
                d++;
            }
            if (depth >= 0 && d != depth) {
                throw new IllegalStateException("leaves at depths " + depth + " and " + d);
            }
            depth = d;
            for (int j = 0; j < count(l); j++) {
                Vma v = vmaAt(l, j);
                if (v.leaf != l || v.isDetached() || start(l, j) != v.start || end(l, j) != v.end
                        || v.start >= v.end || v.start < lastEnd) {
                    throw new IllegalStateException("bad order, keys or back link at " + v);
                }
                lastEnd = v.end;
                total++;
            }
            prev = l;
        }
        if (tail != prev || total != size) {
            throw new IllegalStateException("bad tail or size " + size + " for " + total + " VMAs");
        }
        if (height != depth + 1) {
            throw new IllegalStateException("height " + height + " for leaves at depth " + depth);
        }
        // The largest node count at this depth if every non-root node were minimally full keeps the height logarithmic.
        if (depth > 1 && Math.pow(2, depth - 1) > Math.max(total, 1)) {
            throw new IllegalStateException("tree of " + total + " VMAs is " + depth + " levels deep");
        }
    }

    /** Every node of the pool is either in the tree or free, and free ones hold nothing. */
    private static void checkPool(Arena a, int live) {
        if (live + a.freeCount != a.used) {
            throw new IllegalStateException(live + " nodes in the tree and " + a.freeCount + " free, of " + a.used);
        }
        for (int f = 0; f < a.freeCount; f++) {
            int i = a.free[f];
            for (int j = 0; j < SLOTS; j++) {
                if (a.keys[kb(i) + 2 * j + 1] != NONE || (a.leaf && a.refs[rb(i) + j] != null)) {
                    throw new IllegalStateException("free node " + i + " holds an entry");
                }
            }
        }
    }

    private void verify(int x, List<Integer> leafList, int[] live) {
        int n = count(x);
        if (n < 1 || n > SLOTS || (x != root && parent(x) == NIL) || arena(x).isFree(ix(x))) {
            throw new IllegalStateException("bad node fill " + n + " or a free node in the tree");
        }
        for (int j = n; j < SLOTS; j++) {
            if (end(x, j) != NONE || (isLeaf(x) && vmaAt(x, j) != null)) {
                throw new IllegalStateException("stale key or reference past the end of node " + x);
            }
        }
        if (isLeaf(x)) {
            leafList.add(x);
            live[0]++;
            return;
        }
        live[1]++;
        for (int j = 0; j < n; j++) {
            int k = kid(x, j);
            if (parent(k) != x || isLeaf(k) != isLeaf(kid(x, 0))) {
                throw new IllegalStateException("bad parent link or mixed levels");
            }
            verify(k, leafList, live);
        }
        for (int j = 0; j < n; j++) {
            int k = kid(x, j);
            if (end(x, j) != lastEnd(k) || gapOfKid(x, j) != maxGap(k)) {
                throw new IllegalStateException("bad key or gap for child " + j + ": " + end(x, j) + "/" + gapOfKid(x, j)
                        + " vs " + lastEnd(k) + "/" + maxGap(k));
            }
        }
    }
}
