package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.vfs.FileOperations;

/**
 * {@code hide_from_rmap_until_complete} with a real reverse-map lock: an rmap walker started on
 * another thread while the action runs cannot see the VMA — it stays blocked through the action
 * and {@code vm_ops->mapped} — and sees it once both finished. Without the flag the same walker
 * sees the half-built VMA at once.
 */
class HideFromRmapTest {
    private static final long DEADLINE_NANOS = 10_000_000_000L;

    private final Kernel kernel = new Kernel();
    private final Process p = kernel.spawn();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private Thread walker;

    private static void awaitBlockedOrDone(Thread t) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private Fakes.TestFile driver(boolean hide) {
        Fakes.TestFile[] f = new Fakes.TestFile[1];
        VmOperations ops = VmOperations.builder().name("hidden_vm_ops").mapped((s, e, pg, file, pd) -> {
            events.add("mapped: walker " + walker.getState());
            return 0;
        }).build();
        f[0] = Fakes.file(FileOperations.builder().name("hidden_fops").mmapPrepare(d -> {
            d.setVmOps(ops);
            d.actionHideFromRmapUntilComplete(hide);
            d.actionCustom(v -> {
                walker = new Thread(() -> events.add("walker saw " + f[0].inode.rmap.mappings().size()), "rmap-walker");
                walker.start();
                awaitBlockedOrDone(walker);
                events.add("action: walker " + walker.getState());
                return 0;
            });
            return 0;
        }).mmapComplete((file, v, c) -> {
            events.add("complete");
            return 0;
        }).build());
        return f[0];
    }

    @Test
    void walkerCannotSeeTheVmaUntilActionAndMappedFinished() throws InterruptedException {
        Fakes.TestFile f = driver(true);
        p.mmap(0x10000, 0x2000, Mman.PROT_READ, Mman.MAP_SHARED, f, 0);
        walker.join(10_000);
        assertEquals(List.of("action: walker WAITING", "mapped: walker WAITING"), events.subList(0, 2),
                "blocked on the rmap lock during the action and mapped: " + events);
        // After the unlock the walker and mmap_complete race; both happen, in either order.
        assertEquals(4, events.size(), events.toString());
        assertEquals(true, events.contains("complete"), events.toString());
        assertEquals(1, events.stream().filter("walker saw 1"::equals).count(), events.toString());
        assertFalse(f.inode.rmap.isWriteLocked(), "the rmap lock was released");
        List<TraceEvent> unlock = kernel.trace().events(TraceStep.RMAP_UNLOCK);
        List<TraceEvent> mapped = kernel.trace().events(TraceStep.MAPPED);
        assertEquals(1, unlock.size());
        assertEquals(true, mapped.get(0).seq() < unlock.get(0).seq(), "the unlock follows mapped");
    }

    @Test
    void withoutTheFlagTheWalkerSeesTheHalfBuiltVma() throws InterruptedException {
        Fakes.TestFile f = driver(false);
        p.mmap(0x10000, 0x2000, Mman.PROT_READ, Mman.MAP_SHARED, f, 0);
        walker.join(10_000);
        assertEquals(List.of("walker saw 1", "action: walker TERMINATED", "mapped: walker TERMINATED", "complete"),
                events);
    }
}
