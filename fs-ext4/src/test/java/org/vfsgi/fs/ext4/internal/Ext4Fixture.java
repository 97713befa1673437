package org.vfsgi.fs.ext4.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.function.Executable;
import org.vfsgi.fs.ext4.disk.E2fsTools;
import org.vfsgi.fs.ext4.disk.ImageDevice;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.VfsFile;

/**
 * The platform core with RAM (a tmpfs root), the ext4 type registered, and image files as named
 * block devices: what the ext4 tests drive, as the kernel drives a file system.
 */
final class Ext4Fixture implements AutoCloseable {
    static final int PAGE = 4096;

    final Kernel kernel = new Kernel(KernelConfig.defaults(), new SimulatedRam("ram", 0x10000, 1 << 17));
    final Vfs vfs = kernel.vfs();
    final Ext4FileSystemType ext4 = new Ext4FileSystemType();
    private final Map<String, ImageDevice> devices = new HashMap<>();

    Ext4Fixture() {
        vfs.registerFileSystem(ext4);
        kernel.setBlockDeviceLookup(name -> Optional.ofNullable((BlockDevice) devices.get(name)));
    }

    /** Attaches an image file as the block device {@code name}. */
    ImageDevice attach(String name, Path image, boolean readOnly) {
        ImageDevice d = new ImageDevice(image, readOnly, name);
        ImageDevice old = devices.put(name, d);
        if (old != null) {
            old.close();
        }
        return d;
    }

    /** {@code mke2fs -t ext4 -b 4096 -d folder} into a new image, attached as {@code name}. */
    static Path mkfs(Path image, Path folder, long bytes) {
        E2fsTools.mkfs(image, folder, 4096, bytes);
        return image;
    }

    /** Mounts {@code device} at {@code path} (made if missing). */
    void mount(String device, String path, String options) {
        try {
            vfs.mkdir(path, 0755);
        } catch (MmException e) {
            assertEquals(Errno.EEXIST, e.errno(), e.getMessage());
        }
        vfs.mount(device, path, "ext4", options);
    }

    /** Reads a whole file through {@code read(2)}. */
    byte[] read(String path) {
        VfsFile f = vfs.open(path, Fcntl.O_RDONLY, 0);
        try {
            int size = (int) vfs.fstat(f).attributes().size();
            ByteBuffer b = ByteBuffer.allocate(size + 1);
            while (b.hasRemaining() && vfs.read(f, b) > 0) {
                // read until end of file; one more byte than the size proves nothing follows
            }
            assertEquals(size, b.position(), "read(2) of " + path + " returns i_size bytes");
            byte[] out = new byte[size];
            b.flip().get(out);
            return out;
        } finally {
            vfs.close(f);
        }
    }

    /** Reads a whole file through a shared read-only mapping in {@code p}, then unmaps it. */
    static byte[] readMapped(Process p, VfsFile f, int size) {
        if (size == 0) {
            return new byte[0];
        }
        long addr = p.mmap(0, size, Mman.PROT_READ, Mman.MAP_SHARED, f, 0);
        try {
            return p.readMemory(addr, size);
        } finally {
            p.munmap(addr, size);
        }
    }

    /** Asserts that {@code op} fails with {@code errno}; returns the exception. */
    static MmException expect(Errno errno, Executable op) {
        MmException e = assertThrows(MmException.class, op);
        assertEquals(errno, e.errno(), e.getMessage());
        return e;
    }

    static void fsckClean(Path image) {
        E2fsTools.Result r = E2fsTools.fsck(image);
        assertEquals(0, r.exit(), "e2fsck -fn " + image + ":\n" + r.outText() + r.err());
    }

    @Override
    public void close() throws IOException {
        for (ImageDevice d : devices.values()) {
            d.close();
        }
    }
}
