package org.vfsgi.mm.core.page;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.vfsgi.hw.PhysicalMemory;

/**
 * The page cache of one inode: the kernel's {@code address_space} with its {@code i_pages}.
 * Maps a page index in the file to a frame of physical memory holding that page, with the
 * flags uptodate, dirty, writeback, locked and readahead and a map count (how many page-table
 * entries map it).
 *
 * <p><b>Storage.</b> Each cached page is one packed {@code long} — PFN (36 bits), flags (8 bits),
 * map count (20 bits) — in a radix tree of 512-way nodes whose height grows with the largest
 * index, like an xarray. No object per page: about eight bytes per cached page when the file
 * is dense.
 *
 * <p><b>References.</b> The cache holds one reference on every frame it caches. A caller that
 * maps a page takes its own reference ({@link FaultCore} does), so dropping a page from the
 * cache frees its frame only when no page-table entry still holds it.
 *
 * <p><b>Backing.</b> With a {@link PageIo} the cache reads missing pages from the file system and
 * writes dirty pages back. Without one it is memory-only (tmpfs, shmem, anonymous shared
 * memory): a missing page is created zero-filled, and dirty pages are never written anywhere —
 * {@link #writeback} leaves them dirty, as their only way out would be swap, which the model
 * lacks.
 *
 * <p><b>Write-back errors</b> follow the kernel's {@code AS_EIO}: a failed {@code writePage}
 * cleans the page anyway (the kernel does not retry either), the error is remembered, and the
 * next {@link #fsync()} or {@link #checkAndClearError()} reports it once.
 *
 * <p><b>Readahead</b> is the kernel's on-demand readahead made simple and synchronous: on a miss
 * the cache reads a window of pages starting at the missed one. The window starts at
 * {@link #RA_INITIAL_PAGES}; a sequential miss — right after the previously accessed page, or
 * right at the end of the last window read, where the kernel expects the next window — doubles
 * it up to {@link #RA_MAX_PAGES} (128 KiB, the default {@code read_ahead_kb}); any other miss (a
 * random reader) halves it down to one page. Sequential readers therefore
 * miss once per window, and each miss grows the next window. The kernel's asynchronous
 * {@code PG_readahead} marker only overlaps I/O with computation, which a synchronous model
 * cannot use, so it is left out.
 *
 * <p><b>Locking.</b> Every operation takes the cache's lock ({@code i_pages} lock and page lock in
 * one); {@link PageIo} runs under it. The lock comes after a page table's lock in the package's
 * lock order, so page-table callbacks may call into the cache but {@link PageIo} must not touch
 * page tables. The {@link MkcleanHook} runs before the lock is taken.
 */
public final class PageCache {
    /** Returned by lookups for an index with no cached page. */
    public static final long NO_PAGE = -1;
    /** Readahead window a new cache starts with, in pages. */
    public static final int RA_INITIAL_PAGES = 4;
    /** Largest readahead window, in pages (128 KiB). */
    public static final int RA_MAX_PAGES = 32;
    /** Largest map count a cached page can carry (20 bits). */
    public static final int MAX_MAP_COUNT = (1 << 20) - 1;
    /** One past the largest page index: file offsets are below 2^63. */
    public static final long MAX_INDEX = Long.MAX_VALUE >>> PageTable.PAGE_SHIFT;

    private static final int PAGE = PageTable.PAGE_SIZE;

    // Packed entry: pfn | flags << 36 | mapcount << 44. VALID makes every entry non-zero.
    private static final int FLAG_SHIFT = 36;
    private static final long PFN_MASK = (1L << FLAG_SHIFT) - 1;
    private static final long VALID = 1L << FLAG_SHIFT;
    private static final long UPTODATE = 1L << (FLAG_SHIFT + 1);
    private static final long DIRTY = 1L << (FLAG_SHIFT + 2);
    private static final long WRITEBACK = 1L << (FLAG_SHIFT + 3);
    private static final long LOCKED = 1L << (FLAG_SHIFT + 4);
    private static final int MAP_SHIFT = 44;

