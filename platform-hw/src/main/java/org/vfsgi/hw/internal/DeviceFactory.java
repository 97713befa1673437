package org.vfsgi.hw.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;

/**
 * Creates devices from checked configurations and enters them in the address map. Creation is
 * all-or-nothing: name and PFN range are checked before any host file is touched, and if a later
 * step fails, what was done is undone in reverse order (the device closed, a file this call
 * created deleted), so nothing stays registered or open.
 */
public final class DeviceFactory {
    private static final System.Logger LOG = System.getLogger(DeviceFactory.class.getName());

    private final PhysicalAddressMap map;
    private final HostFiles files;

    /**
     * @param map where devices are registered
     * @param files opens (and counts) the host files of block and pmem devices
     */
    public DeviceFactory(PhysicalAddressMap map, HostFiles files) {
        this.map = map;
        this.files = files;
    }

    /** @return the address map devices are registered in */
    public PhysicalAddressMap map() {
        return map;
    }

    /** @return the host file tracker */
    public HostFiles files() {
        return files;
    }

    /**
     * Creates the device a configuration describes and registers it in the address map.
     *
     * @return the device, registered and open
     * @throws HwException with a one-line message naming the offending property and value:
     *         EEXIST for a name in use, EINVAL for an overlapping PFN range or a size that does
     *         not fit, ENOENT for a missing file without {@code create=true}, EIO for host errors
     */
    public SimulatedDevice create(DeviceConfig config) {
        SimulatedDevice device = switch (config.kind()) {
            case RAM -> createRam(config);
            case MMIO -> createMmio(config);
            case PMEM -> createPmem(config);
            case BLOCK -> createBlock(config);
        };
        LOG.log(System.Logger.Level.DEBUG, "created {0}", device);
        return device;
    }

    /**
     * Takes a device out of the address map and closes it.
     *
     * @throws HwException EIO if a file-backed device could not write back while closing; it is
     *         closed and unregistered all the same
     */
    public void destroy(SimulatedDevice device) {
        try {
            map.unregister(device);
        } finally {
            device.close();
        }
        LOG.log(System.Logger.Level.DEBUG, "destroyed {0}", device);
    }

    private SimulatedDevice createRam(DeviceConfig c) {
        int frames = frameCount(c);
        map.checkAvailable(c.name(), c.pfnStart(), frames);
        return registerOrClose(new SimulatedRam(c.name(), c.pfnStart(), frames));
    }

    private SimulatedDevice createMmio(DeviceConfig c) {
        int pages = frameCount(c);
        map.checkAvailable(c.name(), c.pfnStart(), pages);
        return registerOrClose(new SimulatedMmioWindow(c.name(), c.pfnStart(), pages));
    }

    private SimulatedDevice createPmem(DeviceConfig c) {
        Path path = c.path();
        Long size = c.size();
        boolean exists = checkFile(c);
        if (exists) {
            long fileSize = fileSize(path);
            if (size == null) {
                if (fileSize == 0 || fileSize % Device.PAGE_SIZE != 0) {
                    throw new HwException("EINVAL", "path '" + path + "' is " + fileSize + " bytes, not a positive"
                            + " multiple of the " + Device.PAGE_SIZE + "-byte page size; set size to use part of it");
                }
                size = fileSize;
            } else if (fileSize < size) {
                throw new HwException("EINVAL", "size '" + c.sizeText() + "' is larger than path '" + path
                        + "', which holds " + fileSize + " bytes");
            }
        }
        map.checkAvailable(c.name(), c.pfnStart(), size / Device.PAGE_SIZE);
        boolean created = !exists && createFile(c);
        try {
            return registerOrClose(FilePersistentMemory.open(c.name(), path, size, c.pfnStart(), files));
        } catch (RuntimeException e) {
            deleteCreated(created, path, e);
            throw e;
        }
    }

    private SimulatedDevice createBlock(DeviceConfig c) {
        Path path = c.path();
        boolean exists = checkFile(c);
        if (exists && c.size() != null) {
            long fileSize = fileSize(path);
            if (fileSize != c.size()) {
                throw new HwException("EINVAL", "size '" + c.sizeText() + "' does not match path '" + path
                        + "', which holds " + fileSize + " bytes (leave size out to use the file's size)");
            }
        }
        map.checkAvailable(c.name(), 0, 0);
        boolean created = !exists && createFile(c);
        try {
            return registerOrClose(FileBlockDevice.open(c.name(), path, c.readOnly(), files));
        } catch (RuntimeException e) {
            deleteCreated(created, path, e);
            throw e;
        }
    }

    private static int frameCount(DeviceConfig c) {
        long pages = c.pages();
        if (pages > Integer.MAX_VALUE - 8) {
            throw new HwException("EINVAL", "size '" + c.sizeText() + "' is too large for " + DeviceConfig.aKind(c.kind())
                    + " device (at most " + (Integer.MAX_VALUE - 8) + " frames)");
        }
        return (int) pages;
    }

    /**
     * @return whether the file exists; if it does not, that {@code create=true} allows making it
     */
    private static boolean checkFile(DeviceConfig c) {
        Path path = c.path();
        if (Files.exists(path)) {
            if (!Files.isRegularFile(path)) {
                throw new HwException("EINVAL", "path '" + path + "' is not a regular file");
            }
            return true;
        }
        if (!c.create()) {
            throw new HwException("ENOENT", "path '" + path + "' does not exist (set create=true to create it)");
        }
        if (c.size() == null) {
            throw new HwException("EINVAL", "size is required to create path '" + path + "' (create=true)");
        }
        return false;
    }

    private static long fileSize(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new HwException("EIO", "cannot read the size of path '" + path + "': " + e);
        }
    }

    /** Creates a zero-filled file of the configured size; sparse, so a large image costs no disk until written. */
    private static boolean createFile(DeviceConfig c) {
        Path path = c.path();
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // CREATE_NEW: never truncate a file that appeared since the existence check.
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(1), c.size() - 1);
            }
            LOG.log(System.Logger.Level.DEBUG, "created {0} of {1,number,#} bytes for device {2}", path, c.size(), c.name());
            return true;
        } catch (IOException e) {
            throw new HwException("EIO", "cannot create path '" + path + "' (create=true): " + e);
        }
    }

    private static void deleteCreated(boolean created, Path path, RuntimeException cause) {
        if (created) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Registers a freshly opened device; if that fails, closes it so no handle outlives the failure. */
    private SimulatedDevice registerOrClose(SimulatedDevice device) {
        try {
            map.register(device);
            return device;
        } catch (RuntimeException e) {
            try {
                device.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
