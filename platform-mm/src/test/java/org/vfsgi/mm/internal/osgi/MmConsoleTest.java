package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.TraceEvent;
import org.vfsgi.mm.core.TraceStep;

/**
 * The mm: commands as a script uses them: each test draws the address space with
 * {@code maps} after every step, as the kernel's VMA tests draw it, and checks the exact text.
 */
class MmConsoleTest {
    private static final String RW = "rw-";
    private static final String ANON = "private,anonymous,fixed";

    private final Kernel kernel = new Kernel();
    private final MmConsole sh = new MmConsole(kernel);

    private static String line(long start, long end, String perms) {
        return String.format("%08x-%08x %s 00000000 00:00 0 \n", start, end, perms);
    }

    @Test
    void adjacentAnonymousMappingsMergeAndMprotectSplitsTheMiddlePage() {
        String p = sh.spawn();
        assertEquals("1", p);
        assertEquals("", sh.maps(p), "a new process has no mappings");

        // 0x400000 AA
        assertEquals("0x400000", sh.mmap(p, "0x400000", "0x2000", RW, ANON));
        // 0x400000 AABB -> one VMA
        assertEquals("0x402000", sh.mmap(p, "0x402000", "8192", RW, ANON));
        assertEquals(line(0x400000, 0x404000, "rw-p"), sh.maps(p));

        // 0x400000 A B A: the middle page read-only
        assertEquals("pid 1: [0x401000, 0x402000) is now r--", sh.mprotect(p, "0x401000", "0x1000", "r--"));
        assertEquals(line(0x400000, 0x401000, "rw-p") + line(0x401000, 0x402000, "r--p")
                + line(0x402000, 0x404000, "rw-p"), sh.maps(p));

        // back to rw-: the three merge again
        sh.mprotect(p, "0x401000", "0x1000", "PROT_READ|PROT_WRITE");
        assertEquals(line(0x400000, 0x404000, "rw-p"), sh.maps(p));

        assertEquals("pid 1: unmapped [0x403000, 0x404000)", sh.munmap(p, "0x403000", "0x1000"));
        assertEquals(line(0x400000, 0x403000, "rw-p"), sh.maps(p));
    }

    @Test
    void issueScenarioFourAnonymousMappingsBecomeTwoVmas() {
        String p = sh.spawn();
        sh.mmap(p, "0x300000", "0x3000", RW, ANON);
        sh.mmap(p, "0x250000", "0x3000", RW, ANON);
        sh.mmap(p, "0x303000", "0x3000", RW, ANON);
        sh.mmap(p, "0x24d000", "0x3000", RW, ANON);
        assertEquals(line(0x24d000, 0x253000, "rw-p") + line(0x300000, 0x306000, "rw-p"), sh.maps(p));
    }

    @Test
    void addressZeroLetsTheKernelChooseAndSharedShowsAsS() {
        String p = sh.spawn();
        String addr = sh.mmap(p, "0", "0x3000", "rw-", "shared,anonymous");
        long a = Long.decode(addr);
        assertTrue(addr.startsWith("0x") && a != 0 && a % 4096 == 0, addr);
        assertEquals(String.format("%08x-%08x rw-s 00000000 00:00 0 \n", a, a + 0x3000), sh.maps(p));
    }

    @Test
    void forkCopiesTheLayoutAndExitEmptiesTheTable() {
        String p = sh.spawn();
        sh.mmap(p, "0x400000", "0x2000", RW, ANON);
        sh.mmap(p, "0x500000", "0x1000", "r--", ANON);
        String c = sh.fork(p);
        assertEquals("2", c);
        assertEquals(sh.maps(p), sh.maps(c));
        assertEquals(""
                + "PID  VMAS  VSZ(KiB)\n"
                + "  1     2        12\n"
                + "  2     2        12", sh.ps());
        assertEquals("pid 2 exited", sh.exit(c));
        String gone = assertThrows(IllegalArgumentException.class, () -> sh.maps(c)).getMessage();
        assertEquals("no process with pid 2; live pids: 1 (mm:spawn creates one)", gone);
        sh.exit(p);
        assertEquals("no processes (mm:spawn creates one)", sh.ps());
    }

    @Test
    void mremapGrowsInPlaceOrMoves() {
        String p = sh.spawn();
        sh.mmap(p, "0x400000", "0x1000", RW, ANON);
        assertEquals("0x400000", sh.mremap(p, "0x400000", "0x1000", "0x2000", null, null));
        assertEquals(line(0x400000, 0x402000, "rw-p"), sh.maps(p));
        sh.mmap(p, "0x402000", "0x1000", "r--", ANON);
        // blocked by the r-- page: without maymove the kernel refuses, with it the range moves
        MmException e = assertThrows(MmException.class, () -> sh.mremap(p, "0x400000", "0x2000", "0x4000", "0", null));
        assertEquals(Errno.ENOMEM, e.errno());
        String moved = sh.mremap(p, "0x400000", "0x2000", "0x4000", "maymove", null);
        assertTrue(!moved.equals("0x400000"), moved);
        assertEquals("0x800000", sh.mremap(p, moved, "0x4000", "0x4000", "maymove,fixed", "0x800000"));
        assertEquals(line(0x402000, 0x403000, "r--p") + line(0x800000, 0x804000, "rw-p"), sh.maps(p));
    }

