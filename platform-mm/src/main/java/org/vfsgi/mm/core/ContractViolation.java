package org.vfsgi.mm.core;

/**
 * Ways a file system or driver can break the mmap hook contract. Each is counted, traced and
 * warned about once per kernel ({@code VM_WARN_ON_ONCE}).
 */
public enum ContractViolation {
    /** The file has both {@code mmap} and {@code mmap_prepare}. */
    BOTH_MMAP_HOOKS,
    /** {@code mmap_complete} released the mmap write lock. */
    MMAP_LOCK_RELEASED,
    /** {@code mmap_complete} released the VMA write lock. */
    VMA_LOCK_RELEASED,
    /** A legacy {@code mmap} hook moved {@code vm_start}. */
    LEGACY_MMAP_MOVED_START,
    /** A legacy {@code mmap} hook newly granted MAYWRITE. */
    LEGACY_MMAP_GRANTED_MAYWRITE,
    /** An {@code error_hook} returned success. */
    ERROR_HOOK_CLEARED_ERROR,
    /** {@code error_override} is not zero or a negative errno. */
    INVALID_ERROR_OVERRIDE,
    /** A hook returned a positive value or an unknown errno. */
    INVALID_HOOK_RETURN,
    /** A hook threw instead of returning an errno. */
    HOOK_THREW,
    /** An action type the platform has no handler for. */
    UNKNOWN_ACTION,
    /** The file has {@code mmap_complete} without {@code mmap_prepare} (EINVAL). */
    MMAP_COMPLETE_WITHOUT_PREPARE,
    /** The file has {@code mmap_abort} without both {@code mmap_prepare} and {@code mmap_complete} (EINVAL). */
    MMAP_ABORT_WITHOUT_PARTNERS,
    /** An action's range (remap, I/O remap, kernel pages) lies outside the VMA (EFAULT). */
    ACTION_RANGE_OUTSIDE_VMA
}
