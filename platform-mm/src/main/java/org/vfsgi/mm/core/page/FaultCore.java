package org.vfsgi.mm.core.page;

import java.io.IOException;
import java.util.Objects;

import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;

/**
 * The page-level half of the fault handler ({@code handle_pte_fault} and what it calls), plus
 * the page-table walks that keep page references and dirty bits right: zap, fork copy, msync's
 * dirty transfer, soft-dirty clearing, and populating a range for mmap actions.
 *
 * <p>The VMA layer finds the VMA, checks the access against its flags (SIGSEGV otherwise),
 * describes it with a {@link FaultMapping} and calls {@link #handleFault}. Everything here runs
 * under the caller's mmap lock: read for faults, write for zap, fork and populate.
 *
 * <p>Faults follow the kernel's pattern: read the entry, prepare the page (allocate, read,
 * copy) without the page-table lock, then take the lock and install only if the entry is still
 * what it was ({@code pte_same}); a thread that loses the race drops its page and reports
 * {@link FaultResult#MAPPED_EXISTING}, and the access is retried.
 *
 * <p>Entry conventions: page-cache pages are mapped without {@link Pte#ANON}, read-only until a
 * write fault in a shared mapping calls {@code page_mkwrite} (write notification, so the cache
 * always learns about dirty pages); anonymous pages carry {@link Pte#ANON}; the zero page and
 * PFNs are {@link Pte#SPECIAL}. Every non-special entry owns one frame reference, and every
 * entry mapping a page-cache page counts in that page's map count.
 */
public final class FaultCore {
    private static final long NEW_PAGE = Pte.USER | Pte.ACCESSED;

    private final AnonPages anon;
    private final PhysicalMemory ram;

    /** @param anon the anonymous-page helper of the physical memory all page tables use */
    public FaultCore(AnonPages anon) {
        this.anon = Objects.requireNonNull(anon, "anon");
        this.ram = anon.ram();
    }

    /** @return the anonymous-page helper */
    public AnonPages anon() {
        return anon;
    }

    /**
     * Handles a fault at {@code addr} ({@code handle_pte_fault}): installs or upgrades the entry
     * so that the access can proceed, or says which signal the access gets.
     *
     * <ul>
     * <li>No entry ({@code do_pte_missing}): anonymous read → the shared zero page read-only;
     * anonymous write → a new zeroed page ({@code do_anonymous_page}); file read → the cache
     * page read-only, read with readahead on a miss ({@code do_read_fault},
     * {@code filemap_fault}); shared file write → cache page after {@code page_mkwrite},
     * writable and dirty, cache page dirty ({@code do_shared_fault}); private file write → a
     * private copy ({@code do_cow_fault}); beyond end of file → SIGBUS.
     * <li>Read-only entry, write access ({@code do_wp_page}): anonymous page with no other
     * reference → made writable in place; zero page, shared anonymous page or private file page
     * → copied; shared file page → {@code page_mkwrite}, then writable and dirty.
     * <li>Usable entry: accessed (and for writes dirty) bits set, {@code MAPPED_EXISTING}.
     * </ul>
     *
     * @param pt the address space's page table
     * @param addr the faulting user address (any byte in the page)
     * @param write whether the access is a write
     * @param mapping what backs the VMA containing {@code addr}
     * @return what happened; an error result names the signal
     * @throws IllegalArgumentException if {@code addr} is outside the user address space
     */
    public FaultResult handleFault(PageTable pt, long addr, boolean write, FaultMapping mapping) {
        long page = addr & ~(long) (PageTable.PAGE_SIZE - 1);
        try {
            long orig = pt.get(page);
            if (orig == Pte.NONE) {
                return doPteMissing(pt, page, write, mapping);
            }
            if (!write) {
                touch(pt, page, orig, Pte.mkyoung(orig));
                return FaultResult.MAPPED_EXISTING;
            }
            if (Pte.isWritable(orig)) {
                touch(pt, page, orig, Pte.mkdirty(Pte.mkyoung(orig)));
                return FaultResult.MAPPED_EXISTING;
            }
            return doWpPage(pt, page, orig, mapping);
        } catch (HwException ex) {
            if ("ENOMEM".equals(ex.errno())) {
                return FaultResult.OOM;
            }
            throw ex;
        }
    }

