package org.vfsgi.drv.chr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;

/**
 * A ring buffer the kernel shares with a process ({@code /dev/ring}), the way perf's and
 * io_uring's rings are shared: the driver owns page frames, writes records into them
 * ({@link #publish}), and a process maps them read-only to consume the records without a system
 * call.
 *
 * <p>Layout: page 0 is the header — the magic {@code "RING"}, then as little-endian 32-bit
 * values the producer position (bytes ever published), the data size and the page count; pages
 * 1.. hold the data, written round-robin at {@code position % dataSize}.
 *
 * <p>{@code mmap_prepare}: the offset and length must lie within the ring (EINVAL); a shared
 * writable mapping is EPERM and MAYWRITE is dropped, since only the kernel writes; then
 * {@code mmap_action_map_kernel_pages} of the requested pages. Each inserted page table entry
 * holds its own reference to the frame, so the frames outlive the driver's
 * {@link #shutdown} while still mapped, and the last unmap frees them.
 */
@Component(service = CharDevice.class, property = {CharDevice.NAME + "=ring"})
public final class RingDriver implements CharDevice {
    /** Header magic. */
    public static final String MAGIC = "RING";
    /** Byte offset of the producer position in the header page. */
    public static final int HEAD = 4;
    /** Byte offset of the data size in the header page. */
    public static final int DATA_SIZE = 8;
    /** Byte offset of the page count in the header page. */
    public static final int PAGES = 12;
    /** Pages of a ring made by the OSGi component: one header page and three data pages. */
    public static final int DEFAULT_PAGES = 4;

    private static final VmOperations RING_VM_OPS = VmOperations.builder().name("ring_vm_ops").build();

    private final PhysicalMemory ram;
    private final long[] pfns;
    private final FileOperations fops;
    private long position;
    private boolean shut;

    /**
     * The ring of a running platform: {@value #DEFAULT_PAGES} pages of RAM.
     *
     * @param ram the RAM the kernel's page frames come from
     */
    @Activate
    public RingDriver(@Reference(name = "ram") PhysicalMemory ram) {
        this(ram, DEFAULT_PAGES);
    }

    /**
     * @param ram the RAM the kernel's page frames come from
     * @param pages the ring's size in pages, at least 2 (header and one data page)
     * @throws IllegalArgumentException for fewer than 2 pages
     */
    public RingDriver(PhysicalMemory ram, int pages) {
        if (pages < 2) {
            throw new IllegalArgumentException("a ring needs a header page and a data page, got " + pages + " pages");
        }
        this.ram = Objects.requireNonNull(ram, "ram");
        this.pfns = new long[pages];
        for (int i = 0; i < pages; i++) {
            pfns[i] = ram.allocate();
        }
        byte[] header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).put(MAGIC.getBytes(StandardCharsets.US_ASCII))
                .putInt(0).putInt(dataSize()).putInt(pages).array();
        ram.write(pfns[0], 0, header, 0, header.length);
        this.fops = FileOperations.builder().name("ring_fops").mmapPrepare(this::mmapPrepare).read(this::read).build();
    }

    @Override
    public FileOperations fileOperations() {
        return fops;
    }

    /** @return a copy of the ring's page frame numbers, header first */
    public long[] pfns() {
        return pfns.clone();
    }

    private int dataSize() {
        return (pfns.length - 1) * Device.PAGE_SIZE;
    }

    /**
     * The kernel side: appends a record to the ring and advances the producer position.
     *
     * @param record the bytes, at most the data size
     * @throws IllegalArgumentException if the record is larger than the ring's data area
     * @throws IllegalStateException after {@link #shutdown}
     */
    public synchronized void publish(byte[] record) {
        if (shut) {
            throw new IllegalStateException("the ring was shut down");
        }
        if (record.length > dataSize()) {
            throw new IllegalArgumentException("record of " + record.length + " bytes is larger than the ring's "
                    + dataSize() + " data bytes");
        }
        for (int i = 0; i < record.length;) {
            long at = (position + i) % dataSize();
            int page = 1 + (int) (at / Mman.PAGE_SIZE);
            int off = (int) (at % Mman.PAGE_SIZE);
            int n = Math.min(record.length - i, Device.PAGE_SIZE - off);
            ram.write(pfns[page], off, record, i, n);
            i += n;
        }
        position += record.length;
        byte[] head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) position).array();
        ram.write(pfns[0], HEAD, head, 0, 4); // published after the data, as a ring's producer does
    }

    /** {@code mmap_prepare}: bounds, read-only for the process, then map the driver's pages. */
    int mmapPrepare(VmAreaDesc desc) {
        long first = desc.pgoff();
        long n = desc.pages();
        if (first < 0 || first >= pfns.length || n > pfns.length - first) {
            return Errno.EINVAL.negative();
        }
        if (desc.flagsTest(VmaFlag.WRITE)) {
            return Errno.EPERM.negative();
        }
        desc.flagsClear(VmaFlag.MAYWRITE); // nor may mprotect make it writable later
        desc.setVmOps(RING_VM_OPS);
        desc.actionMapKernelPagesFull(Arrays.copyOfRange(pfns, (int) first, (int) (first + n)));
        return 0;
    }

    /** {@code read}: the header as text, for a person at a shell. */
    long read(File file, ByteBuffer dst, long pos) {
        String text;
        synchronized (this) {
            text = String.format("ring: %d pages, %d data bytes, position %d%n", pfns.length, dataSize(), position);
        }
        return DeviceText.readAt(text, dst, pos);
    }

    /**
     * Drops the driver's reference to each frame (the device goes away); frames still mapped
     * stay until their last mapping goes.
     */
    @Deactivate
    public synchronized void shutdown() {
        if (shut) {
            return;
        }
        shut = true;
        for (long pfn : pfns) {
            ram.put(pfn);
        }
    }
}