    @Test
    void kernelErrorsPassThroughWithErrnoAndStep() {
        String p = sh.spawn();
        sh.mmap(p, "0x400000", "0x1000", RW, ANON);
        MmException exists = assertThrows(MmException.class,
                () -> sh.mmap(p, "0x400000", "0x1000", RW, "private,anonymous,fixed_noreplace"));
        assertEquals(Errno.EEXIST, exists.errno());
        assertTrue(exists.getMessage().startsWith("errno EEXIST: "), exists.getMessage());
        MmException noFile = assertThrows(MmException.class, () -> sh.mmap(p, "0", "0x1000", RW, "private"));
        assertEquals("errno EBADF: ksys_mmap_pgoff: no file and no MAP_ANONYMOUS", noFile.getMessage());
        MmException unaligned = assertThrows(MmException.class, () -> sh.munmap(p, "0x400001", "0x1000"));
        assertEquals(Errno.EINVAL, unaligned.errno());
        assertEquals(line(0x400000, 0x401000, "rw-p"), sh.maps(p), "nothing half-changed");
    }

    @Test
    void badInputNamesTheValue() {
        sh.spawn();
        String pid = assertThrows(IllegalArgumentException.class, () -> sh.mmap("9", "0", "0x1000", RW, ANON))
                .getMessage();
        assertEquals("no process with pid 9; live pids: 1 (mm:spawn creates one)", pid);
        String prot = assertThrows(IllegalArgumentException.class, () -> sh.mmap("1", "0", "0x1000", "rwq", ANON))
                .getMessage();
        assertTrue(prot.startsWith("PROT 'rwq': 'q' is not a permission letter"), prot);
        String flag = assertThrows(IllegalArgumentException.class, () -> sh.mmap("1", "0", "0x1000", RW, "privat"))
                .getMessage();
        assertTrue(flag.startsWith("unknown FLAGS 'privat'"), flag);
        String len = assertThrows(IllegalArgumentException.class, () -> sh.munmap("1", "0x400000", "4k"))
                .getMessage();
        assertTrue(len.startsWith("LEN '4k' is not"), len);
    }

    @Test
    void traceShowsTheLatestEventsOnePerLine() {
        String p = sh.spawn();
        sh.mmap(p, "0x400000", "0x1000", RW, ANON);
        List<TraceEvent> events = kernel.trace().snapshot();
        TraceEvent last = events.get(events.size() - 1);
        assertEquals(TraceStep.MMAP, last.step());
        assertEquals(MmConsole.traceLine(last), sh.trace("1"));
        assertTrue(sh.trace("1").matches("#\\d+\\s+pid 1\\s+MMAP\\s+000000400000-000000401000 anon ok: .*"),
                sh.trace("1"));
        assertEquals(Math.min(events.size(), MmConsole.DEFAULT_TRACE_EVENTS), sh.trace(null).lines().count());
        assertEquals(events.size(), sh.trace("100000").lines().count());
        kernel.trace().clear();
        assertEquals("no trace events", sh.trace(null));
    }

    @Test
    void traceSaysWhenTheRingDroppedEvents() {
        Kernel small = new Kernel(org.vfsgi.mm.core.KernelConfig.builder().traceCapacity(2).build());
        MmConsole s = new MmConsole(small);
        String p = s.spawn();
        s.mmap(p, "0x400000", "0x1000", RW, ANON);
        String text = s.trace(null);
        assertEquals(3, text.lines().count(), text);
        assertTrue(text.endsWith("older events dropped; the ring keeps 2)"), text);
    }

    @Test
    void violationsListsEveryKindWithItsCount() {
        String text = sh.violations();
        assertTrue(text.startsWith("VIOLATION"), text);
        assertTrue(text.contains("BOTH_MMAP_HOOKS"), text);
        assertTrue(text.lines().skip(1).allMatch(l -> l.endsWith(" 0")), text);
        assertTrue(text.matches("(?s).*\ntotal +0"), text);
    }

    @Test
    void injectedFailureHitsTheNextMmapOnceThenClears() {
        String p = sh.spawn();
        assertEquals("armed vma_alloc: 1st call from now fails with ENOMEM", sh.inject("vma_alloc", null, null));
        assertTrue(sh.injectStatus().lines().anyMatch(l -> l.matches("vma_alloc\\s+\\d+\\s+yes")), sh.injectStatus());
        MmException e = assertThrows(MmException.class, () -> sh.mmap(p, "0x400000", "0x1000", RW, ANON));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals("", sh.maps(p), "the failed mmap left nothing behind");
        assertEquals("0x400000", sh.mmap(p, "0x400000", "0x1000", RW, ANON), "the point fails once");

        assertEquals("armed split: 2nd call from now fails with EAGAIN", sh.inject("split", "2", "EAGAIN"));
        assertEquals("armed tree_prealloc: 11th call from now fails with EINVAL",
                sh.inject("tree_prealloc", "11", "22"));
        assertEquals("every injection point disarmed, call counts reset", sh.inject("clear", null, null));
        assertTrue(sh.injectStatus().lines().skip(1).allMatch(l -> l.matches("\\S+\\s+0\\s+no")), sh.injectStatus());
        assertThrows(IllegalArgumentException.class, () -> sh.inject("split", "0", null));
        assertThrows(IllegalArgumentException.class, () -> sh.inject("clear", "1", null));
    }
}
