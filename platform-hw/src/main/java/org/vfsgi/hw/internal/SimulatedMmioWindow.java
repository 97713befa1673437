package org.vfsgi.hw.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.vfsgi.hw.HwException;
import org.vfsgi.hw.MmioWindow;

/**
 * An MMIO window: a register page followed by plain device memory.
 *
 * <p>The register page is not memory. A byte access through {@link #read}/{@link #write} — which is
 * how user stores through an I/O-remapped mapping arrive — is decoded register by register, as a
 * bus would: each 32-bit little-endian register the access touches sees the bytes that fall into
 * it.
 * <ul>
 * <li>doorbell ({@code 0x0}): a write covering all four bytes rings it (counts one ring and latches
 *     the value); a narrower write is dropped, because the device only decodes whole-register
 *     writes to its doorbell. Reads return the latched value.</li>
 * <li>status ({@code 0x4}): read-only; bit 0 is "ready" (always 1), bits 8..31 the low 24 bits of the
 *     ring count. Byte writes are dropped; {@link #writeRegister} refuses them with EINVAL.</li>
 * <li>scratch ({@code 0x8}): plain storage, any width.</li>
 * <li>the rest of the page ({@code 0xc..0xfff}) is reserved: reads as zero, byte writes are dropped,
 *     {@link #writeRegister} refuses them.</li>
 * </ul>
 * Every dropped register write counts once in {@link #ignoredWrites()}, so a driver that pokes the
 * wrong register is visible rather than silently ignored.
 *
 * <p>Pages after the first are plain memory whose storage is created on first write.
 */
public final class SimulatedMmioWindow implements MmioWindow, SimulatedDevice {
    private static final System.Logger LOG = System.getLogger(SimulatedMmioWindow.class.getName());
    private static final int STATUS_READY = 1;

    private final String name;
    private final long pfnStart;
    private final int pageCount;
    /** Storage for pages 1..n-1; index 0 stays unused (the register page). {@code null} reads as zeros. */
    private final byte[][] pages;
    private long doorbellCount;
    private int lastDoorbellValue;
    private int scratch;
    private long ignoredWrites;
    private boolean closed;

    /**
     * @param pageCount the window's size in pages, at least one (the register page)
     * @throws HwException EINVAL if {@code pageCount} is not positive
     */
    public SimulatedMmioWindow(String name, long pfnStart, int pageCount) {
        if (pageCount <= 0) {
            throw new HwException("EINVAL", "MMIO window '" + name + "' needs at least its register page");
        }
        this.name = name;
        this.pfnStart = pfnStart;
        this.pageCount = pageCount;
        this.pages = new byte[pageCount][];
        LOG.log(System.Logger.Level.DEBUG, "MMIO window {0}: {1,number,#} pages at PFN {2}", name, pageCount,
                Checks.hex(pfnStart));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return Kind.MMIO;
    }

    @Override
    public long size() {
        return (long) pageCount * PAGE_SIZE;
    }

    @Override
    public long pfnStart() {
        return pfnStart;
    }

    @Override
    public long pfnCount() {
        return pageCount;
    }

    @Override
    public synchronized long doorbellCount() {
        return doorbellCount;
    }

    @Override
    public synchronized int lastDoorbellValue() {
        return lastDoorbellValue;
    }

    /** @return how many register writes were dropped: to status, to reserved offsets, partial doorbell writes */
    public synchronized long ignoredWrites() {
        return ignoredWrites;
    }

    @Override
    public synchronized int readRegister(int offset) {
        ensureOpen();
        checkRegisterOffset(offset);
        return registerValue(offset);
    }

    @Override
    public synchronized void writeRegister(int offset, int value) {
        ensureOpen();
        checkRegisterOffset(offset);
        switch (offset) {
            case REG_DOORBELL -> ring(value);
            case REG_SCRATCH -> scratch = value;
            case REG_STATUS -> throw new HwException("EINVAL", "register 0x4 (status) of MMIO window '" + name
                    + "' is read-only");
            default -> throw new HwException("EINVAL", "offset " + Checks.hex(offset) + " of MMIO window '" + name
                    + "' is a reserved register and cannot be written");
        }
    }

