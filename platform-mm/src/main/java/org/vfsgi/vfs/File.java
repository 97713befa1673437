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

    /**
     * {@code get_file}: takes one more reference on the file, as a VMA does when it takes or
     * duplicates {@code vm_file} (mmap, split, mremap, fork), so that the file and its inode
     * outlive the descriptor it was opened through. Every reference is dropped with
     * {@link #fput()}. The default suits files whose lifetime the platform does not count
     * (for example a test's fixed file): it does nothing.
     *
     * @return this file
     * @throws org.vfsgi.mm.MmException EBADF if the file was already released
     */
    default File getFile() {
        return this;
    }

    /**
     * {@code fput}: drops one reference taken by opening the file or by {@link #getFile()}; the
     * last one releases the file (the file system's {@code release} runs, and an unlinked inode
     * nobody uses any more is freed with its page cache). The default does nothing, matching
     * the default {@link #getFile()}.
     */
    default void fput() {
    }
}
