package org.vfsgi.mm.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmFault;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.mm.core.page.PageTable;
import org.vfsgi.mm.core.page.Pte;

/**
 * Fault-around ({@code do_fault_around}, {@code filemap_map_pages}): a read fault in a VMA whose
 * {@code map_pages} is {@link VmOperations#FILEMAP_MAP_PAGES} also maps the pages around it that
 * are already in the page cache, in an aligned window of {@code fault_around_bytes}, clipped to
 * the VMA, its page table and end of file, read-only, without I/O. Each test draws the file's
 * cached pages ({@code c}) and what ends up mapped ({@code m}).
 */
class FaultAroundTest {
    private static final long P = Mman.PAGE_SIZE;
    /** 16-page aligned, and 256 entries into its page table. */
    private static final long A = 0x100000;
    private static final int RO = Mman.PROT_READ;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;
    private static final int PRIVATE = Mman.MAP_PRIVATE | Mman.MAP_FIXED;

    private final TestRam ram = new TestRam(4096);
    private Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
    private Process p = kernel.spawn();
    private final List<String> mkwrites = new ArrayList<>();

    /** ext4's table: filemap_fault, filemap_map_pages, a page_mkwrite that records its calls. */
    private VmOperations filemapOps(VmOperations.MapPages mapPages) {
        return VmOperations.builder().name("filemap_vm_ops").fault(VmOperations.FILEMAP_FAULT).mapPages(mapPages)
                .pageMkwrite(vmf -> {
                    mkwrites.add("mkwrite " + vmf.pgoff());
                    return VmFaultResult.LOCKED;
                }).build();
    }

    /** A file of {@code pages} pages, each starting with its number, and its open file. */
    private DiskFile file(long size, VmOperations ops) {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(size, false);
        for (long i = 0; i * P < size; i++) {
            ino.store(i * P, ("page " + i).getBytes(US_ASCII));
        }
        DiskFile f = new DiskFile(ino);
        f.vmOps = ops;
        return f;
    }

    /** Reads pages {@code from..to} (inclusive) into the page cache without mapping them. */
    private PageCache cache(DiskFile f, long from, long to) throws IOException {
        PageCache c = kernel.pageMemory().pageCacheOf(f.inode());
        c.readahead(from, (int) (to - from + 1));
        return c;
    }

    /** The page cache of the last {@link #mapCached} file. */
    private PageCache cached;

    /** Maps a file of {@code pages} pages, all in the page cache, whole at {@link #A}. */
    private long mapCached(int pages, int prot, int flags) throws IOException {
        DiskFile f = file(pages * P, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
        cached = cache(f, 0, pages - 1);
        return p.mmap(A, pages * P, prot, flags, f, 0);
    }

    private String present(long from, int pages) {
        PageTable pt = p.mm().pageTable();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pages; i++) {
            sb.append(pt.get(from + i * P) == Pte.NONE ? '.' : 'm');
        }
        return sb.toString();
    }

    private String read(long addr) {
        return new String(p.readMemory(addr, 7), US_ASCII).trim();
    }

