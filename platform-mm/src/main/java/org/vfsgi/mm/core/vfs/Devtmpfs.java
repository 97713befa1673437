package org.vfsgi.mm.core.vfs;

import java.util.Objects;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileType;

/**
 * Device nodes for character drivers, as {@code register_chrdev} + {@code device_create} with
 * devtmpfs do: a driver's file operations go into the VFS's {@link CharDevices} table and a node
 * {@code /dev/NAME} appears in the root file system (the directory is made if missing), so that
 * {@code open("/dev/NAME")} reaches the driver. Removing the driver removes both.
 *
 * <p>Files already open on a removed driver keep the operations they were opened with, as in the
 * kernel, where an open file holds its {@code cdev}.
 */
public final class Devtmpfs {
    /** Where device nodes are created. */
    public static final String DEV = "/dev";

    private final Vfs vfs;

    /** @param vfs the VFS whose root holds {@value #DEV} */
    public Devtmpfs(Vfs vfs) {
        this.vfs = Objects.requireNonNull(vfs, "vfs");
    }

    /**
     * Registers one minor of a character driver and creates its node.
     *
     * @param name the node's name under {@value #DEV}: not empty, no {@code /}, not {@code .} or {@code ..}
     * @param major the major, or 0 for a free dynamic one
     * @param minor the minor
     * @param mode the node's permission bits
     * @param fops the driver's operations
     * @return the device number the node carries
     * @throws MmException EINVAL for a bad name or numbers, EBUSY for a device number in use,
     *         EEXIST if {@code /dev/NAME} exists and is not this device's node, or the VFS's errno
     *         (for example ENOENT when nothing is mounted at {@code /})
     */
    public DeviceNumber addCharDevice(String name, int major, int minor, int mode, FileOperations fops) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new MmException(Errno.EINVAL, "device_create", "bad device node name '" + name
                    + "' (one path component under " + DEV + ")");
        }
        DeviceNumber dev = vfs.charDevices().register(major, minor, 1, name, fops);
        String path = DEV + "/" + name;
        try {
            ensureDevDirectory();
            Kstat existing = statOrNull(path);
            if (existing == null) {
                vfs.mknod(path, FileType.CHAR_DEVICE.mode(mode), dev);
            } else if (existing.attributes().type() != FileType.CHAR_DEVICE || !dev.equals(existing.attributes().rdev())) {
                throw new MmException(Errno.EEXIST, "devtmpfs_create_node", path + " exists and is not the node of "
                        + name + " (" + dev + ")");
            }
        } catch (MmException e) {
            vfs.charDevices().unregister(dev);
            throw e;
        }
        return dev;
    }

    /**
     * Removes a driver's node (if it is still this device's) and its registration.
     *
     * @param name the node's name
     * @param dev the device number {@link #addCharDevice} returned
     */
    public void removeCharDevice(String name, DeviceNumber dev) {
        String path = DEV + "/" + name;
        Kstat existing = statOrNull(path);
        if (existing != null && existing.attributes().type() == FileType.CHAR_DEVICE
                && dev.equals(existing.attributes().rdev())) {
            vfs.unlink(path);
        }
        vfs.charDevices().unregister(dev);
    }

    private void ensureDevDirectory() {
        Kstat st = statOrNull(DEV);
        if (st == null) {
            vfs.mkdir(DEV, 0755);
        } else if (!st.attributes().isDirectory()) {
            throw new MmException(Errno.ENOTDIR, "devtmpfs_create_node", DEV + " is not a directory");
        }
    }

    private Kstat statOrNull(String path) {
        try {
            return vfs.lstat(path);
        } catch (MmException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }
}
