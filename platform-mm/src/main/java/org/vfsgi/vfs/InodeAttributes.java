package org.vfsgi.vfs;

import java.util.Objects;

/**
 * The attributes of an inode as {@code getattr} reports them ({@code struct kstat}).
 * Times are nanoseconds since the epoch.
 *
 * @param ino the inode number
 * @param mode the type and permission bits ({@code i_mode})
 * @param nlink the link count
 * @param uid the owner
 * @param gid the group
 * @param size the size in bytes ({@code i_size}); for a symlink the target's length
 * @param blocks 512-byte blocks allocated
 * @param atimeNanos last access
 * @param mtimeNanos last modification of the data
 * @param ctimeNanos last change of the inode
 * @param rdev the device number of a device node, or null for other types
 */
public record InodeAttributes(long ino, int mode, int nlink, int uid, int gid, long size, long blocks,
        long atimeNanos, long mtimeNanos, long ctimeNanos, DeviceNumber rdev) {

    /**
     * @param ino as the record component
     * @param mode as the record component
     * @param nlink as the record component
     * @param uid as the record component
     * @param gid as the record component
     * @param size as the record component
     * @param blocks as the record component
     * @param atimeNanos as the record component
     * @param mtimeNanos as the record component
     * @param ctimeNanos as the record component
     * @param rdev as the record component
     * @throws IllegalArgumentException if the mode has no valid type, the size or link count is
     *         negative, or a device node lacks its device number
     */
    public InodeAttributes {
        FileType t = FileType.ofMode(mode);
        if (size < 0 || nlink < 0 || blocks < 0) {
            throw new IllegalArgumentException("negative size, link count or blocks in attributes of inode " + ino);
        }
        if ((t == FileType.CHAR_DEVICE || t == FileType.BLOCK_DEVICE) && rdev == null) {
            throw new IllegalArgumentException("device inode " + ino + " has no device number");
        }
    }

    /** @return the inode's type */
    public FileType type() {
        return FileType.ofMode(mode);
    }

    /** @return whether it is a directory */
    public boolean isDirectory() {
        return type() == FileType.DIRECTORY;
    }

    /** @return whether it is a regular file */
    public boolean isRegular() {
        return type() == FileType.REGULAR;
    }

    /** @return whether it is a symbolic link */
    public boolean isSymlink() {
        return type() == FileType.SYMLINK;
    }

    /** @return whether it is overlay's whiteout: a character device 0:0 */
    public boolean isWhiteout() {
        return type() == FileType.CHAR_DEVICE && Objects.equals(rdev, DeviceNumber.WHITEOUT);
    }
}
