package org.vfsgi.mm.core.vfs;

import java.util.BitSet;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;

/**
 * The anonymous device numbers of superblocks without a block device ({@code get_anon_bdev} /
 * {@code free_anon_bdev}): major 0, the smallest free minor from 1, as the kernel's
 * {@code unnamed_dev_ida}. Not thread-safe: the VFS calls it under its namespace lock.
 */
final class AnonDeviceNumbers {
    /** The largest minor number ({@code MINORMASK}). */
    static final int MAX_MINOR = 0xfffff;

    private final BitSet used = new BitSet();

    /**
     * @return a free anonymous device number
     * @throws MmException EMFILE when all minors are taken, as {@code get_anon_bdev}
     */
    DeviceNumber allocate() {
        int minor = used.nextClearBit(1);
        if (minor > MAX_MINOR) {
            throw new MmException(Errno.EMFILE, "get_anon_bdev", "no anonymous device number left");
        }
        used.set(minor);
        return new DeviceNumber(0, minor);
    }

    /** @param dev a number from {@link #allocate()} */
    void free(DeviceNumber dev) {
        if (dev.major() != 0 || !used.get(dev.minor())) {
            throw new IllegalStateException("anonymous device " + dev + " is not allocated");
        }
        used.clear(dev.minor());
    }

    /** @return how many numbers are allocated */
    int inUse() {
        return used.cardinality();
    }
}
