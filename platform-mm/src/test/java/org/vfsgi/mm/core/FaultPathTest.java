package org.vfsgi.mm.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.Signal;
import org.vfsgi.mm.SignalException;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.vfs.FileOperations;

/**
 * Faults and user memory access through the VMA core (contract section 5 and the page-table
 * side of sections 3.3 and 3.4), in the style of the kernel's {@code tools/testing/vma}: each
 * test draws the address space it builds (one column per page from {@link #A}), then checks
 * bytes, signals and exact frame counts of the test RAM.
 */
class FaultPathTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;
    private static final int PRIVATE = Mman.MAP_PRIVATE | Mman.MAP_FIXED;

    private final TestRam ram = new TestRam(4096);
    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
    private final Process p = kernel.spawn();

    private static byte[] b(String s) {
        return s.getBytes(US_ASCII);
    }

    private static String read(Process proc, long addr, int len) {
        return new String(proc.readMemory(addr, len), US_ASCII);
    }

    private static SignalException expectSignal(Process proc, Signal sig, long addr, Executable access) {
        SignalException e = assertThrows(SignalException.class, access);
        assertEquals(sig, e.signal(), e.getMessage());
        assertEquals(addr, e.address(), e.getMessage());
        assertEquals(proc.pid(), e.pid());
        List<SignalException> recorded = proc.signals();
        assertTrue(recorded.get(recorded.size() - 1) == e, "the signal is recorded on the process");
        return e;
    }

    private PageCache cacheOf(DiskFile.DiskInode inode) {
        return kernel.pageMemory().existingPageCache(inode);
    }

    @Test
    void anonymousWriteThenRead() {
        // 0123
        // AAAA  private anonymous, read-write
        long a = p.mmap(A, 4 * P, RW, ANON, null, 0);
        assertArrayEquals(new byte[16], p.readMemory(a + P, 16), "untouched anonymous memory reads zero");
        long used = ram.usedFrames();
        p.writeMemory(a + P - 3, b("across")); // pages 0 and 1
        assertEquals("across", read(p, a + P - 3, 6));
        // Page 0 was missing (a new page), page 1 mapped the zero page (copied on write).
        assertEquals(used + 2, ram.usedFrames());
        assertEquals(2, p.mm().pageTable().presentCount());
        assertTrue(p.signals().isEmpty());
    }

    @Test
    void mapPopulateFaultsEveryPageInAndBreaksCopyOnWriteForPrivateWritableMemory() {
        long used = ram.usedFrames();
        long a = p.mmap(A, 4 * P, RW, ANON | Mman.MAP_POPULATE, null, 0);
        assertEquals(4, p.mm().pageTable().presentCount());
        assertEquals(used + 4, ram.usedFrames(), "written-to pages, not the zero page");

        DiskFile.DiskInode ino = new DiskFile.DiskInode(2 * P, false);
        ino.store(P, b("pop"));
        long s = p.mmap(A + 8 * P, 2 * P, Mman.PROT_READ, SHARED | Mman.MAP_POPULATE, new DiskFile(ino), 0);
        assertEquals(6, p.mm().pageTable().presentCount());
        assertEquals(2, cacheOf(ino).pageCount());
        int reads = ino.reads;
        assertEquals("pop", read(p, s + P, 3));
        assertEquals(reads, ino.reads, "already populated: no I/O on access");

        // MAP_POPULATE|MAP_NONBLOCK populates nothing (the kernel ignores MAP_POPULATE then).
        p.mmap(A + 16 * P, P, RW, ANON | Mman.MAP_POPULATE | Mman.MAP_NONBLOCK, null, 0);
        assertEquals(6, p.mm().pageTable().presentCount());
        assertEquals(a, A);
    }

    @Test
    void privateFileMappingCopiesOnWriteAndLeavesThePageCacheAlone() throws Exception {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(2 * P, false);
        ino.store(0, b("file data"));
        DiskFile f = new DiskFile(ino);
        // 01
        // FF  MAP_PRIVATE of the file, read-write
        long a = p.mmap(A, 2 * P, RW, PRIVATE, f, 0);
        assertEquals("file data", read(p, a, 9));
        long used = ram.usedFrames();
        p.writeMemory(a, b("MINE"));
        assertEquals("MINE data", read(p, a, 9));
        assertEquals(used + 1, ram.usedFrames(), "one private copy");

        PageCache cache = cacheOf(ino);
        byte[] cached = new byte[9];
        assertEquals(9, cache.read(0, cached, 0, 9, ino.size));
        assertEquals("file data", new String(cached, US_ASCII), "the page cache keeps the file's bytes");
        assertEquals(0, cache.dirtyCount());
        p.msync(a, 2 * P, Mman.MS_SYNC);
        assertEquals(0, ino.writes, "nothing of a private mapping reaches the disk");
        assertEquals("file data", new String(ino.onDisk(0, 9), US_ASCII));

        // Another process mapping the file shared sees the file, not the private copy.
        Process q = kernel.spawn();
        long qa = q.mmap(A, 2 * P, Mman.PROT_READ, SHARED, f, 0);
        assertEquals("file data", read(q, qa, 9));
    }

    @Test
    void sharedFileWriteReachesPageIoOnMsync() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(3 * P, false);
        DiskFile f = new DiskFile(ino);
        // 012
        // SSS  MAP_SHARED of the file, read-write
        long a = p.mmap(A, 3 * P, RW, SHARED, f, 0);
        p.writeMemory(a + P + 10, b("hello"));
        assertEquals(0, ino.writes, "nothing written before msync");
        assertEquals(1, cacheOf(ino).dirtyCount(), "the first write told the page cache");

        p.msync(a, 3 * P, Mman.MS_SYNC);
        assertEquals(1, ino.writes);
        assertEquals("hello", new String(ino.onDisk(P + 10, 5), US_ASCII));

        p.msync(a, 3 * P, Mman.MS_SYNC);
        assertEquals(1, ino.writes, "clean pages are not written again");

        // msync write-protected the entry, so this write faults and dirties the page again.
        p.writeMemory(a + P + 10, b("HELLO"));
        p.msync(a, 3 * P, Mman.MS_ASYNC);
        assertEquals(1, ino.writes, "MS_ASYNC starts nothing, as on Linux");
        p.msync(a + P, P, Mman.MS_SYNC);
        assertEquals(2, ino.writes);
        assertEquals("HELLO", new String(ino.onDisk(P + 10, 5), US_ASCII));
    }

    @Test
    void munmapKeepsDirtySharedPagesInThePageCacheForWriteback() throws Exception {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, false);
        long a = p.mmap(A, P, RW, SHARED, new DiskFile(ino), 0);
        p.writeMemory(a, b("kept"));
        p.msync(a, P, Mman.MS_SYNC);
        p.writeMemory(a, b("KEPT")); // dirty in the page table only
        p.munmap(a, P);
        PageCache cache = cacheOf(ino);
        assertEquals(1, cache.dirtyCount(), "zap moved the entry's dirty bit into the cache");
        assertEquals(0, cache.mapCount(0));
        cache.fsync();
        assertEquals("KEPT", new String(ino.onDisk(0, 4), US_ASCII));
    }

    @Test
    void msyncErrorsFollowLinux() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(2 * P, false);
        // 0123
        // SS A  shared file, a hole, anonymous
        long a = p.mmap(A, 2 * P, RW, SHARED, new DiskFile(ino), 0);
        p.mmap(A + 3 * P, P, RW, ANON, null, 0);
        assertEquals(Errno.EINVAL, assertThrows(MmException.class, () -> p.msync(a + 1, P, Mman.MS_SYNC)).errno());
        assertEquals(Errno.EINVAL, assertThrows(MmException.class,
                () -> p.msync(a, P, Mman.MS_SYNC | Mman.MS_ASYNC)).errno());
        assertEquals(Errno.EINVAL, assertThrows(MmException.class, () -> p.msync(a, P, 8)).errno());
        p.msync(a, 0, Mman.MS_SYNC); // empty range: nothing to do

        // The hole at page 2 is ENOMEM, but the mapped part is still synced.
        p.writeMemory(a, b("before the hole"));
        MmException e = assertThrows(MmException.class, () -> p.msync(a, 4 * P, Mman.MS_SYNC));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals("before the hole", new String(ino.onDisk(0, 15), US_ASCII));
        assertEquals(Errno.ENOMEM, assertThrows(MmException.class,
                () -> p.msync(A + 8 * P, P, Mman.MS_ASYNC)).errno(), "nothing mapped there");

        // A write-back error is EIO, once.
        ino.failWrites = true;
        p.writeMemory(a + P, b("lost"));
        assertEquals(Errno.EIO, assertThrows(MmException.class, () -> p.msync(a, 2 * P, Mman.MS_SYNC)).errno());
        p.msync(a, 2 * P, Mman.MS_SYNC);

        long locked = p.mmap(A + 6 * P, P, RW, ANON | Mman.MAP_LOCKED, null, 0);
        assertEquals(Errno.EBUSY, assertThrows(MmException.class,
                () -> p.msync(locked, P, Mman.MS_INVALIDATE)).errno());
    }

    @Test
    void forkChildSeesParentBytesAndCopyOnWriteIsolatesBothWays() {
        // 01
        // AA  private anonymous
        long a = p.mmap(A, 2 * P, RW, ANON, null, 0);
        p.writeMemory(a, b("parent"));
        p.writeMemory(a + P, b("second"));
        long used = ram.usedFrames();
        Process c = p.fork();
        assertEquals(used, ram.usedFrames(), "fork shares the pages write-protected");
        assertEquals("parent", read(c, a, 6));
        assertEquals("second", read(c, a + P, 6));

        c.writeMemory(a, b("child!"));
        assertEquals("parent", read(p, a, 6));
        assertEquals("child!", read(c, a, 6));
        assertEquals(used + 1, ram.usedFrames(), "the child's write copied one page");

        // The parent is now the page's only user: its write reuses the page in place.
        p.writeMemory(a, b("PARENT"));
        assertEquals(used + 1, ram.usedFrames());
        assertEquals("child!", read(c, a, 6));

        // The other page is still shared; the parent's write copies it this time.
        p.writeMemory(a + P, b("SECOND"));
        assertEquals(used + 2, ram.usedFrames());
        assertEquals("second", read(c, a + P, 6));
    }

    @Test
    void forkSkipsDontcopyAndWipesWipeonfork() {
        // 0123
        // D W   DONTCOPY at 0, WIPEONFORK at 2
        long d = p.mmap(A, P, RW, ANON, null, 0);
        long w = p.mmap(A + 2 * P, P, RW, ANON, null, 0);
        p.modifyFlags(d, P, p.mm().vmaLookup(d).flags().set(VmaFlag.DONTCOPY));
        p.modifyFlags(w, P, p.mm().vmaLookup(w).flags().set(VmaFlag.WIPEONFORK));
        p.writeMemory(d, b("keep"));
        p.writeMemory(w, b("wipe"));
        Process c = p.fork();
        assertNull(c.mm().vmaLookup(d), "DONTCOPY VMA absent in the child");
        expectSignal(c, Signal.SIGSEGV, d, () -> c.readMemory(d, 4));
        assertNotNull(c.mm().vmaLookup(w));
        assertArrayEquals(new byte[4], c.readMemory(w, 4), "WIPEONFORK reads zero in the child");
        assertEquals("keep", read(p, d, 4));
        assertEquals("wipe", read(p, w, 4));
    }

    @Test
    void accessAfterMunmapIsSigsegv() {
        // 01 -> 1
        long a = p.mmap(A, 2 * P, RW, ANON, null, 0);
        p.writeMemory(a, b("gone"));
        p.writeMemory(a + P, b("here"));
        long used = ram.usedFrames();
        p.munmap(a, P);
        assertEquals(used - 1, ram.usedFrames(), "the unmapped page was freed");
        SignalException e = expectSignal(p, Signal.SIGSEGV, a + 5, () -> p.readMemory(a + 5, 1));
        assertTrue(e.getMessage().contains("no mapping"), e.getMessage());
        assertEquals("here", read(p, a + P, 4));
        assertEquals(1, p.signalCount());
        assertTrue(kernel.trace().snapshot().stream().anyMatch(t -> t.step() == TraceStep.SIGNAL));
    }

    @Test
    void accessBeyondEndOfFileIsSigbus() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P + 100, false);
        ino.store(P, b("tail"));
        // 012
        // SSS  the file ends 100 bytes into page 1
        long a = p.mmap(A, 3 * P, RW, SHARED, new DiskFile(ino), 0);
        assertEquals("tail", read(p, a + P, 4));
        assertArrayEquals(new byte[8], p.readMemory(a + P + 200, 8), "the rest of the last page reads zero");
        SignalException e = expectSignal(p, Signal.SIGBUS, a + 2 * P, () -> p.readMemory(a + 2 * P, 1));
        assertTrue(e.getMessage().contains("beyond end of file"), e.getMessage());
        expectSignal(p, Signal.SIGBUS, a + 2 * P, () -> p.writeMemory(a + 2 * P - 2, b("xyz")));
        assertEquals(0, (int) ino.onDisk(2 * P - 2, 1)[0], "nothing written before the signal reached the disk");
    }

    @Test
    void mapFixedReplacementClearsTheOldPages() {
        // 012      012
        // AAA  ->  ABA  B replaces the middle page with MAP_FIXED
        long a = p.mmap(A, 3 * P, RW, ANON, null, 0);
        for (int i = 0; i < 3; i++) {
            p.writeMemory(a + i * P, b("old" + i));
        }
        long used = ram.usedFrames();
        p.mmap(a + P, P, RW, ANON, null, 0);
        assertEquals(used - 1, ram.usedFrames(), "the replaced page was freed");
        assertArrayEquals(new byte[4], p.readMemory(a + P, 4), "the new mapping starts empty");
        assertEquals("old0", read(p, a, 4));
        assertEquals("old2", read(p, a + 2 * P, 4));
    }

    @Test
    void truncateUnmapsPagesBeyondTheNewEndEvenPrivateCopies() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(3 * P, false);
        ino.store(P + 20, b("zz"));
        ino.store(2 * P, b("last"));
        DiskFile f = new DiskFile(ino);
        Process q = kernel.spawn();
        // p: SSS shared     q: PPP private, page 2 copied on write
        long a = p.mmap(A, 3 * P, RW, SHARED, f, 0);
        long qa = q.mmap(A, 3 * P, RW, PRIVATE, f, 0);
        assertEquals("last", read(p, a + 2 * P, 4));
        assertEquals("zz", read(p, a + P + 20, 2));
        q.writeMemory(qa + 2 * P, b("mine"));
        long used = ram.usedFrames();

        ino.size = P + 10;
        assertEquals(1, kernel.pageMemory().truncatePagecache(ino, ino.size));
        assertEquals(used - 2, ram.usedFrames(), "the cached page and the private copy beyond the end are gone");
        expectSignal(p, Signal.SIGBUS, a + 2 * P, () -> p.readMemory(a + 2 * P, 1));
        expectSignal(q, Signal.SIGBUS, qa + 2 * P, () -> q.readMemory(qa + 2 * P, 1));
        assertArrayEquals(new byte[2], p.readMemory(a + P + 20, 2), "the cached last page's tail was zeroed");
    }

    @Test
    void writebackRacingSplitsAndMergesOfAnotherMappingLosesNoWrite() throws Exception {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(4 * P, false);
        DiskFile f = new DiskFile(ino);
        Process q = kernel.spawn();
        long a = p.mmap(A, 4 * P, RW, SHARED, f, 0);
        long qa = q.mmap(A + 16 * P, 4 * P, RW, SHARED, f, 0);
        int rounds = 300;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<?> splitter = pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    q.mprotect(qa + P, P, Mman.PROT_READ); // split into three
                    q.mprotect(qa + P, P, RW); // and merge back
                    q.writeMemory(qa + 3 * P, new byte[] {(byte) i, (byte) (i >> 8)});
                }
            });
            java.util.concurrent.Future<?> syncer = pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    p.writeMemory(a, new byte[] {(byte) i, (byte) (i >> 8)});
                    p.msync(a, 4 * P, Mman.MS_SYNC);
                    assertArrayEquals(new byte[] {(byte) i, (byte) (i >> 8)}, ino.onDisk(0, 2));
                }
            });
            splitter.get(120, java.util.concurrent.TimeUnit.SECONDS);
            syncer.get(120, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        q.msync(qa, 4 * P, Mman.MS_SYNC);
        assertArrayEquals(new byte[] {(byte) (rounds - 1), (byte) ((rounds - 1) >> 8)}, ino.onDisk(3 * P, 2));
        assertEquals(1, q.mm().mapCount(), "every split merged back");
    }

    @Test
    void fileSystemThatThrowsFromReadPageGivesSigbusAndIsCounted() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, false);
        ino.readBug = new IllegalStateException("fs bug");
        long a = p.mmap(A, P, RW, SHARED, new DiskFile(ino), 0);
        expectSignal(p, Signal.SIGBUS, a, () -> p.readMemory(a, 1));
        assertEquals(1, kernel.violations().count(ContractViolation.HOOK_THREW));
        ino.readBug = null;
        assertArrayEquals(new byte[1], p.readMemory(a, 1), "nothing half-cached stays behind");
    }

    @Test
    void writeToReadOnlyVmaIsSigsegv() {
        long a = p.mmap(A, P, Mman.PROT_READ, ANON, null, 0);
        assertArrayEquals(new byte[4], p.readMemory(a, 4));
        expectSignal(p, Signal.SIGSEGV, a, () -> p.writeMemory(a, b("nope")));
        long none = p.mmap(A + 2 * P, P, Mman.PROT_NONE, ANON, null, 0);
        expectSignal(p, Signal.SIGSEGV, none, () -> p.readMemory(none, 1));
    }

    @Test
    void mprotectRemovingWriteMakesWritesSigsegv() {
        long a = p.mmap(A, P, RW, ANON, null, 0);
        p.writeMemory(a, b("data"));
        long used = ram.usedFrames();
        p.mprotect(a, P, Mman.PROT_READ);
        expectSignal(p, Signal.SIGSEGV, a, () -> p.writeMemory(a, b("DATA")));
        assertEquals("data", read(p, a, 4));

        p.mprotect(a, P, Mman.PROT_NONE);
        expectSignal(p, Signal.SIGSEGV, a, () -> p.readMemory(a, 1));
        p.mprotect(a, P, RW);
        p.writeMemory(a, b("DATA"));
        assertEquals("DATA", read(p, a, 4));
        assertEquals(used, ram.usedFrames(), "the only user of the page writes it in place again");
    }

    @Test
    void mremapMoveKeepsContents() {
        // 012
        // AAB  B (read-only) blocks growing A in place
        long a = p.mmap(A, 2 * P, RW, ANON, null, 0);
        p.mmap(A + 2 * P, P, Mman.PROT_READ, ANON, null, 0);
        p.writeMemory(a, b("first"));
        p.writeMemory(a + P, b("second"));
        long used = ram.usedFrames();
        long n = p.mremap(a, 2 * P, 4 * P, Mman.MREMAP_MAYMOVE, 0);
        assertNotEquals(a, n);
        assertEquals("first", read(p, n, 5));
        assertEquals("second", read(p, n + P, 6));
        assertEquals(used, ram.usedFrames(), "the pages moved, nothing was copied");
        assertArrayEquals(new byte[3], p.readMemory(n + 3 * P, 3), "the grown part is fresh memory");
        expectSignal(p, Signal.SIGSEGV, a, () -> p.readMemory(a, 1));
    }

    @Test
    void exitFreesEveryFrame() throws Exception {
        long start = ram.usedFrames();
        DiskFile.DiskInode ino = new DiskFile.DiskInode(2 * P, false);
        // 0123 5   6
        // AAA. S   (A: anonymous, S: shared file, 2 pages)
        long a = p.mmap(A, 4 * P, RW, ANON, null, 0);
        long s = p.mmap(A + 5 * P, 2 * P, RW, SHARED, new DiskFile(ino), 0);
        for (int i = 0; i < 3; i++) {
            p.writeMemory(a + i * P, b("page" + i));
        }
        p.readMemory(a + 3 * P, 1); // maps the shared zero page
        p.writeMemory(s, b("file"));
        Process c = p.fork();
        c.writeMemory(a, b("copy"));
        // 3 anonymous pages + the zero page + the child's copy + 2 cached file pages (readahead)
        assertEquals(start + 7, ram.usedFrames());

        c.exit();
        p.exit();
        assertEquals(0, p.mm().pageTable().presentCount());
        assertEquals(0, p.mm().pageTable().tableCount());
        assertEquals(0, c.mm().pageTable().tableCount());
        PageCache cache = cacheOf(ino);
        assertEquals(2, cache.pageCount());
        // What remains: the page cache (it outlives mappings) and the zero page (it outlives processes).
        assertEquals(start + 1 + 2, ram.usedFrames());
        assertEquals(1, cache.dirtyCount(), "the dirty file page waits for write-back");
        cache.fsync();
        assertEquals("file", new String(ino.onDisk(0, 4), US_ASCII));
        cache.truncate(0);
        assertEquals(start + 1, ram.usedFrames());
        kernel.pageMemory().anonPages().close();
        assertEquals(start, ram.usedFrames());
    }

    @Test
    void pageMkwriteVetoIsSigbus() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, false);
        ino.store(0, b("ro"));
        DiskFile f = new DiskFile(ino);
        List<String> calls = new ArrayList<>();
        f.vmOps = VmOperations.builder().name("veto_vm_ops").pageMkwrite(vmf -> {
            calls.add("mkwrite pgoff " + vmf.pgoff() + (vmf.isWrite() ? " write" : " read") + " at "
                    + Long.toHexString(vmf.address()));
            return VmFaultResult.SIGBUS;
        }).build();
        long a = p.mmap(A, P, RW, SHARED, f, 0);
        assertEquals("ro", read(p, a, 2), "reads need no page_mkwrite");
        expectSignal(p, Signal.SIGBUS, a + 1, () -> p.writeMemory(a + 1, b("x")));
        assertEquals(List.of("mkwrite pgoff 0 write at " + Long.toHexString(a)), calls);
        assertEquals(0, cacheOf(ino).dirtyCount());
        assertEquals("ro", read(p, a, 2));
        assertTrue(kernel.trace().snapshot().stream().anyMatch(t -> t.step() == TraceStep.MKWRITE));
    }

    @Test
    void pageMkwriteRunsOnEveryFirstWriteAfterWriteback() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, false);
        DiskFile f = new DiskFile(ino);
        int[] calls = {0};
        f.vmOps = VmOperations.builder().name("notify_vm_ops").pageMkwrite(vmf -> {
            calls[0]++;
            return VmFaultResult.PAGE;
        }).build();
        long a = p.mmap(A, P, RW, SHARED, f, 0);
        p.writeMemory(a, b("one"));
        p.writeMemory(a + 8, b("two"));
        assertEquals(1, calls[0], "once per clean page");
        p.msync(a, P, Mman.MS_SYNC);
        p.writeMemory(a, b("three"));
        assertEquals(2, calls[0], "write-back cleaned and write-protected the page");
    }

    @Test
    void filemapFaultAsTheFaultHookKeepsThePageCacheAndItsDirtyTracking() throws Exception {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(2 * P, false);
        ino.store(P, b("on disk"));
        DiskFile f = new DiskFile(ino);
        int[] calls = {0};
        f.vmOps = VmOperations.builder().name("filemap_vm_ops").fault(VmOperations.FILEMAP_FAULT).pageMkwrite(vmf -> {
            calls[0]++;
            return VmFaultResult.LOCKED;
        }).build();
        long a = p.mmap(A, 2 * P, RW, SHARED, f, 0);
        assertEquals("on disk", read(p, a + P, 7), "read from the page cache, not supplied by a driver");
        assertNotNull(cacheOf(ino), "the file's page cache holds the page");
        p.writeMemory(a, b("first"));
        assertEquals(1, calls[0]);
        assertEquals(1, cacheOf(ino).dirtyCount(), "the write dirtied the cache page");
        p.msync(a, 2 * P, Mman.MS_SYNC);
        assertEquals("first", new String(ino.onDisk(0, 5), US_ASCII));
        p.writeMemory(a, b("again"));
        assertEquals(2, calls[0], "write-back write-protected the page: page_mkwrite runs again");
        p.munmap(a, 2 * P);
        cacheOf(ino).fsync();
        assertEquals("again", new String(ino.onDisk(0, 5), US_ASCII), "munmap kept the dirty page for write-back");
    }

    @Test
    void filemapFaultOnAFileTheVfsDidNotOpenIsSigbus() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, false);
        DiskFile f = new DiskFile(ino);
        long a = p.mmap(A, P, RW, SHARED, f, 0);
        Vma v = p.mm().tree().find(a);
        FaultHandler.PlatformVmFault vmf = new FaultHandler.PlatformVmFault(v, a, 0, false,
                kernel.pageMemory());
        assertEquals(VmFaultResult.SIGBUS, VmOperations.FILEMAP_FAULT.fault(vmf),
                "called directly, it needs the VFS's file to find the page cache");
    }

    @Test
    void pfnmapWithoutFaultHandlerIsSigbusWhereNotPopulated() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, true);
        DiskFile f = new DiskFile(ino, FileOperations.builder().name("pfn_fops").mmapPrepare(d -> {
            d.setFlags(d.flags().set(VmaFlag.PFNMAP, VmaFlag.IO, VmaFlag.DONTEXPAND));
            d.setVmOps(VmOperations.builder().name("pfn_vm_ops").build());
            return 0;
        }).build());
        long a = p.mmap(A, 2 * P, RW, SHARED, f, 0);
        SignalException e = expectSignal(p, Signal.SIGBUS, a + P, () -> p.readMemory(a + P, 4));
        assertTrue(e.getMessage().contains("not populated"), e.getMessage());
    }

    @Test
    void faultHookSuppliesThePageAndItsReferenceIsDroppedOnUnmap() {
        long frame = ram.allocate();
        ram.write(frame, 0, b("driver"), 0, 6);
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, true);
        DiskFile f = new DiskFile(ino);
        List<String> calls = new ArrayList<>();
        f.vmOps = VmOperations.builder().name("drv_vm_ops").fault(vmf -> {
            calls.add("fault pgoff " + vmf.pgoff());
            ram.get(frame);
            vmf.setPage(frame);
            return VmFaultResult.PAGE;
        }).build();
        long a = p.mmap(A, P, RW, SHARED, f, 0);
        assertEquals("driver", read(p, a, 6));
        p.writeMemory(a, b("DRIVER"));
        byte[] buf = new byte[6];
        ram.read(frame, 0, buf, 0, 6);
        assertEquals("DRIVER", new String(buf, US_ASCII), "a shared mapping writes the driver's page");
        assertEquals(List.of("fault pgoff 0"), calls);
        assertEquals(2, ram.refCount(frame));
        p.munmap(a, P);
        assertEquals(1, ram.refCount(frame), "the entry's reference went with it");
        assertNull(cacheOf(ino), "a VMA with its own fault handler does not need the page cache");
    }

    @Test
    void pfnMkwriteRunsOnTheFirstWriteToAPfnMapping() {
        long frame = ram.allocate(); // stands in for device memory: a PFN the mapping does not own
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, true);
        DiskFile f = new DiskFile(ino, FileOperations.builder().name("dev_fops").mmapPrepare(d -> {
            d.setFlags(d.flags().set(VmaFlag.PFNMAP, VmaFlag.IO, VmaFlag.DONTEXPAND));
            d.setVmOps(VmOperations.builder().name("dev_vm_ops").fault(vmf -> {
                vmf.insertPfn(frame);
                return VmFaultResult.NOPAGE;
            }).pfnMkwrite(vmf -> vmf.pgoff() == 0 ? VmFaultResult.PAGE : VmFaultResult.SIGBUS).pageMkwrite(vmf -> {
                throw new AssertionError("page_mkwrite must not run for a PFNMAP VMA");
            }).build());
            return 0;
        }).build());
        long a = p.mmap(A, 2 * P, RW, SHARED, f, 0);
        assertArrayEquals(new byte[2], p.readMemory(a, 2));
        p.writeMemory(a, b("io"));
        byte[] buf = new byte[2];
        ram.read(frame, 0, buf, 0, 2);
        assertEquals("io", new String(buf, US_ASCII), "the write went to the PFN itself");
        p.readMemory(a + P, 1); // maps the same PFN read-only at pgoff 1
        expectSignal(p, Signal.SIGBUS, a + P, () -> p.writeMemory(a + P, b("no")));
        p.munmap(a, 2 * P);
        assertEquals(1, ram.refCount(frame), "special entries own no reference");
    }

    @Test
    void racingFaultsOnOnePageMapItOnceAndDropTheLosersReference() throws Exception {
        long frame = ram.allocate();
        java.util.concurrent.CyclicBarrier bothInside = new java.util.concurrent.CyclicBarrier(2);
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, true);
        DiskFile f = new DiskFile(ino);
        f.vmOps = VmOperations.builder().name("slow_vm_ops").fault(vmf -> {
            ram.get(frame);
            vmf.setPage(frame);
            try {
                bothInside.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return VmFaultResult.PAGE;
        }).build();
        long a = p.mmap(A, P, RW, SHARED, f, 0);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<byte[]> r1 = pool.submit(() -> p.readMemory(a, 1));
            java.util.concurrent.Future<byte[]> r2 = pool.submit(() -> p.readMemory(a, 1));
            r1.get(20, java.util.concurrent.TimeUnit.SECONDS);
            r2.get(20, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, p.mm().pageTable().presentCount());
        assertEquals(2, ram.refCount(frame), "ours plus the one entry's; the loser's reference was dropped");
        p.munmap(a, P);
        assertEquals(1, ram.refCount(frame));
    }

    @Test
    void threadsFaultingOneAddressSpaceConcurrentlyKeepEveryByte() throws Exception {
        int threads = 4;
        int pagesEach = 200;
        long a = p.mmap(A, (long) threads * pagesEach * P, RW, ANON, null, 0);
        long used = ram.usedFrames();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                all.add(pool.submit(() -> {
                    for (int i = 0; i < pagesEach; i++) {
                        // Interleaved pages, so threads fault neighbouring entries of the same tables.
                        long addr = a + ((long) i * threads + id) * P;
                        p.readMemory(addr, 1);
                        p.writeMemory(addr + 7, new byte[] {(byte) (id + 1), (byte) i});
                    }
                }));
            }
            for (java.util.concurrent.Future<?> fu : all) {
                fu.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < pagesEach; i++) {
                long addr = a + ((long) i * threads + t) * P;
                assertArrayEquals(new byte[] {(byte) (t + 1), (byte) i}, p.readMemory(addr + 7, 2));
            }
        }
        // One frame per page, plus the zero page the first read of the test allocated.
        assertEquals(used + threads * pagesEach + 1, ram.usedFrames());
    }

    @Test
    void faultHookRetryIsRetriedAFewTimesThenSigbus() {
        long frame = ram.allocate();
        int[] calls = {0};
        DiskFile f = new DiskFile(new DiskFile.DiskInode(P, true));
        f.vmOps = VmOperations.builder().name("busy_vm_ops").fault(vmf -> {
            // Busy twice on page 0, always busy on page 1.
            if (++calls[0] <= 2 || vmf.pgoff() == 1) {
                return VmFaultResult.RETRY;
            }
            ram.get(frame);
            vmf.setPage(frame);
            return VmFaultResult.PAGE;
        }).build();
        long a = p.mmap(A, 2 * P, RW, SHARED, f, 0);
        p.readMemory(a, 1);
        assertEquals(3, calls[0]);
        SignalException e = expectSignal(p, Signal.SIGBUS, a + P, () -> p.readMemory(a + P, 1));
        assertTrue(e.getMessage().contains("retry"), e.getMessage());
        assertEquals(3 + FaultHandler.MAX_DRIVER_RETRIES + 1, calls[0]);
    }

    @Test
    void faultHookWithoutPageIsSigbusAndCounted() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, true);
        DiskFile f = new DiskFile(ino);
        f.vmOps = VmOperations.builder().name("liar_vm_ops").fault(vmf -> VmFaultResult.PAGE).build();
        long a = p.mmap(A, P, RW, SHARED, f, 0);
        expectSignal(p, Signal.SIGBUS, a, () -> p.readMemory(a, 1));
        assertEquals(1, kernel.violations().count(ContractViolation.INVALID_HOOK_RETURN));
    }

    @Test
    void revokedMappingIsSigbus() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, false);
        ino.store(0, b("live"));
        long a = p.mmap(A, P, RW, SHARED, new DiskFile(ino), 0);
        assertEquals("live", read(p, a, 4));
        VmArea v = p.mm().vmaLookup(a);
        p.mm().revoke(v);
        assertEquals(0, p.mm().pageTable().presentCount());
        SignalException e = expectSignal(p, Signal.SIGBUS, a, () -> p.readMemory(a, 4));
        assertTrue(e.getMessage().contains("revoked"), e.getMessage());
    }

    @Test
    void revocationSurvivesSplitForkAndNeverMerges() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(4 * P, false);
        DiskFile f = new DiskFile(ino);
        // 0123
        // RRR.  revoked, then split by mprotect of page 1
        long a = p.mmap(A, 3 * P, RW, SHARED, f, 0);
        p.mm().revoke(p.mm().vmaLookup(a));
        p.mprotect(a + P, P, Mman.PROT_READ);
        assertEquals(3, p.mm().mapCount());
        p.mprotect(a + P, P, RW);
        assertEquals(3, p.mm().mapCount(), "revoked pieces do not merge back");
        expectSignal(p, Signal.SIGBUS, a + 2 * P, () -> p.readMemory(a + 2 * P, 1));
        // A new mapping of the same file right after does not merge into the revoked VMA.
        long next = p.mmap(a + 3 * P, P, RW, SHARED, f, 3 * P);
        assertEquals(4, p.mm().mapCount());
        assertArrayEquals(new byte[1], p.readMemory(next, 1));
        Process c = p.fork();
        expectSignal(c, Signal.SIGBUS, a, () -> c.readMemory(a, 1));
        assertArrayEquals(new byte[1], c.readMemory(next, 1));
    }

    @Test
    void sharedMemoryOnlyFileIsSharedAcrossProcesses() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(P, true);
        DiskFile f = new DiskFile(ino);
        Process q = kernel.spawn();
        long a = p.mmap(A, P, RW, SHARED, f, 0);
        long qa = q.mmap(A + 8 * P, P, RW, SHARED, f, 0);
        p.writeMemory(a, b("both"));
        assertEquals("both", read(q, qa, 4));
        p.msync(a, P, Mman.MS_SYNC); // memory-only: nothing to write, no error
        assertTrue(cacheOf(ino).isMemoryOnly());
    }

    @Test
    void kernelWithoutPhysicalMemoryRefusesUserAccessClearly() {
        Process np = new Kernel().spawn();
        long a = np.mmap(0, P, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> np.readMemory(a, 1));
        assertTrue(e.getMessage().contains("physical memory"), e.getMessage());
    }
}
