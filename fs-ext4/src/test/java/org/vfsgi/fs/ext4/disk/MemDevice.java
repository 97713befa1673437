package org.vfsgi.fs.ext4.disk;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.HwException;

/** A block device over a byte array, for tests that mount hundreds of corrupted copies quickly. */
final class MemDevice implements BlockDevice {
    final byte[] data;
    private final boolean readOnly;
    int writes;
    /** Runs at every flush: a test can copy the bytes there, as a crash right after the flush leaves them. */
    Runnable onFlush = () -> { };

    MemDevice(byte[] data, boolean readOnly) {
        this.data = data;
        this.readOnly = readOnly;
    }

    @Override
    public String name() {
        return "mem";
    }

    @Override
    public Kind kind() {
        return Kind.BLOCK;
    }

    @Override
    public long size() {
        return data.length / SECTOR_SIZE * (long) SECTOR_SIZE;
    }

    @Override
    public long sectorCount() {
        return data.length / SECTOR_SIZE;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void readSectors(long sector, int count, byte[] dst, int off) {
        if (sector < 0 || count < 0 || sector + count > sectorCount()) {
            throw new HwException("EINVAL", "sectors " + sector + "+" + count + " outside the device");
        }
        System.arraycopy(data, (int) (sector * SECTOR_SIZE), dst, off, count * SECTOR_SIZE);
    }

    @Override
    public void writeSectors(long sector, int count, byte[] src, int off) {
        writes++;
        if (readOnly) {
            throw new HwException("EROFS", "read-only device");
        }
        if (sector < 0 || count < 0 || sector + count > sectorCount()) {
            throw new HwException("EINVAL", "sectors " + sector + "+" + count + " outside the device");
        }
        System.arraycopy(src, off, data, (int) (sector * SECTOR_SIZE), count * SECTOR_SIZE);
    }

    @Override
    public void flush() {
        // memory is as durable as it gets here
        onFlush.run();
    }
}