    /**
     * Write-protects and cleans the page-table entries that map a range of this file, moving
     * their dirty bits into the cache ({@code folio_mkclean} over the reverse map). The VMA
     * layer implements it by calling {@link FaultCore#syncDirty} for every VMA of the file that
     * overlaps the range. Without it, {@link #writeback} only sees pages already marked dirty.
     */
    @FunctionalInterface
    public interface MkcleanHook {
        /**
         * @param fromIndex first page index
         * @param toIndex one past the last page index
         */
        void mkclean(long fromIndex, long toIndex);
    }

    private final PhysicalMemory ram;
    private final PageIo io;
    private final LongSupplier fileSize;
    private final ReentrantLock lock = new ReentrantLock();
    private final RadixLongArray pages = new RadixLongArray(1, 6);
    private final byte[] ioBuf = new byte[PAGE];
    /** Readahead batches' buffer, {@link #RA_MAX_PAGES} pages once the first batch needs it. */
    private byte[] batchBuf = new byte[0];
    private static final byte[] ZERO_PAGE = new byte[PAGE];
    private volatile MkcleanHook mkcleanHook;
    private long dirtyPages;

    private long raPrev = -1;
    private long raNext = -1;
    private int raWindow = RA_INITIAL_PAGES;

    private IOException unreportedError;
    private long writebackErrors;

    /**
     * A cache backed by a file system.
     *
     * @param ram where frames come from
     * @param io the file's page I/O; {@code null} makes a memory-only cache
     * @param fileSize the file's current size ({@code i_size}), used to shorten the write-back of
     *        the last page and to skip pages beyond it; {@code null} writes whole pages
     */
    public PageCache(PhysicalMemory ram, PageIo io, LongSupplier fileSize) {
        this.ram = Objects.requireNonNull(ram, "ram");
        this.io = io;
        this.fileSize = fileSize;
    }

    /**
     * A cache backed by a file system that writes whole pages back.
     *
     * @param ram where frames come from
     * @param io the file's page I/O; {@code null} makes a memory-only cache
     */
    public PageCache(PhysicalMemory ram, PageIo io) {
        this(ram, io, null);
    }

    /**
     * @param ram where frames come from
     * @return a memory-only cache (tmpfs/shmem): pages are created zeroed and never written back
     */
    public static PageCache memoryOnly(PhysicalMemory ram) {
        return new PageCache(ram, null, null);
    }

    /** @return whether the cache has no {@link PageIo} behind it */
    public boolean isMemoryOnly() {
        return io == null;
    }

    /** @return the physical memory the cached frames come from */
    public PhysicalMemory ram() {
        return ram;
    }

    /**
     * Installs the hook that cleans mapped pages before write-back; replaces any earlier one.
     *
     * @param hook the hook, or {@code null} for none
     */
    public void setMkcleanHook(MkcleanHook hook) {
        this.mkcleanHook = hook;
    }

    private static long pfnOf(long e) {
        return e & PFN_MASK;
    }

    private static int mapCountOf(long e) {
        return (int) (e >>> MAP_SHIFT);
    }

