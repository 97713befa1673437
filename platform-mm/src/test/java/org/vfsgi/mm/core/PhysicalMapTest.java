package org.vfsgi.mm.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalRange;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.Signal;
import org.vfsgi.mm.SignalException;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.FileOperations;

/**
 * User access through PFN mappings of memory outside RAM: a kernel given the machine's physical
 * address map reaches a device's frames (and copies from them on a private write); a PFN that no
 * range owns is a bus error.
 */
class PhysicalMapTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private final TestRam ram = new TestRam(256);
    /** Plays persistent memory: frames far above RAM. */
    private final TestRam pmem = new TestRam(0x80000, 4);
    private final PhysicalAddressSpace map = new PhysicalAddressSpace() {
        @Override
        public Optional<PhysicalRange> rangeOf(long pfn) {
            return ram.containsPfn(pfn) ? Optional.of(ram) : pmem.containsPfn(pfn) ? Optional.of(pmem) : Optional.empty();
        }

        @Override
        public List<PhysicalRange> ranges() {
            return List.of(ram, pmem);
        }
    };
    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram, map);
    private final Process p = kernel.spawn();

    private DiskFile device(long pfn) {
        return new DiskFile(new DiskFile.DiskInode(0, true), FileOperations.builder().name("pmem_fops").mmapPrepare(d -> {
            d.setFlags(d.flags().set(VmaFlag.PFNMAP, VmaFlag.IO));
            d.setVmOps(VmOperations.builder().name("pmem_vm_ops").fault(vmf -> {
                vmf.insertPfn(pfn);
                return VmFaultResult.NOPAGE;
            }).build());
            return 0;
        }).build());
    }

    @Test
    void sharedMappingReadsAndWritesTheDevice() {
        long frame = pmem.allocate();
        pmem.write(frame, 0, "pmem".getBytes(US_ASCII), 0, 4);
        long a = p.mmap(A, P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, device(frame), 0);
        assertEquals("pmem", new String(p.readMemory(a, 4), US_ASCII));
        p.writeMemory(a, "PMEM".getBytes(US_ASCII));
        byte[] buf = new byte[4];
        pmem.read(frame, 0, buf, 0, 4);
        assertEquals("PMEM", new String(buf, US_ASCII));
    }

    @Test
    void privateWriteCopiesTheDeviceFrameIntoRam() {
        long frame = pmem.allocate();
        pmem.write(frame, 0, "orig".getBytes(US_ASCII), 0, 4);
        long a = p.mmap(A, P, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, device(frame), 0);
        long used = ram.usedFrames();
        p.writeMemory(a + 2, "XY".getBytes(US_ASCII));
        assertEquals("orXY", new String(p.readMemory(a, 4), US_ASCII));
        assertEquals(used + 1, ram.usedFrames(), "the copy lives in RAM");
        byte[] buf = new byte[4];
        pmem.read(frame, 0, buf, 0, 4);
        assertEquals("orig", new String(buf, US_ASCII));
    }

    @Test
    void aFrameNoRangeOwnsIsABusError() {
        long a = p.mmap(A, P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, device(0x7000000), 0);
        SignalException e = assertThrows(SignalException.class, () -> p.readMemory(a, 1));
        assertEquals(Signal.SIGBUS, e.signal());
        assertTrue(e.getMessage().contains("belongs to no memory or device"), e.getMessage());
    }
}
