package org.vfsgi.drv.chr;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.FileOperations;

/**
 * The compat layer with a real driver underneath: a legacy stacking device whose {@code mmap}
 * hands the mapping to {@code /dev/zero} through {@code vfs_mmap} without switching the VMA's
 * file first. So {@code /dev/zero}'s {@code mmap_prepare} sees {@code file} = {@code /dev/zero}
 * and {@code vm_file} = the stacking device; for a shared mapping it substitutes a shmem file,
 * which the compat layer puts into the VMA (taking over the reference the driver handed over),
 * and for a private one it makes the VMA anonymous.
 */
class StackedZeroTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private final Machine m = new Machine();
    private final OpenFile stacked;
    private final int files;

    StackedZeroTest() {
        m.install(new ZeroDriver(), "zero", 1, 5);
        OpenFile zero = m.openRw("zero");
        FileOperations stack = FileOperations.builder().name("stack_fops").mmap((f, vma) -> vma.vfsMmap(zero)).build();
        CharDevice dev = () -> stack;
        m.install(dev, "stack", 0, 0);
        stacked = m.openRw("stack");
        files = m.shmemFiles();
    }

    @Test
    void sharedStackedMappingEndsUpOnTheShmemFile() {
        long a = m.p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, stacked, 0);
        VmArea v = m.p.mm().vmaLookup(a);
        assertEquals("/dev/zero (deleted)", v.file().path(), "the substituted vm_file reached the VMA");
        assertEquals(files + 1, m.shmemFiles(), "one shmem file, referenced by the VMA only");
        Process child = m.p.fork();
        child.writeMemory(a, "via stack".getBytes(US_ASCII));
        assertEquals("via stack", new String(m.p.readMemory(a, 9), US_ASCII));
        child.exit();
        m.p.munmap(a, 2 * P);
        assertEquals(files, m.shmemFiles(), "the shmem file went with the mapping");
    }

    @Test
    void privateStackedMappingIsAnonymous() {
        long a = m.p.mmap(A, P, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, stacked, 0);
        VmArea v = m.p.mm().vmaLookup(a);
        assertNull(v.vmOps());
        assertEquals("/dev/stack", v.file().path(), "vm_file stays what the VMA had");
        assertArrayEquals(new byte[4], m.p.readMemory(a, 4));
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = {"BEFORE_PREPARE", "AFTER_PREPARE", "ACTION_PREPARE",
        "ACTION_COMPLETE", "MAPPED"})
    void failureInsideTheCompatLayerDropsTheSubstitutedFile(InjectionPoint point) {
        m.kernel.faultInjection().arm(point, 1, Errno.ENOMEM);
        MmException e = assertThrows(MmException.class,
                () -> m.p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, stacked, 0));
        assertEquals(Errno.ENOMEM, e.errno(), "raw errno through the legacy hook");
        assertEquals(0, m.p.mm().mapCount());
        assertEquals(files, m.shmemFiles(), point + ": no shmem file left open");
    }
}
