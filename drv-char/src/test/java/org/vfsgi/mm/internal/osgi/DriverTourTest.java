package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfsgi.drv.chr.MemDriver;
import org.vfsgi.drv.chr.PseudoLockDriver;
import org.vfsgi.drv.chr.RingDriver;
import org.vfsgi.drv.chr.UioDriver;
import org.vfsgi.drv.chr.ZeroDriver;
import org.vfsgi.hw.internal.PhysicalAddressMap;
import org.vfsgi.hw.internal.SimulatedMmioWindow;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.vfs.CharDevice;

/**
 * The drivers toured through the shell's consoles ({@code dev:} and {@code mm:} commands) on the
 * hardware of the distribution's {@code etc/} (RAM from PFN 0, MMIO window mmio0 at PFN 0xF0000),
 * each driver registered by the platform's {@link CharDeviceTracker} with the service properties
 * of its component — the steps a demo script takes, checked. (This test sits in the platform's
 * package to reach its package-private consoles; it runs only in this module's tests.)
 */
class DriverTourTest {
    private final SimulatedRam ram = new SimulatedRam("ram0", 0, 4096);
    private final SimulatedMmioWindow mmio = new SimulatedMmioWindow("mmio0", 0xF0000, 4);
    private final Kernel kernel;
    private final MmConsole mm;
    private final DevConsole dev;
    private final UioDriver uio;
    private final PseudoLockDriver lock;
    private final String pid;

    DriverTourTest() {
        PhysicalAddressMap map = new PhysicalAddressMap();
        map.register(ram);
        map.register(mmio);
        kernel = new Kernel(KernelConfig.defaults(), ram, map);
        mm = new MmConsole(kernel);
        dev = new DevConsole(kernel);
        CharDeviceTracker tracker = new CharDeviceTracker(kernel);
        uio = new UioDriver(mmio);
        lock = new PseudoLockDriver(ram);
        tracker.addCharDevice(new MemDriver(map), props("mem", 1, 1));
        tracker.addCharDevice(new ZeroDriver(), props("zero", 1, 5));
        tracker.addCharDevice(uio, props("uio0", 0, 0));
        tracker.addCharDevice(new RingDriver(ram), props("ring", 0, 0));
        tracker.addCharDevice(lock, props("pseudo_lock", 0, 0));
        pid = mm.spawn();
    }

    private static Map<String, Object> props(String name, int major, int minor) {
        return Map.of(CharDevice.NAME, name, CharDevice.MAJOR, major, CharDevice.MINOR, minor);
    }

    @Test
    void theTour() {
        String table = dev.devices();
        for (String node : new String[] {"/dev/mem", "/dev/zero", "/dev/uio0", "/dev/ring", "/dev/pseudo_lock"}) {
            assertTrue(table.contains(node), table);
        }
        // uio0: a store through the mapping rings the MMIO doorbell
        String u = dev.mmap(pid, "0", "0x4000", "rw-", "shared", "/dev/uio0", "0");
        dev.poke(pid, u, "2a000000");
        assertEquals(1, mmio.doorbellCount());
        assertTrue(dev.cat("/dev/uio0").contains("mappings 1 doorbell 1"), dev.cat("/dev/uio0"));
        // mem: the window's second page by physical address
        String m = dev.mmap(pid, "0", "0x1000", "rw-", "shared", "/dev/mem", "0xF0001000");
        dev.poke(pid, m, "64:65:76");
        byte[] b = new byte[3];
        mmio.read(0xF0001, 0, b, 0, 3);
        assertEquals("dev", new String(b));
        assertEquals(Errno.EPERM, assertThrows(MmException.class,
                () -> dev.mmap(pid, "0", "0x1000", "r--", "shared", "/dev/mem", "0x10000")).errno(), "RAM");
        // zero: shared is a shmem file, private is anonymous
        dev.mmap(pid, "0", "0x2000", "rw-", "shared", "/dev/zero", "0");
        dev.mmap(pid, "0", "0x2000", "rw-", "private", "/dev/zero", "0");
        String maps = mm.maps(pid);
        assertTrue(maps.contains("/dev/zero (deleted)"), maps);
        // ring: the header page reads RING
        String r = dev.mmap(pid, "0", "0x4000", "r--", "shared", "/dev/ring", "0");
        assertTrue(dev.peek(pid, r, "4").contains("|RING|"), dev.peek(pid, r, "4"));
        // pseudo_lock: two partial remaps, mutex released by mmap_complete
        dev.mmap(pid, "0", "0x2000", "rw-", "shared", "/dev/pseudo_lock", "0");
        assertEquals(1, lock.completed());
        String trace = mm.trace("400");
        assertTrue(trace.contains("DESC_ACTION"), trace);
        assertTrue(trace.lines().anyMatch(l -> l.contains("COMPLETE") && l.contains("/dev/pseudo_lock")), trace);
        // unmapping uio0 brings its count back, and no driver broke the contract
        mm.munmap(pid, u, "0x4000");
        assertTrue(dev.cat("/dev/uio0").contains("mappings 0"));
        assertTrue(mm.violations().lines().anyMatch(l -> l.matches("total\\s+0")), mm.violations());
        mm.exit(pid);
        assertEquals(0, uio.mappings());
    }
}
