package org.vfsgi.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A small memory-mapped I/O device occupying a PFN range. Its first page holds 32-bit
 * little-endian registers with side effects:
 * <ul>
 * <li>{@link #REG_DOORBELL}: every write counts one ring and latches the written value;</li>
 * <li>{@link #REG_STATUS}: read-only, bit 0 is "ready", bits 8..31 the low bits of the ring count;</li>
 * <li>{@link #REG_SCRATCH}: plain read/write storage.</li>
 * </ul>
 * The rest of the window is plain device memory.
 */
@ProviderType
public interface MmioWindow extends PhysicalRange {
    /** Byte offset of the doorbell register. */
    int REG_DOORBELL = 0x0;
    /** Byte offset of the status register. */
    int REG_STATUS = 0x4;
    /** Byte offset of the scratch register. */
    int REG_SCRATCH = 0x8;

    /** @return how many times the doorbell was written */
    long doorbellCount();

    /** @return the value last written to the doorbell */
    int lastDoorbellValue();

    /**
     * Reads a 32-bit register.
     *
     * @throws HwException EINVAL for an offset outside the register page or not 4-byte aligned
     */
    int readRegister(int offset);

    /**
     * Writes a 32-bit register, with that register's side effect.
     *
     * @throws HwException EINVAL for an offset outside the register page, not aligned, or read-only
     */
    void writeRegister(int offset, int value);
}
