package org.vfsgi.mm.core;

import java.util.Objects;

/**
 * One step of an mm operation, as recorded in the {@link TraceBuffer}.
 *
 * <p>The detail sentence is kept as recorded: either text, or a {@link TraceDetail} holding the
 * raw values it is made of, formatted the first time {@link #detail()} (or {@link #toString()},
 * {@link #equals}, {@link #hashCode}) reads it and kept from then on. Recording an event
 * therefore costs no string building; a reader sees the same text either way.
 */
public final class TraceEvent {
    private final long seq;
    private final int pid;
    private final long start;
    private final long end;
    private final String file;
    private final TraceStep step;
    private final String outcome;
    /**
     * A {@code String} once formatted, else the {@link TraceDetail} to format. Readers on other
     * threads may race to format it; they compute equal text from immutable values and publish an
     * immutable String, so the race is harmless (as {@code String.hash}'s is).
     */
    private Object detail;

    /**
     * @param seq a sequence number, increasing per kernel
     * @param pid the process, or 0
     * @param start start of the range concerned
     * @param end end of the range concerned
     * @param file the file path, or null for anonymous memory
     * @param step the step
     * @param outcome {@code "ok"}, an errno name, or a short word such as {@code "merged"}
     * @param detail a sentence for people, may be empty; null counts as empty
     */
    public TraceEvent(long seq, int pid, long start, long end, String file, TraceStep step, String outcome,
            String detail) {
        this(seq, pid, start, end, file, step, outcome, (Object) (detail == null ? "" : detail));
    }

    /**
     * As {@link #TraceEvent(long, int, long, long, String, TraceStep, String, String)}, with the
     * detail formatted when first read.
     *
     * @param detail the detail's raw values, not null
     */
    public TraceEvent(long seq, int pid, long start, long end, String file, TraceStep step, String outcome,
            TraceDetail detail) {
        this(seq, pid, start, end, file, step, outcome, (Object) Objects.requireNonNull(detail, "detail"));
    }

    /** For the public constructors and {@link TraceBuffer}: {@code detail} is a non-null String or TraceDetail. */
    TraceEvent(long seq, int pid, long start, long end, String file, TraceStep step, String outcome,
            Object detail) {
        this.seq = seq;
        this.pid = pid;
        this.start = start;
        this.end = end;
        this.file = file;
        this.step = step;
        this.outcome = outcome;
        this.detail = detail;
    }

    /** @return the sequence number, increasing per kernel */
    public long seq() {
        return seq;
    }

    /** @return the process, or 0 */
    public int pid() {
        return pid;
    }

    /** @return start of the range concerned */
    public long start() {
        return start;
    }

    /** @return end of the range concerned */
    public long end() {
        return end;
    }

    /** @return the file path, or null for anonymous memory */
    public String file() {
        return file;
    }

    /** @return the step */
    public TraceStep step() {
        return step;
    }

    /** @return {@code "ok"}, an errno name, or a short word such as {@code "merged"} */
    public String outcome() {
        return outcome;
    }

    /** @return a sentence for people, never null, may be empty; formatted on the first call */
    public String detail() {
        Object d = detail;
        if (d instanceof String) {
            return (String) d;
        }
        String text = ((TraceDetail) d).format();
        detail = text;
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceEvent e && seq == e.seq && pid == e.pid && start == e.start && end == e.end
                && Objects.equals(file, e.file) && step == e.step && Objects.equals(outcome, e.outcome)
                && detail().equals(e.detail());
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, pid, start, end, file, step, outcome, detail());
    }

    @Override
    public String toString() {
        String d = detail();
        return String.format("#%d pid %d [%x,%x) %s %s %s%s", seq, pid, start, end, file == null ? "anon" : file, step,
                outcome, d.isEmpty() ? "" : ": " + d);
    }
}
