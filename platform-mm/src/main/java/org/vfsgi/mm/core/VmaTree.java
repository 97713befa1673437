package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The VMA tree of one address space (the kernel's maple tree): VMAs keyed by start address,
 * non-overlapping. Find, insert, remove and neighbour lookups are O(log n).
 *
 * <p>This first version is a {@link TreeMap}; measured at about 64 bytes per entry (the
 * entry plus a boxed key) on top of the VMA itself. Not thread-safe: callers hold the mmap
 * lock (write for changes, read for lookups).
 */
public final class VmaTree implements Iterable<Vma> {
    private final TreeMap<Long, Vma> byStart = new TreeMap<>();

    /** @return the number of VMAs in the tree */
    public int size() {
        return byStart.size();
    }

    /**
     * {@code find_vma}: the first VMA that ends above {@code addr}.
     *
     * @param addr an address
     * @return the VMA, or null
     */
    public Vma find(long addr) {
        Map.Entry<Long, Vma> e = byStart.floorEntry(addr);
        if (e != null && Long.compareUnsigned(e.getValue().end, addr) > 0) {
            return e.getValue();
        }
        Map.Entry<Long, Vma> h = byStart.higherEntry(addr);
        return h == null ? null : h.getValue();
    }

    /**
     * {@code vma_lookup}: the VMA containing {@code addr}.
     *
     * @param addr an address
     * @return the VMA, or null
     */
    public Vma lookup(long addr) {
        Map.Entry<Long, Vma> e = byStart.floorEntry(addr);
        return e != null && e.getValue().end > addr ? e.getValue() : null;
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA before it ({@code vma_prev}), or null
     */
    public Vma prev(Vma vma) {
        Map.Entry<Long, Vma> e = byStart.lowerEntry(vma.start);
        return e == null ? null : e.getValue();
    }

    /**
     * @param vma a VMA in the tree
     * @return the VMA after it ({@code vma_next}), or null
     */
    public Vma next(Vma vma) {
        Map.Entry<Long, Vma> e = byStart.higherEntry(vma.start);
        return e == null ? null : e.getValue();
    }

    /**
     * @param addr an address
     * @return the last VMA starting below {@code addr}, or null
     */
    public Vma before(long addr) {
        Map.Entry<Long, Vma> e = byStart.lowerEntry(addr);
        return e == null ? null : e.getValue();
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
        Vma first = find(start);
        if (first == null || first.start >= end) {
            return out;
        }
        for (Vma v : byStart.tailMap(first.start, true).values()) {
            if (v.start >= end) {
                break;
            }
            out.add(v);
        }
        return out;
    }

    /**
     * @param high an address
     * @return the VMAs starting below {@code high}, highest first (for top-down searches)
     */
    Iterable<Vma> descendingBelow(long high) {
        return byStart.headMap(high, false).descendingMap().values();
    }

    /**
     * @param low an address
     * @return the VMAs ending above {@code low}, in address order (for bottom-up searches)
     */
    Iterable<Vma> ascendingFrom(long low) {
        Vma first = find(low);
        if (first == null) {
            return List.of();
        }
        return byStart.tailMap(first.start, true).values();
    }

    void insert(Vma vma) {
        Vma old = byStart.put(vma.start, vma);
        if (old != null && old != vma) {
            byStart.put(old.start, old);
            throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps " + old);
        }
        vma.setDetached(false);
    }

    void remove(Vma vma) {
        if (byStart.get(vma.start) != vma) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " is not in the tree at its start");
        }
        byStart.remove(vma.start);
        vma.setDetached(true);
    }

    /** Moves a VMA whose start changed from {@code oldStart}. */
    void rekey(Vma vma, long oldStart) {
        if (oldStart == vma.start) {
            return;
        }
        if (byStart.get(oldStart) != vma) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " not found at 0x" + Long.toHexString(oldStart));
        }
        byStart.remove(oldStart);
        Vma old = byStart.put(vma.start, vma);
        if (old != null) {
            throw new IllegalStateException("VMA tree corruption: " + vma + " overlaps " + old);
        }
    }

    /** @return the first VMA, or null */
    public Vma first() {
        Map.Entry<Long, Vma> e = byStart.firstEntry();
        return e == null ? null : e.getValue();
    }

    /** @return the last VMA, or null */
    public Vma last() {
        Map.Entry<Long, Vma> e = byStart.lastEntry();
        return e == null ? null : e.getValue();
    }

    /** @return the VMAs in address order; do not change the tree while iterating */
    @Override
    public Iterator<Vma> iterator() {
        return byStart.values().iterator();
    }

    /** @return a copy of all VMAs in address order */
    public List<Vma> toList() {
        return new ArrayList<>(byStart.values());
    }

    void clear() {
        for (Vma v : byStart.values()) {
            v.setDetached(true);
        }
        byStart.clear();
    }
}
