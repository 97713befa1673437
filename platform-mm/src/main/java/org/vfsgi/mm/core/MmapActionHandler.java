package org.vfsgi.mm.core;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmapAction;
import org.vfsgi.mm.MmapActionType;

/**
 * The extension point for {@code mmap_action} types. The mmap path calls
 * {@link #prepare(VmAreaDescImpl)} right after {@code mmap_prepare} (contract step 6) and
 * {@link #complete(Vma, MmapAction)} on the newly inserted VMA (step 11). The page-table
 * part of the platform supplies remap, I/O remap, simple I/O remap and kernel-page
 * handlers; {@link #BASIC} handles {@link MmapActionType#NOTHING} and
 * {@link MmapActionType#CUSTOM} and rejects every other type with EINVAL.
 *
 * <p>The {@code error_override} validation, hooks and {@code mapped} stay in the mmap path;
 * a handler only performs the action itself.
 */
public interface MmapActionHandler {

    /** Handles NOTHING and CUSTOM; any other type fails with EINVAL. */
    MmapActionHandler BASIC = new MmapActionHandler() {
        @Override
        public int prepare(VmAreaDescImpl desc) {
            MmapActionType t = desc.action().type();
            return t == MmapActionType.NOTHING || t == MmapActionType.CUSTOM ? 0 : Errno.EINVAL.negative();
        }

        @Override
        public boolean supports(MmapActionType type) {
            return type == MmapActionType.NOTHING || type == MmapActionType.CUSTOM;
        }

        @Override
        public int complete(Vma vma, MmapAction action) {
            switch (action.type()) {
                case NOTHING:
                    return 0;
                case CUSTOM:
                    return action.custom().perform(vma);
                default:
                    return Errno.EINVAL.negative();
            }
        }
    };

    /**
     * Whether this handler knows an action type; the mmap path reports a type it does not know
     * as the contract violation {@link ContractViolation#UNKNOWN_ACTION} (the kernel's WARN in
     * {@code mmap_action_prepare}) and fails the mapping with EINVAL.
     *
     * @param type an action type
     * @return whether {@link #prepare} and {@link #complete} handle it
     */
    boolean supports(MmapActionType type);

    /**
     * {@code mmap_action_prepare}: validate the requested action against the descriptor and
     * adjust it (flags, pgoff, type rewrites).
     *
     * @param desc the descriptor, whose action is {@code desc.action()}
     * @return {@code 0} or a negative errno
     */
    int prepare(VmAreaDescImpl desc);

    /**
     * {@code mmap_action_complete}, the action part: populate the VMA. A failure part-way
     * must clear what was populated.
     *
     * @param vma the inserted, write-locked VMA
     * @param action the prepared action
     * @return {@code 0} or a negative errno
     */
    int complete(Vma vma, MmapAction action);
}
