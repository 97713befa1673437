package org.vfsgi.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A page fault being handled ({@code struct vm_fault}). The platform implements it and hands
 * it to {@code fault}, {@code huge_fault}, {@code page_mkwrite} and {@code pfn_mkwrite}.
 */
@ProviderType
public interface VmFault {
    /** @return the faulting VMA */
    VmArea vma();

    /** @return the faulting user address, page aligned */
    long address();

    /** @return the file offset of the faulting page, in pages */
    long pgoff();

    /** @return whether the access was a write */
    boolean isWrite();

    /**
     * Hands the page that a {@code fault} handler found to the platform ({@code vmf->page}); the
     * handler then returns {@link VmFaultResult#PAGE} (or {@link VmFaultResult#LOCKED}). The page
     * must be a frame of system RAM on which the handler took one reference
     * ({@code PhysicalMemory.get}); the page-table entry that maps it owns that reference, and
     * the platform drops it if the page ends up not mapped (another thread won the race).
     *
     * @param pfn the page frame number of an allocated RAM frame
     * @throws IllegalArgumentException if {@code pfn} is not an allocated frame of system RAM
     * @throws UnsupportedOperationException if this fault cannot take a page ({@code page_mkwrite}
     *         and {@code pfn_mkwrite} calls, or a fault object not made by the platform)
     */
    default void setPage(long pfn) {
        throw new UnsupportedOperationException("this fault does not take a page");
    }

    /**
     * {@code vmf_insert_pfn}: maps a raw page frame (device memory, persistent memory, MMIO)
     * that is not reference-counted; the handler then returns {@link VmFaultResult#NOPAGE}. The
     * entry is a special one, as for {@code remap_pfn_range}.
     *
     * @param pfn the page frame number, {@code 0 <= pfn < 2^40}
     * @throws IllegalArgumentException if {@code pfn} does not fit a page-table entry
     * @throws UnsupportedOperationException if this fault cannot take a PFN ({@code page_mkwrite}
     *         and {@code pfn_mkwrite} calls, or a fault object not made by the platform)
     */
    default void insertPfn(long pfn) {
        throw new UnsupportedOperationException("this fault does not take a PFN");
    }

    /**
     * The work of {@link VmOperations#FILEMAP_MAP_PAGES} ({@code filemap_map_pages}): maps,
     * read-only, every page of the file from {@code startPgoff} to {@code endPgoff} that is
     * cached, up to date and not locked, where the VMA has no entry yet, and stops at end of
     * file. Pages that would need I/O are left for {@code fault}.
     *
     * @param startPgoff the first file page of the window
     * @param endPgoff the last file page of the window (inclusive)
     * @return {@link VmFaultResult#NOPAGE} if the faulting page is mapped now, else
     *         {@link VmFaultResult#FALLBACK}
     * @throws IllegalArgumentException if the window does not contain the faulting page or
     *         reaches outside the VMA
     * @throws UnsupportedOperationException if this is not a read fault the platform is
     *         faulting around (a {@code fault} or {@code page_mkwrite} call, or a fault object not
     *         made by the platform)
     */
    default VmFaultResult mapCachedPages(long startPgoff, long endPgoff) {
        throw new UnsupportedOperationException("this fault does not fault around");
    }
}
