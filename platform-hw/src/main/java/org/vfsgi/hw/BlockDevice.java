package org.vfsgi.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A block device backed by an image file on the host. It is addressed in 512-byte sectors;
 * its size is the image file's size. Writes reach the file by {@link #flush()} at the latest.
 */
@ProviderType
public interface BlockDevice extends Device {
    /** Size of a sector in bytes. */
    int SECTOR_SIZE = 512;

    /** @return the number of sectors */
    long sectorCount();

    /** @return whether the device refuses writes */
    boolean readOnly();

    /**
     * Reads whole sectors.
     *
     * @param sector first sector
     * @param dst destination; its length from {@code off} must cover {@code count} sectors
     * @throws HwException EINVAL for a range outside the device, EIO if the image cannot be read
     */
    void readSectors(long sector, int count, byte[] dst, int off);

    /**
     * Writes whole sectors.
     *
     * @throws HwException EROFS on a read-only device, EINVAL for a range outside the device,
     *         EIO if the image cannot be written
     */
    void writeSectors(long sector, int count, byte[] src, int off);

    /**
     * Makes every completed write durable in the image file.
     *
     * @throws HwException EIO if the image cannot be written
     */
    void flush();
}
