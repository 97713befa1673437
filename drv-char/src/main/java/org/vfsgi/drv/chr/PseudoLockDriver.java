package org.vfsgi.drv.chr;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.PhysicalMemory;
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
 * A pseudo-locked memory region ({@code /dev/pseudo_lock}), after the resctrl pseudo-lock device
 * ({@code fs/resctrl/pseudo_lock.c}) as the {@code mmap_complete}/{@code mmap_abort} proposal
 * converted it: the driver's mutex ({@code rdtgroup_mutex}) is taken in {@code mmap_prepare} and
 * held until the mapping is established — released in {@code mmap_complete}, or in
 * {@code mmap_abort} if anything in between failed. The pairing promise is what makes this safe:
 * after a successful prepare exactly one of the two runs.
 *
 * <p>The region is two separate frames (not adjacent), so one remap cannot cover it: the
 * mapping uses a custom action doing two partial remaps
 * ({@link VmArea#descActionPrepare} / {@link VmArea#descActionComplete}), the first page from one
 * frame and the second from the other. It sets the special flags in prepare itself, so the new
 * range can never merge into a neighbour (a merged mapping runs no action).
 *
 * <p>{@code mmap_prepare} refuses a private mapping and any length but two pages at offset 0
 * (EINVAL), releasing the mutex before it returns the error (a failed prepare gets no abort).
 * As resctrl does, each mapping starts from a zeroed region.
 */
@Component(service = CharDevice.class, property = {CharDevice.NAME + "=pseudo_lock"})
public final class PseudoLockDriver implements CharDevice {
    /** The region's size: two pages. */
    public static final long SIZE = 2 * Mman.PAGE_SIZE;

    private static final VmOperations PSEUDO_MMAP_OPS = VmOperations.builder().name("pseudo_mmap_ops").build();

    private final PhysicalMemory ram;
    private final long first;
    private final long second;
    private final ReentrantLock rdtgroupMutex = new ReentrantLock();
    private final AtomicInteger prepared = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();
    private final FileOperations fops;
    private volatile boolean lockHeldDuringAction;

    /**
     * Takes two frames of RAM, with a third between them given back, so the two never touch.
     *
     * @param ram the RAM of the pseudo-locked region
     */
    @Activate
    public PseudoLockDriver(@Reference(name = "ram") PhysicalMemory ram) {
        this.ram = Objects.requireNonNull(ram, "ram");
        this.first = ram.allocate();
        long spacer = ram.allocate();
        this.second = ram.allocate();
        ram.put(spacer);
        this.fops = FileOperations.builder().name("pseudo_lock_dev_fops").mmapPrepare(this::mmapPrepare)
                .mmapComplete(this::mmapComplete).mmapAbort(this::mmapAbort).build();
    }

    @Override
    public FileOperations fileOperations() {
        return fops;
    }

    /** @return the frames of the region's first and second page */
    public long[] pfns() {
        return new long[] {first, second};
    }

    /** @return whether some thread holds the driver's mutex */
    public boolean isLocked() {
        return rdtgroupMutex.isLocked();
    }

    /** @return how many mmap_prepare calls succeeded (each took the mutex) */
    public int prepared() {
        return prepared.get();
    }

    /** @return how many mmap_complete calls released the mutex */
    public int completed() {
        return completed.get();
    }

    /** @return how many mmap_abort calls released the mutex */
    public int aborted() {
        return aborted.get();
    }

    /** @return whether the last custom action ran with the mutex held by the mapping thread */
    public boolean lockHeldDuringAction() {
        return lockHeldDuringAction;
    }

    /** {@code pseudo_lock_dev_mmap_prepare}: take the mutex, check, zero, request the two-part action. */
    int mmapPrepare(VmAreaDesc desc) {
        rdtgroupMutex.lock();
        boolean keep = false;
        try {
            if (!desc.flagsTest(VmaFlag.SHARED) || desc.pgoff() != 0 || desc.size() != SIZE) {
                return Errno.EINVAL.negative();
            }
            byte[] zeros = new byte[Device.PAGE_SIZE];
            ram.write(first, 0, zeros, 0, zeros.length);
            ram.write(second, 0, zeros, 0, zeros.length);
            desc.flagsSet(VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND, VmaFlag.DONTDUMP);
            desc.setVmOps(PSEUDO_MMAP_OPS);
            desc.setContext(rdtgroupMutex);
            desc.actionCustom(this::remapBothParts);
            keep = true;
            prepared.incrementAndGet();
            return 0;
        } finally {
            if (!keep) {
                rdtgroupMutex.unlock();
            }
        }
    }

    /** The custom action: page 0 from the first frame, page 1 from the second. */
    private int remapBothParts(VmArea vma) {
        lockHeldDuringAction = rdtgroupMutex.isHeldByCurrentThread();
        int r = remapPart(vma, 0, first);
        return r != 0 ? r : remapPart(vma, Mman.PAGE_SIZE, second);
    }

    private static int remapPart(VmArea vma, long offset, long pfn) {
        VmAreaDesc part = vma.compatSetDescFromVma(vma.file());
        part.actionRemap(vma.start() + offset, pfn, Mman.PAGE_SIZE);
        int r = vma.descActionPrepare(part);
        return r != 0 ? r : vma.descActionComplete(part);
    }

    /** {@code mmap_complete}: the mapping is established; let the next mapping in. */
    int mmapComplete(File file, VmArea vma, Object context) {
        if (context != rdtgroupMutex || !rdtgroupMutex.isHeldByCurrentThread()) {
            return Errno.EINVAL.negative(); // not the mapping whose prepare took the mutex
        }
        rdtgroupMutex.unlock();
        completed.incrementAndGet();
        return 0;
    }

    /** {@code mmap_abort}: the mapping failed after prepare; release what prepare took. */
    void mmapAbort(File file, Object privateData, Object context) {
        if (context == rdtgroupMutex && rdtgroupMutex.isHeldByCurrentThread()) {
            rdtgroupMutex.unlock();
            aborted.incrementAndGet();
        }
    }

    /** Gives the region's frames back (the device goes away). */
    @Deactivate
    public void shutdown() {
        ram.put(first);
        ram.put(second);
    }
}
