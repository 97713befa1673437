package org.vfsgi.mm.core;

/**
 * One step of an mm operation, as recorded in the {@link TraceBuffer}.
 *
 * @param seq a sequence number, increasing per kernel
 * @param pid the process, or 0
 * @param start start of the range concerned
 * @param end end of the range concerned
 * @param file the file path, or null for anonymous memory
 * @param step the step
 * @param outcome {@code "ok"}, an errno name, or a short word such as {@code "merged"}
 * @param detail a sentence for people, may be empty
 */
public record TraceEvent(long seq, int pid, long start, long end, String file, TraceStep step, String outcome,
        String detail) {

    @Override
    public String toString() {
        return String.format("#%d pid %d [%x,%x) %s %s %s%s", seq, pid, start, end, file == null ? "anon" : file, step,
                outcome, detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
}
