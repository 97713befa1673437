package org.vfsgi.mm;

import org.osgi.annotation.versioning.ProviderType;
import org.vfsgi.vfs.File;

/**
 * The descriptor a {@code mmap_prepare} hook fills ({@code struct vm_area_desc}). The platform
 * implements it; the hook sees three tiers, enforced by this type:
 * <ul>
 * <li>read-only: {@link #mm()}, {@link #file()}, {@link #start()}, {@link #end()} — there is no
 * setter;</li>
 * <li>read/write: {@link #pgoff()}, {@link #vmFile()}, the flags (through the flag API) and
 * {@link #pageProt()};</li>
 * <li>write-only: {@link #setVmOps}, {@link #setPrivateData}, {@link #setContext} — there is
 * no getter, the platform reads them through its own class;</li>
 * <li>the action, written only through the {@code action*} helpers.</li>
 * </ul>
 * A {@code mmap_prepare} hook must be stateless: the mapping may still merge or fail after it.
 */
@ProviderType
public interface VmAreaDesc {
    /** @return the target address space (read-only) */
    AddressSpace mm();

    /** @return the file whose {@code mmap_prepare} is running (read-only; in a stacked call it differs from {@link #vmFile()}) */
    File file();

    /** @return the page-aligned start of the range (read-only) */
    long start();

    /** @return the page-aligned end of the range, exclusive (read-only) */
    long end();

    /** @return {@code end() - start()} ({@code vma_desc_size}) */
    default long size() {
        return end() - start();
    }

    /** @return the number of pages ({@code vma_desc_pages}) */
    default long pages() {
        return size() >>> Mman.PAGE_SHIFT;
    }

    /**
     * {@code range_in_vma_desc}.
     *
     * @param s start address
     * @param e end address, exclusive
     * @return whether {@code [s, e)} lies inside the descriptor's range
     */
    default boolean rangeIn(long s, long e) {
        return start() <= s && s <= e && e <= end();
    }

    /** @return whether the mapping is copy-on-write: MAYWRITE without SHARED ({@code vma_desc_is_cow_mapping}) */
    default boolean isCowMapping() {
        return flags().test(VmaFlag.MAYWRITE) && !flags().test(VmaFlag.SHARED);
    }

    /** @return the file offset in pages */
    long pgoff();

    /**
     * @param pgoff the new file offset in pages
     * @throws IllegalArgumentException if negative
     */
    void setPgoff(long pgoff);

    /** @return the file the VMA will reference ({@code vm_file}) */
    File vmFile();

    /**
     * Substitutes the file the VMA will reference (for example a shmem file for shared
     * {@code /dev/zero}).
     *
     * @param file the new file, not null
     */
    void setVmFile(File file);

    /**
     * {@code vfs_mmap_prepare(file, desc)} for a stacking file system's own {@code mmap_prepare}
     * (overlay's newer style): runs {@code file}'s {@code mmap_prepare} on this descriptor, during
     * which {@link #file()} is {@code file} — the file whose hook is running, as the inner hook
     * expects — while every other field is this descriptor's, read and written through. Pointing
     * {@code vm_file} at {@code file} (handing over a reference, {@code file.getFile()}) is the
     * caller's business, as it is the kernel's stacking driver's.
     *
     * @param file the file underneath, not null
     * @return the inner hook's result, {@code 0} or a negative errno; {@code -ENODEV} if
     *         {@code file} has no {@code mmap_prepare}
     */
    int vfsMmapPrepare(File file);

    /** @return the flags the VMA will get */
    VmaFlags flags();

    /**
     * Replaces the whole flag set.
     *
     * @param flags the new flags, not null
     */
    void setFlags(VmaFlags flags);

    /**
     * {@code vma_desc_test}.
     *
     * @param flag a flag
     * @return whether it is set
     */
    default boolean flagsTest(VmaFlag flag) {
        return flags().test(flag);
    }

    /**
     * {@code vma_desc_test_any}.
     *
     * @param flags flags
     * @return whether any is set
     */
    default boolean flagsTestAny(VmaFlag... flags) {
        return flags().testAny(flags);
    }

    /**
     * {@code vma_desc_test_all}.
     *
     * @param flags flags
     * @return whether all are set
     */
    default boolean flagsTestAll(VmaFlag... flags) {
        return flags().testAll(flags);
    }

    /**
     * {@code vma_desc_test_any_mask}.
     *
     * @param mask a set
     * @return whether the flags intersect it
     */
    default boolean flagsTestAnyMask(VmaFlags mask) {
        return flags().testAnyMask(mask);
    }

    /**
     * {@code vma_desc_test_all_mask}.
     *
     * @param mask a set
     * @return whether all of it is set
     */
    default boolean flagsTestAllMask(VmaFlags mask) {
        return flags().testAllMask(mask);
    }

    /**
     * {@code vma_desc_set_flags}.
     *
     * @param flags flags to set
     */
    default void flagsSet(VmaFlag... flags) {
        setFlags(flags().set(flags));
    }

