package org.vfsgi.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.hw.PersistentMemory;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalMemory;

/**
 * Devices come and go with their Configuration Admin factory configurations; a bad
 * configuration logs one clear line and registers nothing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceConfigurationIT {
    private static final String FACTORY_PID = "org.vfsgi.hw.device";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private PhysicalAddressSpace addressSpace;

    private LogCapture log;
    private Path work;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("devices"))};
    }

    @Before
    public void captureLog() {
        log = LogCapture.start();
        work = Path.of(context.getProperty("vfsgi.state.dir"));
    }

    @After
    public void releaseLog() {
        log.close();
    }

    private org.osgi.service.cm.Configuration create(String name, Dictionary<String, Object> props) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(FACTORY_PID, name, "?");
        c.update(props);
        return c;
    }

    private static Dictionary<String, Object> props(Object... kv) {
        Dictionary<String, Object> d = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) {
            d.put((String) kv[i], kv[i + 1]);
        }
        return d;
    }

    private List<ServiceReference<Device>> devicesNamed(String name) {
        return PlatformSupport.services(context, Device.class, "(" + Device.NAME + "=" + name + ")");
    }

    private void awaitDevice(String name) {
        PlatformSupport.await("device " + name, 10, () -> devicesNamed(name).size() == 1);
    }

    private void awaitGone(String name) {
        PlatformSupport.await("device " + name + " to go", 10, () -> devicesNamed(name).isEmpty());
    }

    @Test
    public void ramDeviceLifecycleFollowsItsConfiguration() throws Exception {
        org.osgi.service.cm.Configuration c = create("ramtest", props("name", "ramtest", "kind", "ram", "size", "1M", "pfnStart", "0x200000"));
        awaitDevice("ramtest");
        ServiceReference<Device> ref = devicesNamed("ramtest").get(0);
        assertEquals("ram", ref.getProperty(Device.KIND));
        assertEquals(1L << 20, ((Number) ref.getProperty(Device.SIZE)).longValue());
        assertEquals(0x200000L, ((Number) ref.getProperty(Device.PFN_START)).longValue());
        assertEquals(256L, ((Number) ref.getProperty(Device.PFN_COUNT)).longValue());

        PhysicalMemory ram = (PhysicalMemory) context.getService(ref);
        long pfn = ram.allocate();
        ram.write(pfn, 10, new byte[] {1, 2, 3}, 0, 3);
        byte[] back = new byte[3];
        addressSpace.rangeOf(pfn).orElseThrow().read(pfn, 10, back, 0, 3);
        assertArrayEquals(new byte[] {1, 2, 3}, back);
        assertEquals("last reference dropped", 0, ram.put(pfn));
        context.ungetService(ref);

        c.delete();
        awaitGone("ramtest");
        // the service goes first, then the range: wait for both rather than racing the removal
        PlatformSupport.await("PFN range 0x200000 released", 10, () -> addressSpace.rangeOf(0x200000L).isEmpty());
        assertEquals("no warnings: " + log.messages(), 0, log.messages().size());
    }

    @Test
    public void blockPmemAndMmioDevicesRegisterUnderTheirTypes() throws Exception {
        Path img = work.resolve("blk-ok.img");
        Files.write(img, new byte[8192]);
        org.osgi.service.cm.Configuration blk = create("blk", props("name", "blk", "kind", "block", "path", img.toString()));
        org.osgi.service.cm.Configuration pm = create("pm", props("name", "pm", "kind", "pmem", "size", "64K",
            "pfnStart", "0x300000", "path", work.resolve("pm.img").toString(), "create", "true"));
        org.osgi.service.cm.Configuration io = create("io", props("name", "io", "kind", "mmio", "size", "8K", "pfnStart", "0x3F0000"));
        awaitDevice("blk");
        awaitDevice("pm");
        awaitDevice("io");
        assertEquals(1, PlatformSupport.services(context, BlockDevice.class, "(" + Device.NAME + "=blk)").size());
        assertEquals(1, PlatformSupport.services(context, PersistentMemory.class, "(" + Device.NAME + "=pm)").size());
        assertEquals(1, PlatformSupport.services(context, MmioWindow.class, "(" + Device.NAME + "=io)").size());
        assertTrue("create=true made the pmem file", Files.size(work.resolve("pm.img")) == 64 * 1024);

        // A store through the physical address map reaches the MMIO window's doorbell.
        ServiceReference<MmioWindow> ioRef = PlatformSupport.services(context, MmioWindow.class, "(" + Device.NAME + "=io)").get(0);
        MmioWindow window = context.getService(ioRef);
        addressSpace.rangeOf(0x3F0000L).orElseThrow().write(0x3F0000L, MmioWindow.REG_DOORBELL, new byte[] {7, 0, 0, 0}, 0, 4);
        assertEquals(1, window.doorbellCount());
        assertEquals(7, window.lastDoorbellValue());
        context.ungetService(ioRef);

        // Writes reach the image file by flush.
        ServiceReference<BlockDevice> bRef = PlatformSupport.services(context, BlockDevice.class, "(" + Device.NAME + "=blk)").get(0);
        BlockDevice disk = context.getService(bRef);
        byte[] sector = new byte[BlockDevice.SECTOR_SIZE];
        sector[0] = 42;
        disk.writeSectors(3, 1, sector, 0);
        disk.flush();
        assertEquals(42, Files.readAllBytes(img)[3 * 512]);
        context.ungetService(bRef);

        blk.delete();
        pm.delete();
        io.delete();
        awaitGone("blk");
        awaitGone("pm");
        awaitGone("io");
        assertEquals("no warnings: " + log.messages(), 0, log.messages().size());
    }

    private void assertRejected(String name, Dictionary<String, Object> props, String expectedInMessage) throws Exception {
        int rangesBefore = addressSpace.ranges().size();
        org.osgi.service.cm.Configuration c = create(name, props);
        String pid = c.getPid();
        PlatformSupport.await("the warning for " + pid, 10, () -> log.count(pid) > 0);
        // settle: a late registration would show up here
        Thread.sleep(200);
        assertTrue("no device registered for " + name, devicesNamed(name).isEmpty());
        assertEquals("no PFN range left behind", rangesBefore, addressSpace.ranges().size());
        assertEquals("exactly one line for " + pid + ": " + log.messages(), 1, log.count(pid));
        assertEquals("the line names the problem: " + log.messages(), 1, log.count(pid, expectedInMessage));
        assertTrue("no stack trace: " + log.messages(), log.messages().stream().noneMatch(m -> m.contains(" [")));
        c.delete();
    }

    @Test
    public void missingBackingFileIsRejected() throws Exception {
        assertRejected("nofile", props("name", "nofile", "kind", "block", "path", work.resolve("absent.img").toString()), "absent.img");
    }

    @Test
    public void sizeNotAPageMultipleIsRejected() throws Exception {
        assertRejected("oddsize", props("name", "oddsize", "kind", "ram", "size", "5000", "pfnStart", "0x500000"), "5000");
    }

    @Test
    public void unknownKindIsRejected() throws Exception {
        assertRejected("weird", props("name", "weird", "kind", "tape", "size", "4096"), "tape");
    }

    @Test
    public void overlappingPfnRangesAreRejected() throws Exception {
        org.osgi.service.cm.Configuration first = create("first", props("name", "first", "kind", "mmio", "size", "16K", "pfnStart", "0x600000"));
        awaitDevice("first");
        assertRejected("second", props("name", "second", "kind", "mmio", "size", "16K", "pfnStart", "0x600002"), "first");
        assertFalse(devicesNamed("first").isEmpty());
        first.delete();
        awaitGone("first");
    }
}
