package org.vfsgi.mm.core.vfs;

/**
 * Where a {@code fault} hook delivers the page it found ({@code vmf->page}). The API's
 * {@link org.vfsgi.mm.VmFault} has no way to return a page yet; the core's fault layer
 * implements this beside {@code VmFault} until {@code VmFault} gains {@code setPage}, and the
 * page-cache fault hooks of this package (shmem) hand their page over through it.
 */
public interface FaultPageSink {
    /**
     * @param pfn the frame to map; the caller has taken one reference on it, which the page-table
     *        entry will own
     */
    void setPage(long pfn);
}