    /**
     * {@code vma_desc_clear_flags}.
     *
     * @param flags flags to clear
     */
    default void flagsClear(VmaFlag... flags) {
        setFlags(flags().clear(flags));
    }

    /**
     * {@code vma_desc_set_flags_mask}.
     *
     * @param mask flags to set
     */
    default void flagsSetMask(VmaFlags mask) {
        setFlags(flags().setMask(mask));
    }

    /**
     * {@code vma_desc_clear_flags_mask}.
     *
     * @param mask flags to clear
     */
    default void flagsClearMask(VmaFlags mask) {
        setFlags(flags().clearMask(mask));
    }

    /** @return the page protection the VMA will get */
    PageProt pageProt();

    /**
     * @param prot the new protection, not null
     */
    void setPageProt(PageProt prot);

    /**
     * Sets the VM operations (write-only). The initial value is
     * {@link VmOperations#DUMMY}; {@code null} makes the VMA anonymous.
     *
     * @param ops the operations, or null
     */
    void setVmOps(VmOperations ops);

    /** {@code vma_desc_set_anonymous}: the VMA will be anonymous memory (only {@code /dev/zero}-like drivers do this). */
    default void setAnonymous() {
        setVmOps(null);
    }

    /**
     * {@code shmem_zero_setup_desc}: backs the mapping with a new, unlinked shmem file of the
     * descriptor's size and shmem's VM operations, substituting it for {@link #vmFile()} (shared
     * {@code /dev/zero} does this, so that fork children share the pages). The descriptor hands
     * the file's reference to the VMA; if the mapping fails later the platform drops it.
     *
     * @return {@code 0} or a negative errno (ENOMEM when the platform has no shmem, as a kernel
     *         without RAM)
     */
    int shmemZeroSetup();

    /**
     * Sets the VMA's private data (write-only).
     *
     * @param data the data, may be null
     */
    void setPrivateData(Object data);

    /**
     * Sets the context handed to {@code mmap_complete} or {@code mmap_abort} (write-only).
     *
     * @param context the context, may be null
     */
    void setContext(Object context);

    /** @return the action requested so far (an immutable snapshot) */
    MmapAction action();

    /**
     * {@code mmap_action_remap}: remap {@code size} bytes of PFNs from {@code pfn} to user
     * address {@code start} once the VMA exists; snapshots {@link #pageProt()} now.
     *
     * @param start user address inside the descriptor
     * @param pfn first page frame number
     * @param size bytes
     */
    void actionRemap(long start, long pfn, long size);

    /**
     * {@code mmap_action_remap_full}: remap the whole range.
     *
     * @param pfn first page frame number
     */
    default void actionRemapFull(long pfn) {
        actionRemap(start(), pfn, size());
    }

    /**
     * {@code mmap_action_ioremap}: an I/O remap (uncached, decrypted protection).
     *
     * @param start user address
     * @param pfn first page frame number
     * @param size bytes
     */
    void actionIoremap(long start, long pfn, long size);

    /**
     * {@code mmap_action_ioremap_full}.
     *
     * @param pfn first page frame number
     */
    default void actionIoremapFull(long pfn) {
        actionIoremap(start(), pfn, size());
    }

    /**
     * {@code mmap_action_simple_ioremap}: I/O remap of a physical window, range-checked at prepare.
     *
     * @param physAddr physical start address
     * @param size window size in bytes
     */
    void actionSimpleIoremap(long physAddr, long size);

    /**
     * {@code mmap_action_map_kernel_pages}: insert kernel-owned pages (sets MIXEDMAP at prepare).
     *
     * @param start user address
     * @param pfns the pages' frame numbers
     */
    void actionMapKernelPages(long start, long[] pfns);

    /**
     * {@code mmap_action_map_kernel_pages_full}.
     *
     * @param pfns the pages' frame numbers
     */
    default void actionMapKernelPagesFull(long[] pfns) {
        actionMapKernelPages(start(), pfns);
    }

    /**
     * A custom action: {@code callback} runs on the inserted VMA at action time.
     *
     * @param callback the driver's callback, not null
     */
    void actionCustom(MmapAction.CustomAction callback);

    /**
     * Sets {@code success_hook}.
     *
     * @param hook the hook, or null
     */
    void actionSuccessHook(MmapAction.SuccessHook hook);

    /**
     * Sets {@code error_hook}.
     *
     * @param hook the hook, or null
     */
    void actionErrorHook(MmapAction.ErrorHook hook);

    /**
     * Sets {@code error_override}: the error returned instead of an action or {@code mapped}
     * failure. Validated at action prepare (a value that is not 0 or a negative errno fails
     * the mapping with EINVAL).
     *
     * @param negativeErrno {@code 0} or a negative errno
     */
    void actionErrorOverride(int negativeErrno);

    /**
     * Sets {@code hide_from_rmap_until_complete}.
     *
     * @param hide whether to keep the reverse-map lock until the action and {@code mapped} ran
     */
    void actionHideFromRmapUntilComplete(boolean hide);
}
