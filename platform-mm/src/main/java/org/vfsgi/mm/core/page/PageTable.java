package org.vfsgi.mm.core.page;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import org.vfsgi.hw.PhysicalMemory;

/**
 * The page table of one address space: user virtual page → {@link Pte packed PTE}. A four-level
 * radix tree of 512-entry tables like x86-64 (PGD, PUD, PMD, PTE table; 48-bit virtual
 * addresses), whose last level is a primitive {@code long[512]}. Tables are allocated on the
 * first store beneath them and freed when {@link #zapRange} empties them, so a sparse address
 * space costs little and a dense one about eight bytes per mapped page.
 *
 * <p>All addresses are user virtual byte addresses; single-entry operations round down to the
 * page, range operations require page-aligned bounds.
 *
 * <p><b>Locking.</b> Callers hold the address space's mmap lock (read for faults, write for
 * munmap/mremap/fork). Each operation additionally takes this table's {@link #ptl() page-table
 * lock}, the model of the kernel's split PTE lock (one per table here rather than one per PTE
 * page), so that concurrent faults under the mmap read lock see each entry change atomically.
 * A caller that must read and then update an entry atomically (the fault path's
 * {@code pte_same} re-check) holds {@link #ptl()} around both; it is reentrant. Callbacks run
 * with the lock held and must not take locks that come before it in the order documented in
 * {@link org.vfsgi.mm.core.page the package}.
 *
 * <p>Reference counting: an entry that is present and not {@link Pte#SPECIAL special} owns one
 * reference to its frame. {@link #set} and {@link #clear} do not change reference counts (the
 * caller took or drops the reference); {@link #zapRange} hands each removed entry to the caller
 * to drop; {@link #copyRangeForFork} takes the child's references itself.
 */
public final class PageTable {
    /** Bytes in a page. */
    public static final int PAGE_SIZE = 4096;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 12;
    /** Levels of the tree, as on x86-64 without five-level paging. */
    public static final int LEVELS = 4;
    /** One past the highest user address the table can map ({@code TASK_SIZE} of a 48-bit VA). */
    public static final long TASK_SIZE = 1L << (PAGE_SHIFT + RadixLongArray.BITS * LEVELS);

    /** Receives entries, in ascending address order. */
    @FunctionalInterface
    public interface PteVisitor {
        /**
         * @param addr the page's user virtual address
         * @param pte the entry
         */
        void visit(long addr, long pte);
    }

    /** Rewrites entries in place ({@code change_pte_range}). */
    @FunctionalInterface
    public interface PteUpdater {
        /**
         * @param addr the page's user virtual address
         * @param pte the current entry, never none
         * @return the replacement; it must be present (use {@link PageTable#zapRange} to remove)
         */
        long update(long addr, long pte);
    }

    private final PhysicalMemory ram;
    private final ReentrantLock ptl = new ReentrantLock();
    private final RadixLongArray tables = new RadixLongArray(LEVELS, LEVELS);

    /**
     * @param ram the physical memory whose frames the entries reference; used to take the
     *        child's references in {@link #copyRangeForFork}
     */
    public PageTable(PhysicalMemory ram) {
        this.ram = Objects.requireNonNull(ram, "ram");
    }

    /** @return the physical memory this table's frames come from */
    public PhysicalMemory ram() {
        return ram;
    }

    /**
     * @return the page-table lock; hold it to make a read and a following update of an entry
     *         atomic with respect to other faulting threads
     */
    public ReentrantLock ptl() {
        return ptl;
    }

    private static long vpn(long addr) {
        if (addr < 0 || addr >= TASK_SIZE) {
            throw new IllegalArgumentException("address outside the 48-bit user space: 0x"
                    + Long.toHexString(addr));
        }
        return addr >>> PAGE_SHIFT;
    }

    private static void checkRange(long start, long end) {
        if ((start & (PAGE_SIZE - 1)) != 0 || (end & (PAGE_SIZE - 1)) != 0 || start < 0
                || end > TASK_SIZE || start > end) {
            throw new IllegalArgumentException("bad page range [0x" + Long.toHexString(start)
                    + ", 0x" + Long.toHexString(end) + ")");
        }
    }

    /**
     * Reads the entry mapping {@code addr} ({@code ptep_get}).
     *
     * @param addr a user virtual address
     * @return the entry, {@link Pte#NONE} if none
     * @throws IllegalArgumentException if {@code addr} is outside the user address space
     */
    public long get(long addr) {
        long vpn = vpn(addr);
        ptl.lock();
        try {
            return tables.get(vpn);
        } finally {
            ptl.unlock();
        }
    }

