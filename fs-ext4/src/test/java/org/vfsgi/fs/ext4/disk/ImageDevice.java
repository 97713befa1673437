package org.vfsgi.fs.ext4.disk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.HwException;

/** A test block device over an image file, counting writes so tests can prove a mount wrote nothing. */
public final class ImageDevice implements BlockDevice, AutoCloseable {
    private final RandomAccessFile file;
    private final boolean readOnly;
    private final long size;
    private final String name;
    int writes;
    /** readSectors calls: device requests, whatever their size. */
    public int readRequests;
    /** Sectors read. */
    public long sectorsRead;

    ImageDevice(Path image, boolean readOnly) {
        this(image, readOnly, "img");
    }

    /**
     * @param image the image file
     * @param readOnly whether the device refuses writes
     * @param name the device's name ({@code disk0})
     */
    public ImageDevice(Path image, boolean readOnly, String name) {
        this.name = name;
        try {
            this.file = new RandomAccessFile(image.toFile(), readOnly ? "r" : "rw");
            this.size = file.length() / SECTOR_SIZE * SECTOR_SIZE;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.readOnly = readOnly;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return Kind.BLOCK;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long sectorCount() {
        return size / SECTOR_SIZE;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public synchronized void readSectors(long sector, int count, byte[] dst, int off) {
        readRequests++;
        sectorsRead += count;
        if (sector < 0 || count < 0 || sector + count > sectorCount()) {
            throw new HwException("EINVAL", "sectors " + sector + "+" + count + " outside the device");
        }
        try {
            file.seek(sector * SECTOR_SIZE);
            file.readFully(dst, off, count * SECTOR_SIZE);
        } catch (IOException e) {
            throw new HwException("EIO", e.toString());
        }
    }

    @Override
    public synchronized void writeSectors(long sector, int count, byte[] src, int off) {
        if (readOnly) {
            throw new HwException("EROFS", "read-only device");
        }
        if (sector < 0 || count < 0 || sector + count > sectorCount()) {
            throw new HwException("EINVAL", "sectors " + sector + "+" + count + " outside the device");
        }
        writes++;
        try {
            file.seek(sector * SECTOR_SIZE);
            file.write(src, off, count * SECTOR_SIZE);
        } catch (IOException e) {
            throw new HwException("EIO", e.toString());
        }
    }

    @Override
    public void flush() {
        try {
            file.getFD().sync();
        } catch (IOException e) {
            throw new HwException("EIO", e.toString());
        }
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
