package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.Fcntl;

/**
 * Per-process file descriptors: lowest-free allocation, I/O by descriptor, shared positions
 * after dup and fork, mmap by descriptor, EBADF for every call on a descriptor that is not open,
 * and exit closing everything.
 */
class FdTableTest {
    private static final int PAGE = (int) Mman.PAGE_SIZE;
    private final TestRam ram = new TestRam(256);
    private final Kernel kernel = new Kernel(KernelConfig.defaults(), ram);
    private final Process p = kernel.spawn();

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static MmException expect(Errno errno, String step, Executable call) {
        MmException e = assertThrows(MmException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        String prefix = "errno " + errno.name() + ": " + (step.isEmpty() ? "" : step + ": ");
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        return e;
    }

    @Test
    void descriptorsAreTheLowestFreeNumbers() {
        int a = p.open("/a", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        int b = p.open("/b", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        int c = p.open("/a", Fcntl.O_RDONLY, 0);
        assertEquals(List.of(0, 1, 2), List.of(a, b, c));
        p.close(b);
        assertEquals(1, p.open("/b", Fcntl.O_RDONLY, 0), "close frees the number for the next open");
        assertEquals(3, p.dup(a));
        assertEquals("/a", p.fds().get(3).path());
        assertEquals(4, p.fds().size());
    }

    @Test
    void readWriteSeekAndPositionalIoByDescriptor() {
        int fd = p.open("/f", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        assertEquals(11, p.write(fd, text("hello world")));
        assertEquals(0, p.read(fd, 5).length, "the position is at the end after the write");
        assertEquals(0, p.lseek(fd, 0, Fcntl.SEEK_SET));
        assertEquals("hello", text(p.read(fd, 5)));
        assertEquals(" world", text(p.read(fd, 100)), "a short read at end of file");
        assertEquals("world", text(p.pread(fd, 5, 6)));
        assertEquals(11, p.lseek(fd, 0, Fcntl.SEEK_CUR), "pread leaves the position alone");
        assertEquals(5, p.pwrite(fd, text("WORLD"), 6));
        assertEquals("hello WORLD", text(p.pread(fd, 64, 0)));
        p.ftruncate(fd, 5);
        assertEquals(5, p.fstat(fd).attributes().size());
        assertEquals("hello", text(p.pread(fd, 64, 0)));
        p.fsync(fd);
        expect(Errno.EINVAL, "ksys_read", () -> p.read(fd, -1));
        expect(Errno.EINVAL, "ksys_pread64", () -> p.pread(fd, 1, -1));
        expect(Errno.EINVAL, "ksys_pwrite64", () -> p.pwrite(fd, text("x"), -1));
    }

    @Test
    void accessModeOfTheOpenIsEnforced() {
        p.close(p.open("/ro", Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644));
        int fd = p.open("/ro", Fcntl.O_RDONLY, 0);
        MmException e = expect(Errno.EBADF, "vfs_write", () -> p.write(fd, text("x")));
        assertTrue(e.getMessage().contains("not open for writing"), e.getMessage());
        int wo = p.open("/ro", Fcntl.O_WRONLY, 0);
        expect(Errno.EBADF, "vfs_read", () -> p.read(wo, 1));
        expect(Errno.EACCES, "do_mmap", () -> p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0));
    }

    @Test
    void everyCallOnADescriptorThatIsNotOpenIsEbadf() {
        int fd = p.open("/f", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        p.close(fd);
        MmException e = expect(Errno.EBADF, "close_fd", () -> p.close(fd));
        assertEquals("errno EBADF: close_fd: fd 0 is not an open file descriptor", e.getMessage());
        expect(Errno.EBADF, "ksys_read", () -> p.read(fd, 1));
        expect(Errno.EBADF, "ksys_pread64", () -> p.pread(fd, 1, 0));
        expect(Errno.EBADF, "ksys_write", () -> p.write(fd, text("x")));
        expect(Errno.EBADF, "ksys_pwrite64", () -> p.pwrite(fd, text("x"), 0));
        expect(Errno.EBADF, "ksys_lseek", () -> p.lseek(fd, 0, Fcntl.SEEK_SET));
        expect(Errno.EBADF, "do_ftruncate", () -> p.ftruncate(fd, 0));
        expect(Errno.EBADF, "vfs_fsync", () -> p.fsync(fd));
        expect(Errno.EBADF, "vfs_fstat", () -> p.fstat(fd));
        expect(Errno.EBADF, "dup", () -> p.dup(fd));
        expect(Errno.EBADF, "ksys_mmap_pgoff", () -> p.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0));
        expect(Errno.EBADF, "ksys_read", () -> p.read(-1, 1));
        expect(Errno.EBADF, "ksys_read", () -> p.read(FdTable.NR_OPEN + 5, 1));
    }

    @Test
    void anonymousMmapIgnoresTheDescriptor() {
        long a = p.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, 42, 0);
        assertTrue(p.maps().startsWith(String.format("%08x-%08x r--p 00000000 00:00 0 ", a, a + PAGE)), p.maps());
    }

    @Test
    void dupSharesThePositionAndTheFileLivesUntilTheLastDescriptorCloses() {
        int fd = p.open("/f", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        p.write(fd, text("abcdef"));
        int copy = p.dup(fd);
        OpenFile f = p.fds().get(fd);
        assertEquals(2, f.fileCount());
        p.lseek(fd, 2, Fcntl.SEEK_SET);
        assertEquals("cd", text(p.read(copy, 2)), "dup shares the file position");
        p.close(fd);
        assertFalse(f.isClosed());
        assertEquals("ef", text(p.read(copy, 2)));
        p.close(copy);
        assertTrue(f.isClosed());
        assertEquals(0, kernel.vfs().openFileCount());
    }

    @Test
    void forkDuplicatesTheTableWithOneReferencePerDescriptor() {
        int fd = p.open("/f", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        p.write(fd, text("parent"));
        OpenFile f = p.fds().get(fd);
        Process child = p.fork();
        assertEquals(p.fds(), child.fds(), "the same numbers for the same open files");
        assertEquals(2, f.fileCount());
        assertEquals(0, child.lseek(fd, 0, Fcntl.SEEK_SET));
        assertEquals(0, p.lseek(fd, 0, Fcntl.SEEK_CUR), "parent and child share the position, as after dup");
        child.write(fd, text("CHILD"));
        assertEquals("CHILDt", text(p.pread(fd, 64, 0)));
        child.close(fd);
        assertEquals(1, f.fileCount());
        assertEquals("CHILDt", text(p.pread(fd, 64, 0)), "the child's close leaves the parent's descriptor");
        int other = child.open("/g", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        assertEquals(0, other);
        assertEquals(1, p.fds().size(), "the tables are separate after fork");
    }

    @Test
    void exitClosesEveryDescriptorAndLaterCallsAreEsrch() {
        int a = p.open("/a", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        p.open("/b", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        p.dup(a);
        assertEquals(3, kernel.vfs().openFileCount() + 1, "dup adds a descriptor, not an open file");
        p.exit();
        assertEquals(0, kernel.vfs().openFileCount());
        assertTrue(p.fds().isEmpty());
        expect(Errno.ESRCH, "do_sys_open", () -> p.open("/a", Fcntl.O_RDONLY, 0));
        expect(Errno.ESRCH, "ksys_read", () -> p.read(a, 1));
        expect(Errno.ESRCH, "close_fd", () -> p.close(a));
    }

    @Test
    void openErrorsLeaveNoDescriptorBehind() {
        expect(Errno.ENOENT, "", () -> p.open("/missing", Fcntl.O_RDONLY, 0));
        assertTrue(p.fds().isEmpty());
        for (int i = 0; i < FdTable.NR_OPEN; i++) {
            assertEquals(i, p.open("/", Fcntl.O_RDONLY, 0));
        }
        int open = kernel.vfs().openFileCount();
        MmException e = expect(Errno.EMFILE, "do_sys_open", () -> p.open("/", Fcntl.O_RDONLY, 0));
        assertEquals("errno EMFILE: do_sys_open: all 1024 file descriptors are in use", e.getMessage());
        assertEquals(open, kernel.vfs().openFileCount(), "the file opened for the refused descriptor was closed");
        expect(Errno.EMFILE, "dup", () -> p.dup(0));
    }

    @Test
    void aSharedMappingByDescriptorOutlivesTheDescriptorAndOtherProcessesSeeItsBytes() {
        Process writer = p;
        int fd = writer.open("/shared", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        writer.ftruncate(fd, PAGE);
        long a = writer.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
        writer.close(fd);
        writer.writeMemory(a + 16, text("through the mapping"));
        Process reader = kernel.spawn();
        int rfd = reader.open("/shared", Fcntl.O_RDONLY, 0);
        assertEquals("through the mapping", text(reader.pread(rfd, 19, 16)));
        writer.msync(a, PAGE, Mman.MS_SYNC);
        String line = writer.maps();
        assertTrue(line.endsWith(" /shared\n"), line);
        assertTrue(line.startsWith(String.format("%08x-%08x rw-s 00000000 ", a, a + PAGE)), line);
    }
}
