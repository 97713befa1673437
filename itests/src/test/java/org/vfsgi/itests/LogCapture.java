package org.vfsgi.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records every WARNING and SEVERE line the platform logs (System.Logger goes to JUL), so
 * tests can fail on unexpected ones and assert the exact line a bad input must produce.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final List<LogRecord> records = new ArrayList<>();

    /** Starts capturing on the root logger. */
    public static LogCapture start() {
        LogCapture c = new LogCapture();
        c.setLevel(Level.WARNING);
        Logger.getLogger("").addHandler(c);
        return c;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            records.add(record);
        }
    }

    /** @return the messages captured so far, formatted with their parameters */
    public synchronized List<String> messages() {
        List<String> out = new ArrayList<>();
        java.util.logging.SimpleFormatter f = new java.util.logging.SimpleFormatter();
        for (LogRecord r : records) {
            out.add(r.getLevel() + " " + r.getLoggerName() + ": " + f.formatMessage(r)
                + (r.getThrown() == null ? "" : " [" + r.getThrown() + "]"));
        }
        return out;
    }

    /** @return how many captured lines contain every one of {@code parts} */
    public synchronized long count(String... parts) {
        return messages().stream().filter(m -> {
            for (String p : parts) {
                if (!m.contains(p)) {
                    return false;
                }
            }
            return true;
        }).count();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
