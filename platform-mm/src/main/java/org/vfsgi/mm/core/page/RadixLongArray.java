package org.vfsgi.mm.core.page;

/**
 * A sparse array of {@code long}s indexed by a non-negative {@code long}, stored as a radix tree
 * of 512-way nodes with primitive {@code long[512]} leaves; zero means "no entry". It is the
 * shape of both an x86-64 page table (PGD → PUD → PMD → PTE table, nine bits per level) and,
 * with a height that grows on demand, of the page cache's {@code xarray}.
 *
 * <p>Nodes are allocated lazily on the first non-zero store beneath them. {@link #set} never
 * frees a node (like the kernel, which does not free a page-table page when one entry is
 * cleared); {@link #removeRange} frees every node it empties ({@code free_pgtables}).
 *
 * <p>Not thread-safe: the owner serialises access.
 */
final class RadixLongArray {
    static final int BITS = 9;
    static final int FANOUT = 1 << BITS;
    static final int MASK = FANOUT - 1;

    /** Approximate heap bytes of a leaf: object header + long[512] with its array header. */
    static final long LEAF_BYTES = 16 + 16 + 8L * FANOUT;
    /** Approximate heap bytes of a directory node, assuming compressed references. */
    static final long DIR_BYTES = 16 + 16 + 4L * FANOUT;

    /** Receives entries in ascending index order. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(long index, long value);
    }

    /** Maps an entry to its replacement; returning zero removes it. */
    @FunctionalInterface
    interface EntryUpdater {
        long update(long index, long value);
    }

    private static final class Leaf {
        final long[] slots = new long[FANOUT];
        int used;
    }

    private static final class Dir {
        final Object[] slots = new Object[FANOUT];
        int used;
    }

    private final int maxHeight;
    private int height;
    private Object root;
    private long count;
    private long leaves;
    private long dirs;

    /**
     * @param initialHeight levels the tree starts with (1 = a single leaf)
     * @param maxHeight levels the tree may grow to; indices must be below 2^(9·maxHeight)
     */
    RadixLongArray(int initialHeight, int maxHeight) {
        if (initialHeight < 1 || maxHeight < initialHeight || maxHeight * BITS > 63) {
            throw new IllegalArgumentException("bad heights " + initialHeight + "/" + maxHeight);
        }
        this.height = initialHeight;
        this.maxHeight = maxHeight;
    }

    /** @return one past the largest index the tree can ever hold */
    long limit() {
        return 1L << (BITS * maxHeight);
    }

    /** @return the number of non-zero entries */
    long count() {
        return count;
    }

    /** @return the number of allocated nodes (leaves and directories) */
    long nodeCount() {
        return leaves + dirs;
    }

    /** @return an estimate of the heap bytes held by the nodes */
    long estimatedBytes() {
        return leaves * LEAF_BYTES + dirs * DIR_BYTES;
    }

    private long capacity() {
        return 1L << (BITS * height);
    }

    private void checkIndex(long index) {
        if (index < 0 || index >= limit()) {
            throw new IllegalArgumentException("index out of range: " + index);
        }
    }

    /** @return the entry at {@code index}, zero if none */
    long get(long index) {
        checkIndex(index);
        if (index >= capacity()) {
            return 0;
        }
        Object node = root;
        for (int level = height - 1; level > 0; level--) {
            if (node == null) {
                return 0;
            }
            node = ((Dir) node).slots[(int) (index >>> (BITS * level)) & MASK];
        }
        return node == null ? 0 : ((Leaf) node).slots[(int) index & MASK];
    }

    /**
     * Stores an entry, allocating nodes on the way; storing zero removes the entry but keeps
     * the nodes.
     *
     * @return the previous entry, zero if none
     */
    long set(long index, long value) {
        checkIndex(index);
        if (value == 0) {
            Leaf leaf = leafOrNull(index);
            if (leaf == null) {
                return 0;
            }
            int slot = (int) index & MASK;
            long old = leaf.slots[slot];
            if (old != 0) {
                leaf.slots[slot] = 0;
                leaf.used--;
                count--;
            }
            return old;
        }
        while (index >= capacity()) {
            grow();
        }
        if (root == null) {
            root = newNode(height);
        }
        Object node = root;
        for (int level = height - 1; level > 0; level--) {
            Dir dir = (Dir) node;
            int slot = (int) (index >>> (BITS * level)) & MASK;
            Object child = dir.slots[slot];
            if (child == null) {
                child = newNode(level);
                dir.slots[slot] = child;
                dir.used++;
            }
            node = child;
        }
        Leaf leaf = (Leaf) node;
        int slot = (int) index & MASK;
        long old = leaf.slots[slot];
        leaf.slots[slot] = value;
        if (old == 0) {
            leaf.used++;
            count++;
        }
        return old;
    }

