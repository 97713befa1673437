package org.vfsgi.mm.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.page.SmapsStats;

/**
 * Per-VMA smaps figures after anonymous writes, fork sharing and shared file pages, and the
 * {@code /proc/PID/smaps} text checked against the layout the kernel prints.
 */
class SmapsTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private final TestRam ram = new TestRam(1024);
    private final Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
    private final Process p = kernel.spawn();

    private static SmapsStats only(Process proc) {
        List<SmapsRenderer.Entry> all = proc.smapsStats();
        assertEquals(1, all.size());
        return all.get(0).stats();
    }

    @Test
    void anonymousPagesArePrivateDirtyUntilForkSharesThem() {
        // 0123
        // AAAA  two pages written, one read (zero page: not resident), one untouched
        long a = p.mmap(A, 4 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);
        p.writeMemory(a, "x".getBytes(US_ASCII));
        p.writeMemory(a + P, "y".getBytes(US_ASCII));
        p.readMemory(a + 2 * P, 1);
        assertEquals(new SmapsStats(2 * P, 2 * P, 0, 0, 0, 2 * P, 2 * P, 2 * P, 1), only(p));

        Process c = p.fork();
        // Both pages now have two mappers: shared, and each process's PSS halves.
        assertEquals(new SmapsStats(2 * P, P, 0, 2 * P, 0, 0, 2 * P, 2 * P, 1), only(p));
        SmapsStats child = only(c);
        assertEquals(2 * P, child.rss());
        assertEquals(P, child.pss());
        assertEquals(2 * P, child.sharedDirty());
        assertEquals(0, child.referenced(), "fork makes the child's entries old");

        c.writeMemory(a, "z".getBytes(US_ASCII));
        assertEquals(new SmapsStats(2 * P, P + P / 2, 0, P, 0, P, 2 * P, 2 * P, 1), only(p));
    }

    @Test
    void sharedFilePagesAreNotAnonymousAndCleanAfterMsync() {
        DiskFile.DiskInode ino = new DiskFile.DiskInode(2 * P, false);
        long a = p.mmap(A, 2 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, new DiskFile(ino), 0);
        p.writeMemory(a, "w".getBytes(US_ASCII));
        p.readMemory(a + P, 1);
        assertEquals(new SmapsStats(2 * P, 2 * P, 0, 0, P, P, 2 * P, 0, 0), only(p));
        p.msync(a, 2 * P, Mman.MS_SYNC);
        assertEquals(new SmapsStats(2 * P, 2 * P, 0, 0, 2 * P, 0, 2 * P, 0, 0), only(p));
    }

    @Test
    void rendersTheKernelLayout() {
        long a = p.mmap(A, 4 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);
        p.writeMemory(a, "x".getBytes(US_ASCII));
        p.writeMemory(a + P, "y".getBytes(US_ASCII));
        String expected = String.join("\n",
                "00100000-00104000 rw-p 00000000 00:00 0 ",
                "Size:                 16 kB",
                "KernelPageSize:        4 kB",
                "MMUPageSize:           4 kB",
                "Rss:                   8 kB",
                "Pss:                   8 kB",
                "Shared_Clean:          0 kB",
                "Shared_Dirty:          0 kB",
                "Private_Clean:         0 kB",
                "Private_Dirty:         8 kB",
                "Referenced:            8 kB",
                "Anonymous:             8 kB",
                "Swap:                  0 kB",
                "SwapPss:               0 kB",
                "Locked:                0 kB",
                "VmFlags: rd wr mr mw me ac sd ",
                "");
        assertEquals(expected, p.smaps());
        assertEquals(p.maps(), p.smaps().lines().filter(l -> l.matches("^[0-9a-f]{8,}-.*")).map(l -> l + "\n")
                .reduce("", String::concat), "each header is the maps line");
    }
}
