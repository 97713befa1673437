package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.vfs.FileOperations;

/**
 * A {@code vm_file} that {@code mmap_prepare} substituted with {@link org.vfsgi.mm.VmAreaDesc#shmemZeroSetup}
 * comes with its reference: the VMA takes it over, and whatever fails after the prepare — before
 * or after the copy-back, on the direct path or in the compat layer — the file is released, so
 * no shmem file outlives a failed mmap (regression: a failure between the prepare and the
 * copy-back used to leak it).
 */
class SubstitutedVmFileTest {
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), new TestRam(128));
    private final Process p = kernel.spawn();
    private final Fakes.TestFile zeroLike = Fakes.file(FileOperations.builder().name("zero_like_fops")
            .mmapPrepare(d -> d.shmemZeroSetup()).build());

    private int shmemFiles() {
        return kernel.shmem().mount().openFiles();
    }

    @Test
    void theVmaHoldsTheOnlyReference() {
        long a = p.mmap(A, 0x2000, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, zeroLike, 0);
        assertEquals(1, shmemFiles());
        p.munmap(a, 0x2000);
        assertEquals(0, shmemFiles());
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = {"AFTER_PREPARE", "ACTION_PREPARE", "VMA_ALLOC",
        "TREE_PREALLOC", "ACTION_COMPLETE", "MAPPED"})
    void directPathFailureReleasesIt(InjectionPoint point) {
        kernel.faultInjection().arm(point, 1, Errno.ENOMEM);
        assertThrows(MmException.class, () -> p.mmap(A, 0x2000, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, zeroLike, 0));
        assertEquals(0, shmemFiles(), point.toString());
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = {"AFTER_PREPARE", "ACTION_PREPARE", "ACTION_COMPLETE", "MAPPED"})
    void compatFailureReleasesIt(InjectionPoint point) {
        Fakes.TestFile stacking = Fakes.file(FileOperations.builder().name("stack_fops")
                .mmap((f, vma) -> vma.vfsMmap(zeroLike)).build());
        kernel.faultInjection().arm(point, 1, Errno.ENOMEM);
        assertThrows(MmException.class, () -> p.mmap(A, 0x2000, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, stacking, 0));
        assertEquals(0, shmemFiles(), point.toString());
    }
}