    private static void touch(PageTable pt, long addr, long orig, long updated) {
        if (updated == orig) {
            return;
        }
        pt.ptl().lock();
        try {
            if (pt.get(addr) == orig) {
                pt.set(addr, updated);
            }
        } finally {
            pt.ptl().unlock();
        }
    }

    /**
     * Installs {@code pte} where the entry is still none; otherwise drops the reference the new
     * entry would have owned.
     */
    private boolean installNew(PageTable pt, long addr, long pte) {
        pt.ptl().lock();
        try {
            if (pt.get(addr) == Pte.NONE) {
                pt.set(addr, pte);
                return true;
            }
        } finally {
            pt.ptl().unlock();
        }
        anon.release(pte);
        return false;
    }

    private FaultResult doPteMissing(PageTable pt, long addr, boolean write, FaultMapping m) {
        switch (m.kind()) {
            case ANONYMOUS:
                return doAnonymousPage(pt, addr, write);
            case FILE_SHARED:
            case FILE_PRIVATE:
                return doFault(pt, addr, write, m);
            case PFN_MAP:
                return doPfnFault(pt, addr, write, m);
            case SUPPLIED:
                return doSuppliedFault(pt, addr, write, m);
            case REVOKED:
            default:
                return FaultResult.SIGBUS;
        }
    }

    /** {@code do_anonymous_page}. */
    private FaultResult doAnonymousPage(PageTable pt, long addr, boolean write) {
        long pte;
        if (!write) {
            // The zero page is shared by everybody, so it is special: no reference per mapping.
            pte = Pte.make(anon.zeroPfn(), NEW_PAGE | Pte.SPECIAL);
        } else {
            pte = Pte.mkdirty(Pte.make(anon.allocZeroed(), NEW_PAGE | Pte.WRITE | Pte.ANON));
        }
        return installNew(pt, addr, pte) ? FaultResult.MINOR : FaultResult.MAPPED_EXISTING;
    }

    private static long eofPages(long size) {
        return (size + PageTable.PAGE_SIZE - 1) >>> PageTable.PAGE_SHIFT;
    }

    /** {@code do_read_fault}, {@code do_cow_fault} and {@code do_shared_fault}. */
    private FaultResult doFault(PageTable pt, long addr, boolean write, FaultMapping m) {
        long index = m.index(addr);
        long eof = eofPages(m.fileSize());
        if (index >= eof) {
            return FaultResult.SIGBUS;
        }
        PageCache cache = m.cache();
        boolean[] major = {false};
        long pfn;
        try {
            pfn = cache.getForFault(index, eof, major); // our reference, for the entry
        } catch (IOException ex) {
            return FaultResult.SIGBUS;
        }
        FaultResult done = major[0] ? FaultResult.MAJOR : FaultResult.MINOR;
        if (!write) {
            return mapCachePage(pt, addr, pfn, index, cache, false) ? done : FaultResult.MAPPED_EXISTING;
        }
        if (m.isPrivate()) {
            long copy;
            try {
                copy = anon.copyPage(pfn, null);
            } finally {
                ram.put(pfn);
            }
            return installNew(pt, addr, anonWritable(copy)) ? FaultResult.COW : FaultResult.MAPPED_EXISTING;
        }
        FaultResult veto = callMkwrite(m, addr, index);
        if (veto != null) {
            ram.put(pfn);
            return veto;
        }
        // page_mkwrite may have slept while the file was truncated: check again.
        if (index >= eofPages(m.fileSize()) || cache.find(index) != pfn) {
            ram.put(pfn);
            return index >= eofPages(m.fileSize()) ? FaultResult.SIGBUS : FaultResult.MAPPED_EXISTING;
        }
        return mapCachePage(pt, addr, pfn, index, cache, true) ? done : FaultResult.MAPPED_EXISTING;
    }

