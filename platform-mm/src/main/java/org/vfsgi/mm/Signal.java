package org.vfsgi.mm;

/**
 * Signals delivered to a process whose user memory access faulted, with their Linux numbers.
 */
public enum Signal {
    /** Bus error: the page exists in the mapping but cannot be supplied (beyond EOF, revoked, unpopulated PFN map). */
    SIGBUS(7),
    /**
     * Killed: a fault found no free page frame ({@code VM_FAULT_OOM}), or a {@code page_mkwrite}
     * said ENOMEM; the out-of-memory killer would end the process.
     */
    SIGKILL(9),
    /** Segmentation violation: no VMA at the address, or the access is not allowed by its flags. */
    SIGSEGV(11);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /** @return the Linux signal number */
    public int number() {
        return number;
    }
}
