package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.Fcntl;

/**
 * The get_file/fput references VMAs hold on {@code vm_file}: a file that is unlinked and closed
 * while still mapped stays readable and writable through its mappings — also a fork child's and
 * the pieces a split leaves — until the last VMA goes; then the inode is evicted and its page
 * cache frames return to RAM.
 */
class UnlinkedMappedFileTest {
    private static final int PAGE = (int) Mman.PAGE_SIZE;
    private final TestRam ram = new TestRam(256);
    private final Kernel kernel = new Kernel(KernelConfig.defaults(), ram);

    private long freeInodes() {
        return kernel.vfs().statfs("/").filesFree();
    }

    @Test
    void anUnlinkedMappedFileLivesUntilItsLastVmaGoes() {
        Process p = kernel.spawn();
        long inodesBefore = freeInodes();
        long framesBefore = ram.usedFrames();
        int fd = p.open("/victim", Fcntl.O_RDWR | Fcntl.O_CREAT, 0600);
        p.write(fd, "page0".getBytes(StandardCharsets.UTF_8));
        p.ftruncate(fd, 3 * PAGE);
        p.pwrite(fd, "page2".getBytes(StandardCharsets.UTF_8), 2 * PAGE);
        long a = p.mmap(0, 3 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
        OpenFile file = p.fds().get(fd);
        assertEquals(2, file.fileCount(), "the descriptor's reference and the VMA's");
        assertEquals(inodesBefore - 1, freeInodes());

        assertTrue(p.maps().endsWith(" /victim\n"), p.maps());
        Process anon = kernel.spawn();
        anon.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS, null, 0);
        assertTrue(anon.maps().endsWith(" /dev/zero (deleted)\n"), "shmem's own name is not marked twice: "
                + anon.maps());
        anon.exit();

        p.close(fd);
        kernel.vfs().unlink("/victim");
        assertThrows(MmException.class, () -> kernel.vfs().stat("/victim"), "the name is gone");
        assertFalse(file.isClosed(), "the VMA still holds the file");
        assertEquals(1, file.fileCount());
        assertEquals(inodesBefore - 1, freeInodes(), "the inode lives while it is mapped");
        assertTrue(p.maps().endsWith(" /victim (deleted)\n"), "maps names it as d_path does: " + p.maps());

        assertEquals("page0", new String(p.readMemory(a, 5), StandardCharsets.UTF_8));
        assertEquals("page2", new String(p.readMemory(a + 2 * PAGE, 5), StandardCharsets.UTF_8));
        p.writeMemory(a + PAGE, new byte[] {7, 8, 9});

        // a fork child's copy and the pieces of a split each hold their own reference
        Process child = p.fork();
        assertEquals(2, file.fileCount());
        p.munmap(a + PAGE, PAGE);
        assertEquals(3, file.fileCount(), "splitting around the hole: two parent VMAs and the child's");
        p.munmap(a, 3 * PAGE);
        assertEquals(1, file.fileCount());
        assertArrayEquals(new byte[] {7, 8, 9}, child.readMemory(a + PAGE, 3),
                "the child's mapping still reaches the unlinked file's page cache");
        assertTrue(ram.usedFrames() > framesBefore);

        child.exit();
        assertTrue(file.isClosed(), "the last VMA dropped the last reference");
        assertEquals(inodesBefore, freeInodes(), "the inode was evicted");
        assertEquals(framesBefore, ram.usedFrames(), "the page cache frames went back to RAM");
        assertEquals(0, kernel.vfs().openFileCount());
        MmException e = assertThrows(MmException.class, () -> p.open("/victim", Fcntl.O_RDONLY, 0));
        assertEquals(Errno.ENOENT, e.errno());
    }
}
