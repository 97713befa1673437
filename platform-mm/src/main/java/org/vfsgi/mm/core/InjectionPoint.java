package org.vfsgi.mm.core;

/**
 * Named places where {@link FaultInjection} can make an mm operation fail, like the kernel
 * VMA tests' {@code fail_prealloc}.
 */
public enum InjectionPoint {
    /** Allocating a VMA ({@code vm_area_alloc}, {@code vm_area_dup}). */
    VMA_ALLOC,
    /** Preallocating tree nodes (insert, merge commit, munmap clear). */
    TREE_PREALLOC,
    /** Splitting a VMA. */
    SPLIT,
    /** Just before {@code mmap_prepare} is called (counts as a prepare failure). */
    BEFORE_PREPARE,
    /** Just after {@code mmap_prepare} succeeded. */
    AFTER_PREPARE,
    /** Action prepare. */
    ACTION_PREPARE,
    /** Action complete. */
    ACTION_COMPLETE,
    /** Just before {@code vm_ops->mapped}. */
    MAPPED,
    /** Just before {@code mmap_complete} is called. */
    BEFORE_COMPLETE,
    /** Just after {@code mmap_complete} returned success. */
    AFTER_COMPLETE
}
