package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalRange;

class PhysicalAddressMapTest {
    private final PhysicalAddressMap map = new PhysicalAddressMap();

    @Test
    void resolvesEveryPfnToItsOwnerAndNothingElse() {
        SimulatedRam ram = new SimulatedRam("ram0", 0, 256);
        SimulatedMmioWindow io = new SimulatedMmioWindow("io0", 0x1000, 4);
        SimulatedRam high = new SimulatedRam("ram1", 0x400, 16);
        map.register(ram);
        map.register(io);
        map.register(high);
        assertSame(ram, map.rangeOf(0).orElseThrow());
        assertSame(ram, map.rangeOf(255).orElseThrow());
        assertTrue(map.rangeOf(256).isEmpty());
        assertSame(high, map.rangeOf(0x40f).orElseThrow());
        assertTrue(map.rangeOf(0x410).isEmpty());
        assertSame(io, map.rangeOf(0x1003).orElseThrow());
        assertTrue(map.rangeOf(0x1004).isEmpty());
        assertTrue(map.rangeOf(-1).isEmpty());
        assertEquals(List.<PhysicalRange>of(ram, high, io), map.ranges(), "ordered by first PFN");
    }

    @Test
    void anOverlappingRangeIsRefusedNamingBothDevicesAndRanges() {
        map.register(new SimulatedRam("ram0", 0x100, 0x100));
        SimulatedMmioWindow io = new SimulatedMmioWindow("io0", 0x1ff, 2);
        HwException e = assertThrows(HwException.class, () -> map.register(io));
        assertEquals("EINVAL", e.errno());
        assertEquals("EINVAL: device 'io0' (PFNs 0x1ff-0x200) overlaps device 'ram0' (PFNs 0x100-0x1ff)",
                e.getMessage());
        assertEquals(1, map.ranges().size());
        assertTrue(map.device("io0").isEmpty());
    }

    @Test
    void adjacentRangesAreFine() {
        map.register(new SimulatedRam("ram0", 0x100, 0x100));
        map.register(new SimulatedMmioWindow("io0", 0x200, 1));
        map.register(new SimulatedMmioWindow("io1", 0xff, 1));
        assertEquals(3, map.ranges().size());
    }

    @Test
    void namesAreUniqueAcrossAllDevicesWithEexist(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("d.img");
        Files.write(img, new byte[512]);
        HostFiles files = new HostFiles();
        try (FileBlockDevice disk = FileBlockDevice.open("dev0", img, false, files)) {
            map.register(disk);
            HwException e = assertThrows(HwException.class, () -> map.register(new SimulatedRam("dev0", 0, 1)));
            assertEquals("EEXIST", e.errno());
            assertTrue(e.getMessage().contains("device name 'dev0' is already used by block 'dev0'"), e.getMessage());
            assertTrue(map.ranges().isEmpty(), "a block device owns no PFNs");
            assertSame(disk, map.device("dev0").orElseThrow());
        }
    }

    @Test
    void unregisterFreesTheRangeAndTheNameButOnlyForTheSameObject() {
        SimulatedRam ram = new SimulatedRam("ram0", 0, 16);
        map.register(ram);
        assertFalse(map.unregister(new SimulatedRam("ram0", 0, 16)), "an impostor with the same name");
        assertSame(ram, map.rangeOf(3).orElseThrow());
        assertTrue(map.unregister(ram));
        assertTrue(map.rangeOf(3).isEmpty());
        assertTrue(map.devices().isEmpty());
        map.register(new SimulatedMmioWindow("ram0", 0, 16));
        assertEquals(1, map.ranges().size());
    }

    @Test
    void rangesBeyondThePhysicalAddressSpaceAreRefused() {
        HwException e = assertThrows(HwException.class,
                () -> map.register(new SimulatedMmioWindow("io0", PhysicalAddressMap.MAX_PFN, 1)));
        assertTrue(e.getMessage().contains("does not fit the physical address space"), e.getMessage());
    }

    @Test
    void checkAvailableReportsWithoutRegistering() {
        map.register(new SimulatedRam("ram0", 0, 16));
        assertThrows(HwException.class, () -> map.checkAvailable("io0", 15, 1));
        assertThrows(HwException.class, () -> map.checkAvailable("ram0", 100, 1));
        map.checkAvailable("io0", 16, 1);
        map.checkAvailable("blk", 0, 0);
        assertEquals(1, map.devices().size());
    }
}
