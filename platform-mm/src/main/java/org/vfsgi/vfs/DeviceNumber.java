package org.vfsgi.vfs;

/**
 * A device number ({@code dev_t}): the {@code s_dev} of a superblock as {@code /proc/PID/maps}
 * shows it, or the {@code i_rdev} of a device node.
 *
 * @param major the major number, 0 .. 4095
 * @param minor the minor number, 0 .. 1048575
 */
public record DeviceNumber(int major, int minor) {
    /** The device number 0:0: overlay's whiteout is a character device with it. */
    public static final DeviceNumber WHITEOUT = new DeviceNumber(0, 0);

    /**
     * @param major as the record component
     * @param minor as the record component
     * @throws IllegalArgumentException if a number is outside the kernel's 12-bit major /
     *         20-bit minor encoding
     */
    public DeviceNumber {
        if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff) {
            throw new IllegalArgumentException("device number " + major + ":" + minor
                    + " is outside 0..4095:0..1048575");
        }
    }

    @Override
    public String toString() {
        return major + ":" + minor;
    }
}
