package org.vfsgi.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A device that occupies a range of physical page frames: RAM, a persistent-memory region or
 * an MMIO window. Bytes are addressed by PFN and offset within the frame; an access must stay
 * within one frame.
 */
@ProviderType
public interface PhysicalRange extends Device {
    /** @return the first PFN of the range */
    long pfnStart();

    /** @return the number of page frames in the range */
    long pfnCount();

    /**
     * @param pfn a page frame number
     * @return whether {@code pfn} lies in this range
     */
    default boolean containsPfn(long pfn) {
        return pfn >= pfnStart() && pfn - pfnStart() < pfnCount();
    }

    /**
     * Copies bytes out of a frame.
     *
     * @throws HwException EINVAL if the PFN is outside the range or the access crosses the frame
     */
    void read(long pfn, int offset, byte[] dst, int dstOff, int len);

    /**
     * Copies bytes into a frame. For an MMIO window, a write to a register has that register's
     * side effect.
     *
     * @throws HwException EINVAL if the PFN is outside the range or the access crosses the frame
     */
    void write(long pfn, int offset, byte[] src, int srcOff, int len);
}
