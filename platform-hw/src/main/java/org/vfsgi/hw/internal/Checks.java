package org.vfsgi.hw.internal;

import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalRange;

/** Argument checks shared by the devices, so every device words the same mistake the same way. */
final class Checks {
    private Checks() {
    }

    /**
     * Checks a {@link PhysicalRange#read}/{@link PhysicalRange#write} access: the PFN lies in the
     * range, the access stays inside one frame, and the buffer holds the bytes.
     *
     * @return the frame's index within the range
     */
    static int frameIndex(PhysicalRange range, long pfn, int offset, byte[] buf, int bufOff, int len) {
        if (!range.containsPfn(pfn)) {
            throw new HwException("EINVAL", "PFN " + hex(pfn) + " is outside device '" + range.name()
                    + "' (PFNs " + pfnRange(range.pfnStart(), range.pfnCount()) + ")");
        }
        if (offset < 0 || len < 0 || offset > Device.PAGE_SIZE - len) {
            throw new HwException("EINVAL", "access of " + len + " bytes at offset " + offset + " of PFN "
                    + hex(pfn) + " crosses the " + Device.PAGE_SIZE + "-byte frame");
        }
        buffer(buf, bufOff, len);
        return (int) (pfn - range.pfnStart());
    }

    /** Checks that {@code buf[off, off + len)} exists. */
    static void buffer(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off > buf.length - len) {
            throw new HwException("EINVAL", "buffer of " + buf.length + " bytes cannot hold " + len
                    + " bytes at index " + off);
        }
    }

    /** Checks that {@code [offset, offset + len)} lies within a region of {@code size} bytes. */
    static void byteRange(Device device, long offset, long len, long size) {
        if (offset < 0 || len < 0 || offset > size - len) {
            throw new HwException("EINVAL", "bytes [" + offset + ", " + (offset + len) + ") are outside device '"
                    + device.name() + "' of " + size + " bytes");
        }
    }

    /** @return {@code "0x1f"} */
    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    /** @return an inclusive PFN range such as {@code "0x100-0x1ff"} */
    static String pfnRange(long start, long count) {
        return hex(start) + "-" + hex(start + count - 1);
    }

    /** @return a size for people, such as {@code "64 MiB"}, exact when it is a whole unit */
    static String humanSize(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes >= unit && bytes % unit == 0) {
                return (bytes >> shifts[i]) + " " + units[i];
            }
        }
        return bytes + " B";
    }
}
