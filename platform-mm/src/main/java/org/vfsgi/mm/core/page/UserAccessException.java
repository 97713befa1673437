package org.vfsgi.mm.core.page;

/**
 * A user memory access that a fault could not satisfy: the accessing process gets
 * {@link #signal()} at {@link #address()}. Carries how many bytes were transferred before the
 * faulting page, so a caller emulating {@code copy_to_user} can report a short copy.
 */
public final class UserAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failed fault's result. */
    private final FaultResult result;
    /** The user address that could not be accessed. */
    private final long address;
    /** Bytes copied before {@link #address}. */
    private final int transferred;

    /**
     * @param result the failed fault's result ({@link FaultResult#isError()} is true)
     * @param address the user address that could not be accessed
     * @param transferred bytes copied before it
     */
    public UserAccessException(FaultResult result, long address, int transferred) {
        super(result.signal() + " at 0x" + Long.toHexString(address) + " (" + result + ", "
                + transferred + " bytes transferred)");
        this.result = result;
        this.address = address;
        this.transferred = transferred;
    }

    /** @return the failed fault's result */
    public FaultResult result() {
        return result;
    }

    /** @return the signal name, e.g. {@code SIGBUS} */
    public String signal() {
        return result.signal();
    }

    /** @return the user address that could not be accessed */
    public long address() {
        return address;
    }

    /** @return bytes copied before the faulting address */
    public int transferred() {
        return transferred;
    }
}
