package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;

class DeviceConfigTest {
    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void assertRejected(String expectedMessage, Map<String, Object> props) {
        HwException e = assertThrows(HwException.class, () -> DeviceConfig.parse(props));
        assertEquals("EINVAL", e.errno());
        assertEquals("EINVAL: " + expectedMessage, e.getMessage());
    }

    @Test
    void ramWithSuffixedSizeAndDefaultPfn() {
        DeviceConfig c = DeviceConfig.parse(props("name", "ram0", "kind", "RAM", "size", "64M",
                "service.pid", "org.vfsgi.hw.device~ram0"));
        assertEquals(new DeviceConfig("ram0", Device.Kind.RAM, 64L << 20, "64M", 0L, null, false, false), c);
        assertEquals(16384, c.pages());
    }

    @Test
    void sizesAcceptBytesNumbersAndBinarySuffixes() {
        assertEquals(4096L, DeviceConfig.size("4096", Device.Kind.RAM));
        assertEquals(8192L, DeviceConfig.size("8k", Device.Kind.RAM));
        assertEquals(1L << 30, DeviceConfig.size("1G", Device.Kind.PMEM));
        assertEquals(2L << 20, DeviceConfig.size("2MiB", Device.Kind.MMIO));
        assertEquals(1536L, DeviceConfig.size("1536", Device.Kind.BLOCK));
        DeviceConfig c = DeviceConfig.parse(props("name", "r", "kind", "ram", "size", 8192L));
        assertEquals(8192L, c.size(), "a Long from Config Admin works as well as text");
    }

    @Test
    void pfnStartAcceptsDecimalAndHex() {
        assertEquals(0x3f0000L, DeviceConfig.parse(props("name", "io", "kind", "mmio", "size", "4K",
                "pfnStart", "0x3F0000")).pfnStart());
        assertEquals(4096L, DeviceConfig.parse(props("name", "io", "kind", "mmio", "size", "4K",
                "pfnStart", 4096)).pfnStart());
    }

    @Test
    void pmemAndBlockCarryTheirPathAndFlags() {
        DeviceConfig pm = DeviceConfig.parse(props("name", "pm", "kind", "pmem", "pfnStart", "0x100",
                "path", "/tmp/x.img", "create", "true"));
        assertEquals(Path.of("/tmp/x.img"), pm.path());
        assertTrue(pm.create());
        assertNull(pm.size());
        DeviceConfig blk = DeviceConfig.parse(props("name", "b", "kind", "block", "path", "d.img",
                "readOnly", Boolean.TRUE));
        assertTrue(blk.readOnly());
        assertFalse(blk.create());
        assertNull(blk.pfnStart());
    }

    @Test
    void missingOrMalformedNameIsRejected() {
        assertRejected("name is required (a device name such as 'ram0')", props("kind", "ram", "size", "4K"));
        assertRejected("name is required (a device name such as 'ram0')", props("name", "", "kind", "ram"));
        assertRejected("name 'my ram' is invalid (use only letters, digits, '_', '.' and '-')",
                props("name", "my ram", "kind", "ram", "size", "4K"));
    }

    @Test
    void unknownOrMissingKindIsRejected() {
        assertRejected("unknown kind 'tape' (expected ram, block, pmem or mmio)",
                props("name", "t", "kind", "tape", "size", "4096"));
        assertRejected("kind is required (expected ram, block, pmem or mmio)", props("name", "t"));
    }

    @Test
    void badSizesAreRejectedNamingTheValue() {
        assertRejected("size 'lots' is not a size (expected a number of bytes, optionally with a K, M or G suffix,"
                + " such as 64M)", props("name", "r", "kind", "ram", "size", "lots"));
        assertRejected("size '5000' is not a multiple of the 4096-byte page size",
                props("name", "r", "kind", "ram", "size", "5000"));
        assertRejected("size '1000' is not a multiple of the 512-byte sector size",
                props("name", "b", "kind", "block", "size", "1000", "path", "x"));
        assertRejected("size '0' must be greater than zero", props("name", "r", "kind", "ram", "size", "0"));
        assertRejected("size '-4096' is not a size (expected a number of bytes, optionally with a K, M or G"
                + " suffix, such as 64M)", props("name", "r", "kind", "ram", "size", -4096L));
        assertRejected("size '99999999999999999999' is too large",
                props("name", "r", "kind", "ram", "size", "99999999999999999999"));
        assertRejected("size is required for a ram device", props("name", "r", "kind", "ram"));
    }

    @Test
    void kindSpecificRequirementsAreEnforced() {
        assertRejected("pfnStart is required for an mmio device", props("name", "io", "kind", "mmio", "size", "4K"));
        assertRejected("pfnStart is required for a pmem device",
                props("name", "pm", "kind", "pmem", "size", "4K", "path", "p"));
        assertRejected("path is required for a block device (its host file)", props("name", "b", "kind", "block"));
        assertRejected("path is required for a pmem device (its host file)",
                props("name", "pm", "kind", "pmem", "pfnStart", "1"));
        assertRejected("pfnStart '5' does not apply to a block device (it has no physical address range)",
                props("name", "b", "kind", "block", "path", "x", "pfnStart", "5"));
        assertRejected("path '/x' does not apply to a ram device (it has no host file)",
                props("name", "r", "kind", "ram", "size", "4K", "path", "/x"));
        assertRejected("readOnly 'true' applies only to block devices, not to a pmem device",
                props("name", "pm", "kind", "pmem", "pfnStart", "1", "path", "p", "readOnly", "true"));
        assertRejected("create 'true' does not apply to an mmio device (it has no host file)",
                props("name", "io", "kind", "mmio", "size", "4K", "pfnStart", "1", "create", true));
    }

    @Test
    void badNumbersAndBooleansAreRejectedNamingTheValue() {
        assertRejected("pfnStart 'zero' is not a page frame number (expected a non-negative decimal or 0x-prefixed"
                + " hexadecimal number)", props("name", "r", "kind", "ram", "size", "4K", "pfnStart", "zero"));
        assertRejected("pfnStart '-1' is not a page frame number (expected a non-negative decimal or 0x-prefixed"
                + " hexadecimal number)", props("name", "r", "kind", "ram", "size", "4K", "pfnStart", -1L));
        assertRejected("create 'yes' is not a boolean (expected true or false)",
                props("name", "b", "kind", "block", "path", "x", "create", "yes"));
        HwException e = assertThrows(HwException.class,
                () -> DeviceConfig.parse(props("name", "r", "kind", "ram", "size", new String[] {"4K"})));
        assertTrue(e.getMessage().startsWith("EINVAL: size has a value of type String[]"), e.getMessage());
        assertTrue(e.getMessage().endsWith("expected a single value"), e.getMessage());
    }
}