    private static long anonWritable(long pfn) {
        return Pte.mkdirty(Pte.make(pfn, NEW_PAGE | Pte.WRITE | Pte.ANON));
    }

    /** {@code finish_fault} for a page-cache page whose reference we hold. */
    private boolean mapCachePage(PageTable pt, long addr, long pfn, long index, PageCache cache, boolean dirty) {
        long pte = Pte.make(pfn, NEW_PAGE);
        if (dirty) {
            pte = Pte.mkdirty(Pte.mkwrite(pte));
        }
        pt.ptl().lock();
        try {
            if (pt.get(addr) == Pte.NONE) {
                pt.set(addr, pte);
                cache.pageMapped(index, pfn);
                if (dirty) {
                    cache.transferDirty(index, pfn);
                }
                return true;
            }
        } finally {
            pt.ptl().unlock();
        }
        ram.put(pfn);
        return false;
    }

    /**
     * Fault-around ({@code filemap_map_pages}): maps, read-only, every page of
     * {@code [startIndex, endIndex]} that the file's cache holds up to date and unlocked and whose
     * entry is still empty, stopping at end of file. Nothing is read: pages that need I/O are
     * left to the fault itself. Each new entry owns a page reference and counts in the page's
     * map count, like an entry of {@link #handleFault}; being read-only, a later write to a
     * shared mapping still goes through {@code page_mkwrite}, and one to a private mapping copies.
     *
     * @param pt the address space's page table
     * @param m a {@link FaultMapping.Kind#FILE_SHARED} or {@link FaultMapping.Kind#FILE_PRIVATE} mapping
     * @param startIndex the first page index (pgoff-based) of the window
     * @param endIndex the last page index of the window, inclusive; the caller keeps the window
     *        inside the VMA
     * @param countMaps whether each entry counts in the page's map count, as in a page-cache
     *        mapping; {@code false} for a VMA whose {@code fault} hook supplies the cache's pages
     *        (shmem), whose entries only own their reference
     * @return the number of entries installed
     * @throws IllegalArgumentException if {@code m} is not a page-cache mapping
     */
    public int mapPagesAround(PageTable pt, FaultMapping m, long startIndex, long endIndex, boolean countMaps) {
        PageCache cache = m.cache();
        if (cache == null) {
            throw new IllegalArgumentException("fault-around needs a page-cache mapping, not " + m.kind());
        }
        long last = Math.min(endIndex, eofPages(m.fileSize()) - 1);
        int mapped = 0;
        pt.ptl().lock();
        try {
            for (long index = startIndex; index <= last; index++) {
                long addr = m.vmaStart() + ((index - m.pgoff()) << PageTable.PAGE_SHIFT);
                if (pt.get(addr) != Pte.NONE) {
                    continue;
                }
                long pfn = cache.getIfUptodate(index, countMaps);
                if (pfn == PageCache.NO_PAGE) {
                    continue;
                }
                try {
                    pt.set(addr, Pte.make(pfn, NEW_PAGE));
                } catch (RuntimeException ex) { // no frame for the page table: give the page back
                    if (countMaps) {
                        cache.pageUnmapped(index, pfn, false);
                    }
                    ram.put(pfn);
                    throw ex;
                }
                mapped++;
            }
        } finally {
            pt.ptl().unlock();
        }
        return mapped;
    }

