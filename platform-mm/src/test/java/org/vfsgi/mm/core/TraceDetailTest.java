package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.FileOperations;

/**
 * Trace details are kept as raw values and formatted when read: the text must be the one the
 * event had when it was recorded, however the VMAs it names changed since, and nothing is
 * formatted for an event nobody reads.
 */
class TraceDetailTest {
    private static final long A = 0x10000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private final Kernel kernel = new Kernel();
    private final Process p = kernel.spawn();
    private final Fakes.TestFile file = Fakes.file(FileOperations.builder().name("plain_fops")
            .mmapPrepare(d -> 0).build());

    private List<TraceEvent> events(TraceStep step) {
        return kernel.trace().events(step);
    }

    @Test
    void splitTextShowsBothPiecesAsTheyWereWhenRecorded() {
        p.mmap(A, 0x3000, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0);
        VmaFlags f = p.mm().tree().lookup(A).flags;
        kernel.trace().clear();
        // 0123    AAA  ->  A.A : the first split keeps [11000,13000), which the second split
        // shrinks and the unmap removes; the lower piece is then mprotected.
        p.munmap(A + 0x1000, 0x1000);
        p.mprotect(A, 0x1000, Mman.PROT_READ);
        List<TraceEvent> splits = events(TraceStep.SPLIT);
        assertEquals(2, splits.size());
        String path = file.path();
        assertEquals("split at 0x11000, new piece [10000,11000) pgoff 0x0 " + f + " " + path
                + ", kept [11000,13000) pgoff 0x1 " + f + " " + path, splits.get(0).detail());
        assertEquals("split at 0x12000, new piece [12000,13000) pgoff 0x2 " + f + " " + path
                + ", kept [11000,12000) pgoff 0x1 " + f + " " + path, splits.get(1).detail());
        VmaFlags readOnly = p.mm().tree().lookup(A).flags;
        assertEquals(List.of("now " + readOnly), events(TraceStep.MPROTECT).stream().map(TraceEvent::detail).toList());
    }

    @Test
    void mmapStepsShowTheNewVmaAsItWasAtEachStep() {
        p.mmap(A, 0x2000, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, file, 0);
        VmaFlags complete = p.mm().tree().lookup(A).flags;
        // Change everything the details print: range (grow), flags (mprotect), then unmap.
        p.mremap(A, 0x2000, 0x3000, 0, 0);
        p.mprotect(A, 0x3000, Mman.PROT_READ);
        p.munmap(A, 0x3000);
        String path = " " + file.path();
        String atComplete = "[10000,12000) pgoff 0x0 " + complete + path;
        assertEquals("[10000,12000) pgoff 0x0 " + complete.clear(VmaFlag.SOFTDIRTY) + path,
                events(TraceStep.NEW_VMA).get(0).detail(), "NEW_VMA is before __mmap_complete sets SOFTDIRTY");
        assertEquals(atComplete, events(TraceStep.MMAP_COMPLETE).get(0).detail());
        assertEquals("new " + atComplete, events(TraceStep.MMAP).get(0).detail());
    }

    @Test
    void mergeTextsNameTheMergedVmaAsItWasThen() {
        p.mmap(A, 0x1000, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0);
        p.mmap(A + 0x1000, 0x1000, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0x1000);
        VmaFlags f = p.mm().tree().lookup(A).flags;
        // mprotect of the second page splits, back merges into the first page's VMA.
        p.mprotect(A + 0x1000, 0x1000, Mman.PROT_READ);
        p.mprotect(A + 0x1000, 0x1000, RW);
        p.munmap(A, 0x2000);
        String merged = "[10000,12000) pgoff 0x0 " + f + " " + file.path();
        List<TraceEvent> merges = events(TraceStep.MERGE);
        assertEquals(2, merges.size(), merges.toString());
        assertEquals("new range merged into " + merged + "; no new VMA, so the action and vm_ops->mapped do not run",
                merges.get(0).detail());
        assertEquals("merged into " + merged, events(TraceStep.MMAP).get(1).detail());
        assertEquals("range [11000,12000) merged into " + merged, merges.get(1).detail());
    }

    @Test
    void detailIsFormattedOnceAndOnlyWhenRead() {
        TraceBuffer t = new TraceBuffer(4);
        AtomicInteger formatted = new AtomicInteger();
        AtomicInteger heard = new AtomicInteger();
        t.addListener(e -> heard.incrementAndGet());
        TraceEvent ev = t.emit(2, 0x1000, 0x2000, "/f", TraceStep.SPLIT, "ok", () -> {
            formatted.incrementAndGet();
            return "split somewhere";
        });
        for (int i = 0; i < 10; i++) {
            t.emit(2, 0, 0, null, TraceStep.UNMAP, "ok", () -> {
                throw new AssertionError("an event that drops out of the ring unread is never formatted");
            });
        }
        assertEquals(11, heard.get());
        assertEquals(0, formatted.get(), "recording and telling listeners formats nothing");
        assertEquals("split somewhere", ev.detail());
        assertEquals("#1 pid 2 [1000,2000) /f SPLIT ok: split somewhere", ev.toString());
        assertEquals(1, formatted.get(), "formatted once, then kept");
        TraceEvent eager = new TraceEvent(1, 2, 0x1000, 0x2000, "/f", TraceStep.SPLIT, "ok", "split somewhere");
        assertEquals(eager, ev, "a lazy detail equals the same text given eagerly");
        assertEquals(eager.hashCode(), ev.hashCode());
        assertThrows(NullPointerException.class,
                () -> t.emit(2, 0, 0, null, TraceStep.UNMAP, "ok", (TraceDetail) null));
        assertEquals("", t.emit(2, 0, 0, null, TraceStep.EXIT, "ok", (String) null).detail());
    }

    @Test
    void vmaDetailIsTheVmaToStringOfItsMoment() {
        p.mmap(A, 0x2000, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0);
        Vma v = p.mm().tree().lookup(A);
        String before = v.toString();
        String flagsBefore = v.flags.toString();
        TraceDetail d = TraceDetails.vma("<", v, ">");
        TraceDetail flags = TraceDetails.flags("now ", v.flags);
        p.mprotect(A, 0x1000, Mman.PROT_READ);
        p.munmap(A + 0x1000, 0x1000);
        assertEquals("<" + before + ">", d.format());
        assertEquals("now " + flagsBefore, flags.format());
        assertNotEquals(before, v.toString(), "the VMA itself did change");
        Vma anon = p.mm().tree().lookup(p.mmap(0, 0x1000, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0));
        assertEquals(anon.toString(), TraceDetails.vma("", anon, "").format(), "anonymous memory prints no path");
    }
}