    @Override
    public synchronized void read(long pfn, int offset, byte[] dst, int dstOff, int len) {
        ensureOpen();
        int page = Checks.frameIndex(this, pfn, offset, dst, dstOff, len);
        if (page == 0) {
            for (int i = 0; i < len; i++) {
                int at = offset + i;
                dst[dstOff + i] = (byte) (registerValue(at & ~3) >>> (8 * (at & 3)));
            }
        } else if (pages[page] == null) {
            Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        } else {
            System.arraycopy(pages[page], offset, dst, dstOff, len);
        }
    }

    @Override
    public synchronized void write(long pfn, int offset, byte[] src, int srcOff, int len) {
        ensureOpen();
        int page = Checks.frameIndex(this, pfn, offset, src, srcOff, len);
        if (len == 0) {
            return;
        }
        if (page == 0) {
            writeRegisterBytes(offset, src, srcOff, len);
            return;
        }
        if (pages[page] == null) {
            pages[page] = new byte[PAGE_SIZE];
        }
        System.arraycopy(src, srcOff, pages[page], offset, len);
    }

    @Override
    public synchronized String state() {
        return closed ? "removed" : doorbellCount + " rings";
    }

    @Override
    public synchronized Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kind", kind().id());
        d.put("size", Checks.humanSize(size()) + " (" + size() + " bytes)");
        d.put("PFNs", Checks.pfnRange(pfnStart, pageCount));
        d.put("doorbell (0x0)", String.format("0x%08x", lastDoorbellValue));
        d.put("status (0x4)", String.format("0x%08x", status()));
        d.put("scratch (0x8)", String.format("0x%08x", scratch));
        d.put("doorbell rings", Long.toString(doorbellCount));
        d.put("ignored writes", Long.toString(ignoredWrites));
        return d;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Arrays.fill(pages, null);
            LOG.log(System.Logger.Level.DEBUG, "MMIO window {0} closed after {1,number,#} rings", name, doorbellCount);
        }
    }

    @Override
    public String toString() {
        return "mmio '" + name + "' PFNs " + Checks.pfnRange(pfnStart, pageCount);
    }

    /** Decodes a byte write to the register page into per-register writes. */
    private void writeRegisterBytes(int offset, byte[] src, int srcOff, int len) {
        int end = offset + len;
        for (int reg = offset & ~3; reg < end; reg += 4) {
            int lo = Math.max(offset, reg);
            int hi = Math.min(end, reg + 4);
            boolean whole = lo == reg && hi == reg + 4;
            switch (reg) {
                case REG_DOORBELL -> {
                    if (whole) {
                        ring(merge(0, src, srcOff + (lo - offset), lo - reg, hi - lo));
                    } else {
                        ignoredWrites++;
                    }
                }
                case REG_SCRATCH -> scratch = merge(scratch, src, srcOff + (lo - offset), lo - reg, hi - lo);
                default -> ignoredWrites++;
            }
        }
    }

    /** @return {@code value} with {@code n} bytes from {@code src[from..]} stored little-endian from byte {@code at} */
    private static int merge(int value, byte[] src, int from, int at, int n) {
        for (int i = 0; i < n; i++) {
            int shift = 8 * (at + i);
            value = (value & ~(0xff << shift)) | ((src[from + i] & 0xff) << shift);
        }
        return value;
    }

    private void ring(int value) {
        doorbellCount++;
        lastDoorbellValue = value;
    }

    private int status() {
        return STATUS_READY | (int) ((doorbellCount & 0xff_ffffL) << 8);
    }

    private int registerValue(int offset) {
        return switch (offset) {
            case REG_DOORBELL -> lastDoorbellValue;
            case REG_STATUS -> status();
            case REG_SCRATCH -> scratch;
            default -> 0;
        };
    }

    private void checkRegisterOffset(int offset) {
        if (offset < 0 || offset >= PAGE_SIZE || (offset & 3) != 0) {
            throw new HwException("EINVAL", "register offset " + Checks.hex(offset) + " of MMIO window '" + name
                    + "' is not a 4-byte aligned offset in its " + PAGE_SIZE + "-byte register page");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new HwException("ENODEV", "MMIO window '" + name + "' has been removed");
        }
    }
}