    /** {@code vmf_error} applied to a {@code page_mkwrite} veto; null if allowed. */
    private static FaultResult callMkwrite(FaultMapping m, long addr, long index) {
        if (m.mkwrite() == null) {
            return null;
        }
        String errno = m.mkwrite().pageMkwrite(addr, index);
        if (errno == null) {
            return null;
        }
        return "ENOMEM".equals(errno) ? FaultResult.OOM : FaultResult.SIGBUS;
    }

    /** A PFN map faulted lazily ({@code vmf_insert_pfn}). */
    private FaultResult doPfnFault(PageTable pt, long addr, boolean write, FaultMapping m) {
        long pfn = m.pgoff() + ((addr - m.vmaStart()) >>> PageTable.PAGE_SHIFT);
        if (pfn > Pte.MAX_PFN || (m.device() != null && !m.device().containsPfn(pfn))) {
            return FaultResult.SIGBUS;
        }
        return mapSupplied(pt, addr, pfn, true, write, m);
    }

    /** A driver's {@code vm_ops->fault}. */
    private FaultResult doSuppliedFault(PageTable pt, long addr, boolean write, FaultMapping m) {
        long pfn = m.supplier().fault(addr, m.index(addr), write);
        if (pfn == FaultMapping.NO_PAGE) {
            return FaultResult.SIGBUS;
        }
        return mapSupplied(pt, addr, pfn, m.isSpecial(), write, m);
    }

    /** Maps a PFN or driver page; for a non-special page we hold the reference the entry will own. */
    private FaultResult mapSupplied(PageTable pt, long addr, long pfn, boolean special, boolean write,
            FaultMapping m) {
        long base = NEW_PAGE | (special ? Pte.SPECIAL : 0);
        if (!write) {
            // Without a mkwrite hook nobody needs to hear about writes, so a writable shared
            // mapping is mapped writable straight away, as remap_pfn_range does.
            boolean w = m.isShared() && m.isWritable() && m.mkwrite() == null;
            return installNew(pt, addr, Pte.make(pfn, base | (w ? Pte.WRITE : 0)))
                    ? FaultResult.MINOR : FaultResult.MAPPED_EXISTING;
        }
        if (m.isPrivate()) {
            return copyIntoNew(pt, addr, Pte.NONE, pfn, special ? m.device() : null, special);
        }
        FaultResult refused = !m.isWritable() ? FaultResult.SIGSEGV : callMkwrite(m, addr, m.index(addr));
        if (refused != null) {
            if (!special) {
                ram.put(pfn);
            }
            return refused;
        }
        return installNew(pt, addr, Pte.mkdirty(Pte.make(pfn, base | Pte.WRITE)))
                ? FaultResult.MINOR : FaultResult.MAPPED_EXISTING;
    }

    /**
     * Copies {@code pfn} into a new anonymous page and installs it over {@code expected}
     * ({@code wp_page_copy}). A reference on {@code pfn} is held by the caller unless special;
     * it is dropped here.
     */
    private FaultResult copyIntoNew(PageTable pt, long addr, long expected, long pfn, PhysicalRange src,
            boolean special) {
        long copy;
        try {
            PhysicalRange from = src == null ? ram : src;
            if (!from.containsPfn(pfn)) {
                return FaultResult.SIGBUS; // nothing to copy from: a PFN outside any known range
            }
            copy = anon.copyPage(pfn, from);
        } finally {
            if (!special) {
                ram.put(pfn);
            }
        }
        long pte = anonWritable(copy);
        pt.ptl().lock();
        try {
            if (pt.get(addr) == expected) {
                pt.set(addr, pte);
                return FaultResult.COW;
            }
        } finally {
            pt.ptl().unlock();
        }
        ram.put(copy);
        return FaultResult.MAPPED_EXISTING;
    }

