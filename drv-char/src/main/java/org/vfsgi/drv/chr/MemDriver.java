package org.vfsgi.drv.chr;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalRange;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;

/**
 * {@code /dev/mem} (character device 1:1), after {@code drivers/char/mem.c}: the machine's
 * physical address space as a file, the file offset being the physical address.
 *
 * <p>{@code mmap_mem_prepare} checks the offset (it must survive the page shift and the range
 * must not wrap: EINVAL), that every frame belongs to a device of the physical address map
 * ({@code valid_mmap_phys_addr_range}: EINVAL), and the {@code range_is_allowed} policy (EPERM);
 * then it maps device memory uncached ({@code phys_mem_access_prot}) and asks for
 * {@code mmap_action_remap_full} of the whole range from the offset's frame, with
 * {@code error_override} EAGAIN, so a failing remap reports "try again" as the kernel's
 * {@code /dev/mem} always has. Reads and writes copy through the same checks.
 */
@Component(service = CharDevice.class, property = {CharDevice.NAME + "=mem", CharDevice.MAJOR + ":Integer=1",
    CharDevice.MINOR + ":Integer=1", CharDevice.MODE + ":Integer=384"})
public final class MemDriver implements CharDevice {
    /** The VM operations of a {@code /dev/mem} mapping ({@code mmap_mem_ops}): nothing to do after mapping. */
    public static final VmOperations MMAP_MEM_OPS = VmOperations.builder().name("mmap_mem_ops").build();

    /**
     * The {@code range_is_allowed} policy: may this frame be mapped or accessed through
     * {@code /dev/mem}?
     */
    @FunctionalInterface
    public interface RangePolicy {
        /**
         * {@code CONFIG_STRICT_DEVMEM}'s {@code devmem_is_allowed}: device memory yes, system RAM
         * no — a process must not read or map pages the kernel hands out.
         */
        RangePolicy STRICT = range -> range.kind() != Device.Kind.RAM;
        /** Everything the physical map owns (no {@code CONFIG_STRICT_DEVMEM}). */
        RangePolicy ALL = range -> true;

        /**
         * @param range the device owning the frame
         * @return whether access is allowed
         */
        boolean allowed(PhysicalRange range);
    }

    private final PhysicalAddressSpace physical;
    private final RangePolicy policy;
    private final FileOperations fops;

    /**
     * The driver of a running platform: strict policy over the hardware's physical map.
     *
     * @param physical the machine's physical address map
     */
    @Activate
    public MemDriver(@Reference(name = "physical") PhysicalAddressSpace physical) {
        this(physical, RangePolicy.STRICT);
    }

    /**
     * @param physical the machine's physical address map
     * @param policy which ranges {@code /dev/mem} may reach
     */
    public MemDriver(PhysicalAddressSpace physical, RangePolicy policy) {
        this.physical = Objects.requireNonNull(physical, "physical");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.fops = FileOperations.builder().name("mem_fops").mmapPrepare(this::mmapPrepare).read(this::read)
                .write(this::write).build();
    }

    @Override
    public FileOperations fileOperations() {
        return fops;
    }

    /** {@code mmap_mem_prepare}. */
    int mmapPrepare(VmAreaDesc desc) {
        long pgoff = desc.pgoff();
        long offset = pgoff << Mman.PAGE_SHIFT;
        if (offset >>> Mman.PAGE_SHIFT != pgoff || offset < 0) {
            return Errno.EINVAL.negative(); // the physical address does not fit
        }
        if (offset + desc.size() - 1 < offset) {
            return Errno.EINVAL.negative(); // the range wraps
        }
        int r = check(pgoff, desc.pages());
        if (r != 0) {
            return r;
        }
        // phys_mem_access_prot: device memory is never cached.
        desc.setPageProt(desc.pageProt().withCacheMode(PageProt.CacheMode.UNCACHED));
        desc.setVmOps(MMAP_MEM_OPS);
        desc.actionRemapFull(pgoff);
        desc.actionErrorOverride(Errno.EAGAIN.negative());
        return 0;
    }

    /**
     * {@code valid_mmap_phys_addr_range} then {@code range_is_allowed} over {@code pages} frames.
     *
     * @return 0, EINVAL for a frame no device owns, EPERM for a frame the policy refuses
     */
    private int check(long pfn, long pages) {
        for (long i = 0; i < pages; i++) {
            Optional<PhysicalRange> owner = physical.rangeOf(pfn + i);
            if (owner.isEmpty()) {
                return Errno.EINVAL.negative();
            }
            if (!policy.allowed(owner.get())) {
                return Errno.EPERM.negative();
            }
        }
        return 0;
    }

    /** {@code read_mem}: copies physical memory at {@code pos}, frame by frame. */
    long read(File file, ByteBuffer dst, long pos) {
        return copy(dst, pos, false);
    }

    /** {@code write_mem}: stores at physical address {@code pos}; a register write has its side effect. */
    long write(File file, ByteBuffer src, long pos) {
        return copy(src, pos, true);
    }

    private long copy(ByteBuffer buf, long pos, boolean write) {
        if (pos < 0) {
            return Errno.EINVAL.negative();
        }
        long done = 0;
        while (buf.hasRemaining()) {
            long pfn = (pos + done) >>> Mman.PAGE_SHIFT;
            int off = (int) ((pos + done) & (Mman.PAGE_SIZE - 1));
            int chunk = (int) Math.min(buf.remaining(), Mman.PAGE_SIZE - off);
            int r = check(pfn, 1);
            if (r != 0) {
                return done > 0 ? done : r == Errno.EINVAL.negative() ? Errno.EFAULT.negative() : r;
            }
            PhysicalRange range = physical.rangeOf(pfn).orElseThrow();
            byte[] tmp = new byte[chunk];
            if (write) {
                buf.get(tmp);
                range.write(pfn, off, tmp, 0, chunk);
            } else {
                range.read(pfn, off, tmp, 0, chunk);
                buf.put(tmp);
            }
            done += chunk;
        }
        return done;
    }
}
