package org.vfsgi.mm.core.vfs;

import org.vfsgi.vfs.DeviceNumber;

/**
 * One line of the mount list ({@code /proc/self/mounts}): source, mount point, type, options.
 *
 * @param source the mount source
 * @param mountpoint the absolute mount point
 * @param type the file-system type
 * @param readOnly whether it is read-only
 * @param options the file system's options as given, without {@code ro}/{@code rw}
 * @param device the superblock's device number
 */
public record MountEntry(String source, String mountpoint, String type, boolean readOnly, String options,
        DeviceNumber device) {
    @Override
    public String toString() {
        return source + " " + mountpoint + " " + type + " " + (readOnly ? "ro" : "rw")
                + (options.isEmpty() ? "" : "," + options) + " 0 0";
    }
}