    /** {@code do_wp_page}: a write to a present, write-protected entry. */
    private FaultResult doWpPage(PageTable pt, long addr, long orig, FaultMapping m) {
        long pfn = Pte.pfn(orig);
        if (Pte.isSpecial(orig)) {
            if (anon.isZeroPfn(pfn)) {
                return wpPageCopy(pt, addr, orig, m, null);
            }
            if (m.isPrivate()) {
                return wpPageCopy(pt, addr, orig, m, m.device());
            }
            // wp_pfn_shared: pfn_mkwrite, then writable.
            FaultResult refused = !m.isWritable() ? FaultResult.SIGSEGV : callMkwrite(m, addr, m.index(addr));
            if (refused != null) {
                return refused;
            }
            return makeWritable(pt, addr, orig, null, 0) ? FaultResult.MINOR : FaultResult.MAPPED_EXISTING;
        }
        if (Pte.isAnon(orig)) {
            // wp_can_reuse_anon_folio, decided under the lock so the count cannot drop under us.
            pt.ptl().lock();
            try {
                if (pt.get(addr) != orig) {
                    return FaultResult.MAPPED_EXISTING;
                }
                if (anon.canReuse(pfn)) {
                    pt.set(addr, Pte.mkdirty(Pte.mkwrite(Pte.mkyoung(orig))));
                    return FaultResult.REUSED;
                }
            } finally {
                pt.ptl().unlock();
            }
            return wpPageCopy(pt, addr, orig, m, null);
        }
        if (m.isShared()) {
            // wp_page_shared: the page-cache (or driver) page itself becomes writable.
            if (!m.isWritable()) {
                return FaultResult.SIGSEGV;
            }
            long index = m.index(addr);
            FaultResult veto = callMkwrite(m, addr, index);
            if (veto != null) {
                return veto;
            }
            return makeWritable(pt, addr, orig, m.cache(), index) ? FaultResult.MINOR : FaultResult.MAPPED_EXISTING;
        }
        return wpPageCopy(pt, addr, orig, m, null);
    }

    /** {@code wp_page_reuse} for a shared page; moves the dirty state into the cache. */
    private static boolean makeWritable(PageTable pt, long addr, long orig, PageCache cache, long index) {
        pt.ptl().lock();
        try {
            if (pt.get(addr) != orig) {
                return false;
            }
            pt.set(addr, Pte.mkdirty(Pte.mkwrite(Pte.mkyoung(orig))));
            if (cache != null) {
                cache.transferDirty(index, Pte.pfn(orig));
            }
            return true;
        } finally {
            pt.ptl().unlock();
        }
    }

    /**
     * {@code wp_page_copy}: replaces a write-protected entry by a private writable copy and drops
     * the old entry's reference (and map count, for a page-cache page).
     */
    private FaultResult wpPageCopy(PageTable pt, long addr, long orig, FaultMapping m, PhysicalRange src) {
        long pfn = Pte.pfn(orig);
        boolean refcounted = Pte.isRefcounted(orig);
        if (refcounted) {
            // Hold the page while copying without the lock, as the kernel holds the folio.
            pt.ptl().lock();
            try {
                if (pt.get(addr) != orig) {
                    return FaultResult.MAPPED_EXISTING;
                }
                ram.get(pfn);
            } finally {
                pt.ptl().unlock();
            }
        }
        boolean wasCachePage = refcounted && !Pte.isAnon(orig) && m.cache() != null;
        FaultResult r = copyIntoNew(pt, addr, orig, pfn, src, !refcounted);
        if (r == FaultResult.COW && refcounted) {
            // The old entry's reference is ours to drop now that the entry is gone.
            if (wasCachePage) {
                m.cache().pageUnmapped(m.index(addr), pfn, false);
            }
            ram.put(pfn);
        }
        return r;
    }

