package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ProviderType;
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
}
