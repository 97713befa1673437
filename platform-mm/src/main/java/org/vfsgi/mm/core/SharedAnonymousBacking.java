package org.vfsgi.mm.core;

/**
 * The seam for shared anonymous memory ({@code shmem_zero_setup}): in the kernel a
 * {@code MAP_SHARED|MAP_ANONYMOUS} mapping is backed by an unlinked shmem file so that
 * fork children share it. The shmem part of the platform implements this;
 * {@link #UNBACKED} leaves the VMA anonymous with SHARED set, which is correct for one
 * process but not yet shared with fork children.
 */
public interface SharedAnonymousBacking {
    /** Leaves the VMA anonymous (no shmem file yet). */
    SharedAnonymousBacking UNBACKED = vma -> {
        vma.vmOps = null;
        return 0;
    };

    /**
     * Backs a new shared anonymous VMA.
     *
     * @param vma the VMA, allocated but not inserted
     * @return {@code 0} or a negative errno
     */
    int shmemZeroSetup(Vma vma);
}
