package org.vfsgi.mm.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.FileOperations;

/**
 * The page-populating {@code mmap_action}s of contract 1.3 on a kernel with physical memory:
 * remap, I/O remap, simple I/O remap and kernel pages, their prepare-time errnos and what ends
 * up in the page table. RAM frames stand in for device memory.
 */
class MmapActionPopulateTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;
    private static final int PRIVATE = Mman.MAP_PRIVATE | Mman.MAP_FIXED;

    private final TestRam ram = new TestRam(256);
    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
    private final Process p = kernel.spawn();
    /** Two consecutive frames with known bytes: the "device". */
    private final long dev0 = ram.allocate();
    private final long dev1 = ram.allocate();

    MmapActionPopulateTest() {
        assertEquals(dev0 + 1, dev1, "the test RAM hands out consecutive frames");
        ram.write(dev0, 0, b("dev0"), 0, 4);
        ram.write(dev1, 0, b("dev1"), 0, 4);
    }

    private static byte[] b(String s) {
        return s.getBytes(US_ASCII);
    }

    private String frame(long pfn, int len) {
        byte[] buf = new byte[len];
        ram.read(pfn, 0, buf, 0, len);
        return new String(buf, US_ASCII);
    }

    private DiskFile driver(Consumer<VmAreaDesc> prepare) {
        return new DiskFile(new DiskFile.DiskInode(0, true), FileOperations.builder().name("dev_fops").mmapPrepare(d -> {
            d.setVmOps(VmOperations.builder().name("dev_vm_ops").build());
            prepare.accept(d);
            return 0;
        }).build());
    }

    @Test
    void remapPopulatesSpecialEntriesThatWriteTheDevice() {
        long a = p.mmap(A, 2 * P, RW, SHARED, driver(d -> d.actionRemap(d.start(), dev0, 2 * P)), 0);
        VmArea v = p.mm().vmaLookup(a);
        assertTrue(v.flags().testAll(VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND, VmaFlag.DONTDUMP));
        assertEquals(2, p.mm().pageTable().presentCount(), "populated at mmap time, no fault needed");
        assertEquals("dev1", new String(p.readMemory(a + P, 4), US_ASCII));
        p.writeMemory(a, b("DEV0"));
        assertEquals("DEV0", frame(dev0, 4));
        assertEquals(0, p.smapsStats().get(0).stats().rss(), "special entries are not resident memory");
        p.munmap(a, 2 * P);
        assertEquals(1, ram.refCount(dev0), "remapped PFNs are not reference-counted");
    }

    @Test
    void copyOnWriteRemapMustCoverTheVmaAndCopiesOnWrite() {
        MmException e = assertThrows(MmException.class,
                () -> p.mmap(A, 2 * P, RW, PRIVATE, driver(d -> d.actionRemap(d.start(), dev0, P)), 0));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(0, p.mm().mapCount());

        long a = p.mmap(A, 2 * P, RW, PRIVATE, driver(d -> d.actionRemap(d.start(), dev0, 2 * P)), 0);
        assertEquals(dev0, p.mm().vmaLookup(a).pgoff(), "a CoW remap's pgoff is its first PFN");
        p.writeMemory(a, b("mine"));
        assertEquals("mine", new String(p.readMemory(a, 4), US_ASCII));
        assertEquals("dev0", frame(dev0, 4), "the device is untouched");
        assertEquals("dev1", new String(p.readMemory(a + P, 4), US_ASCII));
    }

    @Test
    void remapOutsideTheVmaIsEfault() {
        MmException e = assertThrows(MmException.class,
                () -> p.mmap(A, P, RW, SHARED, driver(d -> d.actionRemap(d.start(), dev0, 2 * P)), 0));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(0, p.mm().pageTable().presentCount());
    }

    @Test
    void ioRemapBecomesAnUncachedRemap() {
        long a = p.mmap(A, P, RW, SHARED, driver(d -> d.actionIoremap(d.start(), dev1, P)), 0);
        assertEquals("dev1", new String(p.readMemory(a, 4), US_ASCII));
        assertTrue(p.mm().vmaLookup(a).flags().test(VmaFlag.PFNMAP));
    }

    @Test
    void simpleIoremapChecksTheWindowAndHonoursPgoff() {
        long phys = dev0 << Mman.PAGE_SHIFT;
        MmException tooBig = assertThrows(MmException.class,
                () -> p.mmap(A, 3 * P, RW, SHARED, driver(d -> d.actionSimpleIoremap(phys, 2 * P)), 0));
        assertEquals(Errno.EINVAL, tooBig.errno());
        MmException pastWindow = assertThrows(MmException.class,
                () -> p.mmap(A, P, RW, SHARED, driver(d -> d.actionSimpleIoremap(phys, 2 * P)), 3 * P));
        assertEquals(Errno.EINVAL, pastWindow.errno());
        MmException overflow = assertThrows(MmException.class,
                () -> p.mmap(A, P, RW, SHARED, driver(d -> d.actionSimpleIoremap(Long.MAX_VALUE - 10, 2 * P)), 0));
        assertEquals(Errno.EINVAL, overflow.errno());

        long a = p.mmap(A, P, RW, SHARED, driver(d -> d.actionSimpleIoremap(phys, 2 * P)), P);
        assertEquals("dev1", new String(p.readMemory(a, 4), US_ASCII), "pgoff 1 maps the window's second page");
    }

    @Test
    void kernelPagesAreInsertedWithAReferenceEach() {
        long a = p.mmap(A, 2 * P, RW, SHARED, driver(d -> d.actionMapKernelPages(d.start(), new long[] {dev1, dev0})), 0);
        assertTrue(p.mm().vmaLookup(a).flags().test(VmaFlag.MIXEDMAP));
        assertEquals(2, ram.refCount(dev0));
        assertEquals("dev1", new String(p.readMemory(a, 4), US_ASCII));
        assertEquals("dev0", new String(p.readMemory(a + P, 4), US_ASCII));
        assertEquals(2 * P, p.smapsStats().get(0).stats().rss());
        p.exit();
        assertEquals(1, ram.refCount(dev0));
        assertEquals(1, ram.refCount(dev1));
    }

    @Test
    void kernelPagesWithAFreeFrameFailAndMapNothing() {
        long free = dev1 + 1; // never allocated
        MmException e = assertThrows(MmException.class, () -> p.mmap(A, 2 * P, RW, SHARED,
                driver(d -> d.actionMapKernelPages(d.start(), new long[] {dev0, free})), 0));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(0, p.mm().pageTable().presentCount());
        assertEquals(1, ram.refCount(dev0), "the page inserted before the bad one was taken out again");
    }

    @Test
    void readOnlyProtectionSnapshotMapsReadOnly() {
        long a = p.mmap(A, P, RW, SHARED, driver(d -> {
            d.setPageProt(PageProt.of(true, false, false, PageProt.CacheMode.UNCACHED, false));
            d.actionRemap(d.start(), dev0, P);
        }), 0);
        assertEquals("dev0", new String(p.readMemory(a, 4), US_ASCII));
        // The VMA allows writing, so the write faults through to the PFN map and is made writable then.
        p.writeMemory(a, b("DEV0"));
        assertEquals("DEV0", frame(dev0, 4));
    }
}
