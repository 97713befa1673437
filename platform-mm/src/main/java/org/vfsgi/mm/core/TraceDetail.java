package org.vfsgi.mm.core;

import org.vfsgi.mm.VmaFlags;

/**
 * The detail sentence of a {@link TraceEvent}, kept as the raw values it is made of and
 * formatted only when someone reads it ({@link TraceEvent#detail()}): most events of a busy
 * kernel drop out of the ring unread, and building their text on every mm step cost more than
 * the step itself.
 *
 * <p>An implementation must hold only values that cannot change after the event was recorded
 * (longs, strings, enums, {@link VmaFlags}, {@link VmaText}) — never a live {@link Vma}, whose
 * range, offset and flags later operations change — so that the text read later is the text
 * the event would have had when it was recorded. {@link #format()} must not fail and must
 * return the same text every time.
 */
@FunctionalInterface
public interface TraceDetail {
    /** @return the detail sentence, never null (may be empty) */
    String format();

    /**
     * {@code prefix + vma + suffix}, as {@code "new " + vma} was.
     *
     * @param prefix text before the VMA
     * @param vma the VMA as it was when the event was recorded
     * @param suffix text after the VMA
     * @return the detail
     */
    static TraceDetail of(String prefix, VmaText vma, String suffix) {
        return () -> prefix + vma + suffix;
    }

    /**
     * {@code prefix + flags}, as {@code "now " + v.flags} was.
     *
     * @param prefix text before the flags
     * @param flags a flag set (immutable)
     * @return the detail
     */
    static TraceDetail of(String prefix, VmaFlags flags) {
        return () -> prefix + flags;
    }
}
