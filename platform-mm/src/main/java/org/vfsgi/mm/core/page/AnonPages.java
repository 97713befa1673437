package org.vfsgi.mm.core.page;

import java.util.Objects;

import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;

/**
 * Anonymous memory and copy-on-write for every address space over one physical memory: the
 * shared zero page ({@code ZERO_PAGE}) that read faults on untouched anonymous memory map,
 * fresh zeroed pages for first writes ({@code do_anonymous_page}), page copies for CoW
 * ({@code wp_page_copy}) and the test whether a page may be reused instead
 * ({@code wp_can_reuse_anon_folio}).
 *
 * <p>One instance per {@link PhysicalMemory}, shared by all page tables over it, because the
 * zero page must be one frame for all of them; the platform creates it, there is no static
 * singleton. Thread-safe.
 */
public final class AnonPages {
    private static final int PAGE = PageTable.PAGE_SIZE;

    private final PhysicalMemory ram;
    private long zeroPfn = -1;

    /** @param ram the physical memory anonymous pages are allocated from */
    public AnonPages(PhysicalMemory ram) {
        this.ram = Objects.requireNonNull(ram, "ram");
    }

    /** @return the physical memory anonymous pages come from */
    public PhysicalMemory ram() {
        return ram;
    }

    /**
     * The shared zero page, allocated on first use and kept (with its single reference) for the
     * life of this object. It is mapped only with {@link Pte#SPECIAL} entries, read-only, so its
     * reference count never moves and it is never written.
     *
     * @return its PFN
     * @throws HwException ENOMEM if it cannot be allocated
     */
    public synchronized long zeroPfn() {
        if (zeroPfn < 0) {
            zeroPfn = ram.allocate();
        }
        return zeroPfn;
    }

    /**
     * @param pfn a page frame number
     * @return whether {@code pfn} is the shared zero page ({@code is_zero_pfn})
     */
    public synchronized boolean isZeroPfn(long pfn) {
        return zeroPfn >= 0 && pfn == zeroPfn;
    }

    /**
     * Allocates a private zeroed page for a first write to anonymous memory.
     *
     * @return its PFN, with one reference for the entry that will map it
     * @throws HwException ENOMEM when no frame is free
     */
    public long allocZeroed() {
        return ram.allocate(); // PhysicalMemory hands out zero-filled frames
    }

    /**
     * Copies a page into a new frame ({@code wp_page_copy}'s {@code __wp_page_copy_user}).
     *
     * @param srcPfn the page to copy
     * @param src the range that owns {@code srcPfn}: {@link #ram()} for normal pages, a device
     *        for a private CoW of a PFN map; {@code null} means {@link #ram()}
     * @return the new frame's PFN, with one reference for the entry that will map it
     * @throws HwException ENOMEM when no frame is free
     */
    public long copyPage(long srcPfn, PhysicalRange src) {
        PhysicalRange from = src == null ? ram : src;
        if (isZeroPfn(srcPfn)) {
            return allocZeroed();
        }
        byte[] buf = new byte[PAGE];
        from.read(srcPfn, 0, buf, 0, PAGE);
        long pfn = ram.allocate();
        try {
            ram.write(pfn, 0, buf, 0, PAGE);
        } catch (RuntimeException ex) {
            ram.put(pfn);
            throw ex;
        }
        return pfn;
    }

    /**
     * Whether a write fault may reuse an anonymous page in place instead of copying it
     * ({@code wp_can_reuse_anon_folio}): true when the faulting entry holds the only reference,
     * i.e. the other side of a fork unmapped it or exited. Call it with the page table's lock
     * held, so the entry cannot go away meanwhile.
     *
     * @param pfn the page mapped by the faulting entry
     * @return whether the entry is the sole owner
     */
    public boolean canReuse(long pfn) {
        return !isZeroPfn(pfn) && ram.refCount(pfn) == 1;
    }

    /**
     * Drops the reference owned by a removed entry; special entries own none.
     *
     * @param pte an entry taken out of a page table
     * @return the frame's remaining reference count, or -1 if the entry owned no reference
     */
    public int release(long pte) {
        if (!Pte.isRefcounted(pte)) {
            return -1;
        }
        return ram.put(Pte.pfn(pte));
    }

    /**
     * Frees the zero page, for shutdown once no page table maps it any more.
     */
    public synchronized void close() {
        if (zeroPfn >= 0) {
            ram.put(zeroPfn);
            zeroPfn = -1;
        }
    }
}