    private Leaf leafOrNull(long index) {
        if (index >= capacity()) {
            return null;
        }
        Object node = root;
        for (int level = height - 1; level > 0 && node != null; level--) {
            node = ((Dir) node).slots[(int) (index >>> (BITS * level)) & MASK];
        }
        return (Leaf) node;
    }

    /** Adds a level on top, the xarray way: the old root becomes slot 0 of a new root. */
    private void grow() {
        if (height == maxHeight) {
            throw new IllegalStateException("radix tree at its maximum height");
        }
        if (root != null) {
            Dir top = new Dir();
            dirs++;
            top.slots[0] = root;
            top.used = 1;
            root = top;
        }
        height++;
    }

    /** @param levels levels of the subtree rooted at the new node (1 = leaf) */
    private Object newNode(int levels) {
        if (levels == 1) {
            leaves++;
            return new Leaf();
        }
        dirs++;
        return new Dir();
    }

    /** Visits the non-zero entries in {@code [from, to)}, skipping empty subtrees. */
    void forEach(long from, long to, EntryVisitor visitor) {
        long end = Math.min(to, capacity());
        if (root != null && from < end) {
            walk(root, height, 0, Math.max(from, 0), end, (i, v) -> {
                visitor.visit(i, v);
                return v;
            }, false);
        }
    }

    /**
     * Replaces each non-zero entry in {@code [from, to)} by what the updater returns; zero
     * removes the entry but keeps the nodes.
     *
     * @return the number of entries the updater saw
     */
    long update(long from, long to, EntryUpdater updater) {
        long end = Math.min(to, capacity());
        if (root == null || from >= end) {
            return 0;
        }
        long[] seen = {0};
        walk(root, height, 0, Math.max(from, 0), end, (i, v) -> {
            seen[0]++;
            return updater.update(i, v);
        }, false);
        return seen[0];
    }

    /**
     * Removes the non-zero entries in {@code [from, to)}, handing each to the visitor, and frees
     * every node left empty.
     *
     * @return the number of entries removed
     */
    long removeRange(long from, long to, EntryVisitor visitor) {
        long end = Math.min(to, capacity());
        if (root == null || from >= end) {
            return 0;
        }
        long before = count;
        if (walk(root, height, 0, Math.max(from, 0), end, (i, v) -> {
            visitor.visit(i, v);
            return 0;
        }, true)) {
            freed(root);
            root = null;
        }
        return before - count;
    }

    private void freed(Object node) {
        if (node instanceof Leaf) {
            leaves--;
        } else {
            dirs--;
        }
    }

    /**
     * Applies {@code fn} to the non-zero entries of the subtree {@code node} (of {@code levels}
     * levels, first index {@code base}) that lie in {@code [from, to)}.
     *
     * @param prune whether to free children that end up empty
     * @return whether {@code node} is now empty
     */
    private boolean walk(Object node, int levels, long base, long from, long to, EntryUpdater fn,
            boolean prune) {
        if (levels == 1) {
            Leaf leaf = (Leaf) node;
            int first = (int) Math.max(0, from - base);
            int last = (int) Math.min(FANOUT, to - base);
            for (int s = first; s < last && leaf.used > 0; s++) {
                long v = leaf.slots[s];
                if (v != 0) {
                    long nv = fn.update(base + s, v);
                    leaf.slots[s] = nv;
                    if (nv == 0) {
                        leaf.used--;
                        count--;
                    }
                }
            }
            return leaf.used == 0;
        }
        Dir dir = (Dir) node;
        int shift = BITS * (levels - 1);
        long span = 1L << shift;
        int first = (int) (Math.max(0, from - base) >>> shift);
        int last = (int) Math.min(FANOUT - 1, (to - 1 - base) >>> shift);
        for (int s = first; s <= last && dir.used > 0; s++) {
            Object child = dir.slots[s];
            if (child != null
                    && walk(child, levels - 1, base + s * span, from, to, fn, prune) && prune) {
                dir.slots[s] = null;
                dir.used--;
                freed(child);
            }
        }
        return dir.used == 0;
    }
}
