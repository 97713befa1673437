package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;

/**
 * The {@link CharDevice} whiteboard without a framework: SCR's bind and unbind calls made by
 * hand. A driver's service becomes {@code /dev/NAME} serving its operations; bad properties and
 * taken numbers are refused without disturbing the others; unbinding and deactivation remove the
 * nodes.
 */
class CharDeviceTrackerTest {
    private final Kernel kernel = new Kernel(KernelConfig.defaults(), new SimulatedRam("ram0", 0x100, 256));
    private final CharDeviceTracker tracker = new CharDeviceTracker(kernel);

    private static CharDevice device(String name) {
        FileOperations fops = FileOperations.builder().name(name + "_fops").mmapPrepare(d -> 0).build();
        return () -> fops;
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aDriverServiceBecomesADeviceNode() {
        CharDevice mem = device("mem");
        tracker.addCharDevice(mem, props(CharDevice.NAME, "mem", CharDevice.MAJOR, 1, CharDevice.MINOR, 1));
        assertEquals(Map.of("mem", new DeviceNumber(1, 1)), tracker.devices());
        OpenFile f = kernel.vfs().open("/dev/mem", Fcntl.O_RDWR, 0);
        assertSame(mem.fileOperations(), f.fileOperations());
        f.close();
        assertEquals(0666, kernel.vfs().stat("/dev/mem").attributes().mode() & 07777);

        tracker.removeCharDevice(mem);
        assertEquals(Errno.ENOENT, assertThrows(MmException.class, () -> kernel.vfs().stat("/dev/mem")).errno());
        assertTrue(kernel.vfs().charDevices().regions().isEmpty());
    }

    @Test
    void numbersMayBeTextAndMajorZeroIsDynamic() {
        tracker.addCharDevice(device("ring"), props(CharDevice.NAME, "ring", CharDevice.MODE, "0600"));
        DeviceNumber n = tracker.devices().get("ring");
        assertEquals(254, n.major());
        assertEquals(0600, kernel.vfs().stat("/dev/ring").attributes().mode() & 07777);
    }

    @Test
    void badServicesAreRefusedAndTheOthersStay() {
        tracker.addCharDevice(device("zero"), props(CharDevice.NAME, "zero", CharDevice.MAJOR, 1, CharDevice.MINOR, 5));
        tracker.addCharDevice(device("noname"), props(CharDevice.MAJOR, 1, CharDevice.MINOR, 6));
        tracker.addCharDevice(device("badmajor"), props(CharDevice.NAME, "bad", CharDevice.MAJOR, "one"));
        tracker.addCharDevice(device("huge"), props(CharDevice.NAME, "huge", CharDevice.MAJOR, 4096));
        tracker.addCharDevice(device("clash"), props(CharDevice.NAME, "clash", CharDevice.MAJOR, 1, CharDevice.MINOR, 5));
        tracker.addCharDevice(() -> null, props(CharDevice.NAME, "nofops"));
        assertEquals(Map.of("zero", new DeviceNumber(1, 5)), tracker.devices());
        assertEquals(1, kernel.vfs().charDevices().regions().size());
    }

    @Test
    void deactivationRemovesEveryNode() {
        tracker.addCharDevice(device("a"), props(CharDevice.NAME, "a", CharDevice.MAJOR, 7));
        tracker.addCharDevice(device("b"), props(CharDevice.NAME, "b", CharDevice.MAJOR, 7, CharDevice.MINOR, 1));
        tracker.deactivate();
        assertEquals(Map.of(), tracker.devices());
        assertTrue(kernel.vfs().charDevices().regions().isEmpty());
        assertEquals(Errno.ENOENT, assertThrows(MmException.class, () -> kernel.vfs().stat("/dev/a")).errno());
    }

    @Test
    void aKernelWithoutRamRegistersNothing() {
        CharDeviceTracker bare = new CharDeviceTracker(new Kernel());
        bare.addCharDevice(device("mem"), props(CharDevice.NAME, "mem", CharDevice.MAJOR, 1, CharDevice.MINOR, 1));
        assertEquals(Map.of(), bare.devices());
        bare.removeCharDevice(device("mem"));
    }
}
