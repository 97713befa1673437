package org.vfsgi.fs.ext4.disk;

/**
 * One directory entry ({@code struct ext4_dir_entry_2}) as readdir returns it.
 *
 * @param name the entry's name, decoded as UTF-8 (ext4 names are bytes; invalid sequences are replaced)
 * @param ino the inode the entry points at
 * @param fileType the entry's file type (an {@code EXT4_FT_*} value, 0 if the image has no filetype feature)
 */
public record DirEntry(String name, long ino, int fileType) {
    /** Unknown file type. */
    public static final int EXT4_FT_UNKNOWN = 0;
    /** Regular file. */
    public static final int EXT4_FT_REG_FILE = 1;
    /** Directory. */
    public static final int EXT4_FT_DIR = 2;
    /** Character device. */
    public static final int EXT4_FT_CHRDEV = 3;
    /** Block device. */
    public static final int EXT4_FT_BLKDEV = 4;
    /** FIFO. */
    public static final int EXT4_FT_FIFO = 5;
    /** Socket. */
    public static final int EXT4_FT_SOCK = 6;
    /** Symbolic link. */
    public static final int EXT4_FT_SYMLINK = 7;

    /** @return the directory-entry file type for an i_mode */
    static int fileTypeOf(int mode) {
        switch (mode & Ext4Inode.S_IFMT) {
            case Ext4Inode.S_IFREG:
                return EXT4_FT_REG_FILE;
            case Ext4Inode.S_IFDIR:
                return EXT4_FT_DIR;
            case Ext4Inode.S_IFCHR:
                return EXT4_FT_CHRDEV;
            case Ext4Inode.S_IFBLK:
                return EXT4_FT_BLKDEV;
            case Ext4Inode.S_IFIFO:
                return EXT4_FT_FIFO;
            case Ext4Inode.S_IFSOCK:
                return EXT4_FT_SOCK;
            case Ext4Inode.S_IFLNK:
                return EXT4_FT_SYMLINK;
            default:
                return EXT4_FT_UNKNOWN;
        }
    }
}
