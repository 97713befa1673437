package org.vfsgi.vfs;

/**
 * File-operation flags ({@code fop_flags}).
 */
public enum FopFlag {
    /** {@code FOP_MMAP_SYNC}: the file accepts {@code MAP_SYNC}. */
    MMAP_SYNC
}
