package org.vfsgi.bench;

import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Process;

/**
 * An address space of n VMAs laid out as vmabench's {@code space_build} lays it out: one
 * anonymous {@code MAP_NORESERVE} mapping whose odd pages are made read-only, so every page is
 * a VMA of its own, except up to {@value #MPROTECT_TARGETS} 3-page read-write VMAs spread
 * evenly over it, which {@code mprotect_split_merge} splits and merges. The model's process
 * starts with no VMA (the host process has a couple of dozen), so the region alone holds n.
 * Lookup targets are random pages drawn with vmabench's generator and seed, so both sides look
 * up the same page indices.
 */
public final class VmaSpace {
    /** vmabench's {@code MPROTECT_TARGETS}. */
    public static final int MPROTECT_TARGETS = 64;
    /** vmabench's {@code LOOKUP_TARGETS}; a power of two so the index wraps with a mask. */
    public static final int LOOKUP_TARGETS = 65536;

    private final long base;
    private final long pages;
    private final long[] mids;
    /** Drawn on first use, so a space built only to weigh its VMAs holds no benchmark data. */
    private long[] targets;

    /**
     * Builds the region in {@code p}'s address space through mmap and mprotect.
     *
     * @param p the process
     * @param n the number of VMAs the address space will hold, at least 16
     * @throws IllegalArgumentException if n is below 16
     */
    public VmaSpace(Process p, int n) {
        if (n < 16) {
            throw new IllegalArgumentException("an N-VMA space needs n >= 16, was " + n);
        }
        int baseline = p.mm().mapCount();
        int nmids = Math.min((n - baseline) / 8, MPROTECT_TARGETS);
        pages = (long) n - baseline + 2L * nmids; // each 3-page run is one VMA, not three
        base = p.mmap(0, pages * BenchSystem.PG, BenchSystem.RW,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, null, 0);
        mids = new long[nmids];
        long stride = pages / nmids;
        for (int j = 0; j < nmids; j++) {
            mids[j] = (j * stride + stride / 2) & ~1L; // even: pages mid-1 and mid+3 stay read-only
        }
        int j = 0;
        for (long i = 1; i < pages; i += 2) {
            while (j < nmids && mids[j] + 1 < i) {
                j++;
            }
            if (j < nmids && mids[j] + 1 == i) {
                continue; // keeps mid..mid+2 one read-write VMA
            }
            p.mprotect(base + i * BenchSystem.PG, BenchSystem.PG, Mman.PROT_READ);
        }
        if (p.mm().mapCount() != n) {
            throw new IllegalStateException("built " + p.mm().mapCount() + " VMAs, wanted " + n);
        }
    }

    private static long[] drawTargets(long base, long pages) {
        long[] targets = new long[LOOKUP_TARGETS];
        long rng = 0x9e3779b97f4a7c15L; // vmabench's fixed seed
        for (int i = 0; i < LOOKUP_TARGETS; i++) {
            rng ^= rng >>> 12;
            rng ^= rng << 25;
            rng ^= rng >>> 27;
            long r = rng * 2685821657736338717L;
            targets[i] = base + Long.remainderUnsigned(r, pages) * BenchSystem.PG;
        }
        return targets;
    }

    /** @return the first address of the region */
    public long base() {
        return base;
    }

    /** @return the region's length in pages */
    public long pages() {
        return pages;
    }

    /** @return how many 3-page read-write VMAs there are */
    public int mprotectTargets() {
        return mids.length;
    }

    /**
     * @param i any index; taken modulo the number of 3-page VMAs
     * @return the middle page of the i-th 3-page VMA
     */
    public long mprotectTarget(int i) {
        return base + (mids[Math.floorMod(i, mids.length)] + 1) * BenchSystem.PG;
    }

    /**
     * @param i any index; taken modulo {@value #LOOKUP_TARGETS}
     * @return a random page of the region
     */
    public long lookupTarget(int i) {
        if (targets == null) {
            targets = drawTargets(base, pages);
        }
        return targets[i & (LOOKUP_TARGETS - 1)];
    }
}
