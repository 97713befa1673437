package org.vfsgi.drv.chr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.vfsgi.hw.internal.PhysicalAddressMap;
import org.vfsgi.hw.internal.SimulatedMmioWindow;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.Devtmpfs;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;

/**
 * The machine the driver tests run on, as the platform assembles it: RAM and an MMIO window in a
 * physical address map, a core kernel over them (tmpfs at {@code /}), device nodes made the way
 * the platform's {@code CharDevice} tracker makes them ({@link Devtmpfs}), and one process.
 */
final class Machine {
    /** First frame of the MMIO window. */
    static final long MMIO_PFN = 0xF0000;
    /** Pages of the MMIO window: the register page and three pages of device memory. */
    static final int MMIO_PAGES = 4;
    /** The mmap path's failure-injection points (SPLIT is not on it). */
    static final Set<InjectionPoint> MMAP_PATH = EnumSet.complementOf(EnumSet.of(InjectionPoint.SPLIT));

    final SimulatedRam ram = new SimulatedRam("ram0", 0, 2048);
    final SimulatedMmioWindow mmio = new SimulatedMmioWindow("mmio0", MMIO_PFN, MMIO_PAGES);
    final PhysicalAddressMap physical = new PhysicalAddressMap();
    final Kernel kernel;
    final Devtmpfs devtmpfs;
    final Process p;

    Machine() {
        physical.register(ram);
        physical.register(mmio);
        kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram, physical);
        devtmpfs = new Devtmpfs(kernel.vfs());
        p = kernel.spawn();
    }

    /** Registers a driver as the tracker does for its service and returns its node's number. */
    DeviceNumber install(CharDevice driver, String name, int major, int minor) {
        return devtmpfs.addCharDevice(name, major, minor, 0666, driver.fileOperations());
    }

    /** @return the open files of shmem's internal mount ({@code shm_mnt}): one per live {@code /dev/zero} shmem file */
    int shmemFiles() {
        return kernel.shmem().mount().openFiles();
    }

    OpenFile open(String name, int flags) {
        return kernel.vfs().open(Devtmpfs.DEV + "/" + name, flags, 0);
    }

    OpenFile openRw(String name) {
        return open(name, Fcntl.O_RDWR);
    }

    /**
     * Fails the mmap path at {@code point} (with ENOMEM) while {@code map} maps a driver, and checks
     * the outcome: if the point is on the driver's path the mmap fails with {@code expected}'s errno
     * for that point, else it succeeds and is unmapped again; either way no VMA, page or reverse
     * mapping is left and {@code clean} holds (the driver's counts and locks back to zero).
     *
     * @param point the point
     * @param reached the points this driver's mmap passes
     * @param expected the errno the contract promises when {@code point} fails
     * @param map maps the driver in {@link #p}, returning the address
     * @param len the mapping's length
     * @param clean asserts the driver's own state is back to rest
     */
    void injectAndCheck(InjectionPoint point, Set<InjectionPoint> reached, Function<InjectionPoint, Errno> expected,
            ToLongFunction<Process> map, long len, Runnable clean) {
        kernel.faultInjection().arm(point, 1, Errno.ENOMEM);
        if (reached.contains(point)) {
            MmException e = assertThrows(MmException.class, () -> map.applyAsLong(p), point + " fails the mmap");
            assertEquals(expected.apply(point), e.errno(), point + ": " + e.getMessage());
            assertFalse(kernel.faultInjection().isArmed(point), point + " was reached");
        } else {
            long a = map.applyAsLong(p);
            assertEquals(true, kernel.faultInjection().isArmed(point), point + " is not on this driver's path");
            kernel.faultInjection().disarm(point);
            p.munmap(a, len);
        }
        assertEquals(0, p.mm().mapCount(), point + ": no VMA left behind");
        assertEquals(0, p.mm().pageTable().presentCount(), point + ": no page-table entry left behind");
        clean.run();
    }
}
