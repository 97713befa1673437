package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An open file ({@code struct file}): its inode, access mode, operations and private data.
 * The VFS implements it.
 */
@ProviderType
public interface File {
    /** @return the inode */
    Inode inode();

    /** @return the file's operations */
    FileOperations fileOperations();

    /** @return whether the file was opened for reading ({@code FMODE_READ}) */
    boolean canRead();

    /** @return whether the file was opened for writing ({@code FMODE_WRITE}) */
    boolean canWrite();

    /** @return the file system's per-open-file data ({@code private_data}), or null */
    Object privateData();

    /** @param data the file system's per-open-file data */
    void setPrivateData(Object data);

    /** @return the path shown to users, for example in {@code /proc/PID/maps} */
    String path();
}
