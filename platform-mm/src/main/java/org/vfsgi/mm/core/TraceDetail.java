package org.vfsgi.mm.core;

/**
 * The detail sentence of a {@link TraceEvent}, kept as the raw values it is made of and
 * formatted only when someone reads it ({@link TraceEvent#detail()}): most events of a busy
 * kernel drop out of the ring unread, and building their text on every mm step cost more than
 * the step itself.
 *
 * <p>An implementation must hold only values that cannot change after the event was recorded
 * (longs, strings, enums, {@link org.vfsgi.mm.VmaFlags}) — never a live {@link Vma}, whose
 * range, offset and flags later operations change — so that the text read later is the text
 * the event would have had when it was recorded. {@link #format()} must not fail and must
 * return the same text every time.
 */
@FunctionalInterface
public interface TraceDetail {
    /** @return the detail sentence, never null (may be empty) */
    String format();
}
