package org.vfsgi.mm.core.page;

/**
 * What a page fault did ({@code vm_fault_t}, reduced to what the platform reports and counts).
 */
public enum FaultResult {
    /** The entry was already usable (another thread faulted it in first, or a spurious fault); only its accessed/dirty bits were updated. */
    MAPPED_EXISTING(null),
    /** A page that needed no I/O was mapped: a page-cache hit, the zero page, a new anonymous page, a PFN, a driver page, or a shared page made writable. */
    MINOR(null),
    /** The page had to be read through {@link PageIo} first ({@code VM_FAULT_MAJOR}). */
    MAJOR(null),
    /** A private copy was made and mapped writable ({@code wp_page_copy}, {@code do_cow_fault}). */
    COW(null),
    /** A write-protected anonymous page was made writable in place, being the only reference ({@code wp_page_reuse}). */
    REUSED(null),
    /** Access beyond end of file, a revoked mapping, an I/O error or a vetoed {@code page_mkwrite} ({@code VM_FAULT_SIGBUS}). */
    SIGBUS("SIGBUS"),
    /** The mapping does not allow the access (a write to a read-only PFN map). */
    SIGSEGV("SIGSEGV"),
    /** No frame was free, or {@code page_mkwrite} said ENOMEM ({@code VM_FAULT_OOM}). */
    OOM("SIGKILL");

    private final String signal;

    FaultResult(String signal) {
        this.signal = signal;
    }

    /** @return whether the access cannot proceed */
    public boolean isError() {
        return signal != null;
    }

    /**
     * @return the signal the accessing process gets, or {@code null} when the fault succeeded;
     *         OOM is reported as {@code SIGKILL}, what the OOM killer would eventually send
     */
    public String signal() {
        return signal;
    }
}
