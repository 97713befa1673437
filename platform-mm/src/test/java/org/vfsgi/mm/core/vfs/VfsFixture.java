package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.function.Executable;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.shmem.Tmpfs;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.VfsFile;

/**
 * The standard scene of the VFS tests: simulated RAM, a VFS with tmpfs registered, a tmpfs
 * mounted at {@code /} and a second one at {@code /mnt}, and a clock that ticks one
 * microsecond per reading so that timestamp changes are visible.
 */
public final class VfsFixture {
    /** Frames of the simulated RAM. */
    public static final int FRAMES = 4096;

    /** The RAM. */
    public final SimulatedRam ram = new SimulatedRam("ram0", 0x1000, FRAMES);
    /** The clock behind every timestamp. */
    public final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    /** The VFS. */
    public final Vfs vfs = new Vfs(ram, name -> Optional.empty(), () -> clock.addAndGet(1000));
    /** The tmpfs type registered with it. */
    public final Tmpfs tmpfs = new Tmpfs(ram, () -> clock.addAndGet(1000));

    /** Registers tmpfs and mounts {@code /} and {@code /mnt}. */
    public VfsFixture() {
        this(true);
    }

    /**
     * @param mountBoth whether to mount {@code /} and {@code /mnt} (false: only register tmpfs)
     */
    public VfsFixture(boolean mountBoth) {
        vfs.registerFileSystem(tmpfs);
        if (mountBoth) {
            vfs.mount("none", "/", "tmpfs", "size=1m");
            vfs.mkdir("/mnt", 0755);
            vfs.mount("scratch", "/mnt", "tmpfs", "size=1m");
        }
    }

    /**
     * Asserts that {@code call} fails with {@code errno} and a message of the form
     * {@code errno E: step: detail} with a non-empty step and detail.
     *
     * @param errno the errno expected
     * @param call the call
     * @return the exception, for checks on its message
     */
    public static MmException expect(Errno errno, Executable call) {
        MmException e = assertThrows(MmException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertFalse(e.step().isEmpty(), "step named");
        assertFalse(e.detail() == null || e.detail().isEmpty(), "detail given");
        assertTrue(e.getMessage().startsWith("errno " + errno.name() + ": " + e.step() + ": "), e.getMessage());
        return e;
    }

    /** @return a buffer holding the UTF-8 bytes of {@code s} */
    public static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Creates (or truncates) a file and writes {@code content} into it.
     *
     * @param path the file
     * @param content its new content
     */
    public void writeFile(String path, String content) {
        VfsFile f = vfs.open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
        try {
            assertEquals(content.length(), vfs.write(f, bytes(content)));
        } finally {
            vfs.close(f);
        }
    }

    /**
     * @param path a file
     * @return its whole content as UTF-8
     */
    public String readFile(String path) {
        VfsFile f = vfs.open(path, Fcntl.O_RDONLY, 0);
        try {
            ByteBuffer buf = ByteBuffer.allocate((int) vfs.fstat(f).attributes().size() + 16);
            while (vfs.read(f, buf) > 0) {
                // keep reading until end of file
            }
            buf.flip();
            return StandardCharsets.UTF_8.decode(buf).toString();
        } finally {
            vfs.close(f);
        }
    }
}
