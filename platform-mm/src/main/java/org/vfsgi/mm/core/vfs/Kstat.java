package org.vfsgi.mm.core.vfs;

import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.InodeAttributes;

/**
 * The result of {@code stat}: the file system's attributes plus the device of the superblock
 * ({@code st_dev}), which only the VFS knows.
 *
 * @param device the superblock's device number
 * @param attributes the inode's attributes
 */
public record Kstat(DeviceNumber device, InodeAttributes attributes) {
}
