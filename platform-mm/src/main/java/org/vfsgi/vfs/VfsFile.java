package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An open file of the VFS: the {@link File} the mmap path sees, plus what a file system's
 * file operations need from {@code struct file} ({@code f_mapping}, {@code f_flags},
 * {@code f_pos}) and the file system's inode. Every {@link File} the VFS hands out is one.
 * The VFS implements it.
 */
@ProviderType
public interface VfsFile extends File {
    /** @return the inode's page cache ({@code f_mapping}) */
    FileMapping mapping();

    /** @return the file system's inode behind {@link #inode()} */
    FsInode fsInode();

    /** @return the open flags ({@code f_flags}, the {@code O_*} of {@link Fcntl}) */
    int flags();

    /** @return the current file position ({@code f_pos}) */
    long position();

    /**
     * Closes the file ({@code fput}): runs the file operations' {@code release} on the last
     * close. Idempotent. A release hook's error is logged, not thrown, as the kernel ignores
     * {@code release}'s return value.
     */
    void close();
}
