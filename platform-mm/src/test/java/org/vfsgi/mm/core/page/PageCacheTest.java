package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class PageCacheTest {
    static final int P = PageTable.PAGE_SIZE;

    final FakePhysicalMemory ram = new FakePhysicalMemory(512);

    @Test
    void findOrReadReadsOnceAndHoldsOneReference() throws IOException {
        FakeFile file = FakeFile.patterned(3 * P);
        PageCache cache = new PageCache(ram, file);
        assertEquals(PageCache.NO_PAGE, cache.find(1));
        long pfn = cache.findOrRead(1);
        assertEquals(pfn, cache.findOrRead(1));
        assertEquals(pfn, cache.find(1));
        assertEquals(List.of(1L), file.reads);
        assertEquals(1, ram.refCount(pfn));
        assertEquals(1, cache.pageCount());
        assertTrue(cache.isUptodate(1));
        assertFalse(cache.isDirty(1));
        byte[] frame = ram.frame(pfn);
        assertEquals(FakeFile.pattern(P), frame[0]);
        assertEquals(FakeFile.pattern(2 * P - 1), frame[P - 1]);
    }

    @Test
    void aShortPageIsZeroFilledAfterTheValidBytes() throws IOException {
        FakeFile file = FakeFile.patterned(P + 10);
        PageCache cache = new PageCache(ram, file);
        byte[] frame = ram.frame(cache.findOrRead(1));
        assertEquals(FakeFile.pattern(P + 9), frame[9]);
        assertEquals(0, frame[10]);
        assertEquals(0, frame[P - 1]);
    }

    @Test
    void aFailedReadCachesNothingAndLeaksNoFrame() {
        FakeFile file = FakeFile.patterned(2 * P);
        file.failReadIndex = 0;
        PageCache cache = new PageCache(ram, file);
        assertThrows(IOException.class, () -> cache.findOrRead(0));
        assertEquals(0, cache.pageCount());
        assertEquals(0, ram.usedFrames());
    }

    @Test
    void aLockedPageIsVisibleToItsReader() throws IOException {
        boolean[] lockedDuringRead = {false};
        PageCache[] self = {null};
        self[0] = new PageCache(ram, new PageIo() {
            @Override
            public int readPage(long index, byte[] buf) {
                lockedDuringRead[0] = self[0].isLocked(index) && !self[0].isUptodate(index);
                return 0;
            }

            @Override
            public void writePage(long index, byte[] buf, int len) {
            }
        });
        self[0].findOrRead(4);
        assertTrue(lockedDuringRead[0]);
        assertFalse(self[0].isLocked(4));
    }

    @Test
    void memoryOnlyCacheCreatesZeroPagesAndNeverWritesBack() throws IOException {
        PageCache shmem = PageCache.memoryOnly(ram);
        assertTrue(shmem.isMemoryOnly());
        long pfn = shmem.findOrRead(7);
        assertArrayEquals(new byte[P], ram.frame(pfn));
        shmem.write(7L * P + 1, new byte[] {5}, 0, 1);
        assertEquals(1, shmem.dirtyCount());
        assertEquals(0, shmem.writeback(0, 100));
        assertEquals(1, shmem.dirtyCount(), "shmem pages could only go to swap");
        assertEquals(0, shmem.readahead(0, 10));
        byte[] b = new byte[2];
        assertEquals(2, shmem.read(7L * P, b, 0, 2, 8L * P));
        assertArrayEquals(new byte[] {0, 5}, b);
        shmem.fsync();
    }

    @Test
    void readaheadReadsOnlyMissingPagesAndLeavesTheWindowAlone() throws IOException {
        FakeFile file = FakeFile.patterned(20L * P);
        PageCache cache = new PageCache(ram, file);
        cache.findOrRead(2);
        assertEquals(4, cache.readahead(0, 5));
        assertEquals(List.of(2L, 0L, 1L, 3L, 4L), file.reads);
        assertEquals(5, cache.pageCount());
        assertEquals(PageCache.RA_INITIAL_PAGES, cache.readaheadWindow());
        assertThrows(IllegalArgumentException.class, () -> cache.readahead(0, -1));
    }

    @Test
    void sequentialReadsGrowTheReadaheadWindowUpToItsMaximum() throws IOException {
        FakeFile file = FakeFile.patterned(200L * P);
        PageCache cache = new PageCache(ram, file);
        List<Integer> windowsAtMiss = new ArrayList<>();
        byte[] page = new byte[P];
        for (long i = 0; i < 200; i++) {
            int readsBefore = file.reads.size();
            assertEquals(P, cache.read(i * P, page, 0, P, file.size));
            assertEquals(FakeFile.pattern(i * P + 17), page[17]);
            if (file.reads.size() > readsBefore) {
                windowsAtMiss.add(file.reads.size() - readsBefore);
                assertEquals(i, file.reads.get(readsBefore), "a miss reads from the missed page on");
            }
        }
        // 4 + 8 + 16 + 32 * 5 = 188, then 12 pages left before end of file
        assertEquals(List.of(4, 8, 16, 32, 32, 32, 32, 32, 12), windowsAtMiss);
        assertEquals(200, file.reads.size(), "every page read exactly once");
        assertEquals(PageCache.RA_MAX_PAGES, cache.readaheadWindow());
    }

    @Test
    void eachReadaheadWindowIsOneReadPagesRequest() throws IOException {
        FakeFile file = FakeFile.patterned(100L * P);
        PageCache cache = new PageCache(ram, file);
        byte[] page = new byte[P];
        for (long i = 0; i < 100; i++) {
            cache.read(i * P, page, 0, P, file.size);
        }
        assertEquals(List.of("0+4", "4+8", "12+16", "28+32", "60+32", "92+8"), file.batches);
        // readahead(2) batches each run of missing pages, around the cached ones
        FakeFile other = FakeFile.patterned(20L * P);
        PageCache c2 = new PageCache(ram, other);
        c2.findOrRead(3);
        assertEquals(9, c2.readahead(0, 10));
        assertEquals(List.of("0+3", "4+6"), other.batches);
    }

    @Test
    void aFailedWindowCachesNothingAndThePageAskedForIsReadOnItsOwn() throws IOException {
        FakeFile file = FakeFile.patterned(40L * P);
        file.failReadIndex = 2;
        PageCache cache = new PageCache(ram, file);
        long used = ram.usedFrames();
        byte[] b = new byte[1];
        assertEquals(1, cache.read(0, b, 0, 1, file.size), "page 0 itself reads fine");
        assertEquals(FakeFile.pattern(0), b[0]);
        assertEquals(List.of("0+4"), file.batches);
        assertEquals(1, cache.pageCount(), "the failed window left only the page read alone");
        assertEquals(used + 1, ram.usedFrames(), "the window's other frames went back");
        assertThrows(IOException.class, () -> cache.read(2L * P, b, 0, 1, file.size), "page 2's own error");
        assertTrue(!cache.isUptodate(2));
    }

    @Test
    void aWindowWithoutEnoughFreeFramesStillReadsThePageAskedFor() throws IOException {
        FakeFile file = FakeFile.patterned(40L * P);
        PageCache cache = new PageCache(ram, file);
        java.util.List<Long> hog = new java.util.ArrayList<>();
        while (ram.freeFrames() > 2) {
            hog.add(ram.allocate());
        }
        byte[] b = new byte[1];
        assertEquals(1, cache.read(0, b, 0, 1, file.size), "the 4-page window does not fit, page 0 does");
        assertEquals(FakeFile.pattern(0), b[0]);
        assertEquals(1, cache.pageCount());
        assertEquals(1, ram.freeFrames(), "the window's frames went back, all but page 0's");
        for (long pfn : hog) {
            ram.put(pfn);
        }
    }

    @Test
    void randomMissesShrinkTheWindow() throws IOException {
        FakeFile file = FakeFile.patterned(1000L * P);
        PageCache cache = new PageCache(ram, file);
        byte[] b = new byte[1];
        cache.read(0, b, 0, 1, file.size);
        cache.read(4L * P, b, 0, 1, file.size);
        assertEquals(8, cache.readaheadWindow());
        cache.read(500L * P, b, 0, 1, file.size);
        assertEquals(4, cache.readaheadWindow());
        cache.read(100L * P, b, 0, 1, file.size);
        cache.read(300L * P, b, 0, 1, file.size);
        cache.read(700L * P, b, 0, 1, file.size);
        assertEquals(1, cache.readaheadWindow(), "a random reader reads only what it asks for");
        int before = file.reads.size();
        cache.read(900L * P, b, 0, 1, file.size);
        assertEquals(1, file.reads.size() - before);
        cache.read(901L * P, b, 0, 1, file.size);
        assertEquals(2, cache.readaheadWindow(), "turning sequential grows it again");
    }

    @Test
    void readClipsAtEndOfFileAndCrossesPages() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P + 100);
        PageCache cache = new PageCache(ram, file);
        byte[] dst = new byte[P + 500];
        assertEquals(P + 100, cache.read(P, dst, 0, dst.length, file.size));
        for (int i = 0; i < P + 100; i++) {
            assertEquals(FakeFile.pattern(P + i), dst[i], "byte " + i);
        }
        assertEquals(0, cache.read(file.size, dst, 0, 10, file.size));
        assertEquals(0, cache.read(file.size + P, dst, 0, 10, file.size));
        assertEquals(List.of(1L, 2L), file.reads, "readahead stops at end of file");
    }

    @Test
    void writeDirtiesAndReachesPageIoOnlyOnWriteback() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file, () -> file.size);
        byte[] hello = "hello".getBytes();
        assertEquals(5, cache.write(P - 2, hello, 0, 5)); // crosses pages 0 and 1
        assertEquals(2, cache.dirtyCount());
        assertEquals(List.of(0L, 1L), file.reads, "partly written pages are read first");
        assertEquals(FakeFile.pattern(P - 3), file.bytes[P - 3]);
        assertNotEquals('h', file.bytes[P - 2]);
        assertEquals(2, cache.writeback(0, 4));
        assertEquals('h', file.bytes[P - 2]);
        assertEquals('o', file.bytes[P + 2]);
        assertEquals(FakeFile.pattern(P + 3), file.bytes[P + 3], "the rest of the page is the old data");
        assertEquals(0, cache.dirtyCount());
        assertEquals(0, cache.writeback(0, 4), "clean pages are not written again");
        assertEquals(List.of(0L, 1L), file.writes);
    }

    @Test
    void aFullPageWriteDoesNotReadFirst() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file);
        byte[] page = new byte[P];
        Arrays.fill(page, (byte) 9);
        cache.write(2L * P, page, 0, P);
        assertTrue(file.reads.isEmpty());
        assertTrue(cache.isUptodate(2));
        assertTrue(cache.isDirty(2));
    }

    @Test
    void writebackOfTheLastPageIsShortAndPagesBeyondEndOfFileAreOnlyCleaned() throws IOException {
        FakeFile file = FakeFile.patterned(P + 100);
        long[] size = {file.size};
        PageCache cache = new PageCache(ram, file, () -> size[0]);
        cache.write(0, new byte[] {1}, 0, 1);
        cache.write(P, new byte[] {2}, 0, 1);
        cache.write(5L * P, new byte[] {3}, 0, 1); // the caller has not extended the size
        assertEquals(3, cache.dirtyCount());
        assertEquals(2, cache.writeback(0, Long.MAX_VALUE));
        assertEquals(List.of(0L, 1L), file.writes);
        assertEquals(List.of(P, 100), file.writeLengths);
        assertEquals(0, cache.dirtyCount());
    }

    @Test
    void writebackCoversOnlyTheRange() throws IOException {
        FakeFile file = FakeFile.patterned(10L * P);
        PageCache cache = new PageCache(ram, file);
        for (int i = 0; i < 10; i++) {
            cache.write((long) i * P, new byte[] {1}, 0, 1);
        }
        assertEquals(3, cache.writeback(2, 5));
        assertEquals(List.of(2L, 3L, 4L), file.writes);
        assertEquals(7, cache.dirtyCount());
        assertThrows(IllegalArgumentException.class, () -> cache.writeback(5, 2));
    }

    @Test
    void aWritebackErrorIsReportedOnceOnTheNextFsync() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file);
        cache.write(0, new byte[] {1}, 0, 1);
        cache.write(P, new byte[] {2}, 0, 1);
        file.failWrites = 1;
        assertEquals(1, cache.writeback(0, 4), "write-back goes on after a failed page");
        assertEquals(0, cache.dirtyCount(), "a failed page is cleaned, as in the kernel");
        assertEquals(1, cache.writebackErrorCount());
        IOException eio = assertThrows(IOException.class, cache::fsync);
        assertTrue(eio.getMessage().startsWith("EIO"), eio.getMessage());
        assertTrue(eio.getCause().getMessage().contains("injected write error"));
        cache.fsync(); // reported once
        cache.checkAndClearError();
        cache.write(0, new byte[] {1}, 0, 1);
        file.failWrites = 1;
        assertThrows(IOException.class, cache::fsync, "a new error is reported again");
        assertEquals(2, cache.writebackErrorCount());
    }

    @Test
    void truncateDropsPagesAndFreesFramesNoMappingHolds() throws IOException {
        FakeFile file = FakeFile.patterned(8L * P);
        PageCache cache = new PageCache(ram, file);
        cache.readahead(0, 8);
        cache.markDirty(6);
        long mapped = cache.find(5);
        ram.get(mapped); // as a page-table entry would
        assertEquals(8, ram.usedFrames());
        assertEquals(4, cache.truncate(4));
        assertEquals(4, cache.pageCount());
        assertEquals(0, cache.dirtyCount(), "dirty data beyond the new end is discarded");
        assertEquals(5, ram.usedFrames(), "the mapped page outlives the cache until unmapped");
        assertEquals(1, ram.refCount(mapped));
        ram.put(mapped);
        assertEquals(4, ram.usedFrames());
        assertEquals(PageCache.NO_PAGE, cache.find(4));
        assertEquals(4, cache.truncate(0));
        assertEquals(0, ram.usedFrames());
        assertEquals(0, cache.estimatedBytes(), "the index is freed as well");
    }

    @Test
    void truncateSizeZeroesTheTailOfThePartialPage() throws IOException {
        FakeFile file = FakeFile.patterned(3L * P);
        PageCache cache = new PageCache(ram, file);
        cache.readahead(0, 3);
        assertEquals(1, cache.truncateSize(P + 10));
        byte[] frame = ram.frame(cache.find(1));
        assertEquals(FakeFile.pattern(P + 9), frame[9]);
        assertEquals(0, frame[10]);
        assertEquals(0, frame[P - 1]);
        assertEquals(2, cache.pageCount());
    }

    @Test
    void invalidateCleanDropsOnlyCleanUnmappedPages() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file);
        cache.readahead(0, 4);
        cache.markDirty(0);
        cache.pageMapped(1, cache.find(1));
        assertEquals(2, cache.invalidateClean(0, 4));
        assertEquals(2, cache.pageCount());
        assertEquals(2, ram.usedFrames());
        assertEquals(1, cache.mapCount(1));
    }

    @Test
    void markDirtyNeedsACachedPage() throws IOException {
        PageCache cache = new PageCache(ram, FakeFile.patterned(P));
        assertThrows(IllegalStateException.class, () -> cache.markDirty(0));
        cache.findOrRead(0);
        assertTrue(cache.markDirty(0));
        assertFalse(cache.markDirty(0));
        assertEquals(1, cache.dirtyCount());
        assertThrows(IllegalArgumentException.class, () -> cache.find(-1));
    }

    @Test
    void mapCountFollowsOnlyTheCachedFrame() throws IOException {
        PageCache cache = new PageCache(ram, FakeFile.patterned(2L * P));
        long pfn = cache.findOrRead(0);
        cache.pageMapped(0, pfn);
        cache.pageMapped(0, pfn);
        cache.pageMapped(0, pfn + 1000); // a stale frame: ignored
        assertEquals(2, cache.mapCount(0));
        cache.pageUnmapped(0, pfn, true);
        assertEquals(1, cache.mapCount(0));
        assertTrue(cache.isDirty(0), "the entry's dirty bit moved into the cache");
        assertEquals(0, cache.mapCount(1));
    }

    @Test
    void writebackRunsTheMkcleanHookFirst() throws IOException {
        FakeFile file = FakeFile.patterned(4L * P);
        PageCache cache = new PageCache(ram, file);
        long pfn = cache.findOrRead(3);
        List<String> calls = new ArrayList<>();
        cache.setMkcleanHook((from, to) -> {
            calls.add(from + ".." + to);
            cache.transferDirty(3, pfn); // what FaultCore.syncDirty does for a dirty PTE
        });
        assertEquals(1, cache.writeback(0, 4));
        assertEquals(List.of("0..4"), calls);
        assertEquals(List.of(3L), file.writes);
    }
}