    @Test
    void readFaultMapsTheCachedPagesOfItsAlignedWindowWithoutIo() throws IOException {
        DiskFile f = file(32 * P, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
        PageCache c = cache(f, 0, 31); //           c: 0..31 cached
        int reads = ((DiskFile.DiskInode) f.inode()).reads;
        long a = p.mmap(A, 32 * P, RO, SHARED, f, 0);
        assertEquals("page 5", read(a + 5 * P));
        // The window of 16 aligned pages around page 5, and nothing beyond it.
        assertEquals("mmmmmmmmmmmmmmmm................", present(a, 32));
        assertEquals(reads, ((DiskFile.DiskInode) f.inode()).reads, "fault-around does no I/O");
        for (long i = 0; i < 16; i++) {
            assertEquals(1, c.mapCount(i), "page " + i + " counts its one mapping");
            assertEquals("page " + i, read(a + i * P));
        }
        assertEquals(0, c.mapCount(16));
        assertEquals(16, p.mm().pageTable().presentCount(), "the reads above needed no further fault");
    }

    @Test
    void pagesNotCachedAreLeftForTheirOwnFaultAndAMissingFaultingPageFallsBackToFault() throws IOException {
        DiskFile f = file(16 * P, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
        PageCache c = cache(f, 0, 3); //            c: cccc....c.......
        c.readahead(8, 1);
        long a = p.mmap(A, 16 * P, RO, SHARED, f, 0);
        assertEquals("page 2", read(a + 2 * P));
        assertEquals("mmmm....m.......", present(a, 16));
        // Page 6 is not cached: map_pages maps nothing new, then filemap_fault reads it.
        int reads = ((DiskFile.DiskInode) f.inode()).reads;
        assertEquals("page 6", read(a + 6 * P));
        assertTrue(((DiskFile.DiskInode) f.inode()).reads > reads, "page 6 came from the disk");
        assertEquals("mmmm..m.m.......", present(a, 16), "only the faulting page of those just read");
    }

    @Test
    void windowIsClippedToTheVmaAndNeighboursStayUntouched() throws IOException {
        DiskFile f = file(16 * P, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
        cache(f, 0, 15);
        //  0123456789abcdef
        //  aaaFFFFaaaaaaaaa   F maps file pages 0..3 at A+3P; anonymous memory around it
        long anon = p.mmap(A, 16 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);
        long a = p.mmap(A + 3 * P, 4 * P, RO, SHARED, f, 0);
        assertEquals("page 1", read(a + P));
        assertEquals("...mmmm.........", present(anon, 16));
    }

    @Test
    void windowIsClippedToEndOfFile() throws IOException {
        DiskFile f = file(5 * P + 100, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
        cache(f, 0, 5);
        long a = p.mmap(A, 16 * P, RO, SHARED, f, 0);
        assertEquals("page 0", read(a));
        assertEquals("mmmmmm..........", present(a, 16), "pages 0..5, the last one partial");
    }

    @Test
    void windowNeverCrossesIntoAnotherPageTable() throws IOException {
        DiskFile f = file(16 * P, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
        cache(f, 0, 15);
        long table = 0x400000; // a page-table boundary (512 pages)
        long a = p.mmap(table - 8 * P, 16 * P, RO, SHARED, f, 0);
        assertEquals("page 8", read(table));
        assertEquals("........mmmmmmmm", present(a, 16));
        assertEquals("page 7", read(table - P));
        assertEquals("mmmmmmmmmmmmmmmm", present(a, 16), "the lower table's window: file pages 0..7");
    }

    @Test
    void prefaultedPagesAreReadOnlySoTheFirstWriteStillCallsPageMkwrite() throws IOException {
        long a = mapCached(16, RW, SHARED);
        PageCache c = cached;
        read(a);
        assertEquals(16, p.mm().pageTable().presentCount());
        assertTrue(mkwrites.isEmpty());
        p.writeMemory(a + 9 * P, "dirty".getBytes(US_ASCII));
        assertEquals(List.of("mkwrite 9"), mkwrites);
        assertEquals(1, c.dirtyCount());
        assertTrue(c.isDirty(9));
    }

    @Test
    void aPrivateMappingCopiesAPrefaultedPageOnWriteAndLeavesTheCacheAlone() throws IOException {
        long a = mapCached(16, RW, PRIVATE);
        PageCache c = cached;
        read(a);
        long cachePfn = c.find(4);
        assertEquals(cachePfn, Pte.pfn(p.mm().pageTable().get(a + 4 * P)), "page 4 maps the cache page");
        p.writeMemory(a + 4 * P, "mine!!".getBytes(US_ASCII));
        assertEquals("mine!!", read(a + 4 * P));
        assertTrue(Pte.pfn(p.mm().pageTable().get(a + 4 * P)) != cachePfn, "copied on write");
        assertEquals(0, c.dirtyCount());
        assertEquals(0, c.mapCount(4), "the copy no longer maps the cache page");
        assertTrue(mkwrites.isEmpty(), "private mappings never call page_mkwrite");
    }

    @Test
    void everyReferenceAndMapCountIsGivenBackOnMunmap() throws IOException {
        DiskFile f = file(32 * P, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
        PageCache c = cache(f, 0, 31);
        long used = ram.usedFrames();
        int before = ram.refCount(c.find(3));
        long a = p.mmap(A, 32 * P, RO, SHARED, f, 0);
        read(a + 3 * P);
        read(a + 20 * P);
        assertEquals(before + 1, ram.refCount(c.find(3)), "the entry owns a reference");
        p.munmap(a, 32 * P);
        for (long i = 0; i < 32; i++) {
            assertEquals(0, c.mapCount(i), "page " + i);
        }
        assertEquals(before, ram.refCount(c.find(3)));
        assertEquals(used, ram.usedFrames(), "only the page table's own frames came and went");
    }

    @Test
    void faultAroundBytesSetsTheWindowAndOnePageTurnsItOff() throws IOException {
        for (long[] cfg : new long[][] {{32768, 8}, {40960, 8}, {4096, 1}, {0, 1}, {2 * 1024 * 1024, 32}}) {
            kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).faultAroundBytes(cfg[0]).build(), ram);
            p = kernel.spawn();
            DiskFile f = file(32 * P, filemapOps(VmOperations.FILEMAP_MAP_PAGES));
            cache(f, 0, 31);
            long a = p.mmap(A, 32 * P, RO, SHARED, f, 0);
            read(a + 2 * P);
            assertEquals(cfg[1], p.mm().pageTable().presentCount(), "fault_around_bytes " + cfg[0]);
            p.exit();
        }
        assertThrows(IllegalArgumentException.class,
                () -> KernelConfig.builder().faultAroundBytes(4 * 1024 * 1024).build());
    }

    @Test
    void withoutMapPagesEachPageFaultsOnItsOwn() throws IOException {
        DiskFile f = file(16 * P, filemapOps(null));
        cache(f, 0, 15);
        long a = p.mmap(A, 16 * P, RO, SHARED, f, 0);
        read(a + 3 * P);
        assertEquals("...m............", present(a, 16));
    }

    @Test
    void aFileSystemsOwnMapPagesWrapsTheGenericOneWithTheWindowItWasGiven() throws IOException {
        List<String> windows = new ArrayList<>();
        DiskFile f = file(32 * P, filemapOps((vmf, start, end) -> {
            windows.add(vmf.pgoff() + " in [" + start + ", " + end + "]" + (vmf.isWrite() ? " write" : ""));
            return VmOperations.FILEMAP_MAP_PAGES.mapPages(vmf, start, end); // as xfs_filemap_map_pages
        }));
        cache(f, 0, 31);
        long a = p.mmap(A + 2 * P, 30 * P, RO, SHARED, f, 2 * P); // VMA page 0 = file page 2
        read(a + 20 * P);
        assertEquals(List.of("22 in [16, 31]"), windows, "file pages of VMA pages 14..29");
        assertEquals("..............mmmmmmmmmmmmmmmm", present(a, 30));
    }

    @Test
    void aMapPagesHookThatDeclinesFallsBackToFault() throws IOException {
        // A file system that declines to fault around this time (say, its lock was contended).
        DiskFile f = file(16 * P, filemapOps((vmf, start, end) -> VmFaultResult.FALLBACK));
        cache(f, 0, 15);
        long a = p.mmap(A, 16 * P, RO, SHARED, f, 0);
        assertEquals("page 7", read(a + 7 * P));
        assertEquals(".......m........", present(a, 16));
        assertEquals(0, kernel.violations().total(), "FALLBACK is a lawful answer");
    }

    @Test
    void misbehavingMapPagesHooksAreCountedAndTheFaultIsStillServed() throws IOException {
        Object[][] cases = {
            {(VmOperations.MapPages) (vmf, s, e) -> {
                throw new IllegalStateException("driver bug");
            }, ContractViolation.HOOK_THREW},
            {(VmOperations.MapPages) (vmf, s, e) -> null, ContractViolation.INVALID_HOOK_RETURN},
            {(VmOperations.MapPages) (vmf, s, e) -> VmFaultResult.NOPAGE, ContractViolation.INVALID_HOOK_RETURN},
            {(VmOperations.MapPages) (vmf, s, e) -> VmFaultResult.PAGE, ContractViolation.INVALID_HOOK_RETURN},
            // A window wider than it was given: mapCachedPages refuses it, the hook throws.
            {(VmOperations.MapPages) (vmf, s, e) -> vmf.mapCachedPages(s, e + 1), ContractViolation.HOOK_THREW},
        };
        for (Object[] c : cases) {
            kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
            p = kernel.spawn();
            DiskFile f = file(16 * P, filemapOps((VmOperations.MapPages) c[0]));
            cache(f, 0, 15);
            long a = p.mmap(A, 16 * P, RO, SHARED, f, 0);
            assertEquals("page 3", read(a + 3 * P), "the fault itself still works");
            assertEquals(1, kernel.violations().count((ContractViolation) c[1]), c[1] + ": "
                    + kernel.violations().counts());
            assertEquals(1, kernel.violations().total());
            p.exit();
        }
    }

    @Test
    void mapCachedPagesBelongsToMapPagesOnly() throws IOException {
        VmFaultResult[] seen = new VmFaultResult[1];
        DiskFile f = file(4 * P, VmOperations.builder().name("odd").fault(vmf -> {
            assertThrows(UnsupportedOperationException.class, () -> vmf.mapCachedPages(vmf.pgoff(), vmf.pgoff()));
            seen[0] = VmFaultResult.SIGBUS;
            return VmFaultResult.SIGBUS;
        }).build());
        long a = p.mmap(A, 4 * P, RO, SHARED, f, 0);
        assertThrows(org.vfsgi.mm.SignalException.class, () -> p.readMemory(a, 1));
        assertEquals(VmFaultResult.SIGBUS, seen[0]);
        VmFault foreign = new VmFault() {
            @Override
            public org.vfsgi.mm.VmArea vma() {
                return null;
            }

            @Override
            public long address() {
                return 0;
            }

            @Override
            public long pgoff() {
                return 0;
            }

            @Override
            public boolean isWrite() {
                return false;
            }
        };
        assertThrows(UnsupportedOperationException.class, () -> VmOperations.FILEMAP_MAP_PAGES.mapPages(foreign, 0, 0));
    }

    /** A tmpfs file of {@code pages} pages written through {@code write}, so all are cached. */
    private org.vfsgi.vfs.VfsFile tmpfsFile(int pages) {
        org.vfsgi.vfs.VfsFile f = kernel.vfs().open("/shm", org.vfsgi.vfs.Fcntl.O_CREAT | org.vfsgi.vfs.Fcntl.O_RDWR,
                0600);
        for (int i = 0; i < pages; i++) {
            kernel.vfs().pwrite(f, java.nio.ByteBuffer.wrap(("page " + i).getBytes(US_ASCII)), i * P);
        }
        kernel.vfs().ftruncate(f, pages * P);
        return f;
    }

    private String preadString(org.vfsgi.vfs.VfsFile f, int len, long pos) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(len);
        kernel.vfs().pread(f, buf, pos);
        return new String(buf.array(), US_ASCII);
    }

    @Test
    void shmemFaultsAroundToo() {
        org.vfsgi.vfs.VfsFile f = tmpfsFile(32);
        assertEquals(VmOperations.FILEMAP_MAP_PAGES, org.vfsgi.mm.core.shmem.ShmemFile.VM_OPS.mapPages());
        long used = ram.usedFrames();
        long a = p.mmap(A, 32 * P, RW, SHARED, f, 0);
        assertEquals("page 17", read(a + 17 * P));
        assertEquals("................mmmmmmmmmmmmmmmm", present(a, 32));
        // A prefaulted read-only entry of a shared mapping becomes writable on write; the
        // file sees the bytes.
        p.writeMemory(a + 20 * P, "PAGE".getBytes(US_ASCII));
        assertEquals("PAGE 20", preadString(f, 7, 20 * P));
        p.munmap(a, 32 * P);
        assertEquals(used, ram.usedFrames(), "every entry's reference went back on munmap");
        kernel.vfs().close(f);
    }

    @Test
    void aPrivateShmemMappingCopiesAPrefaultedPageOnWrite() {
        org.vfsgi.vfs.VfsFile f = tmpfsFile(16);
        long a = p.mmap(A, 16 * P, RW, PRIVATE, f, 0);
        assertEquals("page 0", read(a));
        assertEquals(16, p.mm().pageTable().presentCount());
        p.writeMemory(a + 3 * P, "mine".getBytes(US_ASCII));
        assertEquals("mine 3", read(a + 3 * P));
        assertEquals("page 3", preadString(f, 6, 3 * P), "the file keeps its bytes");
        kernel.vfs().close(f);
    }
}
