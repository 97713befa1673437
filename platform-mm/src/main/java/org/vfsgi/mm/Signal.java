package org.vfsgi.mm;

/**
 * Signals delivered to a process whose user memory access faulted, with their Linux numbers.
 */
public enum Signal {
    /** Bus error: the page exists in the mapping but cannot be supplied (beyond EOF, revoked, unpopulated PFN map). */
    SIGBUS(7),
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
