package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PersistentMemory;
import org.vfsgi.hw.PhysicalMemory;

class DeviceFactoryTest {
    @TempDir
    Path dir;

    private final PhysicalAddressMap map = new PhysicalAddressMap();
    private final HostFiles files = new HostFiles();
    private final DeviceFactory factory = new DeviceFactory(map, files);

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private SimulatedDevice create(Object... kv) {
        return factory.create(DeviceConfig.parse(props(kv)));
    }

    @BeforeEach
    void aMachineWithRamAndABlockDevice() throws Exception {
        Path img = dir.resolve("disk.img");
        Files.write(img, new byte[4096]);
        create("name", "ram0", "kind", "ram", "size", "1M");
        create("name", "disk0", "kind", "block", "path", img.toString());
    }

    /** Asserts that creating the configuration fails with this message and changes nothing. */
    private void assertRefused(String errno, String message, Object... kv) {
        List<Device> devicesBefore = map.devices();
        int rangesBefore = map.ranges().size();
        int openBefore = files.openCount();
        HwException e = assertThrows(HwException.class, () -> create(kv));
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(errno + ": " + message, e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(devicesBefore, map.devices(), "no device left registered");
        assertEquals(rangesBefore, map.ranges().size(), "no PFN range left behind");
        assertEquals(openBefore, files.openCount(), "no file left open");
    }

    @Test
    void createsEachKindRegisteredInTheMap() throws Exception {
        Path media = dir.resolve("pm.img");
        Files.write(media, new byte[8192]);
        SimulatedDevice pm = create("name", "pm0", "kind", "pmem", "pfnStart", "0x1000", "path", media.toString());
        SimulatedDevice io = create("name", "io0", "kind", "mmio", "size", "8K", "pfnStart", "0x2000");
        assertInstanceOf(PersistentMemory.class, pm);
        assertEquals(8192, pm.size(), "pmem without size takes the file's size");
        assertEquals(2, io.size() / Device.PAGE_SIZE);
        assertEquals(List.of("ram0", "disk0", "pm0", "io0"), map.devices().stream().map(Device::name).toList());
        assertEquals(3, map.ranges().size());
        assertInstanceOf(PhysicalMemory.class, map.rangeOf(0).orElseThrow());
        assertEquals(pm, map.rangeOf(0x1001).orElseThrow());
        assertEquals(2, files.openCount());
    }

    @Test
    void destroyUnregistersAndClosesTheFile() {
        Device disk = map.device("disk0").orElseThrow();
        factory.destroy((SimulatedDevice) disk);
        assertTrue(map.device("disk0").isEmpty());
        assertEquals(0, files.openCount());
    }

    @Test
    void missingFileIsRefused() {
        Path absent = dir.resolve("absent.img");
        assertRefused("ENOENT", "path '" + absent + "' does not exist (set create=true to create it)",
                "name", "d1", "kind", "block", "path", absent.toString());
        assertFalse(Files.exists(absent));
    }

    @Test
    void createTrueCreatesTheFileAndItsFolders() throws Exception {
        Path img = dir.resolve("new/sub/pm.img");
        SimulatedDevice pm = create("name", "pm1", "kind", "pmem", "size", "64K", "pfnStart", "0x9000",
                "path", img.toString(), "create", "true");
        assertEquals(64 * 1024, Files.size(img));
        assertEquals(64 * 1024, pm.size());
        Path disk = dir.resolve("new/d.img");
        BlockDevice b = (BlockDevice) create("name", "d2", "kind", "block", "size", "1536", "path", disk.toString(),
                "create", true);
        assertEquals(3, b.sectorCount());
        assertEquals(1536, Files.size(disk));
    }

    @Test
    void createTrueNeverTruncatesAnExistingFile() throws Exception {
        Path media = dir.resolve("big.img");
        byte[] content = new byte[16384];
        content[16383] = 9;
        Files.write(media, content);
        SimulatedDevice pm = create("name", "pm1", "kind", "pmem", "size", "8K", "pfnStart", "0x9000",
                "path", media.toString(), "create", "true");
        assertEquals(8192, pm.size(), "the region uses the first size bytes");
        assertEquals(16384, Files.size(media));
        assertEquals(9, Files.readAllBytes(media)[16383]);
    }

    @Test
    void createTrueWithoutSizeIsRefused() {
        Path absent = dir.resolve("absent.img");
        assertRefused("EINVAL", "size is required to create path '" + absent + "' (create=true)",
                "name", "d1", "kind", "block", "path", absent.toString(), "create", "true");
        assertFalse(Files.exists(absent));
    }

    @Test
    void sizeNotAPageMultipleIsRefused() {
        assertRefused("EINVAL", "size '5000' is not a multiple of the 4096-byte page size",
                "name", "r1", "kind", "ram", "size", "5000", "pfnStart", "0x500000");
    }

    @Test
    void overlappingPfnRangeIsRefusedBeforeAnyFileIsCreated() {
        Path img = dir.resolve("pm.img");
        assertRefused("EINVAL", "device 'pm1' (PFNs 0xff-0x10e) overlaps device 'ram0' (PFNs 0x0-0xff)",
                "name", "pm1", "kind", "pmem", "size", "64K", "pfnStart", "0xff", "path", img.toString(),
                "create", "true");
        assertFalse(Files.exists(img), "a refused configuration creates no file");
    }

    @Test
    void nameClashIsRefused() {
        assertRefused("EEXIST", "device name 'ram0' is already used by ram 'ram0' PFNs 0x0-0xff",
                "name", "ram0", "kind", "mmio", "size", "4K", "pfnStart", "0x9000");
    }

    @Test
    void unknownKindMissingNameAndBadSizeTextAreRefused() {
        assertRefused("EINVAL", "unknown kind 'tape' (expected ram, block, pmem or mmio)",
                "name", "t", "kind", "tape", "size", "4096");
        assertRefused("EINVAL", "name is required (a device name such as 'ram0')", "kind", "ram", "size", "4K");
        assertRefused("EINVAL", "size '12Q' is not a size (expected a number of bytes, optionally with a K, M or G"
                + " suffix, such as 64M)", "name", "r1", "kind", "ram", "size", "12Q", "pfnStart", "0x9000");
    }

    @Test
    void pmemFileSmallerThanSizeIsRefused() throws Exception {
        Path media = dir.resolve("small.img");
        Files.write(media, new byte[4096]);
        assertRefused("EINVAL", "size '8K' is larger than path '" + media + "', which holds 4096 bytes",
                "name", "pm1", "kind", "pmem", "size", "8K", "pfnStart", "0x9000", "path", media.toString());
    }

    @Test
    void blockImageNotASectorMultipleIsRefusedAndClosed() throws Exception {
        Path img = dir.resolve("odd.img");
        Files.write(img, new byte[1000]);
        assertRefused("EINVAL", "image '" + img + "' of block device 'd1' is 1000 bytes, not a positive multiple of"
                + " the 512-byte sector size", "name", "d1", "kind", "block", "path", img.toString());
    }

    @Test
    void blockSizeThatDoesNotMatchTheFileIsRefused() throws Exception {
        Path img = dir.resolve("disk.img");
        assertRefused("EINVAL", "size '8K' does not match path '" + img + "', which holds 4096 bytes (leave size"
                + " out to use the file's size)", "name", "d1", "kind", "block", "path", img.toString(), "size", "8K");
    }

    @Test
    void aDirectoryIsNotAnImage() {
        assertRefused("EINVAL", "path '" + dir + "' is not a regular file",
                "name", "d1", "kind", "block", "path", dir.toString());
    }

    @Test
    void ramTooLargeForTheFrameArraysIsRefused() {
        assertRefused("EINVAL", "size '16T' is too large for a ram device (at most 2147483639 frames)",
                "name", "huge", "kind", "ram", "size", "16T", "pfnStart", "0x100000");
    }
}
