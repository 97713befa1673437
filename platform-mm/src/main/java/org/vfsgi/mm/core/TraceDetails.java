package org.vfsgi.mm.core;

import org.vfsgi.mm.VmaFlags;

/**
 * The {@link TraceDetail}s of the mm steps whose text names VMAs. Each factory copies what the
 * text prints out of the live VMA when it is called — the moment the event is recorded — since
 * later operations change the VMA's range, offset and flags; the copies are one plain object
 * per event (no snapshot object per VMA, no lambda), so an unread detail costs little.
 */
final class TraceDetails {
    private TraceDetails() {
    }

    /**
     * The one text of a VMA in messages and traces, {@code [start,end) pgoff 0xN [FLAGS] path}
     * ({@link Vma#toString()}).
     *
     * @param start the start address
     * @param end the end address, exclusive
     * @param pgoff the offset in pages
     * @param flags the flags
     * @param path the file path, or null for anonymous memory
     * @return the text
     */
    static String vmaText(long start, long end, long pgoff, VmaFlags flags, String path) {
        return "[" + Long.toHexString(start) + "," + Long.toHexString(end) + ") pgoff 0x" + Long.toHexString(pgoff)
                + " " + flags + (path != null ? " " + path : "");
    }

    /**
     * @param prefix text before the VMA
     * @param v the VMA, as it is now
     * @param suffix text after it
     * @return {@code prefix + v + suffix}, formatted when read
     */
    static TraceDetail vma(String prefix, Vma v, String suffix) {
        return new VmaLine(prefix, v.start, v.end, v.pgoff, v.flags, v.path(), suffix);
    }

    /**
     * @param prefix text before the flags
     * @param flags a flag set (immutable)
     * @return {@code prefix + flags}, formatted when read
     */
    static TraceDetail flags(String prefix, VmaFlags flags) {
        return new FlagsLine(prefix, flags);
    }

    /**
     * The SPLIT step's detail.
     *
     * @param addr the split address
     * @param piece the new VMA, as it is now
     * @param kept the VMA that was split, as it is now
     * @return {@code split at 0xADDR, new piece PIECE, kept KEPT}, formatted when read
     */
    static TraceDetail split(long addr, Vma piece, Vma kept) {
        return new Split(addr, piece.start, piece.end, piece.pgoff, piece.flags, kept.start, kept.end, kept.pgoff,
                kept.flags, kept.path());
    }

    /**
     * The MERGE step's detail of {@code vma_modify}.
     *
     * @param start start of the range that merged
     * @param end end of that range
     * @param into the VMA it merged into, as it is now
     * @return {@code range [START,END) merged into INTO}, formatted when read
     */
    static TraceDetail rangeMerged(long start, long end, Vma into) {
        return new RangeMerged(start, end, into.start, into.end, into.pgoff, into.flags, into.path());
    }

    private record VmaLine(String prefix, long start, long end, long pgoff, VmaFlags flags, String path,
            String suffix) implements TraceDetail {
        @Override
        public String format() {
            return prefix + vmaText(start, end, pgoff, flags, path) + suffix;
        }
    }

    private record FlagsLine(String prefix, VmaFlags flags) implements TraceDetail {
        @Override
        public String format() {
            return prefix + flags;
        }
    }

    private record RangeMerged(long start, long end, long intoStart, long intoEnd, long intoPgoff,
            VmaFlags intoFlags, String path) implements TraceDetail {
        @Override
        public String format() {
            return "range [" + Long.toHexString(start) + "," + Long.toHexString(end) + ") merged into "
                    + vmaText(intoStart, intoEnd, intoPgoff, intoFlags, path);
        }
    }

    /** Both pieces of a split map the same file (a split never changes vm_file), so one path. */
    private record Split(long addr, long pieceStart, long pieceEnd, long piecePgoff, VmaFlags pieceFlags,
            long keptStart, long keptEnd, long keptPgoff, VmaFlags keptFlags, String path) implements TraceDetail {
        @Override
        public String format() {
            return "split at 0x" + Long.toHexString(addr) + ", new piece "
                    + vmaText(pieceStart, pieceEnd, piecePgoff, pieceFlags, path) + ", kept "
                    + vmaText(keptStart, keptEnd, keptPgoff, keptFlags, path);
        }
    }
}
