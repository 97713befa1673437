package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ConsumerType;
import org.vfsgi.mm.MmException;

/**
 * A mounted instance of a file system ({@code struct super_block}), made by
 * {@link FileSystemType#mount}. File systems implement it; the VFS holds it for the life of
 * the mount.
 */
@ConsumerType
public interface SuperBlock {
    /** @return the root directory ({@code s_root}); the same inode number for the whole mount */
    FsInode root();

    /**
     * {@code statfs}.
     *
     * @return the current figures
     */
    StatFs statfs();

    /**
     * {@code sync_fs}: makes metadata durable. The platform has written every dirty page back
     * through {@link AddressSpaceOperations} before it calls this.
     *
     * @throws MmException EIO if the device fails
     */
    void sync();

    /**
     * {@code kill_sb}: the mount is going away. Called once, after {@link #sync()}; the file
     * system releases its device and memory. The superblock is not used afterwards.
     */
    void kill();

    /**
     * {@code s_dev} of a block-backed file system: the device number {@code /proc/PID/maps}
     * shows for its files.
     *
     * @return the block device's number, or {@code null} to get an anonymous device number
     *         (major 0, minor allocated by the platform, as {@code set_anon_super})
     */
    default DeviceNumber device() {
        return null;
    }

    /**
     * {@code SB_RDONLY} forced by the file system (a read-only device, an unsupported feature).
     *
     * @return whether the mount must be read-only whatever the request said
     */
    default boolean forcedReadOnly() {
        return false;
    }
}
