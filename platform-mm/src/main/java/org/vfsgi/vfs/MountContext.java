package org.vfsgi.vfs;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.mm.MmException;

/**
 * The platform's services a file system may need while mounting: block devices for disk file
 * systems, and paths of other mounts for stacking file systems such as overlay. The VFS
 * implements it.
 */
@ProviderType
public interface MountContext {
    /**
     * Finds a platform-hw block device by its name ({@code Device#NAME}, for example {@code "disk0"}).
     *
     * @param name the device's name; a leading {@code "/dev/"} is ignored
     * @return the device, or empty if none has that name
     */
    Optional<BlockDevice> blockDevice(String name);

    /**
     * The device number ({@code dev_t}) the platform gives a block device, for a disk file
     * system's {@link SuperBlock#device()}, so that {@code /proc/PID/maps} and {@code stat} show
     * the device's number as for a kernel's {@code sda}: the platform numbers block devices in
     * the order they are first asked for, {@code 8:0}, {@code 8:16}, ... (the SCSI disk major,
     * 16 minors per disk), and {@code 259:N} (the extended block major) after the sixteenth.
     *
     * @param name the device's name; a leading {@code "/dev/"} is ignored
     * @return its number, the same for the same name as long as the platform runs; empty if no
     *         block device has that name (or the platform does not number devices)
     */
    default Optional<DeviceNumber> blockDeviceNumber(String name) {
        return Optional.empty();
    }

    /**
     * Resolves an absolute path through the mount table, following symlinks ({@code kern_path}),
     * for example an overlay's {@code lowerdir} or {@code upperdir}.
     *
     * @param path an absolute path
     * @return the path's mount and inode
     * @throws MmException ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EINVAL for a relative path
     */
    VfsPath lookup(String path);
}