    /**
     * Removes the entries of {@code [start, end)} ({@code zap_pte_range}): drops each page
     * reference, and for a page-cache page decrements its map count and, in a shared mapping,
     * moves the entry's dirty bit into the cache so that write-back still writes the data
     * (munmap keeps dirty shared pages in the page cache). Frees emptied tables.
     *
     * @param pt the address space's page table
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param m what backs the VMA the range belongs to
     * @return the number of entries removed
     */
    public long zapRange(PageTable pt, long start, long end, FaultMapping m) {
        PageCache cache = m.cache();
        return pt.zapRange(start, end, (a, pte) -> {
            if (!Pte.isRefcounted(pte)) {
                return;
            }
            long pfn = Pte.pfn(pte);
            if (!Pte.isAnon(pte) && cache != null) {
                cache.pageUnmapped(m.index(a), pfn, m.isShared() && Pte.isDirty(pte));
            }
            ram.put(pfn);
        });
    }

    /**
     * Copies a VMA's entries into a fork child's table ({@code copy_page_range}): takes a
     * reference per copied page, write-protects both sides of a private mapping for CoW, and
     * counts the child's mappings of page-cache pages.
     *
     * @param parent the parent's page table
     * @param child the fork child's page table, empty in the range
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param m what backs the VMA the range belongs to
     * @return the number of entries copied
     * @throws IllegalStateException if the child already has entries in the range
     */
    public long copyRangeForFork(PageTable parent, PageTable child, long start, long end, FaultMapping m) {
        PageCache cache = m.cache();
        return PageTable.copyRangeForFork(parent, child, start, end, m.isPrivate(), (a, pte) -> {
            if (cache != null && Pte.isRefcounted(pte) && !Pte.isAnon(pte)) {
                cache.pageMapped(m.index(a), Pte.pfn(pte));
            }
        });
    }

    /**
     * Moves the dirty bits of a shared file mapping's entries into its page cache and
     * write-protects and cleans those entries ({@code msync}; {@code folio_mkclean} for the
     * range): the next write faults again and calls {@code page_mkwrite}, so the cache hears of
     * every write after write-back. Other kinds of mapping have nothing to transfer.
     *
     * @param pt the address space's page table
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param m what backs the VMA the range belongs to
     * @return the number of entries whose dirty bit was transferred; an entry whose page is no
     *         longer cached at its index (truncated meanwhile) is left as it is
     */
    public long syncDirty(PageTable pt, long start, long end, FaultMapping m) {
        if (m.kind() != FaultMapping.Kind.FILE_SHARED) {
            return 0;
        }
        PageCache cache = m.cache();
        return pt.changeRange(start, end, (a, pte) -> {
            if (Pte.isSpecial(pte) || Pte.isAnon(pte) || !Pte.isDirty(pte)) {
                return pte;
            }
            // Clean the entry only if the cache took its dirty bit: an rmap walker (the cache's
            // mkclean hook) reads the VMA's start and pgoff without that address space's mmap
            // lock, so a concurrent split or merge can hand it a shifted range. The PFN check in
            // transferDirty then refuses the page, and the entry keeps its dirty bit.
            if (!cache.transferDirty(m.index(a), Pte.pfn(pte))) {
                return pte;
            }
            return Pte.wrprotect(Pte.mkclean(pte));
        });
    }

