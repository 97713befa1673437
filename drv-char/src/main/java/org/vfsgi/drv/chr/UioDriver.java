package org.vfsgi.drv.chr;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;

/**
 * A userspace-I/O device ({@code /dev/uio0}), after {@code drivers/uio/uio.c}: a process maps the
 * device's MMIO window and drives its registers with plain loads and stores.
 *
 * <p>{@code uio_mmap_prepare}: the page offset selects the memory map (this device has one, map
 * 0; another is EINVAL), the mapping must be shared (a private copy would swallow the stores:
 * EINVAL) and no larger than the window (EINVAL); then {@code mmap_action_ioremap_full} of the
 * window's frames. Stores through the mapping reach the registers (a doorbell write rings it).
 *
 * <p>The device counts its live mappings, the way drivers take a reference per mapping with
 * {@code vm_ops->mapped}: {@code mapped} (first establishment only) counts one and marks the
 * VMA through its private-data out value; {@code open} (split pieces, fork and mremap copies,
 * which inherit the mark) counts one more; {@code close} gives one back — only for a marked VMA,
 * because a mapping whose action failed is unmapped with {@code close} although {@code mapped}
 * never ran. So the count returns to zero whatever happened.
 */
@Component(service = CharDevice.class, property = {CharDevice.NAME + "=uio0"})
public final class UioDriver implements CharDevice {
    /** The private-data mark of a VMA this device counted. */
    private static final Object COUNTED = new Object() {
        @Override
        public String toString() {
            return "uio-counted";
        }
    };

    private final MmioWindow window;
    private final AtomicInteger mappings = new AtomicInteger();
    private final VmOperations vmOps;
    private final FileOperations fops;

    /**
     * @param window the device's MMIO window
     */
    @Activate
    public UioDriver(@Reference(name = "window") MmioWindow window) {
        this.window = Objects.requireNonNull(window, "window");
        this.vmOps = VmOperations.builder().name("uio_physical_vm_ops").mapped((s, e, pg, f, pd) -> {
            mappings.incrementAndGet();
            pd.set(COUNTED);
            return 0;
        }).open(this::countCopy).close(this::uncount).build();
        this.fops = FileOperations.builder().name("uio_fops").mmapPrepare(this::mmapPrepare).read(this::read).build();
    }

    @Override
    public FileOperations fileOperations() {
        return fops;
    }

    /** @return the number of live VMAs mapping the device (zero when nothing maps it) */
    public int mappings() {
        return mappings.get();
    }

    /** @return the window this device maps */
    public MmioWindow window() {
        return window;
    }

    /** {@code uio_mmap_prepare}. */
    int mmapPrepare(VmAreaDesc desc) {
        if (desc.pgoff() != 0) {
            return Errno.EINVAL.negative(); // uio_find_mem_index: this device has map 0 only
        }
        if (!desc.flagsTest(VmaFlag.SHARED)) {
            return Errno.EINVAL.negative();
        }
        if (desc.size() > window.pfnCount() << Mman.PAGE_SHIFT) {
            return Errno.EINVAL.negative();
        }
        desc.setVmOps(vmOps);
        desc.actionIoremapFull(window.pfnStart());
        return 0;
    }

    private void countCopy(VmArea vma) {
        if (vma.privateData() == COUNTED) {
            mappings.incrementAndGet();
        }
    }

    private void uncount(VmArea vma) {
        if (vma.privateData() == COUNTED) {
            mappings.decrementAndGet();
        }
    }

    /** A status line, as {@code /sys/class/uio/uio0/maps} would tell: the window, the mappings, the doorbell. */
    long read(File file, ByteBuffer dst, long pos) {
        return DeviceText.readAt(String.format("uio0: %s pfn 0x%x pages %d mappings %d doorbell %d%n", window.name(),
                window.pfnStart(), window.pfnCount(), mappings(), window.doorbellCount()), dst, pos);
    }
}
