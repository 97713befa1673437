package org.vfsgi.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * System RAM: page frames of {@link Device#PAGE_SIZE} bytes that the mm platform allocates for
 * anonymous memory, the page cache and kernel pages. A frame is allocated with a reference
 * count of one and returns to the free pool when its count drops to zero; a newly allocated
 * frame reads as zeros.
 */
@ProviderType
public interface PhysicalMemory extends PhysicalRange {
    /**
     * Allocates one zero-filled frame with a reference count of one.
     *
     * @return its PFN
     * @throws HwException ENOMEM when no frame is free
     */
    long allocate();

    /**
     * Takes another reference to an allocated frame.
     *
     * @throws HwException EINVAL if the frame is not allocated
     */
    void get(long pfn);

    /**
     * Drops a reference; the frame is freed when the count reaches zero.
     *
     * @return the remaining reference count
     * @throws HwException EINVAL if the frame is not allocated
     */
    int put(long pfn);

    /** @return the reference count of a frame, zero if it is free */
    int refCount(long pfn);

    /** @return the number of free frames */
    long freeFrames();

    /** @return the number of allocated frames */
    long usedFrames();
}