    /**
     * Gathers {@code smaps}-style statistics for a VMA's range ({@code smap_gather_stats}). A
     * page-cache page is dirty if its entry or the cache says so.
     *
     * @param pt the address space's page table
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param m what backs the VMA the range belongs to
     * @return the statistics, in bytes
     */
    public SmapsStats smaps(PageTable pt, long start, long end, FaultMapping m) {
        long[] s = new long[9];
        PageCache cache = m.cache();
        pt.forEachPresent(start, end, (a, pte) -> {
            if (Pte.isSpecial(pte)) {
                s[8]++;
                return;
            }
            long pfn = Pte.pfn(pte);
            boolean cachePage = !Pte.isAnon(pte) && cache != null;
            int mappers = cachePage ? cache.mapCount(m.index(a)) : ram.refCount(pfn);
            mappers = Math.max(1, mappers);
            boolean dirty = Pte.isDirty(pte) || (cachePage && cache.isDirty(m.index(a)));
            long page = PageTable.PAGE_SIZE;
            s[0] += page;
            s[1] += page / mappers;
            s[mappers > 1 ? (dirty ? 3 : 2) : (dirty ? 5 : 4)] += page;
            if (Pte.isAccessed(pte)) {
                s[6] += page;
            }
            if (Pte.isAnon(pte)) {
                s[7] += page;
            }
        });
        return new SmapsStats(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]);
    }

    /**
     * Clears the soft-dirty bits of a range and write-protects its writable entries
     * ({@code clear_refs} with 4), so the next write to each page faults and sets soft-dirty
     * again.
     *
     * @param pt the address space's page table
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @return the number of entries changed
     */
    public long clearSoftDirty(PageTable pt, long start, long end) {
        return pt.changeRange(start, end, (a, pte) -> Pte.wrprotect(Pte.clearSoftDirty(pte)));
    }

    /**
     * Populates {@code [start, end)} with special entries for consecutive PFNs from {@code pfn}
     * ({@code remap_pfn_range}, the remap action's complete step). No references are taken.
     *
     * @param writable whether the page protection allows writes
     * @param pt the address space's page table
     * @param start first address of the range, page-aligned
     * @param end end of the range (exclusive), page-aligned
     * @param pfn the PFN for the first page
     * @return the number of entries installed
     * @throws IllegalStateException if an entry in the range already exists (nothing is changed)
     */
    public long remapPfnRange(PageTable pt, long start, long end, long pfn, boolean writable) {
        long pages = checkEmpty(pt, start, end);
        if (pfn < 0 || pfn + pages - 1 > Pte.MAX_PFN) {
            throw new IllegalArgumentException("PFN range does not fit a PTE");
        }
        long flags = Pte.USER | Pte.SPECIAL | (writable ? Pte.WRITE : 0);
        pt.ptl().lock();
        try {
            for (long i = 0; i < pages; i++) {
                pt.set(start + (i << PageTable.PAGE_SHIFT), Pte.make(pfn + i, flags));
            }
        } finally {
            pt.ptl().unlock();
        }
        return pages;
    }

    /**
     * Maps a list of reference-counted pages at consecutive addresses from {@code start}
     * ({@code vm_insert_pages}, the map-kernel-pages action), taking one reference per entry.
     * {@link #zapRange} with any non-file mapping drops them again.
     *
     * @param pt the address space's page table
     * @param start first address of the range, page-aligned
     * @param pfns the pages to map, each allocated
     * @param writable whether the entries allow writes
     * @return the number of entries installed
     * @throws IllegalStateException if an entry in the range already exists (nothing is changed)
     * @throws HwException EINVAL if a page is not allocated (entries installed before it are removed)
     */
    public long insertPages(PageTable pt, long start, long[] pfns, boolean writable) {
        long end = start + ((long) pfns.length << PageTable.PAGE_SHIFT);
        checkEmpty(pt, start, end);
        long flags = Pte.USER | (writable ? Pte.WRITE : 0);
        pt.ptl().lock();
        try {
            for (int i = 0; i < pfns.length; i++) {
                try {
                    ram.get(pfns[i]);
                } catch (RuntimeException ex) {
                    zapRange(pt, start, end, FaultMapping.anonymous());
                    throw ex;
                }
                pt.set(start + ((long) i << PageTable.PAGE_SHIFT), Pte.make(pfns[i], flags));
            }
        } finally {
            pt.ptl().unlock();
        }
        return pfns.length;
    }

    private static long checkEmpty(PageTable pt, long start, long end) {
        if (pt.forEachPresent(start, end, (a, pte) -> { }) != 0) {
            throw new IllegalStateException("range [0x" + Long.toHexString(start) + ", 0x"
                    + Long.toHexString(end) + ") is already populated");
        }
        return (end - start) >>> PageTable.PAGE_SHIFT;
    }
}
