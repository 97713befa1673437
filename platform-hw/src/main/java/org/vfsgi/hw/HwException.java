package org.vfsgi.hw;

/**
 * An error a caller of the simulated hardware can cause, named by the kernel errno a driver
 * would see ({@code ENOMEM}, {@code EINVAL}, {@code EIO}, {@code EROFS}, {@code ENODEV},
 * {@code ENOSPC}). The platform maps the name onto its own errno type.
 */
public class HwException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errno;

    /**
     * @param errno the errno name, for example {@code "ENOMEM"}
     * @param message what failed, for a person
     */
    public HwException(String errno, String message) {
        super(errno + ": " + message);
        this.errno = errno;
    }

    /** @return the errno name, for example {@code "ENOMEM"} */
    public String errno() {
        return errno;
    }
}
