package org.vfsgi.mm.core;

import org.vfsgi.mm.VmaFlags;

/**
 * A {@link Vma} as it is at one moment, for text formatted later ({@link TraceDetail}): the
 * range, offset, flags (immutable) and file path, copied out of the VMA, whose fields later
 * operations change. Its {@link #toString()} is exactly the VMA's at the time of the copy.
 *
 * @param start the start address
 * @param end the end address, exclusive
 * @param pgoff the offset in pages
 * @param flags the flags
 * @param path the file's path, or null for anonymous memory
 */
public record VmaText(long start, long end, long pgoff, VmaFlags flags, String path) {

    /**
     * @param v a VMA
     * @return its current range, offset, flags and path
     */
    static VmaText of(Vma v) {
        return new VmaText(v.start, v.end, v.pgoff, v.flags, v.path());
    }

    /**
     * The one format of a VMA in messages and traces: {@code [start,end) pgoff 0xN [FLAGS] path}.
     *
     * @param start the start address
     * @param end the end address
     * @param pgoff the offset in pages
     * @param flags the flags
     * @param path the file path or null
     * @return the text
     */
    static String format(long start, long end, long pgoff, VmaFlags flags, String path) {
        return "[" + Long.toHexString(start) + "," + Long.toHexString(end) + ") pgoff 0x" + Long.toHexString(pgoff)
                + " " + flags + (path != null ? " " + path : "");
    }

    @Override
    public String toString() {
        return format(start, end, pgoff, flags, path);
    }
}
