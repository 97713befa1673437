package org.vfsgi.drv.chr;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The {@code read} of a device whose file is a line of status text, as many sysfs-style files are. */
final class DeviceText {
    private DeviceText() {
    }

    /**
     * Copies the part of {@code text} at file position {@code pos} into {@code dst}.
     *
     * @param text the whole file's content
     * @param dst where the bytes go, up to its limit
     * @param pos the file position
     * @return the bytes copied, 0 at or past the end
     */
    static long readAt(String text, ByteBuffer dst, long pos) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (pos < 0 || pos >= bytes.length) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), bytes.length - pos);
        dst.put(bytes, (int) pos, n);
        return n;
    }
}
