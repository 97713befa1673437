package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ConsumerType;
import org.vfsgi.mm.MmException;

/**
 * A file system type ({@code struct file_system_type}): what a file-system bundle registers
 * as an OSGi service, with the service property {@link #TYPE} naming it. The platform tracks
 * these services (whiteboard) and mounts through them; it never imports a file system's
 * classes.
 */
@ConsumerType
public interface FileSystemType {
    /** Service property: the type's name as {@code mount -t} takes it ({@code String}), for example {@code "ext4"}. */
    String TYPE = "vfsgi.fs.type";

    /** @return the type's name, equal to the {@link #TYPE} service property */
    String name();

    /**
     * {@code FS_REQUIRES_DEV}: whether the mount source names a block device (reachable through
     * {@link MountContext#blockDevice}) rather than being free text like {@code "none"}.
     *
     * @return {@code true} for disk file systems
     */
    default boolean requiresDevice() {
        return false;
    }

    /**
     * {@code get_tree}/{@code fill_super}: mounts an instance. Must not keep the request's
     * context beyond the superblock's life.
     *
     * @param request source, options, read-only flag and the platform's services
     * @return the new superblock
     * @throws MmException EINVAL for bad options (naming the option), ENODEV / ENXIO for a
     *         missing device, EIO for an unreadable one, with a message a person can act on
     */
    SuperBlock mount(MountRequest request);
}
