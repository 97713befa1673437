package org.vfsgi.launcher;

/**
 * The platform cannot be started: a missing or malformed file of the distribution, or a
 * framework that refuses to start. The launcher exits with {@link Main#EXIT_LAUNCH_FAILED}.
 */
public final class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what could not be done, naming the file or property involved */
    public LaunchException(String message) {
        super(message);
    }

    /**
     * @param message what could not be done, naming the file or property involved
     * @param cause   the underlying failure
     */
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
