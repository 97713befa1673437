package org.vfsgi.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A byte-addressable persistent-memory region backed by a host file, with a PFN range of its
 * own so that DAX can map its frames directly. Stores become durable in the file on
 * {@link #flush(long, long)} (the simulated CPU cache flush); contents survive a restart.
 */
@ProviderType
public interface PersistentMemory extends PhysicalRange {
    /**
     * Reads bytes at a byte offset of the region.
     *
     * @throws HwException EINVAL for a range outside the region
     */
    void readBytes(long offset, byte[] dst, int dstOff, int len);

    /**
     * Stores bytes at a byte offset of the region; durable after {@link #flush(long, long)}.
     *
     * @throws HwException EINVAL for a range outside the region
     */
    void writeBytes(long offset, byte[] src, int srcOff, int len);

    /**
     * Makes stores in {@code [offset, offset + len)} durable in the backing file.
     *
     * @throws HwException EINVAL for a range outside the region, EIO on a host I/O error
     */
    void flush(long offset, long len);
}
