package org.vfsgi.launcher;

import java.io.PrintStream;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * A java.util.logging handler that writes records below WARNING to the standard output the JVM
 * started with; {@code java.util.logging.ConsoleHandler} (standard error) takes WARNING and
 * above. Named in {@code conf/logging.properties}; its level is {@code
 * org.vfsgi.launcher.StdoutLogHandler.level}, its format {@code java.util.logging.SimpleFormatter.format}.
 *
 * <p>It holds the original {@code System.out} because Gogo later replaces {@code System.out}
 * with a per-thread stream, and flushes every record so log lines and script output keep their
 * order.
 */
public final class StdoutLogHandler extends StreamHandler {

    private static final PrintStream ORIGINAL_OUT = System.out;

    /** Creates the handler; java.util.logging calls this by reflection. */
    public StdoutLogHandler() {
        // StreamHandler reads <class name>.level (default INFO); the format is SimpleFormatter's
        super(ORIGINAL_OUT, new SimpleFormatter());
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (record != null && record.getLevel().intValue() >= Level.WARNING.intValue()) {
            return; // warnings and errors are the ConsoleHandler's, on standard error
        }
        super.publish(record);
        flush();
    }

    /** Flushes only: closing would close the JVM's standard output. */
    @Override
    public synchronized void close() {
        flush();
    }
}
