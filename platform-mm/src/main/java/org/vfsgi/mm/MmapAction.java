package org.vfsgi.mm;

import java.util.Objects;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The work a {@code mmap_prepare} hook asks for once the VMA exists ({@code struct mmap_action}).
 * Immutable: the descriptor's action helpers ({@link VmAreaDesc#actionRemap}, ...) replace it.
 *
 * @param type what to do
 * @param start user address where a remap or page insertion starts
 * @param pfn first page frame number of a remap
 * @param size bytes of a remap, or of a simple I/O remap window
 * @param prot the page protection snapshotted when the remap was requested
 * @param physAddr physical start address of a simple I/O remap
 * @param kernelPages page frame numbers of the kernel pages to insert (a copy is kept)
 * @param pgoff the descriptor pgoff recorded with kernel pages
 * @param custom the callback of a {@link MmapActionType#CUSTOM} action, else null
 * @param successHook runs after a successful action with the VMA write-locked, or null
 * @param errorHook filters an action error, or null
 * @param errorOverride {@code 0}, or the negative errno returned instead of an action/{@code mapped} failure
 * @param hideFromRmapUntilComplete keep the file's reverse-map lock held until the action and {@code mapped} ran
 */
public record MmapAction(MmapActionType type, long start, long pfn, long size, PageProt prot, long physAddr,
        long[] kernelPages, long pgoff, CustomAction custom, SuccessHook successHook, ErrorHook errorHook,
        int errorOverride, boolean hideFromRmapUntilComplete) {

    /** The initial action of every descriptor: {@code MMAP_NOTHING} with all fields zero. */
    public static final MmapAction NOTHING = new MmapAction(MmapActionType.NOTHING, 0, 0, 0, null, 0, null, 0,
            null, null, null, 0, false);

    /**
     * Checks the type and copies the page list.
     *
     * @param type what to do, not null
     * @param start user address of a remap or page insertion
     * @param pfn first page frame number of a remap
     * @param size bytes
     * @param prot protection snapshot, or null
     * @param physAddr physical start of a simple I/O remap
     * @param kernelPages page frame numbers, or null
     * @param pgoff descriptor pgoff recorded with kernel pages
     * @param custom custom callback, or null
     * @param successHook success hook, or null
     * @param errorHook error hook, or null
     * @param errorOverride 0 or a negative errno
     * @param hideFromRmapUntilComplete whether to hide the VMA from rmap walkers until complete
     */
    public MmapAction {
        Objects.requireNonNull(type, "type");
        kernelPages = kernelPages == null ? null : kernelPages.clone();
    }

    /** @return a copy of the kernel page frame numbers, or null */
    @Override
    public long[] kernelPages() {
        return kernelPages == null ? null : kernelPages.clone();
    }

    /**
     * The callback of a custom action. It runs on the inserted VMA at action time.
     */
    @FunctionalInterface
    @ConsumerType
    public interface CustomAction {
        /**
         * @param vma the new VMA, write-locked
         * @return {@code 0} or a negative errno
         */
        int perform(VmArea vma);
    }

    /**
     * {@code success_hook}: runs after a successful action with the VMA write lock held; an
     * error unmaps the VMA.
     */
    @FunctionalInterface
    @ConsumerType
    public interface SuccessHook {
        /**
         * @param vma the new VMA
         * @return {@code 0} or a negative errno
         */
        int onSuccess(VmArea vma);
    }

    /**
     * {@code error_hook}: filters an action error. It may change the error but not clear it;
     * returning {@code 0} is itself a contract violation.
     */
    @FunctionalInterface
    @ConsumerType
    public interface ErrorHook {
        /**
         * @param err the negative errno of the failed action
         * @return the negative errno to report
         */
        int onError(int err);
    }

    /**
     * @param t the new type
     * @return this action with another type (used when prepare rewrites an I/O remap into a remap)
     */
    public MmapAction withType(MmapActionType t) {
        return new MmapAction(t, start, pfn, size, prot, physAddr, kernelPages, pgoff, custom, successHook,
                errorHook, errorOverride, hideFromRmapUntilComplete);
    }

    /**
     * @param p the new remap parameters' start PFN
     * @param pr the new protection
     * @return this action with the remap PFN and protection replaced
     */
    public MmapAction withRemap(long p, PageProt pr) {
        return new MmapAction(type, start, p, size, pr, physAddr, kernelPages, pgoff, custom, successHook,
                errorHook, errorOverride, hideFromRmapUntilComplete);
    }

    /**
     * @param hide the new value of {@code hide_from_rmap_until_complete}
     * @return this action with the flag replaced
     */
    public MmapAction withHideFromRmapUntilComplete(boolean hide) {
        return new MmapAction(type, start, pfn, size, prot, physAddr, kernelPages, pgoff, custom, successHook,
                errorHook, errorOverride, hide);
    }

    /**
     * @param s success hook
     * @param e error hook
     * @param override error override
     * @return this action with the three fields replaced
     */
    public MmapAction withHooks(SuccessHook s, ErrorHook e, int override) {
        return new MmapAction(type, start, pfn, size, prot, physAddr, kernelPages, pgoff, custom, s, e, override,
                hideFromRmapUntilComplete);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MmapAction)) {
            return false;
        }
        MmapAction a = (MmapAction) o;
        return type == a.type && start == a.start && pfn == a.pfn && size == a.size && Objects.equals(prot, a.prot)
                && physAddr == a.physAddr && java.util.Arrays.equals(kernelPages, a.kernelPages) && pgoff == a.pgoff
                && custom == a.custom && successHook == a.successHook && errorHook == a.errorHook
                && errorOverride == a.errorOverride && hideFromRmapUntilComplete == a.hideFromRmapUntilComplete;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, start, pfn, size, physAddr, pgoff, errorOverride);
    }

    @Override
    public String toString() {
        return "MmapAction[" + type + (type == MmapActionType.NOTHING ? ""
                : " start=0x" + Long.toHexString(start) + " pfn=0x" + Long.toHexString(pfn) + " size=0x"
                        + Long.toHexString(size))
                + (errorOverride != 0 ? " errorOverride=" + Errno.describe(errorOverride) : "")
                + (hideFromRmapUntilComplete ? " hideFromRmapUntilComplete" : "") + "]";
    }
}
