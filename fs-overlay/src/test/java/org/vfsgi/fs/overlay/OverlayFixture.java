package org.vfsgi.fs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.function.Executable;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.Fcntl;

/**
 * The scene of the overlay tests: a core kernel with simulated RAM (tmpfs at {@code /}), the
 * overlay type registered, and layer mounts: two lower tmpfs mounts {@code /l1} and
 * {@code /l2}, and a tmpfs at {@code /u} holding {@code upper/} and {@code work/}. Each layer is
 * a mount of its own so the tests see layer files by their own device numbers; a lower layer of
 * another file-system type (an ext4 image) only changes what {@link #mountLower} mounts.
 */
final class OverlayFixture {
    static final int PAGE = 4096;

    final SimulatedRam ram = new SimulatedRam("ram0", 0x1000, 8192);
    final Kernel kernel = new Kernel(KernelConfig.defaults(), ram);
    final Vfs vfs = kernel.vfs();
    final Process proc = kernel.spawn();

    OverlayFixture() {
        this(new OverlayFs());
    }

    OverlayFixture(OverlayFs type) {
        vfs.registerFileSystem(type);
        for (String d : List.of("/l1", "/l2", "/u", "/merged")) {
            vfs.mkdir(d, 0755);
        }
        mountLower("/l1");
        mountLower("/l2");
    }

    /** Mounts a lower layer's file system at {@code dir}: tmpfs here. */
    void mountLower(String dir) {
        vfs.mount("none", dir, "tmpfs", "size=16m");
    }

    /** Mounts the upper tmpfs at {@code /u} with {@code upper/} and {@code work/}. */
    void mountUpper(String options) {
        vfs.mount("none", "/u", "tmpfs", options);
        vfs.mkdir("/u/upper", 0755);
        vfs.mkdir("/u/work", 0755);
    }

    /** {@code mount -t overlay overlay /merged -o options}. */
    void mountOverlay(String options) {
        vfs.mount("overlay", "/merged", "overlay", options);
    }

    /** The usual read-write overlay: {@code /l1} over {@code /l2}, upper and work in {@code /u}. */
    void mountReadWrite(String extra) {
        mountUpper("size=16m");
        mountOverlay("lowerdir=/l1:/l2,upperdir=/u/upper,workdir=/u/work" + (extra.isEmpty() ? "" : "," + extra));
    }

    void writeFile(String path, String content) {
        writeFile(path, content.getBytes(StandardCharsets.UTF_8));
    }

    void writeFile(String path, byte[] content) {
        int fd = proc.open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
        try {
            assertEquals(content.length, proc.write(fd, content));
        } finally {
            proc.close(fd);
        }
    }

    byte[] readBytes(String path) {
        int fd = proc.open(path, Fcntl.O_RDONLY, 0);
        try {
            int size = (int) proc.fstat(fd).attributes().size();
            return size == 0 ? new byte[0] : proc.read(fd, size);
        } finally {
            proc.close(fd);
        }
    }

    String readFile(String path) {
        return new String(readBytes(path), StandardCharsets.UTF_8);
    }

    /** The names {@code readdir} lists, without {@code .} and {@code ..}. */
    List<String> list(String path) {
        List<String> out = new ArrayList<>();
        for (DirEntry e : vfs.readdir(path)) {
            if (!e.name().equals(".") && !e.name().equals("..")) {
                out.add(e.name());
            }
        }
        out.sort(null);
        return out;
    }

    boolean exists(String path) {
        try {
            vfs.lstat(path);
            return true;
        } catch (MmException e) {
            assertEquals(Errno.ENOENT, e.errno(), e.getMessage());
            return false;
        }
    }

    /**
     * Asserts that {@code call} fails with {@code errno} and a message containing every one of
     * {@code words}.
     */
    static MmException expect(Errno errno, Executable call, String... words) {
        MmException e = assertThrows(MmException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should name " + w);
        }
        return e;
    }

    /** A page-sized pattern whose every byte depends on its offset and a seed, for byte-exact checks. */
    static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed * 7 + (i >>> 12));
        }
        return b;
    }
}