    private static void checkIndex(long index) {
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("page index out of range: " + index);
        }
    }

    private long entry(long index) {
        checkIndex(index);
        return pages.get(index);
    }

    private long pack(long pfn, long flags) {
        if (pfn < 0 || pfn > PFN_MASK) {
            throw new IllegalStateException("PFN does not fit a page-cache entry: " + pfn);
        }
        return pfn | flags | VALID;
    }

    /**
     * Looks a page up without reading it ({@code filemap_get_folio} without create).
     *
     * @param index the page index in the file
     * @return its PFN, or {@link #NO_PAGE}
     * @throws IllegalArgumentException if the index is negative or too large
     */
    public long find(long index) {
        lock.lock();
        try {
            long e = entry(index);
            return e == 0 ? NO_PAGE : pfnOf(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the cached page, reading it on a miss (from {@link PageIo} into a new frame, or a
     * zero page for a memory-only cache). No readahead: {@link #read} and faults do that.
     *
     * @param index the page index in the file
     * @return its PFN; the cache holds the reference, a caller that keeps the page takes its own
     * @throws IOException if {@link PageIo#readPage} fails (nothing is cached then)
     * @throws org.vfsgi.hw.HwException ENOMEM when no frame is free
     */
    public long findOrRead(long index) throws IOException {
        lock.lock();
        try {
            long e = entry(index);
            return e != 0 ? pfnOf(e) : readIn(index);
        } finally {
            lock.unlock();
        }
    }

    /** Reads a missing page into a new frame and caches it; lock held. */
    private long readIn(long index) throws IOException {
        long pfn = ram.allocate();
        try {
            // LOCKED while the read runs, as the kernel locks a folio under read I/O; visible to
            // a PageIo that looks at the cache.
            pages.set(index, pack(pfn, LOCKED));
            if (io != null) {
                Arrays.fill(ioBuf, (byte) 0);
                int n = io.readPage(index, ioBuf);
                if (n < 0 || n > PAGE) {
                    throw new IOException("readPage(" + index + ") returned " + n + " bytes");
                }
                if (n > 0) { // a new frame is already zero
                    ram.write(pfn, 0, ioBuf, 0, n);
                }
            }
        } catch (IOException | RuntimeException ex) {
            pages.set(index, 0);
            ram.put(pfn);
            throw ex;
        }
        pages.set(index, pack(pfn, UPTODATE));
        return pfn;
    }

    /**
     * Reads the missing pages of {@code [index, index+n)} (the {@code readahead(2)} system call,
     * {@code force_page_cache_readahead}); pages already cached are left alone and the
     * on-demand window is not changed. A memory-only cache reads nothing.
     *
     * @param index the page index in the file
     * @param n the number of pages
     * @return the number of pages read
     * @throws IOException if a read fails; pages read before it stay cached
     */
    public int readahead(long index, int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("negative readahead: " + n);
        }
        lock.lock();
        try {
            return io == null ? 0 : readRange(index, n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the missing pages of {@code [index, index+n)}, each run of consecutive missing pages
     * with one {@link PageIo#readPages} request (the kernel's {@code read_pages} of a readahead
     * batch). Lock held.
     */
    private int readRange(long index, long n) throws IOException {
        int read = 0;
        long end = Math.min(index + n, MAX_INDEX + 1);
        long i = index;
        while (i < end) {
            if (pages.get(i) != 0) {
                i++;
                continue;
            }
            long run = i + 1;
            while (run < end && run - i < RA_MAX_PAGES && pages.get(run) == 0) {
                run++;
            }
            read += readInBatch(i, (int) (run - i));
            i = run;
        }
        return read;
    }

    /** Reads {@code count} missing consecutive pages into new frames with one request; lock held. */
    private int readInBatch(long index, int count) throws IOException {
        if (count == 1) {
            readIn(index);
            return 1;
        }
        long[] pfns = new long[count];
        int allocated = 0;
        try {
            for (; allocated < count; allocated++) {
                pfns[allocated] = ram.allocate();
                pages.set(index + allocated, pack(pfns[allocated], LOCKED)); // as readIn: locked under I/O
            }
            if (batchBuf.length < count * PAGE) {
                batchBuf = new byte[RA_MAX_PAGES * PAGE];
            }
            Arrays.fill(batchBuf, 0, count * PAGE, (byte) 0);
            io.readPages(index, count, batchBuf);
            for (int k = 0; k < count; k++) {
                // A new frame is already zero: only pages holding data are copied (and stored).
                if (Arrays.mismatch(batchBuf, k * PAGE, (k + 1) * PAGE, ZERO_PAGE, 0, PAGE) >= 0) {
                    ram.write(pfns[k], 0, batchBuf, k * PAGE, PAGE);
                }
            }
        } catch (IOException | RuntimeException ex) {
            for (int k = 0; k < allocated; k++) {
                pages.set(index + k, 0);
                ram.put(pfns[k]);
            }
            throw ex;
        }
        for (int k = 0; k < count; k++) {
            pages.set(index + k, pack(pfns[k], UPTODATE));
        }
        return count;
    }

    /** @return the current on-demand readahead window, in pages */
    public int readaheadWindow() {
        lock.lock();
        try {
            return raWindow;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The on-demand readahead step of a read or fault that needs {@code index}: on a miss, adapt
     * the window and read it (bounded by {@code eofPages}); then remember the access. Lock held.
     *
     * @return the page's PFN
     */
    private long readWithReadahead(long index, long eofPages, boolean[] major) throws IOException {
        long e = pages.get(index);
        if (e != 0) {
            raPrev = index;
            return pfnOf(e);
        }
        if (io == null) {
            raPrev = index;
            return readIn(index);
        }
        if (raPrev >= 0) {
            boolean sequential = index == raPrev + 1 || index == raNext;
            raWindow = sequential ? Math.min(raWindow * 2, RA_MAX_PAGES) : Math.max(1, raWindow / 2);
        }
        raPrev = index;
        if (major != null) {
            major[0] = true;
        }
        long window = Math.max(1, Math.min(raWindow, eofPages - index));
        raNext = index + window;
        if (window > 1) {
            try {
                readRange(index, window); // the page asked for and the window after it, one request
            } catch (IOException | org.vfsgi.hw.HwException ex) {
                // The window failed as a whole (an I/O error, or too few free frames for all of
                // it: readahead is best effort, as the kernel's __GFP_NORETRY pages are); the page
                // asked for is read on its own below, so its own error, if any, is the one
                // reported, and the rest waits for a reader.
            }
        }
        e = pages.get(index);
        return e != 0 ? pfnOf(e) : readIn(index);
    }

    /**
     * Gets a page for a fault ({@code filemap_fault}): lookup, else on-demand readahead and read.
     * Takes a reference for the caller, which the page-table entry will own.
     *
     * @param major set to true if the page had to be read from {@link PageIo}
     */
    long getForFault(long index, long eofPages, boolean[] major) throws IOException {
        lock.lock();
        try {
            checkIndex(index);
            long pfn = readWithReadahead(index, eofPages, major);
            ram.get(pfn);
            return pfn;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fault-around's page lookup ({@code next_uptodate_folio}): if the page is cached, up to date
     * and not locked for I/O, takes a reference for the entry about to map it and, if asked,
     * counts that mapping, in one step; pages that would need I/O are left for the fault path.
     * The caller holds the page-table lock and has seen the entry empty, so the entry is installed.
     *
     * @param countMap whether the entry counts in the page's map count
     * @return the page's PFN, or {@link #NO_PAGE} to skip it
     */
    long getIfUptodate(long index, boolean countMap) {
        lock.lock();
        try {
            long e = entry(index);
            if ((e & UPTODATE) == 0 || (e & LOCKED) != 0 || mapCountOf(e) == MAX_MAP_COUNT) {
                return NO_PAGE;
            }
            long pfn = pfnOf(e);
            ram.get(pfn);
            if (countMap) {
                pages.set(index, e + (1L << MAP_SHIFT));
            }
            return pfn;
        } finally {
            lock.unlock();
        }
    }

    /** Records that a page-table entry now maps the page; ignored if {@code pfn} is not cached there. */
    void pageMapped(long index, long pfn) {
        lock.lock();
        try {
            long e = entry(index);
            if (e != 0 && pfnOf(e) == pfn) {
                if (mapCountOf(e) == MAX_MAP_COUNT) {
                    throw new IllegalStateException("map count overflow on page " + index);
                }
                pages.set(index, e + (1L << MAP_SHIFT));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that a page-table entry stopped mapping the page, moving its dirty bit into the
     * cache ({@code zap_present_ptes} → {@code folio_mark_dirty}). Ignored if the page was
     * truncated meanwhile: its data lies beyond end of file.
     */
    void pageUnmapped(long index, long pfn, boolean dirty) {
        lock.lock();
        try {
            long e = entry(index);
            if (e != 0 && pfnOf(e) == pfn) {
                if (mapCountOf(e) > 0) {
                    e -= 1L << MAP_SHIFT;
                }
                pages.set(index, setDirty(e, dirty));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves a page-table dirty bit into the cache if {@code pfn} is still cached at {@code index}. */
    boolean transferDirty(long index, long pfn) {
        lock.lock();
        try {
            long e = entry(index);
            if (e != 0 && pfnOf(e) == pfn) {
                pages.set(index, setDirty(e, true));
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private long setDirty(long e, boolean dirty) {
        if (dirty && (e & DIRTY) == 0) {
            dirtyPages++;
            return e | DIRTY;
        }
        return e;
    }

    /**
     * Marks a cached page dirty ({@code folio_mark_dirty}), so {@link #writeback} writes it.
     *
     * @param index the page index in the file
     * @return whether the page was clean before
     * @throws IllegalStateException if the page is not cached
     */
    public boolean markDirty(long index) {
        lock.lock();
        try {
            long e = entry(index);
            if (e == 0) {
                throw new IllegalStateException("page " + index + " is not cached");
            }
            pages.set(index, setDirty(e, true));
            return (e & DIRTY) == 0;
        } finally {
            lock.unlock();
        }
    }

    private boolean hasFlag(long index, long flag) {
        lock.lock();
        try {
            return (entry(index) & flag) != 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param index the page index in the file
     * @return whether the page is cached and dirty
     */
    public boolean isDirty(long index) {
        return hasFlag(index, DIRTY);
    }

    /**
     * @param index the page index in the file
     * @return whether the page is cached and holds the file's data
     */
    public boolean isUptodate(long index) {
        return hasFlag(index, UPTODATE);
    }

    /**
     * @param index the page index in the file
     * @return whether the page is being written back (only observable from within {@link PageIo})
     */
    public boolean isWriteback(long index) {
        return hasFlag(index, WRITEBACK);
    }

    /**
     * @param index the page index in the file
     * @return whether the page is locked for read I/O (only observable from within {@link PageIo})
     */
    public boolean isLocked(long index) {
        return hasFlag(index, LOCKED);
    }

    /**
     * @param index the page index in the file
     * @return how many page-table entries map the page; zero if it is not cached
     */
    public int mapCount(long index) {
        lock.lock();
        try {
            return mapCountOf(entry(index));
        } finally {
            lock.unlock();
        }
    }

    /** @return the number of cached pages */
    public long pageCount() {
        lock.lock();
        try {
            return pages.count();
        } finally {
            lock.unlock();
        }
    }

    /** @return the number of dirty cached pages */
    public long dirtyCount() {
        lock.lock();
        try {
            return dirtyPages;
        } finally {
            lock.unlock();
        }
    }

    /** @return write-back errors seen since the cache was created (reported or not) */
    public long writebackErrorCount() {
        lock.lock();
        try {
            return writebackErrors;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the dirty pages of {@code [fromIndex, toIndex)} back through {@link PageIo}
     * ({@code filemap_fdatawrite_range}) and cleans them. The {@link MkcleanHook} runs first so
     * that writes through mapped pages are included. A failed page is cleaned too and its error
     * remembered for {@link #fsync()}; write-back goes on with the next page. Pages wholly beyond
     * the file size are cleaned without being written; the page holding end of file is written
     * short. A memory-only cache writes nothing and keeps its pages dirty.
     *
     * @param fromIndex first page index
     * @param toIndex one past the last page index
     * @return the number of pages written successfully
     */
    public long writeback(long fromIndex, long toIndex) {
        if (fromIndex < 0 || toIndex < fromIndex) {
            throw new IllegalArgumentException("bad index range [" + fromIndex + ", " + toIndex + ")");
        }
        if (io == null) {
            return 0;
        }
        MkcleanHook hook = mkcleanHook;
        if (hook != null) {
            hook.mkclean(fromIndex, toIndex);
        }
        long[] written = {0};
        lock.lock();
        try {
            long size = fileSize == null ? Long.MAX_VALUE : fileSize.getAsLong();
            long to = Math.min(toIndex, MAX_INDEX + 1);
            pages.update(fromIndex, to, (index, e) -> {
                if ((e & DIRTY) == 0) {
                    return e;
                }
                dirtyPages--;
                long clean = e & ~DIRTY;
                long pos = index << PageTable.PAGE_SHIFT;
                if (pos >= size) {
                    return clean;
                }
                int len = (int) Math.min(PAGE, size - pos);
                pages.set(index, clean | WRITEBACK); // the slot exists, so the walk is not disturbed
                try {
                    ram.read(pfnOf(e), 0, ioBuf, 0, PAGE);
                    io.writePage(index, ioBuf, len);
                    written[0]++;
                } catch (IOException ex) {
                    // AS_EIO: remember, report once on fsync. The page stays clean, as in the
                    // kernel, where a failed write-back does not redirty the folio.
                    writebackErrors++;
                    unreportedError = ex;
                }
                return clean;
            });
        } finally {
            lock.unlock();
        }
        return written[0];
    }

    /**
     * Reports a write-back error recorded since the last report, once
     * ({@code filemap_check_errors}: test and clear {@code AS_EIO}).
     *
     * @throws IOException EIO, with the failed write as cause, if an error is unreported
     */
    public void checkAndClearError() throws IOException {
        IOException err;
        lock.lock();
        try {
            err = unreportedError;
            unreportedError = null;
        } finally {
            lock.unlock();
        }
        if (err != null) {
            throw new IOException("EIO: write-back failed: " + err.getMessage(), err);
        }
    }

    /**
     * Writes back every dirty page, then reports any write-back error recorded since the last
     * report ({@code vfs_fsync} → {@code file_write_and_wait_range}).
     *
     * @throws IOException EIO if a write-back failed since the last report; the next call
     *         succeeds unless another write fails
     */
    public void fsync() throws IOException {
        writeback(0, MAX_INDEX + 1);
        checkAndClearError();
    }

    /**
     * Drops every page at or beyond {@code fromIndex} ({@code truncate_inode_pages}), dirty or
     * not, and the cache's reference on each; a frame is freed unless a page-table entry still
     * holds it. Callers unmap the range from every VMA first ({@code unmap_mapping_range}), as
     * the kernel's {@code truncate_pagecache} does, so that a later access faults and gets
     * SIGBUS beyond end of file.
     *
     * @param fromIndex first page index
     * @return the number of pages dropped
     */
    public long truncate(long fromIndex) {
        checkIndex(fromIndex);
        lock.lock();
        try {
            return pages.removeRange(fromIndex, MAX_INDEX + 1, (index, e) -> {
                if ((e & DIRTY) != 0) {
                    dirtyPages--;
                }
                ram.put(pfnOf(e));
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shrinks the cache to a new file size ({@code truncate_pagecache}): drops the pages wholly
     * beyond it and zeroes the tail of the page that holds the new end of file, so that a later
     * extension reads zeros there.
     *
     * @param newSize the new file size in bytes
     * @return the number of pages dropped
     */
    public long truncateSize(long newSize) {
        if (newSize < 0) {
            throw new IllegalArgumentException("negative size " + newSize);
        }
        lock.lock();
        try {
            long dropped = truncate((newSize + PAGE - 1) >>> PageTable.PAGE_SHIFT);
            int tail = (int) (newSize & (PAGE - 1));
            if (tail != 0) {
                long e = pages.get(newSize >>> PageTable.PAGE_SHIFT);
                if (e != 0) {
                    ram.write(pfnOf(e), tail, new byte[PAGE - tail], 0, PAGE - tail);
                }
            }
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops clean pages that no page-table entry maps ({@code invalidate_mapping_pages}), the
     * way reclaim would under memory pressure.
     *
     * @param fromIndex first page index
     * @param toIndex one past the last page index
     * @return the number of pages dropped
     */
    public long invalidateClean(long fromIndex, long toIndex) {
        lock.lock();
        try {
            long before = pages.count();
            // Emptied leaves stay allocated until the next truncate; reclaim is not the hot path.
            pages.update(fromIndex, Math.min(toIndex, MAX_INDEX + 1), (index, e) -> {
                if ((e & (DIRTY | WRITEBACK | LOCKED)) != 0 || mapCountOf(e) != 0) {
                    return e;
                }
                ram.put(pfnOf(e));
                return 0;
            });
            return before - pages.count();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Buffered read through the cache ({@code filemap_read}), with on-demand readahead.
     *
     * @param pos file offset
     * @param fileSize the file's size; nothing is read at or beyond it
     * @param dst where the bytes go
     * @param off offset in the array
     * @param len the number of bytes
     * @return the number of bytes copied; 0 at or beyond end of file
     * @throws IOException if a page needed cannot be read (bytes before it were copied)
     * @throws org.vfsgi.hw.HwException ENOMEM when no frame is free
     */
    public int read(long pos, byte[] dst, int off, int len, long fileSize) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (pos < 0) {
            throw new IllegalArgumentException("negative position " + pos);
        }
        if (pos >= fileSize || len == 0) {
            return 0;
        }
        int total = (int) Math.min(len, fileSize - pos);
        long eofPages = (fileSize + PAGE - 1) >>> PageTable.PAGE_SHIFT;
        lock.lock();
        try {
            int done = 0;
            while (done < total) {
                long p = pos + done;
                int inPage = (int) (p & (PAGE - 1));
                int n = Math.min(total - done, PAGE - inPage);
                long pfn = readWithReadahead(p >>> PageTable.PAGE_SHIFT, eofPages, null);
                ram.read(pfn, inPage, dst, off + done, n);
                done += n;
            }
            return done;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Buffered write through the cache ({@code generic_perform_write}): copies into cached pages
     * and dirties them. A page overwritten completely is not read first; a partly written page
     * is read first if it is not cached. Extending the file size is the caller's business.
     *
     * @param pos file offset in bytes
     * @param src the bytes to write
     * @param off offset in the array
     * @param len the number of bytes
     * @return the number of bytes written ({@code len})
     * @throws IOException if a partly written page cannot be read first (bytes before it were written)
     * @throws org.vfsgi.hw.HwException ENOMEM when no frame is free
     */
    public int write(long pos, byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        if (pos < 0 || pos + len < 0) {
            throw new IllegalArgumentException("bad position " + pos);
        }
        lock.lock();
        try {
            int done = 0;
            while (done < len) {
                long p = pos + done;
                long index = p >>> PageTable.PAGE_SHIFT;
                checkIndex(index);
                int inPage = (int) (p & (PAGE - 1));
                int n = Math.min(len - done, PAGE - inPage);
                long e = pages.get(index);
                long pfn;
                if (e != 0) {
                    pfn = pfnOf(e);
                } else if (n == PAGE || io == null) {
                    pfn = ram.allocate();
                    pages.set(index, pack(pfn, UPTODATE));
                } else {
                    pfn = readIn(index);
                }
                ram.write(pfn, inPage, src, off + done, n);
                pages.set(index, setDirty(pages.get(index), true) | UPTODATE);
                done += n;
            }
            return done;
        } finally {
            lock.unlock();
        }
    }

    /** @return an estimate of the heap bytes the cache's index uses (frames not included) */
    public long estimatedBytes() {
        lock.lock();
        try {
            return pages.estimatedBytes();
        } finally {
            lock.unlock();
        }
    }
}