    /**
     * Stores an entry ({@code set_pte_at}), allocating tables on the way. Reference counts are
     * the caller's business.
     *
     * @param pte a present entry, or {@link Pte#NONE} to clear (same as {@link #clear})
     * @param addr a user virtual address
     * @return the previous entry
     * @throws IllegalArgumentException if the address is outside the user space or the entry is
     *         neither none nor present
     */
    public long set(long addr, long pte) {
        if (pte != Pte.NONE && !Pte.isPresent(pte)) {
            throw new IllegalArgumentException("only present entries are stored: " + Pte.toString(pte));
        }
        long vpn = vpn(addr);
        ptl.lock();
        try {
            return tables.set(vpn, pte);
        } finally {
            ptl.unlock();
        }
    }

    /**
     * Clears one entry ({@code ptep_get_and_clear}); the table page stays allocated until a
     * {@link #zapRange} over it. Reference counts are the caller's business.
     *
     * @param addr a user virtual address
     * @return the previous entry
     * @throws IllegalArgumentException if the address is outside the user space
     */
    public long clear(long addr) {
        return set(addr, Pte.NONE);
    }

    /**
     * Removes every entry in {@code [start, end)} ({@code zap_page_range} followed by
     * {@code free_pgtables}): each removed entry goes to {@code zapped}, which drops the page
     * reference and moves a dirty bit to the page cache (see {@link FaultCore#zapRange}); tables
     * left empty are freed.
     *
     * @param zapped receives each removed entry, with the table's lock held
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @return the number of entries removed
     * @throws IllegalArgumentException if the range is not page-aligned or outside the user space
     */
    public long zapRange(long start, long end, PteVisitor zapped) {
        checkRange(start, end);
        Objects.requireNonNull(zapped, "zapped");
        ptl.lock();
        try {
            return tables.removeRange(start >>> PAGE_SHIFT, end >>> PAGE_SHIFT,
                    (vpn, pte) -> zapped.visit(vpn << PAGE_SHIFT, pte));
        } finally {
            ptl.unlock();
        }
    }

    /**
     * Moves the entries of {@code [oldStart, oldStart+len)} to {@code newStart}
     * ({@code move_page_tables}, for mremap). References and bits move with the entries; the
     * old tables are freed when emptied. Overlapping ranges are handled.
     *
     * @param oldStart start of the range to move, page-aligned
     * @param newStart where the range goes, page-aligned
     * @param len length in bytes, page-aligned
     * @throws IllegalArgumentException if a range is unaligned or outside the user space
     * @throws IllegalStateException if the destination already holds an entry that the move
     *         would overwrite (mremap unmaps the destination first); nothing is changed then
     */
    public void moveRange(long oldStart, long newStart, long len) {
        checkRange(oldStart, oldStart + len);
        checkRange(newStart, newStart + len);
        if (len == 0 || oldStart == newStart) {
            return;
        }
        ptl.lock();
        try {
            long oldEnd = oldStart + len;
            long delta = newStart - oldStart;
            // A destination entry is only legal where it is itself part of the source (overlap).
            tables.forEach(newStart >>> PAGE_SHIFT, (newStart + len) >>> PAGE_SHIFT, (vpn, pte) -> {
                long addr = vpn << PAGE_SHIFT;
                if (addr < oldStart || addr >= oldEnd) {
                    throw new IllegalStateException("mremap destination 0x" + Long.toHexString(addr)
                            + " is populated: " + Pte.toString(pte));
                }
            });
            // Collect, then store: correct for any overlap, and the source tables get freed.
            long[][] moved = {new long[64], new long[64]};
            int[] n = {0};
            tables.removeRange(oldStart >>> PAGE_SHIFT, oldEnd >>> PAGE_SHIFT, (vpn, pte) -> {
                if (n[0] == moved[0].length) {
                    moved[0] = Arrays.copyOf(moved[0], n[0] * 2);
                    moved[1] = Arrays.copyOf(moved[1], n[0] * 2);
                }
                moved[0][n[0]] = vpn;
                moved[1][n[0]] = pte;
                n[0]++;
            });
            long vpnDelta = delta >> PAGE_SHIFT;
            for (int i = 0; i < n[0]; i++) {
                tables.set(moved[0][i] + vpnDelta, moved[1][i]);
            }
        } finally {
            ptl.unlock();
        }
    }

    /**
     * Copies the entries of {@code [start, end)} from a parent's table into a child's at the
     * same addresses ({@code copy_page_range} at fork), taking one reference per copied
     * refcounted entry. For a private mapping ({@code cow}) every writable entry is
     * write-protected in both tables, so the first write on either side faults and copies
     * ({@code wp_page_copy}) or reuses the page. For a shared mapping the child's entries are
     * made clean (the parent keeps the dirty bit, so nothing is lost). The child's entries are
     * made old in both cases.
     *
     * <p>The parent's lock is taken, then the child's: the child is not yet visible to anyone,
     * so the order cannot deadlock.
     *
     * @param src the parent's page table
     * @param dst the child's page table, empty in the range
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param cow whether the mapping is private (copy-on-write)
     * @return the number of entries copied
     * @throws IllegalArgumentException if the range is unaligned, or the tables use different
     *         physical memories
     * @throws IllegalStateException if the child already has an entry in the range; nothing is
     *         changed then
     */
    public static long copyRangeForFork(PageTable src, PageTable dst, long start, long end, boolean cow) {
        return copyRangeForFork(src, dst, start, end, cow, (addr, pte) -> { });
    }

