package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ProviderType;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;

/**
 * A resolved path ({@code struct path}: a mount and an inode in it). Stacking file systems
 * walk their layers with it: look a name up inside a layer directory and open a layer's file
 * (the kernel's backing file) to read or copy its data through that layer's page cache. The
 * VFS implements it.
 */
@ProviderType
public interface VfsPath {
    /** @return the absolute path as resolved, for messages and {@code /proc/PID/maps} */
    String path();

    /** @return the file system's inode */
    FsInode inode();

    /** @return the device number of the mount's superblock */
    DeviceNumber device();

    /** @return whether the mount is read-only */
    boolean readOnly();

    /**
     * Looks one name up in this directory, crossing into a mount stacked on the child.
     * Symlinks are not followed.
     *
     * @param name a single component
     * @return the child's path, or {@code null} if the name does not exist
     * @throws MmException ENOTDIR if this is not a directory, ENAMETOOLONG, EINVAL for a bad name
     */
    VfsPath child(String name);

    /**
     * Opens this inode ({@code dentry_open}); the caller closes the file with {@link VfsFile#close()}.
     *
     * @param flags {@link Fcntl#O_RDONLY}, {@link Fcntl#O_WRONLY} or {@link Fcntl#O_RDWR}, optionally {@link Fcntl#O_TRUNC}
     * @return the open file
     * @throws MmException EISDIR for writing a directory, EROFS on a read-only mount, ENXIO
     *         if the inode has no file operations
     */
    VfsFile open(int flags);

    /**
     * {@code vfs_unlink} of one name in this directory, as a stacking file system removes an
     * upper-layer file: the name goes, and an inode that lost its last link is freed once
     * nobody has it open or mapped (the page cache with it).
     *
     * @param name an existing non-directory in this directory
     * @throws MmException ENOENT, EISDIR for a directory, EROFS on a read-only mount, EINVAL for
     *         a bad name, or the file system's errno
     */
    default void unlink(String name) {
        throw new MmException(Errno.EPERM, "vfs_unlink", "this VFS cannot unlink under " + path());
    }

    /**
     * {@code vfs_rmdir} of one empty directory in this directory.
     *
     * @param name an existing directory in this directory
     * @throws MmException ENOENT, ENOTDIR, ENOTEMPTY, EBUSY for a mount point, EROFS, or the
     *         file system's errno
     */
    default void rmdir(String name) {
        throw new MmException(Errno.EPERM, "vfs_rmdir", "this VFS cannot rmdir under " + path());
    }

    /**
     * {@code vfs_rename}: moves {@code oldName} of this directory to {@code newName} of
     * {@code newDir}, on the same mount; a replaced target is freed like an unlinked one.
     * Overlay's copy-up moves the finished copy from the work directory into place with it.
     *
     * @param oldName an existing name in this directory
     * @param newDir the target directory, a path of the same mount
     * @param newName the target name
     * @param flags {@link Fcntl#RENAME_NOREPLACE}, {@link Fcntl#RENAME_EXCHANGE}, {@link Fcntl#RENAME_WHITEOUT}
     * @throws MmException EXDEV across mounts, ENOENT, EEXIST, ENOTDIR / EISDIR for type
     *         mismatches, ENOTEMPTY, EBUSY for mount points, EROFS, EINVAL for bad flags or names
     */
    default void rename(String oldName, VfsPath newDir, String newName, int flags) {
        throw new MmException(Errno.EPERM, "vfs_rename", "this VFS cannot rename under " + path());
    }

    /**
     * {@code notify_change} on this inode: the change time is set to now unless given; a size
     * change truncates or extends the file and drops (and unmaps) cached pages beyond it, as
     * {@code truncate(2)} does.
     *
     * @param change the attributes to change
     * @throws MmException EROFS, EISDIR / EINVAL for a size change of a non-regular file, or the
     *         file system's errno
     */
    default void setattr(SetAttr change) {
        throw new MmException(Errno.EPERM, "notify_change", "this VFS cannot change attributes of " + path());
    }
}
