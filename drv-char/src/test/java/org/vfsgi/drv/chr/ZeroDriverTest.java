package org.vfsgi.drv.chr;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.OpenFile;

/**
 * {@code /dev/zero}: a shared mapping gets a shmem file substituted as its {@code vm_file}
 * (fork children share the pages; the file dies with the last mapping), a private mapping has no
 * VM operations and is plain anonymous memory; reads are zeros, writes vanish.
 */
class ZeroDriverTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private final Machine m = new Machine();
    private final OpenFile zero;

    ZeroDriverTest() {
        m.install(new ZeroDriver(), "zero", 1, 5);
        zero = m.openRw("zero");
    }

    @Test
    void sharedMappingIsAShmemFileThatForkChildrenShare() {
        int files = m.shmemFiles();
        long a = m.p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, zero, 0);
        VmArea v = m.p.mm().vmaLookup(a);
        assertNotSame(zero, v.file(), "vm_file was substituted");
        assertEquals("/dev/zero (deleted)", v.file().path());
        assertEquals(files + 1, m.shmemFiles(), "one shmem file, held by the VMA alone");
        assertTrue(m.p.maps().contains("/dev/zero (deleted)"), m.p.maps());
        assertArrayEquals(new byte[8], m.p.readMemory(a + P, 8), "fresh memory reads zero");
        Process child = m.p.fork();
        child.writeMemory(a + P, "shared".getBytes(US_ASCII));
        assertEquals("shared", new String(m.p.readMemory(a + P, 6), US_ASCII), "the parent sees the child's store");
        child.exit();
        m.p.munmap(a, 2 * P);
        assertEquals(files, m.shmemFiles(), "the shmem file went with its last mapping");
    }

    @Test
    void privateMappingIsAnonymousMemoryKeepingDevZeroAsItsFile() {
        long a = m.p.mmap(A, 2 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, zero, 0);
        VmArea v = m.p.mm().vmaLookup(a);
        assertNull(v.vmOps(), "no ops: anonymous");
        assertTrue(v.isAnonymous());
        assertSame(zero, v.file(), "vm_file stays /dev/zero");
        assertArrayEquals(new byte[4], m.p.readMemory(a, 4));
        m.p.writeMemory(a, "priv".getBytes(US_ASCII));
        Process child = m.p.fork();
        child.writeMemory(a, "kid!".getBytes(US_ASCII));
        assertEquals("priv", new String(m.p.readMemory(a, 4), US_ASCII), "private: the child's store is its own");
    }

    @Test
    void readsAreZerosAndWritesVanish() {
        ByteBuffer buf = ByteBuffer.wrap("xxxx".getBytes(US_ASCII));
        assertEquals(4, m.kernel.vfs().read(zero, buf));
        assertArrayEquals(new byte[4], buf.array());
        assertEquals(3, m.kernel.vfs().write(zero, ByteBuffer.wrap("abc".getBytes(US_ASCII))));
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = "SPLIT", mode = EnumSource.Mode.EXCLUDE)
    void sharedFailureAtEveryStepDropsTheShmemFile(InjectionPoint point) {
        int files = m.shmemFiles();
        java.util.Set<InjectionPoint> reached = MemDriverTest.reached(); // no mmap_complete either
        m.injectAndCheck(point, reached, pt -> Errno.ENOMEM,
                p -> p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, zero, 0), 2 * P,
                () -> assertEquals(files, m.shmemFiles(),
                        point + ": the shmem file prepare substituted was dropped"));
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = "SPLIT", mode = EnumSource.Mode.EXCLUDE)
    void privateFailureAtEveryStepLeavesNothing(InjectionPoint point) {
        int files = m.shmemFiles();
        m.injectAndCheck(point, MemDriverTest.reached(), pt -> Errno.ENOMEM,
                p -> p.mmap(A, 2 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, zero, 0), 2 * P,
                () -> assertEquals(files, m.shmemFiles()));
    }
}
