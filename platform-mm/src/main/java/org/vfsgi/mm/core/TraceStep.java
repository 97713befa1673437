package org.vfsgi.mm.core;

/**
 * The steps of mm operations that appear in the trace, named after the contract's steps.
 */
public enum TraceStep {
    /** do_mmap argument validation and file checks. */
    VALIDATE,
    /** Address selection ({@code get_unmapped_area}). */
    GET_UNMAPPED_AREA,
    /** {@code __mmap_setup}: gather replaced VMAs, limits, accounting. */
    SETUP,
    /** A VMA replaced by MAP_FIXED was closed ({@code vms_clean_up_area}). */
    CLOSE_REPLACED,
    /** Replaced VMAs were put back because the mmap failed before they were closed. */
    RESTORE,
    /** {@code f_op->mmap_prepare}. */
    PREPARE,
    /** {@code mmap_action_prepare}. */
    ACTION_PREPARE,
    /** Merge attempt of the new range with its neighbours. */
    MERGE,
    /** {@code __mmap_new_vma}: allocated, write-locked, inserted, rmap-linked. */
    NEW_VMA,
    /** Legacy {@code f_op->mmap}. */
    LEGACY_MMAP,
    /** vm_ops and private data applied to the VMA. */
    USER_FIELDS,
    /** {@code __mmap_complete}: SOFTDIRTY, statistics, page protection. */
    MMAP_COMPLETE,
    /** {@code mmap_action_complete}: the action ran. */
    ACTION,
    /** {@code success_hook}. */
    SUCCESS_HOOK,
    /** {@code error_hook}. */
    ERROR_HOOK,
    /** {@code vm_ops->mapped}. */
    MAPPED,
    /** The reverse-map lock held for {@code hide_from_rmap_until_complete} was released. */
    RMAP_UNLOCK,
    /** {@code f_op->mmap_complete}. */
    COMPLETE,
    /** {@code f_op->mmap_abort}. */
    ABORT,
    /** A VMA was unmapped. */
    UNMAP,
    /** A VMA was split. */
    SPLIT,
    /** {@code vm_ops->open}. */
    OPEN,
    /** {@code vm_ops->close}. */
    CLOSE,
    /** mprotect changed a range. */
    MPROTECT,
    /** mremap resized or moved a range. */
    MREMAP,
    /** fork copied a VMA. */
    FORK,
    /** A process exited. */
    EXIT,
    /** The whole mmap call finished (outcome: address or errno). */
    MMAP,
    /** A driver broke the hook contract. */
    CONTRACT_VIOLATION,
    /** A user memory access faulted and the process got a signal (SIGSEGV, SIGBUS, SIGKILL). */
    SIGNAL,
    /** {@code page_mkwrite} / {@code pfn_mkwrite} refused to make a page writable. */
    MKWRITE,
    /** {@code msync}: dirty shared pages of a range written back. */
    MSYNC,
    /** A mapping was revoked: page tables cleared, later accesses get SIGBUS. */
    REVOKE,
    /**
     * The compat layer ({@code vfs_mmap}, {@code compat_vma_mmap}, {@code __compat_vma_mmap}) ran
     * a file's {@code mmap_prepare} from inside a legacy {@code mmap} hook; the outcome is the
     * errno handed back to that hook.
     */
    COMPAT_MMAP,
    /** A custom action ran a partial action through {@code vma_desc_action_complete}. */
    DESC_ACTION;
}
