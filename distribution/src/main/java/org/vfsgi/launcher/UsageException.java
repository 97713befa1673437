package org.vfsgi.launcher;

/**
 * The command line cannot be understood. The launcher prints the message and the usage on
 * standard error and exits with {@link Main#EXIT_USAGE}.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong with the command line, naming the offending argument */
    public UsageException(String message) {
        super(message);
    }
}
