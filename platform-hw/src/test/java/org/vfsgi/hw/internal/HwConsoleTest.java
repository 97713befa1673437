package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.hw.PersistentMemory;
import org.vfsgi.hw.PhysicalMemory;

class HwConsoleTest {
    @TempDir
    Path dir;

    private final PhysicalAddressMap map = new PhysicalAddressMap();
    private final DeviceFactory factory = new DeviceFactory(map, new HostFiles());
    private final HwConsole console = new HwConsole(map::devices, map);
    private PhysicalMemory ram;
    private MmioWindow io;
    private PersistentMemory pm;
    private Path media;

    @BeforeEach
    void machine() throws Exception {
        ram = (PhysicalMemory) factory.create(DeviceConfig.parse(Map.of("name", "ram0", "kind", "ram", "size", "64K")));
        io = (MmioWindow) factory.create(DeviceConfig.parse(Map.of("name", "io0", "kind", "mmio", "size", "4K",
                "pfnStart", "0x100")));
        media = dir.resolve("pm.img");
        pm = (PersistentMemory) factory.create(DeviceConfig.parse(Map.of("name", "pm0", "kind", "pmem", "size", "8K",
                "pfnStart", "0x200", "path", media.toString(), "create", "true")));
        Path img = dir.resolve("d.img");
        Files.write(img, new byte[2048]);
        factory.create(DeviceConfig.parse(Map.of("name", "disk0", "kind", "block", "path", img.toString(),
                "readOnly", "true")));
    }

    private static void assertRefused(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void devicesIsATableOfEveryDevice() {
        ram.allocate();
        assertEquals(String.join("\n",
                "NAME   KIND   SIZE    PFNS         STATE",
                "disk0  block  2 KiB   -            ro",
                "io0    mmio   4 KiB   0x100-0x100  0 rings",
                "pm0    pmem   8 KiB   0x200-0x201  clean",
                "ram0   ram    64 KiB  0x0-0xf      15/16 free"), console.devices());
    }

    @Test
    void memShowsRamUsage() {
        ram.allocate();
        ram.allocate();
        assertEquals(String.join("\n",
                "NAME  PFNS     FRAMES  USED  FREE",
                "ram0  0x0-0xf  16      2     14",
                "2 of 16 frames used (8 KiB of 64 KiB)"), console.mem());
    }

    @Test
    void deviceShowsMmioRegistersAndCounters() {
        io.writeRegister(MmioWindow.REG_DOORBELL, 0x42);
        console.poke("0x100", "4", "ffffffff");
        String out = console.device("io0");
        assertTrue(out.startsWith("device io0\n"), out);
        assertTrue(out.contains("doorbell (0x0)  0x00000042"), out);
        assertTrue(out.contains("status (0x4)    0x00000101"), out);
        assertTrue(out.contains("doorbell rings  1"), out);
        assertTrue(out.contains("ignored writes  1"), out);
    }

    @Test
    void peekAndPokeGoThroughThePhysicalAddressMap() {
        long pfn = ram.allocate();
        String done = console.poke(Long.toString(pfn), "16", "48:65:6c:6c:6f");
        assertEquals("wrote 5 bytes at PFN 0x" + Long.toHexString(pfn) + " offset 0x10 (device 'ram0')", done);
        byte[] back = new byte[5];
        ram.read(pfn, 16, back, 0, 5);
        assertEquals("Hello", new String(back, java.nio.charset.StandardCharsets.US_ASCII));
        String dump = console.peek(Long.toString(pfn), "16", "5");
        assertEquals("PFN 0x" + Long.toHexString(pfn) + " (device 'ram0')\n"
                + String.format("%012x ", (pfn << 12) + 16)
                + " 48 65 6c 6c 6f" + "   ".repeat(11) + "  |Hello|", dump);
    }

    @Test
    void pokeToTheDoorbellRingsIt() {
        console.poke("0x100", "0", "07000000");
        assertEquals(1, io.doorbellCount());
        assertEquals(7, io.lastDoorbellValue());
        assertTrue(console.peek("0x100", "4", "4").contains(" 01 01 00 00"), "status shows ready and one ring");
    }

    @Test
    void doorbellAndFlushCommands() throws Exception {
        assertEquals("rang doorbell of 'io0' with 0x000000ff; 1 rings, status 0x00000101", console.doorbell("io0", "0xff"));
        pm.writeBytes(0, new byte[] {9}, 0, 1);
        assertEquals("flushed 'pm0'", console.flush("pm0"));
        assertEquals(9, Files.readAllBytes(media)[0]);
        assertEquals("flushed 'disk0'", console.flush("disk0"));
    }

    @Test
    void badInputGetsAnActionableMessage() {
        assertRefused("unknown device 'nope'; hw:devices lists them", () -> console.device("nope"));
        assertRefused("PFN 0x5000 is not backed by any device; hw:devices shows the PFN ranges",
                () -> console.peek("0x5000", "0", "4"));
        assertRefused("PFN 'x12' is not a non-negative number (decimal, or hexadecimal with 0x)",
                () -> console.peek("x12", "0", "4"));
        assertRefused("offset 4090 + length 16 crosses the end of the 4096-byte frame; peek within one frame",
                () -> console.peek("0", "4090", "16"));
        assertRefused("bytes 'abc' are not an even number of hex digits (for example deadbeef or de:ad:be:ef)",
                () -> console.poke("0", "0", "abc"));
        assertRefused("device 'ram0' is ram, not mmio; only MMIO windows have a doorbell",
                () -> console.doorbell("ram0", "1"));
        assertRefused("device 'io0' is mmio; only block and pmem devices have a host file to flush",
                () -> console.flush("io0"));
        assertRefused("value 0x1ffffffff does not fit the 32-bit doorbell register",
                () -> console.doorbell("io0", "0x1ffffffff"));
        assertRefused("length 5000 is larger than 4096", () -> console.peek("0", "0", "5000"));
    }

    @Test
    void emptyMachinesSaySoAndHowToConfigureOne() {
        HwConsole empty = new HwConsole(java.util.List::of, new PhysicalAddressMap());
        assertEquals("no devices (configure them under factory PID org.vfsgi.hw.device)", empty.devices());
        assertEquals("no RAM devices (configure one with kind=ram under factory PID org.vfsgi.hw.device)", empty.mem());
    }
}
