package org.vfsgi.hw.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.HwException;

/**
 * A block device over an image file. Sectors are read and written with positional
 * {@link java.nio.channels.FileChannel} I/O, which is safe from several threads without a lock;
 * {@link #flush()} forces the file's data to the storage device. The device's size is the
 * file's size when it is opened.
 */
public final class FileBlockDevice implements BlockDevice, SimulatedDevice {
    private static final System.Logger LOG = System.getLogger(FileBlockDevice.class.getName());

    private final String name;
    private final DeviceFile file;
    private final boolean readOnly;
    private final long size;
    private final AtomicLong sectorsRead = new AtomicLong();
    private final AtomicLong sectorsWritten = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();

    private FileBlockDevice(String name, DeviceFile file, boolean readOnly, long size) {
        this.name = name;
        this.file = file;
        this.readOnly = readOnly;
        this.size = size;
    }

    /**
     * Opens an existing image file as a block device.
     *
     * @throws HwException EINVAL if the file's size is zero or not a multiple of the sector size,
     *         EIO if the file cannot be opened
     */
    public static FileBlockDevice open(String name, Path path, boolean readOnly, HostFiles files) {
        OpenOption[] options = readOnly ? new OpenOption[] {StandardOpenOption.READ}
                : new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
        return DeviceFile.open(files, path, options, "block device '" + name + "'", "image",
                "cannot read the size of image '" + path + "'", (file, size) -> {
                    if (size == 0 || size % SECTOR_SIZE != 0) {
                        throw new HwException("EINVAL", "image '" + path + "' of block device '" + name + "' is "
                                + size + " bytes, not a positive multiple of the " + SECTOR_SIZE
                                + "-byte sector size");
                    }
                    LOG.log(System.Logger.Level.DEBUG, "block device {0}: {1,number,#} sectors from {2}{3}", name,
                            size / SECTOR_SIZE, path, readOnly ? " (read-only)" : "");
                    return new FileBlockDevice(name, file, readOnly, size);
                });
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
    public void readSectors(long sector, int count, byte[] dst, int off) {
        int len = checkRange(sector, count, dst, off);
        FileChannel ch = file.channel();
        try {
            file.readFully(ch, sector * SECTOR_SIZE, dst, off, len);
        } catch (ClosedChannelException e) {
            throw closed(ch, "reading " + describe(sector, count));
        } catch (IOException e) {
            throw new HwException("EIO", "reading " + describe(sector, count) + " from '" + file.path() + "': " + e);
        }
        sectorsRead.addAndGet(count);
    }

    @Override
    public void writeSectors(long sector, int count, byte[] src, int off) {
        if (readOnly) {
            file.ensureNotRemoved();
            throw new HwException("EROFS", "block device '" + name + "' is read-only");
        }
        int len = checkRange(sector, count, src, off);
        FileChannel ch = file.channel();
        try {
            file.writeFully(ch, sector * SECTOR_SIZE, src, off, len);
        } catch (ClosedChannelException e) {
            throw closed(ch, "writing " + describe(sector, count));
        } catch (IOException e) {
            throw new HwException("EIO", "writing " + describe(sector, count) + " to '" + file.path() + "': " + e);
        }
        sectorsWritten.addAndGet(count);
    }

    @Override
    public void flush() {
        file.ensureNotRemoved();
        if (readOnly) {
            return;
        }
        FileChannel ch = file.channel();
        try {
            ch.force(false);
        } catch (ClosedChannelException e) {
            throw closed(ch, "flushing");
        } catch (IOException e) {
            throw new HwException("EIO", "flushing image '" + file.path() + "' of block device '" + name + "': " + e);
        }
        flushes.incrementAndGet();
    }

    @Override
    public String state() {
        return file.isRemoved() ? "removed" : readOnly ? "ro" : "rw";
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kind", kind().id());
        d.put("size", Checks.humanSize(size) + " (" + size + " bytes)");
        d.put("sectors", Long.toString(sectorCount()));
        d.put("image", file.path().toString());
        d.put("mode", state());
        d.put("sectors read", Long.toString(sectorsRead.get()));
        d.put("sectors written", Long.toString(sectorsWritten.get()));
        d.put("flushes", Long.toString(flushes.get()));
        return d;
    }

    @Override
    public void close() {
        if (file.isRemoved()) {
            return;
        }
        file.markRemoved();
        try {
            if (!readOnly) {
                file.channel().force(false);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Block device {0}: flushing {1} on close failed: {2}", name,
                    file.path(), e.toString());
        } finally {
            try {
                file.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "Block device {0}: closing {1} failed: {2}", name,
                        file.path(), e.toString());
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "block device {0} closed", name);
    }

    @Override
    public String toString() {
        return "block '" + name + "' on " + file.path();
    }

    private int checkRange(long sector, int count, byte[] buf, int off) {
        file.ensureNotRemoved();
        long sectors = sectorCount();
        if (sector < 0 || count < 0 || sector > sectors - count) {
            throw new HwException("EINVAL", describe(sector, count) + " is outside block device '" + name
                    + "' of " + sectors + " sectors");
        }
        // count <= sectors and sectors * 512 fits a long; the product must also fit an array.
        long len = (long) count * SECTOR_SIZE;
        if (len > Integer.MAX_VALUE) {
            throw new HwException("EINVAL", describe(sector, count) + " is too large for one transfer");
        }
        Checks.buffer(buf, off, (int) len);
        return (int) len;
    }

    private static String describe(long sector, int count) {
        return count == 1 ? "sector " + sector : "sectors " + sector + ".." + (sector + count - 1) + " (" + count + ")";
    }

    /**
     * The channel was closed under an operation: by {@link #close()}, or by an interrupted thread;
     * see {@link DeviceFile#closedUnder}.
     */
    private HwException closed(FileChannel ch, String what) {
        return file.closedUnder(ch, what + " on block device '" + name + "'");
    }
}
