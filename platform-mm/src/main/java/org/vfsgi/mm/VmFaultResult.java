package org.vfsgi.mm;

/**
 * The outcome of a fault handler ({@code vm_fault_t}).
 */
public enum VmFaultResult {
    /** The handler supplied a page (the kernel's 0 with {@code vmf->page} set). */
    PAGE,
    /** The handler installed the entry itself ({@code VM_FAULT_NOPAGE}). */
    NOPAGE,
    /** The supplied page is locked ({@code VM_FAULT_LOCKED}). */
    LOCKED,
    /** Out of memory ({@code VM_FAULT_OOM}). */
    OOM,
    /** Deliver SIGBUS ({@code VM_FAULT_SIGBUS}). */
    SIGBUS,
    /** Deliver SIGSEGV ({@code VM_FAULT_SIGSEGV}). */
    SIGSEGV,
    /** Retry the fault ({@code VM_FAULT_RETRY}). */
    RETRY,
    /** A huge fault could not be served; fall back to smaller pages ({@code VM_FAULT_FALLBACK}). */
    FALLBACK,
    /** The handler completed the copy-on-write itself ({@code VM_FAULT_DONE_COW}). */
    DONE_COW,
    /** A MAP_SYNC fault needs an fsync before the entry can be installed ({@code VM_FAULT_NEEDDSYNC}). */
    NEEDDSYNC
}
