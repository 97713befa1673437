package org.vfsgi.mm;

import org.osgi.annotation.versioning.ProviderType;
import org.vfsgi.vfs.File;

/**
 * A virtual memory area ({@code struct vm_area_struct}): the half-open range
 * {@code [start, end)} of an address space with one file offset, one set of flags, one
 * protection and one set of VM operations. The platform implements it.
 *
 * <p>Hooks that receive a VMA (legacy {@code mmap}, {@code mmap_complete}, {@code open},
 * {@code close}, faults) read it through this view. The mutators exist for the legacy
 * {@code f_op->mmap} hook, which the kernel lets edit the VMA directly; they require that the
 * VMA is write-locked (or not yet inserted in the tree), as the kernel asserts, and throw
 * {@link IllegalStateException} otherwise.
 */
@ProviderType
public interface VmArea {
    /** @return the address space the VMA belongs to ({@code vm_mm}) */
    AddressSpace mm();

    /** @return the first address of the range ({@code vm_start}) */
    long start();

    /** @return the first address after the range ({@code vm_end}) */
    long end();

    /** @return the file offset of {@link #start()} in pages ({@code vm_pgoff}) */
    long pgoff();

    /** @return {@code end() - start()} */
    default long size() {
        return end() - start();
    }

    /** @return the number of pages ({@code vma_pages}) */
    default long pages() {
        return size() >>> Mman.PAGE_SHIFT;
    }

    /** @return the mapped file ({@code vm_file}), or {@code null} for anonymous memory */
    File file();

    /** @return the flags */
    VmaFlags flags();

    /** @return the page protection ({@code vm_page_prot}) */
    PageProt pageProt();

    /** @return the VM operations, or {@code null} for an anonymous VMA ({@code vma_is_anonymous}) */
    VmOperations vmOps();

    /** @return the private data a driver attached ({@code vm_private_data}), or {@code null} */
    Object privateData();

    /** @return whether the VMA has no VM operations (anonymous memory) */
    default boolean isAnonymous() {
        return vmOps() == null;
    }

    /** @return whether the VMA is write-locked ({@code vma_assert_write_locked} would pass) */
    boolean isWriteLocked();

    /**
     * {@code vma_test}.
     *
     * @param flag a flag
     * @return whether it is set
     */
    default boolean flagsTest(VmaFlag flag) {
        return flags().test(flag);
    }

    /**
     * {@code vma_test_any}.
     *
     * @param flags flags
     * @return whether any is set
     */
    default boolean flagsTestAny(VmaFlag... flags) {
        return flags().testAny(flags);
    }

    /**
     * {@code vma_test_all}.
     *
     * @param flags flags
     * @return whether all are set
     */
    default boolean flagsTestAll(VmaFlag... flags) {
        return flags().testAll(flags);
    }

    /**
     * {@code vma_test_any_mask}.
     *
     * @param mask a set
     * @return whether the VMA's flags intersect it
     */
    default boolean flagsTestAnyMask(VmaFlags mask) {
        return flags().testAnyMask(mask);
    }

    /**
     * {@code vma_test_all_mask}.
     *
     * @param mask a set
     * @return whether the VMA has all of it
     */
    default boolean flagsTestAllMask(VmaFlags mask) {
        return flags().testAllMask(mask);
    }

    /**
     * {@code vma_set_flags}.
     *
     * @param flags flags to set
     * @throws IllegalStateException if the VMA is not write-locked
     */
    default void flagsSet(VmaFlag... flags) {
        setFlags(flags().set(flags));
    }

    /**
     * {@code vma_clear_flags}.
     *
     * @param flags flags to clear
     * @throws IllegalStateException if the VMA is not write-locked
     */
    default void flagsClear(VmaFlag... flags) {
        setFlags(flags().clear(flags));
    }

    /**
     * {@code vma_set_flags_mask}.
     *
     * @param mask flags to set
     * @throws IllegalStateException if the VMA is not write-locked
     */
    default void flagsSetMask(VmaFlags mask) {
        setFlags(flags().setMask(mask));
    }

    /**
     * {@code vma_clear_flags_mask}.
     *
     * @param mask flags to clear
     * @throws IllegalStateException if the VMA is not write-locked
     */
    default void flagsClearMask(VmaFlags mask) {
        setFlags(flags().clearMask(mask));
    }

    /**
     * Replaces the whole flag set ({@code vm_flags_reset}).
     *
     * @param flags the new flags
     * @throws IllegalStateException if the VMA is not write-locked
     * @throws NullPointerException if {@code flags} is null
     */
    void setFlags(VmaFlags flags);

    /**
     * @param prot the new page protection
     * @throws IllegalStateException if the VMA is not write-locked
     */
    void setPageProt(PageProt prot);

    /**
     * @param ops the new operations; {@code null} makes the VMA anonymous ({@code vma_set_anonymous})
     * @throws IllegalStateException if the VMA is not write-locked
     */
    void setVmOps(VmOperations ops);

    /**
     * @param data the driver's private data
     * @throws IllegalStateException if the VMA is not write-locked
     */
    void setPrivateData(Object data);

    /**
     * {@code vma_set_file}: points the VMA at another file (stacked file systems do this).
     *
     * @param file the new file, not null
     * @throws IllegalStateException if the VMA is not write-locked
     */
    void setFile(File file);
}
