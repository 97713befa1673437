package org.vfsgi.mm;

/**
 * A user memory access fault: the signal the accessing process receives, the faulting user
 * address and why.
 */
public class SignalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The signal delivered. */
    private final Signal signal;
    /** The faulting user address. */
    private final long address;
    /** The accessing process. */
    private final int pid;

    /**
     * @param signal the signal delivered
     * @param pid the process that made the access
     * @param address the faulting user address
     * @param reason why the access faulted, for a person
     * @throws NullPointerException if {@code signal} is null
     */
    public SignalException(Signal signal, int pid, long address, String reason) {
        super(signal.name() + " in pid " + pid + " at 0x" + Long.toHexString(address) + ": " + reason);
        this.signal = signal;
        this.pid = pid;
        this.address = address;
    }

    /** @return the signal */
    public Signal signal() {
        return signal;
    }

    /** @return the faulting user address */
    public long address() {
        return address;
    }

    /** @return the process id of the accessing process */
    public int pid() {
        return pid;
    }
}
