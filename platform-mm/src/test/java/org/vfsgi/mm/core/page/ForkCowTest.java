package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/**
 * fork followed by copy-on-write, drawn as the kernel's VMA tests draw address spaces: two
 * processes, the same pages, and who owns which frame after each write.
 */
class ForkCowTest {
    static final int P = PageTable.PAGE_SIZE;
    static final long VMA = 0x5555_0000_0000L;
    static final long END = VMA + 4L * P;

    final FakePhysicalMemory ram = new FakePhysicalMemory(256);
    final AnonPages anon = new AnonPages(ram);
    final FaultCore core = new FaultCore(anon);
    final UserMemory user = new UserMemory(ram, null);
    final PageTable parent = new PageTable(ram);
    final PageTable child = new PageTable(ram);

    byte[] read(PageTable pt, FaultMapping m, long addr, int len) {
        byte[] b = new byte[len];
        user.readUser(pt, addr, b, 0, len, (a, w) -> core.handleFault(pt, a, w, m));
        return b;
    }

    void write(PageTable pt, FaultMapping m, long addr, byte... b) {
        user.writeUser(pt, addr, b, 0, b.length, (a, w) -> core.handleFault(pt, a, w, m));
    }

    @Test
    void childWritesCopyParentKeepsItsBytesAndTheLastOwnerReusesThePage() {
        FaultMapping m = FaultMapping.anonymous();
        write(parent, m, VMA, (byte) 1, (byte) 2);
        write(parent, m, VMA + P, (byte) 3);
        long page0 = Pte.pfn(parent.get(VMA));
        long page1 = Pte.pfn(parent.get(VMA + P));
        assertEquals(2, ram.usedFrames());

        assertEquals(2, core.copyRangeForFork(parent, child, VMA, END, m));
        assertEquals(2, ram.refCount(page0));
        assertFalse(Pte.isWritable(parent.get(VMA)));
        assertFalse(Pte.isWritable(child.get(VMA)));
        assertArrayEquals(read(parent, m, VMA, 2), read(child, m, VMA, 2), "both see the same bytes");
        assertEquals(2, ram.usedFrames(), "nothing copied yet");

        assertEquals(FaultResult.COW, core.handleFault(child, VMA, true, m));
        write(child, m, VMA, (byte) 9);
        assertArrayEquals(new byte[] {1, 2}, read(parent, m, VMA, 2), "the parent is unaffected");
        assertArrayEquals(new byte[] {9, 2}, read(child, m, VMA, 2));
        assertNotEquals(page0, Pte.pfn(child.get(VMA)));
        assertEquals(1, ram.refCount(page0));
        assertEquals(3, ram.usedFrames());

        assertEquals(FaultResult.REUSED, core.handleFault(parent, VMA, true, m),
                "the child's copy left the parent as sole owner: no second copy");
        assertEquals(page0, Pte.pfn(parent.get(VMA)));

        // The child exits; the parent's write to the other page then reuses it too.
        assertEquals(2, core.zapRange(child, VMA, END, m));
        assertEquals(1, ram.refCount(page1));
        write(parent, m, VMA + P, (byte) 4);
        assertEquals(page1, Pte.pfn(parent.get(VMA + P)));
        assertEquals(2, ram.usedFrames());

        core.zapRange(parent, VMA, END, m);
        assertEquals(0, ram.usedFrames(), "every frame came back");
    }

    @Test
    void smapsSplitsSharedFromPrivateAndCountsProportionally() {
        FaultMapping m = FaultMapping.anonymous();
        write(parent, m, VMA, (byte) 1);
        write(parent, m, VMA + P, (byte) 2);
        read(parent, m, VMA + 2L * P, 1); // zero page: special, not resident
        core.copyRangeForFork(parent, child, VMA, END, m);
        write(child, m, VMA + P, (byte) 3); // the child now has its own copy of page 1
        SmapsStats stats = core.smaps(parent, VMA, END, m);
        assertEquals(new SmapsStats(2L * P, P + P / 2, 0, P, 0, P, 2L * P, 2L * P, 1), stats);
        SmapsStats childStats = core.smaps(child, VMA, END, m);
        assertEquals(2L * P, childStats.rss());
        assertEquals(P, childStats.sharedDirty(), "page 0 is still shared, and the parent dirtied it");
        assertEquals(P, childStats.privateDirty());
        assertEquals(P, childStats.referenced(), "only the page the child wrote: fork copies entries old");
    }

    @Test
    void theZeroPageIsSharedAcrossForkAndCopiedOnWrite() {
        FaultMapping m = FaultMapping.anonymous();
        read(parent, m, VMA, 1);
        core.copyRangeForFork(parent, child, VMA, END, m);
        assertEquals(anon.zeroPfn(), Pte.pfn(child.get(VMA)));
        assertEquals(1, ram.refCount(anon.zeroPfn()));
        write(child, m, VMA, (byte) 5);
        assertEquals(anon.zeroPfn(), Pte.pfn(parent.get(VMA)));
        assertEquals(0, read(parent, m, VMA, 1)[0]);
        assertEquals(5, read(child, m, VMA, 1)[0]);
        core.zapRange(child, VMA, END, m);
        core.zapRange(parent, VMA, END, m);
        assertEquals(1, ram.usedFrames(), "the zero page");
    }

    @Test
    void privateFileMappingAfterForkCopiesOnBothSidesAndCountsMappings() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping m = FaultMapping.filePrivate(cache, VMA, 0, () -> file.size);
        read(parent, m, VMA, 1);
        write(parent, m, VMA + P, (byte) 8); // an anonymous CoW page in the parent
        core.copyRangeForFork(parent, child, VMA, END, m);
        assertEquals(2, cache.mapCount(0), "the child's entry counts as a mapping of the cache page");
        assertEquals(8, read(child, m, VMA + P, 1)[0], "the child inherits the parent's private data");
        write(child, m, VMA + P, (byte) 7);
        assertEquals(8, read(parent, m, VMA + P, 1)[0]);
        write(child, m, VMA, (byte) 6);
        assertEquals(1, cache.mapCount(0));
        assertEquals(FakeFile.pattern(0), read(parent, m, VMA, 1)[0]);
        assertEquals(0, cache.dirtyCount());
        core.zapRange(child, VMA, END, m);
        core.zapRange(parent, VMA, END, m);
        assertEquals(0, cache.mapCount(0));
        assertEquals(cache.pageCount(), ram.usedFrames(), "only the cache's own pages remain");
    }

    @Test
    void sharedFileMappingAfterForkSharesWrites() throws IOException {
        FakeFile file = FakeFile.patterned(2L * P);
        PageCache cache = new PageCache(ram, file);
        FaultMapping m = FaultMapping.fileShared(cache, VMA, 0, () -> file.size);
        write(parent, m, VMA, (byte) 1);
        core.copyRangeForFork(parent, child, VMA, END, m);
        assertTrue(Pte.isWritable(child.get(VMA)), "shared entries are not write-protected");
        assertFalse(Pte.isDirty(child.get(VMA)));
        write(child, m, VMA + 1, (byte) 2);
        assertArrayEquals(new byte[] {1, 2}, read(parent, m, VMA, 2));
        assertEquals(2, cache.mapCount(0));
        core.zapRange(child, VMA, END, m);
        core.zapRange(parent, VMA, END, m);
        assertEquals(1, cache.writeback(0, 2));
        assertEquals(2, file.bytes[1]);
    }
}
