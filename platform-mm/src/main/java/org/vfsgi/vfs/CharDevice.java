package org.vfsgi.vfs;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A character device driver ({@code struct cdev} with its {@code file_operations}), published
 * by a driver bundle as an OSGi service (whiteboard). The platform tracks these services: for
 * each one it registers the driver's {@link #fileOperations()} for the device number given by
 * {@link #MAJOR} and {@link #MINOR} ({@code register_chrdev}) and creates the node
 * {@code /dev/}{@link #NAME} in the kernel's root file system (as devtmpfs does), so that
 * {@code open("/dev/NAME")}, and then {@code read}, {@code write} and {@code mmap} on it, reach
 * the driver. Opening a character-device node that no driver serves fails with ENXIO. When the
 * service goes away, its node and its registration go too.
 *
 * <p>A driver bundle typically publishes it from a Declarative Services component:
 * <pre>{@code
 * @Component(service = CharDevice.class, property = {
 *     CharDevice.NAME + "=mem", CharDevice.MAJOR + ":Integer=1", CharDevice.MINOR + ":Integer=1"})
 * public final class MemDevice implements CharDevice { ... }
 * }</pre>
 * A service without a usable {@link #NAME}, or with numbers out of range or already taken, is
 * refused with one log line naming the service and the problem.
 */
@ConsumerType
public interface CharDevice {
    /** Service property: the node's name under {@code /dev} ({@code String}, one path component), for example {@code "mem"}. */
    String NAME = "vfsgi.chrdev.name";
    /** Service property: the major number ({@code Integer}, 1 .. 511); absent or 0 asks for a free dynamic major. */
    String MAJOR = "vfsgi.chrdev.major";
    /** Service property: the minor number ({@code Integer}, default 0). */
    String MINOR = "vfsgi.chrdev.minor";
    /** Service property: the node's permission bits ({@code Integer}, default {@code 0666}). */
    String MODE = "vfsgi.chrdev.mode";

    /**
     * The driver's file operations: what {@code open}, {@code read}, {@code write} and the mmap
     * hooks of its device file do. The platform asks once, when it registers the device.
     *
     * @return the operations, not null
     */
    FileOperations fileOperations();
}
