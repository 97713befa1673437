package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.hw.PersistentMemory;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;

class DeviceManagerTest {
    /** Records publications the way the OSGi registrar would make them. */
    static final class FakeRegistrar implements DeviceRegistrar {
        record Published(SimulatedDevice device, List<String> interfaces, Map<String, Object> properties) {
        }

        final List<Published> live = new ArrayList<>();
        boolean refuse;

        @Override
        public Registration register(SimulatedDevice device, List<String> interfaces, Map<String, Object> properties) {
            if (refuse) {
                throw new IllegalStateException("bundle is stopping");
            }
            Published p = new Published(device, interfaces, properties);
            live.add(p);
            return () -> live.remove(p);
        }

        Published named(String name) {
            return live.stream().filter(p -> p.device().name().equals(name)).findFirst().orElse(null);
        }
    }

    /** Captures what the manager logs, as the itests' log capture does in the framework. */
    static final class Records extends Handler {
        final List<LogRecord> records = new ArrayList<>();

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        List<LogRecord> warnings() {
            return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).toList();
        }

        String text(LogRecord r) {
            return new java.util.logging.SimpleFormatter().formatMessage(r);
        }
    }

    @TempDir
    Path dir;

    private final PhysicalAddressMap map = new PhysicalAddressMap();
    private final HostFiles files = new HostFiles();
    private final FakeRegistrar registrar = new FakeRegistrar();
    private final DeviceManager manager = new DeviceManager(new DeviceFactory(map, files), registrar);
    private final Logger jul = Logger.getLogger(DeviceManager.class.getName());
    private final Records log = new Records();

    @BeforeEach
    void capture() {
        jul.addHandler(log);
        // The expected warnings would otherwise clutter the build output.
        jul.setUseParentHandlers(false);
    }

    @AfterEach
    void release() {
        jul.removeHandler(log);
        jul.setUseParentHandlers(true);
        manager.close();
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void eachKindIsPublishedUnderItsInterfacesWithTheDeviceProperties() throws Exception {
        Path img = dir.resolve("d.img");
        Files.write(img, new byte[1024]);
        assertTrue(manager.updated("hw~ram", props("name", "ram0", "kind", "ram", "size", "1M", "pfnStart", "0x200000")));
        assertTrue(manager.updated("hw~blk", props("name", "blk", "kind", "block", "path", img.toString())));
        assertTrue(manager.updated("hw~pm", props("name", "pm", "kind", "pmem", "size", "8K", "pfnStart", "0x300000",
                "path", dir.resolve("pm.img").toString(), "create", "true")));
        assertTrue(manager.updated("hw~io", props("name", "io", "kind", "mmio", "size", "4K", "pfnStart", "0x3f0000")));

        FakeRegistrar.Published ram = registrar.named("ram0");
        assertEquals(List.of(PhysicalMemory.class.getName(), PhysicalRange.class.getName(), Device.class.getName()),
                ram.interfaces());
        assertEquals(Map.of(Device.NAME, "ram0", Device.KIND, "ram", Device.SIZE, 1L << 20,
                Device.PFN_START, 0x200000L, Device.PFN_COUNT, 256L), ram.properties());
        FakeRegistrar.Published blk = registrar.named("blk");
        assertEquals(List.of(BlockDevice.class.getName(), Device.class.getName()), blk.interfaces());
        assertEquals(Map.of(Device.NAME, "blk", Device.KIND, "block", Device.SIZE, 1024L), blk.properties(),
                "a block device has no PFN properties");
        assertEquals(List.of(PersistentMemory.class.getName(), PhysicalRange.class.getName(), Device.class.getName()),
                registrar.named("pm").interfaces());
        assertEquals(List.of(MmioWindow.class.getName(), PhysicalRange.class.getName(), Device.class.getName()),
                registrar.named("io").interfaces());
        assertEquals(4, manager.devices().size());
        assertTrue(log.warnings().isEmpty());
    }

    @Test
    void aBadConfigurationLogsExactlyOneWarningLineAndRegistersNothing() {
        assertFalse(manager.updated("org.vfsgi.hw.device~odd", props("name", "odd", "kind", "ram", "size", "5000")));
        assertEquals(1, log.warnings().size());
        LogRecord w = log.warnings().get(0);
        assertEquals("Device configuration org.vfsgi.hw.device~odd rejected: EINVAL: size '5000' is not a multiple of"
                + " the 4096-byte page size", log.text(w));
        assertNull(w.getThrown(), "no stack trace");
        assertTrue(registrar.live.isEmpty());
        assertTrue(map.devices().isEmpty());
        assertTrue(manager.devices().isEmpty());
    }

    @Test
    void everyKindOfBadConfigurationIsOneWarningAndNothingElse() throws Exception {
        manager.updated("hw~ram", props("name", "ram0", "kind", "ram", "size", "1M"));
        List<Map<String, Object>> bad = List.of(
                props("name", "b", "kind", "block", "path", dir.resolve("absent.img").toString()),
                props("name", "r", "kind", "ram", "size", "5000", "pfnStart", "0x9000"),
                props("name", "io", "kind", "mmio", "size", "8K", "pfnStart", "0xff"),
                props("name", "t", "kind", "tape", "size", "4K"),
                props("kind", "ram", "size", "4K"),
                props("name", "r", "kind", "ram", "size", "many"),
                props("name", "ram0", "kind", "mmio", "size", "4K", "pfnStart", "0x9000"));
        List<String> expected = List.of("absent.img", "5000", "overlaps device 'ram0'", "unknown kind 'tape'",
                "name is required", "size 'many'", "EEXIST");
        for (int i = 0; i < bad.size(); i++) {
            int before = log.warnings().size();
            assertFalse(manager.updated("hw~bad" + i, bad.get(i)));
            assertEquals(before + 1, log.warnings().size(), "one line for " + bad.get(i));
            String line = log.text(log.warnings().get(before));
            assertTrue(line.startsWith("Device configuration hw~bad" + i + " rejected: "), line);
            assertTrue(line.contains(expected.get(i)), line);
        }
        assertEquals(1, registrar.live.size());
        assertEquals(1, map.devices().size());
        assertEquals(0, files.openCount());
    }

    @Test
    void deletingAConfigurationWithdrawsTheServiceAndClosesTheFile() throws Exception {
        Path img = dir.resolve("d.img");
        Files.write(img, new byte[1024]);
        manager.updated("hw~blk", props("name", "blk", "kind", "block", "path", img.toString()));
        SimulatedDevice dev = registrar.named("blk").device();
        assertEquals(1, files.openCount());
        manager.deleted("hw~blk");
        assertTrue(registrar.live.isEmpty());
        assertTrue(map.devices().isEmpty());
        assertEquals(0, files.openCount());
        HwException e = assertThrows(HwException.class, () -> ((BlockDevice) dev).flush());
        assertEquals("ENODEV", e.errno());
        manager.deleted("hw~never-existed");
    }

    @Test
    void anUpdateReplacesTheDeviceAndAnUnchangedOneKeepsIt() {
        Map<String, Object> first = props("name", "io", "kind", "mmio", "size", "4K", "pfnStart", "0x100");
        manager.updated("hw~io", first);
        SimulatedDevice original = registrar.named("io").device();
        ((MmioWindow) original).writeRegister(MmioWindow.REG_DOORBELL, 1);

        manager.updated("hw~io", new HashMap<>(first));
        assertSame(original, registrar.named("io").device(), "same configuration, same device and state");

        manager.updated("hw~io", props("name", "io", "kind", "mmio", "size", "8K", "pfnStart", "0x100"));
        SimulatedDevice replaced = registrar.named("io").device();
        assertNotSame(original, replaced);
        assertEquals(8192, replaced.size());
        assertEquals(1, registrar.live.size());
        assertSame(replaced, map.rangeOf(0x101).orElseThrow());
        assertThrows(HwException.class, () -> ((MmioWindow) original).readRegister(0), "the old device is closed");
    }

    @Test
    void anUpdateToABadConfigurationRemovesTheOldDevice() {
        manager.updated("hw~io", props("name", "io", "kind", "mmio", "size", "4K", "pfnStart", "0x100"));
        assertFalse(manager.updated("hw~io", props("name", "io", "kind", "mmio", "size", "3K", "pfnStart", "0x100")));
        assertTrue(registrar.live.isEmpty());
        assertTrue(map.devices().isEmpty());
        assertEquals(1, log.warnings().size());
    }

    @Test
    void aFailedPublicationUndoesTheCreation() throws Exception {
        registrar.refuse = true;
        Path img = dir.resolve("d.img");
        Files.write(img, new byte[1024]);
        assertFalse(manager.updated("hw~blk", props("name", "blk", "kind", "block", "path", img.toString())));
        assertTrue(map.devices().isEmpty());
        assertEquals(0, files.openCount());
        assertEquals(1, log.warnings().size());
        assertTrue(log.text(log.warnings().get(0)).contains("cannot publish device 'blk'"), log.text(log.warnings().get(0)));
    }

    @Test
    void closeRemovesEverythingAndIgnoresLaterUpdates() throws Exception {
        Path media = dir.resolve("pm.img");
        manager.updated("hw~pm", props("name", "pm", "kind", "pmem", "size", "4K", "pfnStart", "0x10",
                "path", media.toString(), "create", "true"));
        PersistentMemory pm = (PersistentMemory) registrar.named("pm").device();
        pm.writeBytes(0, new byte[] {5}, 0, 1);
        manager.close();
        assertTrue(registrar.live.isEmpty());
        assertEquals(0, files.openCount());
        assertEquals(5, Files.readAllBytes(media)[0], "an orderly shutdown writes pmem back");
        assertFalse(manager.updated("hw~ram", props("name", "ram0", "kind", "ram", "size", "4K")));
        assertTrue(map.devices().isEmpty());
    }
}
