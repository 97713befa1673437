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

    // ------------------------------------------------------------------ the compat layer (contract 4)

    /**
     * {@code vfs_mmap(file, vma)}: maps this VMA with {@code file}'s mmap hook, for a stacking
     * driver's legacy {@code mmap} that hands the mapping to the file underneath (overlay,
     * backing files). If {@code file} has {@code mmap_prepare} this is
     * {@link #compatVmaMmap(File)}, otherwise {@code file}'s legacy {@code mmap(file, this)}.
     *
     * <p>The usual shape of a stacking driver's hook:
     * <pre>{@code
     * int mmap(File file, VmArea vma) {
     *     File real = realFileOf(file);
     *     vma.setFile(real);          // vma_set_file: the VMA now maps the real file
     *     return vma.vfsMmap(real);   // its mmap_prepare, action, mapped, mmap_complete run here
     * }
     * }</pre>
     * Only valid while this VMA is being set up by a legacy {@code mmap} hook (allocated, not yet
     * in the tree, mmap write lock held). Errors are returned, never thrown: the legacy hook returns
     * them and the platform's failure path cleans up (the VMA's {@code close} does not run).
     *
     * @param file the file whose mmap hook runs (usually the VMA's {@link #file()} after
     *        {@link #setFile})
     * @return {@code 0} or a negative errno: ENODEV if {@code file} has neither or both of
     *         {@code mmap} and {@code mmap_prepare}, EINVAL for {@code mmap_complete} or
     *         {@code mmap_abort} without their partners, EINVAL if called outside a legacy
     *         {@code mmap} hook, or any error of the hooks and the action (never
     *         {@code error_override})
     */
    int vfsMmap(File file);

    /**
     * {@code compat_vma_mmap(file, vma)}: runs {@code file}'s {@code mmap_prepare} on a descriptor
     * built from this VMA ({@link #compatSetDescFromVma}), forces
     * {@code hide_from_rmap_until_complete} off (the VMA is not in the reverse map yet), then
     * {@link #compatVmaMmapPrepared}. {@code mmap_abort} is not called if {@code mmap_prepare}
     * itself fails; after a successful prepare exactly one of {@code mmap_complete} and
     * {@code mmap_abort} runs.
     *
     * @param file the file whose {@code mmap_prepare} runs; the descriptor's {@code file()} (which
     *        differs from its {@code vmFile()} unless the caller pointed the VMA at it first)
     * @return {@code 0} or a negative errno, as for {@link #vfsMmap}; ENODEV if {@code file} has
     *         no {@code mmap_prepare}
     */
    int compatVmaMmap(File file);

    /**
     * {@code compat_set_desc_from_vma}: a fresh descriptor describing this VMA — range, pgoff,
     * {@code vm_file}, flags, page protection and vm_ops from the VMA, {@code file()} the
     * argument, no action. For a driver that runs a nested {@code mmap_prepare} itself and then
     * calls {@link #compatVmaMmapPrepared}, and for a custom action that builds partial actions
     * ({@link #descActionPrepare}).
     *
     * @param file the file whose hook will see the descriptor, not null
     * @return the descriptor
     */
    VmAreaDesc compatSetDescFromVma(File file);

    /**
     * {@code __compat_vma_mmap(desc, vma)}: for a descriptor whose {@code mmap_prepare} already ran
     * (built by {@link #compatSetDescFromVma}): action prepare, copy the descriptor into this VMA
     * (pgoff, {@code vm_file}, flags, page protection, vm_ops and private data, unconditionally),
     * the action with its hooks, {@code vm_ops->mapped} ({@link #compatVmaMapped}), then
     * {@code mmap_complete} of {@code desc.file()} if it has one. A failure after the prepare calls
     * {@code desc.file()}'s {@code mmap_abort} exactly once instead. {@code error_override} does
     * not apply here: the raw error is returned to the outer legacy hook.
     *
     * @param desc a descriptor from {@link #compatSetDescFromVma} of this VMA
     * @return {@code 0} or a negative errno; EINVAL for a descriptor the platform did not make for
     *         this VMA
     */
    int compatVmaMmapPrepared(VmAreaDesc desc);

    /**
     * {@code __compat_vma_mapped(file, vma)}: calls this VMA's {@code vm_ops->mapped} (if any) with
     * its range and pgoff, {@code file}, and its private data as the in/out value. Unlike the
     * direct path, a failure does not unmap anything: the error goes back to the legacy hook.
     *
     * @param file the file handed to {@code mapped}
     * @return {@code 0} or the hook's negative errno
     */
    int compatVmaMapped(File file);

    // ------------------------------------------------------------------ partial actions of a custom action

    /**
     * {@code vma_desc_action_prepare(desc)}: for a custom action ({@link VmAreaDesc#actionCustom})
     * that maps its VMA piecewise: checks and prepares the action recorded in {@code desc} exactly
     * as the mmap path prepares a hook's action ({@code error_override} validity, range inside the
     * VMA, the type's checks and flag changes), without touching this VMA.
     *
     * <pre>{@code
     * desc.actionCustom(vma -> {
     *     VmAreaDesc part = vma.compatSetDescFromVma(vma.file());
     *     part.actionRemap(vma.start(), pfnA, half);
     *     int r = vma.descActionPrepare(part);
     *     return r != 0 ? r : vma.descActionComplete(part);
     * });
     * }</pre>
     *
     * @param desc a descriptor from {@link #compatSetDescFromVma} of this VMA, with an action
     * @return {@code 0} or a negative errno (EFAULT for a range outside the VMA, EINVAL for a
     *         partial remap of a copy-on-write mapping, ...)
     */
    int descActionPrepare(VmAreaDesc desc);

    /**
     * {@code vma_desc_action_complete(vma, desc)}: performs a prepared partial action on this VMA:
     * takes over the flags and pgoff prepare computed, then populates the page tables of the
     * action's range. Hooks, {@code mapped} and {@code error_override} belong to the enclosing
     * mapping, not to a partial action. On failure nothing of this part stays mapped.
     *
     * @param desc a descriptor that passed {@link #descActionPrepare}
     * @return {@code 0} or a negative errno
     * @throws IllegalStateException if this VMA is not write-locked (a custom action runs with it
     *         write-locked)
     */
    int descActionComplete(VmAreaDesc desc);
}