    /**
     * As {@link #copyRangeForFork(PageTable, PageTable, long, long, boolean)}, calling
     * {@code copied} with each child entry so the caller can account it (the page cache's map
     * count for file pages).
     *
     * @param src the parent's page table
     * @param dst the child's page table, empty in the range
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param cow whether the mapping is private (copy-on-write)
     * @param copied called with each child entry, both locks held
     * @return the number of entries copied
     */
    public static long copyRangeForFork(PageTable src, PageTable dst, long start, long end, boolean cow,
            PteVisitor copied) {
        checkRange(start, end);
        if (src == dst || src.ram != dst.ram) {
            throw new IllegalArgumentException("fork copies between two tables over the same memory");
        }
        long[] n = {0};
        src.ptl.lock();
        try {
            dst.ptl.lock();
            try {
                dst.tables.forEach(start >>> PAGE_SHIFT, end >>> PAGE_SHIFT, (vpn, pte) -> {
                    throw new IllegalStateException("fork child already maps 0x"
                            + Long.toHexString(vpn << PAGE_SHIFT));
                });
                src.tables.update(start >>> PAGE_SHIFT, end >>> PAGE_SHIFT, (vpn, pte) -> {
                    long parent = pte;
                    long child = Pte.mkold(pte);
                    if (cow && Pte.isWritable(pte)) {
                        parent = Pte.wrprotect(parent);
                        child = Pte.wrprotect(child);
                    } else if (!cow) {
                        child = Pte.mkclean(child);
                    }
                    if (Pte.isRefcounted(pte)) {
                        src.ram.get(Pte.pfn(pte));
                    }
                    long addr = vpn << PAGE_SHIFT;
                    dst.tables.set(vpn, child);
                    copied.visit(addr, child);
                    n[0]++;
                    return parent;
                });
            } finally {
                dst.ptl.unlock();
            }
        } finally {
            src.ptl.unlock();
        }
        return n[0];
    }

    /**
     * Visits the present entries of {@code [start, end)} in address order
     * ({@code walk_page_range}), skipping unpopulated tables.
     *
     * @param visitor called with the table's lock held
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @return the number of entries visited
     * @throws IllegalArgumentException if the range is unaligned or outside the user space
     */
    public long forEachPresent(long start, long end, PteVisitor visitor) {
        checkRange(start, end);
        long[] n = {0};
        ptl.lock();
        try {
            tables.forEach(start >>> PAGE_SHIFT, end >>> PAGE_SHIFT, (vpn, pte) -> {
                visitor.visit(vpn << PAGE_SHIFT, pte);
                n[0]++;
            });
        } finally {
            ptl.unlock();
        }
        return n[0];
    }

    /**
     * Rewrites each present entry of {@code [start, end)} ({@code change_protection}, msync's
     * dirty transfer, {@code clear_refs}). The updater cannot remove entries.
     *
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param updater computes each replacement
     * @return the number of entries changed (replacement different from the original)
     * @throws IllegalArgumentException if the range is unaligned, or an updater returns an
     *         entry that is not present
     */
    public long changeRange(long start, long end, PteUpdater updater) {
        checkRange(start, end);
        long[] changed = {0};
        ptl.lock();
        try {
            tables.update(start >>> PAGE_SHIFT, end >>> PAGE_SHIFT, (vpn, pte) -> {
                long nv = updater.update(vpn << PAGE_SHIFT, pte);
                if (!Pte.isPresent(nv)) {
                    throw new IllegalArgumentException("changeRange cannot remove entries");
                }
                if (nv != pte) {
                    changed[0]++;
                }
                return nv;
            });
        } finally {
            ptl.unlock();
        }
        return changed[0];
    }

    /** @return the number of present entries (the mm's RSS in pages, all kinds) */
    public long presentCount() {
        ptl.lock();
        try {
            return tables.count();
        } finally {
            ptl.unlock();
        }
    }

    /** @return the number of allocated tables at all levels, the PGD included once populated */
    public long tableCount() {
        ptl.lock();
        try {
            return tables.nodeCount();
        } finally {
            ptl.unlock();
        }
    }

    /** @return an estimate of the heap bytes held by the tables (compressed references assumed) */
    public long tableBytes() {
        ptl.lock();
        try {
            return tables.estimatedBytes();
        } finally {
            ptl.unlock();
        }
    }
}
