package org.vfsgi.mm.core;

import org.vfsgi.mm.PageProt;

/**
 * The seam through which the VMA machinery tells page tables what changed. The page-table
 * code (another part of the platform) implements it; {@link #NONE} does nothing, which is
 * right while no page tables exist.
 *
 * <p>All calls happen with the mmap write lock held.
 */
public interface PageTables {
    /** Page tables that do not exist: every call is a no-op. */
    PageTables NONE = new PageTables() {
    };

    /**
     * {@code zap_page_range}: clear the entries of {@code [start, end)} inside {@code vma}
     * (munmap, MAP_FIXED replacement, failed mappings). Dirty shared pages stay in the page
     * cache for writeback.
     *
     * @param mm the address space
     * @param vma the VMA
     * @param start first address
     * @param end end address, exclusive
     */
    default void zapPageRange(MmStruct mm, Vma vma, long start, long end) {
    }

    /**
     * {@code move_page_tables}: mremap moved {@code len} bytes from {@code oldStart} in
     * {@code from} to {@code newStart} in {@code to}.
     *
     * @param mm the address space
     * @param from the old VMA
     * @param oldStart old address
     * @param to the new VMA
     * @param newStart new address
     * @param len bytes
     */
    default void movePageRange(MmStruct mm, Vma from, long oldStart, Vma to, long newStart, long len) {
    }

    /**
     * {@code copy_page_range}: fork copies the entries of {@code src} into {@code dst}.
     *
     * @param dstMm the child's address space
     * @param dst the child's VMA
     * @param src the parent's VMA
     * @return {@code 0} or a negative errno (which fails the fork)
     */
    default int copyPageRange(MmStruct dstMm, Vma dst, Vma src) {
        return 0;
    }

    /**
     * {@code change_protection}: mprotect changed the protection of {@code [start, end)}.
     *
     * @param mm the address space
     * @param vma the VMA now covering the range
     * @param start first address
     * @param end end address, exclusive
     * @param prot the new protection
     */
    default void changeProtection(MmStruct mm, Vma vma, long start, long end, PageProt prot) {
    }
}
