package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FaultCoreTest {
    static final int P = PageTable.PAGE_SIZE;
    static final long VMA = 0x4000_0000L;

    final FakePhysicalMemory ram = new FakePhysicalMemory(1024);
    final AnonPages anon = new AnonPages(ram);
    final FaultCore core = new FaultCore(anon);
    final PageTable pt = new PageTable(ram);
    final UserMemory user = new UserMemory(ram, null);

    UserMemory.Faulter faulter(FaultMapping m) {
        return (addr, write) -> core.handleFault(pt, addr, write, m);
    }

    byte[] readUser(long addr, int len, FaultMapping m) {
        byte[] b = new byte[len];
        user.readUser(pt, addr, b, 0, len, faulter(m));
        return b;
    }

    void writeUser(long addr, byte[] b, FaultMapping m) {
        user.writeUser(pt, addr, b, 0, b.length, faulter(m));
    }

    // ---- anonymous memory: do_anonymous_page, the zero page, CoW of the zero page

    @Test
    void anonymousReadMapsTheSharedZeroPageReadOnly() {
        FaultMapping m = FaultMapping.anonymous();
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA + 5, false, m));
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA + P, false, m));
        long pte = pt.get(VMA);
        assertEquals(anon.zeroPfn(), Pte.pfn(pte));
        assertEquals(anon.zeroPfn(), Pte.pfn(pt.get(VMA + P)));
        assertTrue(Pte.isSpecial(pte));
        assertFalse(Pte.isWritable(pte));
        assertEquals(1, ram.refCount(anon.zeroPfn()), "the zero page is never reference-counted");
        assertEquals(1, ram.usedFrames());
        assertEquals(FaultResult.MAPPED_EXISTING, core.handleFault(pt, VMA, false, m));
        assertArrayEquals(new byte[P], readUser(VMA, P, m));
    }

    @Test
    void anonymousWriteAllocatesAPrivateZeroedPage() {
        FaultMapping m = FaultMapping.anonymous();
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA, true, m));
        long pte = pt.get(VMA);
        assertTrue(Pte.isWritable(pte));
        assertTrue(Pte.isDirty(pte));
        assertTrue(Pte.isSoftDirty(pte));
        assertTrue(Pte.isAnon(pte));
        assertFalse(Pte.isSpecial(pte));
        assertEquals(1, ram.refCount(Pte.pfn(pte)));
        assertEquals(FaultResult.MAPPED_EXISTING, core.handleFault(pt, VMA, true, m));
    }

    @Test
    void writeAfterReadCopiesTheZeroPage() {
        FaultMapping m = FaultMapping.anonymous();
        assertArrayEquals(new byte[3], readUser(VMA + 10, 3, m));
        writeUser(VMA + 10, new byte[] {1, 2, 3}, m);
        long pte = pt.get(VMA);
        assertNotEquals(anon.zeroPfn(), Pte.pfn(pte));
        assertTrue(Pte.isAnon(pte) && Pte.isWritable(pte) && Pte.isDirty(pte));
        assertArrayEquals(new byte[] {0, 1, 2, 3, 0}, readUser(VMA + 9, 5, m));
        assertArrayEquals(new byte[P], ram.frame(anon.zeroPfn()), "the zero page stays zero");
        assertEquals(2, ram.usedFrames());
    }

    @Test
    void zapDropsAnonymousReferencesAndFreesEveryFrame() {
        FaultMapping m = FaultMapping.anonymous();
        for (int i = 0; i < 10; i++) {
            core.handleFault(pt, VMA + (long) i * P, i % 2 == 0, m); // 5 pages + 5 zero-page entries
        }
        assertEquals(6, ram.usedFrames());
        assertEquals(10, core.zapRange(pt, VMA, VMA + 10L * P, m));
        assertEquals(1, ram.usedFrames(), "only the zero page is left");
        assertEquals(0, pt.presentCount());
        assertEquals(0, pt.tableCount());
        anon.close();
        assertEquals(0, ram.usedFrames());
    }

    @Test
    void outOfMemoryIsReportedAndLeaksNothing() {
        FaultMapping m = FaultMapping.anonymous();
        anon.zeroPfn();
        ram.failAllocationsAfter = 0;
        assertEquals(FaultResult.OOM, core.handleFault(pt, VMA, true, m));
        assertEquals(Pte.NONE, pt.get(VMA));
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA, false, m), "the zero page needs no allocation");
        assertEquals(FaultResult.OOM, core.handleFault(pt, VMA, true, m), "nor does CoW of it succeed");
        assertEquals(anon.zeroPfn(), Pte.pfn(pt.get(VMA)));
        assertEquals(1, ram.usedFrames());
        UserAccessException ex = assertThrows(UserAccessException.class,
                () -> writeUser(VMA, new byte[1], m));
        assertEquals("SIGKILL", ex.signal());
    }

    // ---- file mappings: filemap_fault, do_read_fault, do_shared_fault, do_cow_fault

    @Test
    void readFaultOnAFileMapsTheCachePageReadOnlyMajorThenMinor() throws IOException {
        FakeFile file = FakeFile.patterned(8L * P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 2, () -> file.size);
        assertEquals(FaultResult.MAJOR, core.handleFault(pt, VMA, false, m));
        assertEquals(List.of(2L, 3L, 4L, 5L), file.reads, "filemap_fault read a readahead window");
        long pte = pt.get(VMA);
        assertEquals(cache.find(2), Pte.pfn(pte));
        assertFalse(Pte.isWritable(pte), "shared pages start read-only so page_mkwrite sees the first write");
        assertFalse(Pte.isAnon(pte));
        assertEquals(2, ram.refCount(Pte.pfn(pte)), "cache + entry");
        assertEquals(1, cache.mapCount(2));
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA + P, false, m));
        assertEquals(4, file.reads.size());
        assertEquals(FakeFile.pattern(2L * P + 7), readUser(VMA + 7, 1, m)[0]);
    }

    @Test
    void sharedWriteCallsPageMkwriteAndReachesPageIoOnlyAfterWriteback() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file, () -> file.size);
        List<Long> mkwrites = new ArrayList<>();
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 0, () -> file.size)
                .withMkwrite((addr, index) -> {
                    mkwrites.add(index);
                    return null;
                });
        cache.setMkcleanHook((from, to) -> core.syncDirty(pt, VMA, VMA + 4L * P, m));
        writeUser(VMA + P + 1, new byte[] {42}, m);
        assertEquals(List.of(1L), mkwrites);
        long pte = pt.get(VMA + P);
        assertTrue(Pte.isWritable(pte) && Pte.isDirty(pte));
        assertTrue(cache.isDirty(1));
        assertEquals(FakeFile.pattern(P + 1), file.bytes[P + 1], "not written back yet");
        assertEquals(1, cache.writeback(0, 4));
        assertEquals(42, file.bytes[P + 1]);
        assertFalse(Pte.isWritable(pt.get(VMA + P)), "write-back cleaned and write-protected the entry");

        writeUser(VMA + P + 2, new byte[] {43}, m);
        assertEquals(List.of(1L, 1L), mkwrites, "the next write is noticed again");
        assertEquals(1, cache.writeback(0, 4));
        assertEquals(43, file.bytes[P + 2]);
    }

    @Test
    void writeToAReadMappedSharedPageUpgradesItInPlace() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P);
        PageCache cache = new PageCache(ram, file);
        int[] calls = {0};
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 0, () -> file.size)
                .withMkwrite((addr, index) -> {
                    calls[0]++;
                    return null;
                });
        core.handleFault(pt, VMA, false, m);
        long pfn = Pte.pfn(pt.get(VMA));
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA, true, m));
        assertEquals(1, calls[0]);
        assertEquals(pfn, Pte.pfn(pt.get(VMA)), "a shared page is never copied");
        assertTrue(Pte.isWritable(pt.get(VMA)));
        assertTrue(cache.isDirty(0));
        assertEquals(1, cache.mapCount(0));
    }

    @Test
    void pageMkwriteVetoMapsToSigbusOrOom() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping quota = FaultMapping.fileShared(cache, VMA, 0, () -> file.size)
                .withMkwrite((addr, index) -> "EDQUOT");
        FaultMapping nomem = quota.withMkwrite((addr, index) -> "ENOMEM");
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA, true, quota));
        assertEquals(Pte.NONE, pt.get(VMA));
        assertEquals(1, ram.refCount(cache.find(0)), "the fault's reference was dropped");
        core.handleFault(pt, VMA, false, quota);
        assertEquals(FaultResult.OOM, core.handleFault(pt, VMA, true, nomem));
        assertFalse(Pte.isWritable(pt.get(VMA)));
        assertFalse(cache.isDirty(0));
    }

    @Test
    void privateFileWriteCopiesAndLeavesTheFileAlone() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P);
        PageCache cache = new PageCache(ram, file, () -> file.size);
        FaultMapping m = FaultMapping.filePrivate(cache, VMA, 0, () -> file.size);
        assertEquals(FaultResult.COW, core.handleFault(pt, VMA, true, m));
        long pte = pt.get(VMA);
        assertTrue(Pte.isAnon(pte) && Pte.isWritable(pte));
        assertNotEquals(cache.find(0), Pte.pfn(pte));
        assertEquals(0, cache.mapCount(0));
        assertEquals(1, ram.refCount(cache.find(0)));
        assertArrayEquals(ram.frame(cache.find(0)), ram.frame(Pte.pfn(pte)));
        writeUser(VMA, new byte[] {99}, m);
        assertEquals(0, cache.dirtyCount());
        assertEquals(0, cache.writeback(0, 2));
        assertNotEquals(99, file.bytes[0]);
    }

    @Test
    void privateFileReadThenWriteBreaksCowAndUnmapsTheCachePage() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping m = FaultMapping.filePrivate(cache, VMA, 0, () -> file.size);
        assertEquals(FakeFile.pattern(5), readUser(VMA + 5, 1, m)[0]);
        long cachePfn = cache.find(0);
        assertEquals(1, cache.mapCount(0));
        assertEquals(2, ram.refCount(cachePfn));
        assertEquals(FaultResult.COW, core.handleFault(pt, VMA, true, m));
        assertEquals(0, cache.mapCount(0));
        assertEquals(1, ram.refCount(cachePfn));
        assertEquals(FakeFile.pattern(5), readUser(VMA + 5, 1, m)[0], "the copy holds the file's data");
        assertEquals(FaultResult.MAPPED_EXISTING, core.handleFault(pt, VMA, true, m));
        core.zapRange(pt, VMA, VMA + 2L * P, m);
        assertEquals(2, cache.pageCount(), "readahead brought in both pages of the file");
        assertEquals(2, ram.usedFrames(), "only the cache pages are left");
    }

    @Test
    void beyondEndOfFileIsSigbusAndSoIsTheTruncatedPart() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P + 1);
        PageCache cache = new PageCache(ram, file);
        long[] size = {file.size};
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 0, () -> size[0]);
        assertEquals(FaultResult.MAJOR, core.handleFault(pt, VMA + 2L * P, false, m), "the page holding EOF maps");
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA + 3L * P, false, m));
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA + 3L * P, true, m));
        readUser(VMA, 1, m);

        // truncate_pagecache: unmap the range from the mapping, then drop the cache pages
        size[0] = P;
        core.zapRange(pt, VMA + P, VMA + 3L * P, m);
        cache.truncateSize(size[0]);
        UserAccessException ex = assertThrows(UserAccessException.class, () -> readUser(VMA + P, 1, m));
        assertEquals("SIGBUS", ex.signal());
        assertEquals(VMA + P, ex.address());
        ex = assertThrows(UserAccessException.class, () -> readUser(VMA + P - 2, 4, m));
        assertEquals(2, ex.transferred(), "the bytes before end of file were copied");
        assertEquals(FakeFile.pattern(0), readUser(VMA, 1, m)[0]);
    }

    @Test
    void aReadErrorIsSigbusAndCachesNothing() {
        FakeFile file = FakeFile.patterned(4L * P);
        file.failReadIndex = 0;
        PageCache cache = new PageCache(ram, file);
        FaultMapping m = FaultMapping.filePrivate(cache, VMA, 0, () -> file.size);
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA, false, m));
        assertEquals(Pte.NONE, pt.get(VMA));
        assertEquals(0, cache.pageCount());
    }

    @Test
    void zapOfASharedMappingKeepsDirtyPagesInTheCacheForWriteback() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 0, () -> file.size);
        writeUser(VMA, new byte[] {1}, m);
        cache.writeback(0, 4); // no mkclean hook: the entry stays writable
        assertEquals(0, cache.dirtyCount());
        writeUser(VMA + 1, new byte[] {2}, m); // dirties only the entry
        assertTrue(Pte.isDirty(pt.get(VMA)));
        assertEquals(0, cache.dirtyCount());
        long frames = ram.usedFrames();
        assertEquals(1, core.zapRange(pt, VMA, VMA + 4L * P, m));
        assertEquals(1, cache.dirtyCount(), "munmap moved the dirty bit into the cache");
        assertEquals(0, cache.mapCount(0));
        assertEquals(frames, ram.usedFrames(), "the cache still holds the page");
        assertEquals(1, cache.writeback(0, 4));
        assertEquals(2, file.bytes[1]);
    }

    @Test
    void syncDirtyTransfersOnlyDirtyFileEntries() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 0, () -> file.size);
        writeUser(VMA, new byte[] {1}, m);
        readUser(VMA + P, 1, m);
        cache.writeback(0, 4);
        writeUser(VMA + 2, new byte[] {1}, m);
        assertEquals(1, core.syncDirty(pt, VMA, VMA + 4L * P, m));
        assertTrue(cache.isDirty(0));
        assertFalse(cache.isDirty(1));
        assertFalse(Pte.isDirty(pt.get(VMA)));
        assertEquals(0, core.syncDirty(pt, VMA, VMA + 4L * P, FaultMapping.anonymous()));
    }

    @Test
    void memoryOnlyCacheBacksSharedAnonymousMemory() {
        PageCache shmem = PageCache.memoryOnly(ram);
        FaultMapping m = FaultMapping.fileShared(shmem, VMA, 0, () -> 4L * P);
        PageTable other = new PageTable(ram);
        writeUser(VMA + 100, new byte[] {7}, m);
        byte[] seen = new byte[1];
        user.readUser(other, VMA + 100, seen, 0, 1, (a, w) -> core.handleFault(other, a, w, m));
        assertEquals(7, seen[0], "both address spaces map the same shmem page");
        assertEquals(FaultResult.MINOR, core.handleFault(other, VMA + P, false, m), "no I/O for shmem");
        assertEquals(2, shmem.mapCount(0));
        SmapsStats stats = core.smaps(pt, VMA, VMA + 4L * P, m);
        assertEquals(new SmapsStats(P, P / 2, 0, P, 0, 0, P, 0, 0), stats);
        SmapsStats other2 = core.smaps(other, VMA, VMA + 4L * P, m);
        assertEquals(P, other2.sharedDirty(), "the cache page is dirty even though this entry is clean");
        assertEquals(P, other2.privateClean(), "page 1 is mapped here only");
    }

    // ---- PFN maps, driver pages, revoked mappings, populate helpers

    @Test
    void pfnMapInstallsSpecialEntriesWithinItsDevice() {
        FakePhysicalMemory device = new FakePhysicalMemory(0x10_0000, 4);
        long first = device.allocate();
        for (int i = 0; i < 3; i++) {
            device.allocate();
        }
        FaultMapping m = FaultMapping.pfnMap(VMA, first, true, true, device);
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA + 3L * P, false, m));
        long pte = pt.get(VMA + 3L * P);
        assertEquals(first + 3, Pte.pfn(pte));
        assertTrue(Pte.isSpecial(pte) && Pte.isWritable(pte), "no mkwrite hook: writable at once");
        assertEquals(1, device.refCount(first + 3));
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA + 4L * P, false, m));
        FaultMapping readOnly = FaultMapping.pfnMap(VMA, first, true, false, device);
        assertEquals(FaultResult.SIGSEGV, core.handleFault(pt, VMA, true, readOnly));
        core.handleFault(pt, VMA, false, readOnly);
        assertEquals(FaultResult.SIGSEGV, core.handleFault(pt, VMA, true, readOnly));
        assertEquals(2, core.zapRange(pt, VMA, VMA + 4L * P, m));
        assertEquals(1, device.refCount(first), "special entries own no references");
    }

    @Test
    void pfnMkwriteIsCalledForASharedPfnMapAndPrivateWritesCopy() {
        FakePhysicalMemory device = new FakePhysicalMemory(0x10_0000, 1);
        long pfn = device.allocate();
        device.write(pfn, 0, new byte[] {11}, 0, 1);
        int[] calls = {0};
        FaultMapping shared = FaultMapping.pfnMap(VMA, pfn, true, true, device)
                .withMkwrite((a, i) -> {
                    calls[0]++;
                    return null;
                });
        core.handleFault(pt, VMA, false, shared);
        assertFalse(Pte.isWritable(pt.get(VMA)));
        assertEquals(FaultResult.MINOR, core.handleFault(pt, VMA, true, shared));
        assertEquals(1, calls[0]);
        assertTrue(Pte.isWritable(pt.get(VMA)) && Pte.isSpecial(pt.get(VMA)));
        core.zapRange(pt, VMA, VMA + P, shared);

        FaultMapping priv = FaultMapping.pfnMap(VMA, pfn, false, true, device);
        core.handleFault(pt, VMA, false, priv);
        assertEquals(FaultResult.COW, core.handleFault(pt, VMA, true, priv));
        long pte = pt.get(VMA);
        assertTrue(Pte.isAnon(pte) && !Pte.isSpecial(pte));
        assertEquals(11, ram.frame(Pte.pfn(pte))[0], "the copy came from device memory");
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA + P, true, priv), "beyond the device");
    }

    @Test
    void suppliedPagesComeFromTheDriverWithTheirReference() {
        long[] driverPages = {ram.allocate(), ram.allocate()};
        ram.write(driverPages[1], 0, new byte[] {5}, 0, 1);
        List<String> calls = new ArrayList<>();
        FaultMapping m = FaultMapping.supplied(VMA, 10, true, false, null, (addr, index, write) -> {
            calls.add(index + (write ? "w" : "r"));
            if (index - 10 >= driverPages.length) {
                return FaultMapping.NO_PAGE;
            }
            long pfn = driverPages[(int) (index - 10)];
            ram.get(pfn);
            return pfn;
        });
        assertEquals(5, readUser(VMA + P, 1, m)[0]);
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA + 2L * P, false, m));
        writeUser(VMA, new byte[] {6}, m);
        assertEquals(List.of("11r", "12r", "10w"), calls);
        assertEquals(6, ram.frame(driverPages[0])[0], "a shared mapping writes the driver's page");
        assertEquals(2, ram.refCount(driverPages[0]));
        core.zapRange(pt, VMA, VMA + 3L * P, m);
        assertEquals(1, ram.refCount(driverPages[0]));
        assertEquals(1, ram.refCount(driverPages[1]));

        FaultMapping priv = FaultMapping.supplied(VMA, 10, false, false, null, (addr, index, write) -> {
            ram.get(driverPages[0]);
            return driverPages[0];
        });
        assertEquals(FaultResult.COW, core.handleFault(pt, VMA, true, priv));
        assertEquals(1, ram.refCount(driverPages[0]), "the supplied reference was dropped after the copy");
    }

    @Test
    void aRevokedMappingAlwaysFaultsWithSigbus() {
        FaultMapping m = FaultMapping.revoked();
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA, false, m));
        assertEquals(FaultResult.SIGBUS, core.handleFault(pt, VMA, true, m));
        assertEquals("SIGBUS", FaultResult.SIGBUS.signal());
        assertFalse(FaultResult.COW.isError());
    }

    @Test
    void remapPfnRangeAndInsertPagesPopulateOnceAndZapCleanly() {
        assertEquals(3, core.remapPfnRange(pt, VMA, VMA + 3L * P, 0x5000, false));
        assertEquals(0x5002, Pte.pfn(pt.get(VMA + 2L * P)));
        assertTrue(Pte.isSpecial(pt.get(VMA)));
        assertThrows(IllegalStateException.class, () -> core.remapPfnRange(pt, VMA + 2L * P, VMA + 4L * P, 1, false));
        assertEquals(Pte.NONE, pt.get(VMA + 3L * P), "a refused remap changes nothing");

        long[] pages = {ram.allocate(), ram.allocate()};
        long base = VMA + 16L * P;
        assertEquals(2, core.insertPages(pt, base, pages, true));
        assertEquals(2, ram.refCount(pages[0]));
        assertFalse(Pte.isSpecial(pt.get(base)));
        long bogus = ram.pfnStart() + 1000;
        assertThrows(RuntimeException.class, () -> core.insertPages(pt, base + 4L * P,
                new long[] {pages[0], bogus}, true));
        assertEquals(2, ram.refCount(pages[0]), "a failed insert gives its references back");
        assertEquals(Pte.NONE, pt.get(base + 4L * P));
        core.zapRange(pt, VMA, VMA + 32L * P, FaultMapping.anonymous());
        assertEquals(1, ram.refCount(pages[0]));
        assertEquals(0, pt.presentCount());
    }

    @Test
    void clearSoftDirtyMakesTheNextWriteFaultAndMarkAgain() {
        FaultMapping m = FaultMapping.anonymous();
        writeUser(VMA, new byte[] {1}, m);
        long pfn = Pte.pfn(pt.get(VMA));
        assertEquals(1, core.clearSoftDirty(pt, VMA, VMA + P));
        assertFalse(Pte.isSoftDirty(pt.get(VMA)));
        assertFalse(Pte.isWritable(pt.get(VMA)));
        assertEquals(FaultResult.REUSED, core.handleFault(pt, VMA, true, m));
        assertEquals(pfn, Pte.pfn(pt.get(VMA)));
        assertTrue(Pte.isSoftDirty(pt.get(VMA)));
    }

    @Test
    void spuriousFaultsOnlyUpdateAccessedAndDirtyBits() {
        FaultMapping m = FaultMapping.anonymous();
        core.handleFault(pt, VMA, true, m);
        pt.set(VMA, Pte.mkold(Pte.mkclean(pt.get(VMA))));
        assertEquals(FaultResult.MAPPED_EXISTING, core.handleFault(pt, VMA, false, m));
        assertTrue(Pte.isAccessed(pt.get(VMA)));
        assertFalse(Pte.isDirty(pt.get(VMA)));
        assertEquals(FaultResult.MAPPED_EXISTING, core.handleFault(pt, VMA, true, m));
        assertTrue(Pte.isDirty(pt.get(VMA)));
    }
}
