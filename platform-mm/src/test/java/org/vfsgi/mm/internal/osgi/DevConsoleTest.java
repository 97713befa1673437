package org.vfsgi.mm.internal.osgi;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileType;

/**
 * The {@code dev:} commands over a kernel with one driver published through the tracker: a
 * device whose mapping is one kernel page; the table, mmap of its node, loads and stores through
 * the mapping, its status text, and one clear line for each kind of bad input.
 */
class DevConsoleTest {
    private final SimulatedRam ram = new SimulatedRam("ram0", 0x100, 256);
    private final Kernel kernel = new Kernel(KernelConfig.defaults(), ram);
    private final DevConsole console = new DevConsole(kernel);
    private final long page = ram.allocate();
    private final Process p = kernel.spawn();

    DevConsoleTest() {
        ram.write(page, 0, "hello".getBytes(US_ASCII), 0, 5);
        FileOperations fops = FileOperations.builder().name("page_fops").mmapPrepare(d -> {
            d.setVmOps(VmOperations.builder().name("page_vm_ops").build());
            d.actionMapKernelPagesFull(new long[] {page});
            return 0;
        }).read((f, dst, pos) -> {
            byte[] text = "page device ok\n".getBytes(US_ASCII);
            int n = (int) Math.max(0, Math.min(dst.remaining(), text.length - pos));
            dst.put(text, (int) Math.min(pos, text.length), n);
            return n;
        }).build();
        CharDevice dev = () -> fops;
        new CharDeviceTracker(kernel).addCharDevice(dev, Map.of(CharDevice.NAME, "page", CharDevice.MAJOR, 240));
    }

    @Test
    void mapPeekPokeAndCat() {
        assertTrue(console.devices().contains("240     0        /dev/page        page_fops"), console.devices());
        String addr = console.mmap(Integer.toString(p.pid()), "0", "4096", "rw-", "shared", "/dev/page", "0");
        assertTrue(p.maps().contains("/dev/page"), p.maps());
        assertTrue(console.peek(Integer.toString(p.pid()), addr, "5").contains("68 65 6c 6c 6f  |hello|"));
        console.poke(Integer.toString(p.pid()), addr, "48:45");
        byte[] b = new byte[5];
        ram.read(page, 0, b, 0, 5);
        assertEquals("HEllo", new String(b, US_ASCII), "the store reached the kernel page");
        assertEquals("page device ok", console.cat("/dev/page"));
        assertEquals(1, kernel.vfs().openFileCount(), "only the mapping's reference is left open");
    }

    @Test
    void badInputIsOneClearLine() {
        String pid = Integer.toString(p.pid());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> console.cat("dev/page")).getMessage()
                .contains("absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> console.peek("999", "0x1000", "4")).getMessage()
                .contains("no process with pid 999"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> console.poke(pid, "0x1000", "abc")).getMessage()
                .contains("even number of hex digits"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> console.peek(pid, "0x1000", "0")).getMessage()
                .contains("LEN must be"));
        kernel.vfs().mknod("/dev/nodriver", FileType.CHAR_DEVICE.mode(0666), new DeviceNumber(99, 0));
        assertEquals(Errno.ENXIO, assertThrows(MmException.class,
                () -> console.mmap(pid, "0", "4096", "r--", "shared", "/dev/nodriver", "0")).errno());
        assertEquals(0, kernel.vfs().openFileCount(), "nothing left open");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DevConsole(new Kernel()).devices())
                .getMessage().contains("without RAM"));
    }
}
