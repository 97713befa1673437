package org.vfsgi.mm.core.vfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.FileOperations;

/**
 * The character-device table of one VFS ({@code chrdevs} plus {@code cdev_map}): which driver's
 * {@link FileOperations} serve which device numbers. {@link Vfs#open} consults it for every
 * {@code S_IFCHR} inode ({@code chrdev_open}), whatever file system holds the node.
 *
 * <p>A registration covers {@code count} consecutive minors of one major
 * ({@code __register_chrdev(major, baseminor, count, name, fops)}); major 0 asks for a free
 * dynamic major, searched as the kernel does (254 down to 234, then 511 down to 384). Ranges of
 * one major never overlap.
 */
public final class CharDevices {
    /** The largest major ({@code CHRDEV_MAJOR_MAX - 1}). */
    public static final int MAJOR_MAX = 511;
    private static final int[][] DYNAMIC_MAJORS = {{254, 234}, {511, 384}};

    /**
     * One registration.
     *
     * @param major the major
     * @param baseMinor the first minor
     * @param count how many minors
     * @param name the driver's name, as {@code /proc/devices} lists it
     * @param fops the driver's file operations
     */
    public record Region(int major, int baseMinor, int count, String name, FileOperations fops) {
        boolean contains(DeviceNumber dev) {
            return dev.major() == major && dev.minor() >= baseMinor && dev.minor() - baseMinor < count;
        }

        boolean overlaps(int maj, int base, int n) {
            return maj == major && base < baseMinor + count && baseMinor < base + n;
        }

        /** @return the first device number */
        public DeviceNumber first() {
            return new DeviceNumber(major, baseMinor);
        }
    }

    private final List<Region> regions = new ArrayList<>();

    CharDevices() {
    }

    /**
     * {@code __register_chrdev}.
     *
     * @param major the major, or 0 for a free dynamic one
     * @param baseMinor the first minor
     * @param count how many minors, at least 1
     * @param name the driver's name, not empty
     * @param fops the driver's operations, not null
     * @return the first device number of the region
     * @throws MmException EINVAL for a major above {@value #MAJOR_MAX}, a bad minor range or an
     *         empty name; EBUSY if a minor of the range is taken or no dynamic major is free
     */
    public synchronized DeviceNumber register(int major, int baseMinor, int count, String name, FileOperations fops) {
        String step = "__register_chrdev";
        Objects.requireNonNull(fops, "fops");
        if (name == null || name.isEmpty()) {
            throw new MmException(Errno.EINVAL, step, "a character device needs a name");
        }
        if (major < 0 || major > MAJOR_MAX) {
            throw new MmException(Errno.EINVAL, step, name + ": major " + major + " is outside 0.." + MAJOR_MAX);
        }
        if (count < 1 || baseMinor < 0 || baseMinor + (long) count - 1 > 0xfffff) {
            throw new MmException(Errno.EINVAL, step, name + ": minors " + baseMinor + "+" + count
                    + " are outside 0..1048575");
        }
        int maj = major == 0 ? freeDynamicMajor(name) : major;
        for (Region r : regions) {
            if (r.overlaps(maj, baseMinor, count)) {
                throw new MmException(Errno.EBUSY, step, name + ": " + maj + ":" + baseMinor + "+" + count
                        + " overlaps " + r.name() + " at " + r.major() + ":" + r.baseMinor() + "+" + r.count());
            }
        }
        Region r = new Region(maj, baseMinor, count, name, fops);
        regions.add(r);
        return r.first();
    }

    private int freeDynamicMajor(String name) {
        for (int[] span : DYNAMIC_MAJORS) {
            for (int m = span[0]; m >= span[1]; m--) {
                int candidate = m;
                if (regions.stream().noneMatch(r -> r.major() == candidate)) {
                    return m;
                }
            }
        }
        throw new MmException(Errno.EBUSY, "__register_chrdev", name + ": no dynamic major is free");
    }

    /**
     * {@code __unregister_chrdev}: removes the region starting at {@code first}.
     *
     * @param first the first device number returned by {@link #register}
     * @return whether a region started there
     */
    public synchronized boolean unregister(DeviceNumber first) {
        return regions.removeIf(r -> r.major() == first.major() && r.baseMinor() == first.minor());
    }

    /**
     * {@code kobj_lookup(cdev_map, dev)}: the region serving a device number.
     *
     * @param dev a device number
     * @return the region, if a driver registered it
     */
    public synchronized Optional<Region> lookup(DeviceNumber dev) {
        return regions.stream().filter(r -> r.contains(dev)).findFirst();
    }

    /** @return every region, ordered by major then first minor ({@code /proc/devices}) */
    public synchronized List<Region> regions() {
        List<Region> out = new ArrayList<>(regions);
        out.sort((a, b) -> a.major() != b.major() ? Integer.compare(a.major(), b.major())
                : Integer.compare(a.baseMinor(), b.baseMinor()));
        return out;
    }
}
