package org.vfsgi.launcher;

import java.lang.System.Logger.Level;

import org.apache.felix.framework.Logger;

/**
 * Receives the Felix framework's own log (bundle start failures, resolver and dispatch errors)
 * and passes it to {@code System.Logger}, so it reads like the rest of the platform's log and
 * goes to standard error instead of being printed on standard output amid script output.
 *
 * <p>Felix takes its logger from the framework property {@value #FELIX_LOGGER_PROPERTY}, and
 * only as a subclass of its own {@code Logger}: this is the launcher's one use of a Felix
 * implementation class. Felix still filters by {@code felix.log.level}, and has already put the
 * bundle and the exception into the message.
 */
public final class FrameworkLog extends Logger {
    /** Framework property through which Felix accepts a logger object. */
    public static final String FELIX_LOGGER_PROPERTY = "felix.log.logger";

    private static final System.Logger LOG = System.getLogger("org.apache.felix.framework");

    private final boolean debug;

    /** @param debug whether to log stack traces too */
    public FrameworkLog(boolean debug) {
        this.debug = debug;
    }

    /**
     * Logs one framework message; called by Felix.
     *
     * @param level     1 error, 2 warning, 3 info, 4 debug (the OSGi log levels)
     * @param message   the message, with the bundle and the exception already in it
     * @param throwable the exception, or {@code null}
     */
    @Override
    protected void doLog(int level, String message, Throwable throwable) {
        Level mapped = switch (level) {
            case LOG_ERROR -> Level.ERROR;
            case LOG_WARNING -> Level.WARNING;
            case LOG_INFO -> Level.INFO;
            default -> Level.DEBUG;
        };
        if (debug && throwable != null) {
            LOG.log(mapped, message, throwable);
        } else {
            LOG.log(mapped, message);
        }
    }
}
