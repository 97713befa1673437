package org.vfsgi.vfs;

/**
 * The type of an inode: the {@code S_IFMT} bits of {@code i_mode} and the {@code DT_*} value
 * {@code readdir} reports.
 */
public enum FileType {
    /** A FIFO ({@code S_IFIFO}). */
    FIFO(0010000, 1),
    /** A character device ({@code S_IFCHR}); overlay's whiteout is one with device 0:0. */
    CHAR_DEVICE(0020000, 2),
    /** A directory ({@code S_IFDIR}). */
    DIRECTORY(0040000, 4),
    /** A block device ({@code S_IFBLK}). */
    BLOCK_DEVICE(0060000, 6),
    /** A regular file ({@code S_IFREG}). */
    REGULAR(0100000, 8),
    /** A symbolic link ({@code S_IFLNK}). */
    SYMLINK(0120000, 10),
    /** A socket ({@code S_IFSOCK}). */
    SOCKET(0140000, 12);

    /** Mask of the type bits in a mode ({@code S_IFMT}). */
    public static final int S_IFMT = 0170000;
    /** Mask of the permission bits in a mode, including set-id and sticky bits. */
    public static final int PERMISSION_MASK = 07777;

    private final int modeBits;
    private final int dtype;

    FileType(int modeBits, int dtype) {
        this.modeBits = modeBits;
        this.dtype = dtype;
    }

    /** @return the {@code S_IF*} bits of this type */
    public int modeBits() {
        return modeBits;
    }

    /** @return the {@code DT_*} value {@code getdents} reports for this type */
    public int dtype() {
        return dtype;
    }

    /**
     * Builds a full mode from this type and permission bits.
     *
     * @param permissions permission bits; bits outside {@link #PERMISSION_MASK} are ignored
     * @return {@code modeBits() | (permissions & 07777)}
     */
    public int mode(int permissions) {
        return modeBits | (permissions & PERMISSION_MASK);
    }

    /**
     * Decodes the type of a mode.
     *
     * @param mode an {@code i_mode} value
     * @return its type
     * @throws IllegalArgumentException if the type bits name no known type
     */
    public static FileType ofMode(int mode) {
        int bits = mode & S_IFMT;
        for (FileType t : values()) {
            if (t.modeBits == bits) {
                return t;
            }
        }
        throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " has no valid file type bits");
    }
}
