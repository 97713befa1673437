package org.vfsgi.drv.chr;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.TraceStep;
import org.vfsgi.mm.core.vfs.OpenFile;

/**
 * The pseudo-lock device: its mutex is taken in {@code mmap_prepare} and released in
 * {@code mmap_complete} or {@code mmap_abort} — exactly one of them, whatever fails in between —
 * and its region of two separate frames is mapped by a custom action doing two partial remaps.
 */
class PseudoLockDriverTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final long A = 0x100000;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int SHARED = Mman.MAP_SHARED | Mman.MAP_FIXED;

    private final Machine m = new Machine();
    private final PseudoLockDriver lock = new PseudoLockDriver(m.ram);
    private final OpenFile f;

    PseudoLockDriverTest() {
        m.install(lock, "pseudo_lock", 0, 0);
        f = m.openRw("pseudo_lock");
    }

    private String frame(long pfn) {
        byte[] b = new byte[4];
        m.ram.read(pfn, 0, b, 0, 4);
        return new String(b, US_ASCII);
    }

    @Test
    void twoPartialRemapsMapTheTwoSeparateFramesWithTheMutexHeldUntilComplete() {
        long[] pfns = lock.pfns();
        assertTrue(pfns[1] != pfns[0] + 1, "the region's frames are not adjacent");
        long a = m.p.mmap(A, 2 * P, RW, SHARED, f, 0);
        assertTrue(lock.lockHeldDuringAction(), "the action ran under the mutex prepare took");
        assertFalse(lock.isLocked(), "mmap_complete released it");
        assertEquals(1, lock.completed());
        assertTrue(m.p.mm().vmaLookup(a).flags().testAll(VmaFlag.PFNMAP, VmaFlag.DONTEXPAND));
        m.p.writeMemory(a, "one!".getBytes(US_ASCII));
        m.p.writeMemory(a + P, "two!".getBytes(US_ASCII));
        assertEquals("one!", frame(pfns[0]));
        assertEquals("two!", frame(pfns[1]));
        assertEquals(2, m.kernel.trace().events(TraceStep.DESC_ACTION).size(), "two partial remaps");
        long b = m.p.mmap(A + 2 * P, 2 * P, RW, SHARED, f, 0);
        assertEquals(2, m.p.mm().mapCount(), "special flags: adjacent mappings never merge, so each runs its action");
        assertEquals("\0\0\0\0", new String(m.p.readMemory(b, 4), US_ASCII), "each mapping starts zeroed");
    }

    @Test
    void aSecondMapperWaitsForTheFirstToComplete() throws Exception {
        CountDownLatch inAction = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean otherGotThrough = new AtomicBoolean();
        Process other = m.kernel.spawn();
        Thread second = new Thread(() -> {
            try {
                inAction.await();
                other.mmap(A, 2 * P, RW, SHARED, f, 0);
                otherGotThrough.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        second.start();
        // Stall the first mapping right after its action (the trace event is emitted synchronously),
        // while the mutex prepare took is still held, and look at the other mapper meanwhile.
        AtomicBoolean otherWaited = new AtomicBoolean();
        m.kernel.trace().addListener(e -> {
            if (e.step() == TraceStep.ACTION && e.pid() == m.p.pid() && inAction.getCount() > 0) {
                inAction.countDown();
                try {
                    release.await(300, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                otherWaited.set(!otherGotThrough.get() && second.getState() == Thread.State.WAITING);
            }
        });
        m.p.mmap(A, 2 * P, RW, SHARED, f, 0);
        second.join(10_000);
        assertTrue(otherWaited.get(), "the other process waited on the mutex while the first was mid-mapping");
        assertTrue(otherGotThrough.get(), "and gets through once the first mapping completed");
        assertEquals(2, lock.completed());
        assertFalse(lock.isLocked());
    }

    @Test
    void prepareFailuresReleaseTheMutexThemselves() {
        assertEquals(Errno.EINVAL, assertThrows(MmException.class,
                () -> m.p.mmap(A, 2 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_FIXED, f, 0)).errno());
        assertEquals(Errno.EINVAL, assertThrows(MmException.class, () -> m.p.mmap(A, P, RW, SHARED, f, 0)).errno());
        assertFalse(lock.isLocked());
        assertEquals(0, lock.prepared() + lock.aborted() + lock.completed(), "no abort after a failed prepare");
    }

    @ParameterizedTest
    @EnumSource(value = InjectionPoint.class, names = "SPLIT", mode = EnumSource.Mode.EXCLUDE)
    void failureAtEveryStepKeepsThePairingPromiseAndReleasesTheMutex(InjectionPoint point) {
        m.injectAndCheck(point, Machine.MMAP_PATH, pt -> Errno.ENOMEM,
                p -> p.mmap(A, 2 * P, RW, SHARED, f, 0), 2 * P, () -> {
                    assertFalse(lock.isLocked(), point + ": the mutex is free");
                    assertEquals(lock.prepared(), lock.completed() + lock.aborted(),
                            point + ": exactly one of complete/abort per successful prepare");
                });
        // The VMA is allocated after mmap_prepare (contract step 9), so only BEFORE_PREPARE comes first.
        boolean prepareRan = point != InjectionPoint.BEFORE_PREPARE;
        assertEquals(prepareRan ? 1 : 0, lock.prepared(), point.toString());
        assertEquals(point == InjectionPoint.AFTER_COMPLETE ? 1 : 0, lock.completed(), point.toString());
        assertEquals(prepareRan && point != InjectionPoint.AFTER_COMPLETE ? 1 : 0, lock.aborted(), point.toString());
    }

    @Test
    void failureInTheSecondPartialRemapAborts() {
        m.kernel.faultInjection().arm(InjectionPoint.ACTION_COMPLETE, 3, Errno.EIO); // action, part 1, part 2
        assertEquals(Errno.EIO, assertThrows(MmException.class, () -> m.p.mmap(A, 2 * P, RW, SHARED, f, 0)).errno());
        assertEquals(1, lock.aborted());
        assertFalse(lock.isLocked());
        assertEquals(0, m.p.mm().pageTable().presentCount(), "the first part went with the VMA");
    }
}
