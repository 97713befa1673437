package org.vfsgi.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
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
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;

/**
 * drv-char in Felix, toured through the {@code dev:} and {@code mm:} shell commands on the
 * distribution's hardware (RAM from PFN 0, the MMIO window mmio0 at PFN 0xF0000): each driver's
 * node under {@code /dev}, its mapping as {@code /proc/PID/maps} shows it, the side effects on the
 * simulated hardware, its refusals as errnos, and no broken rule of the mmap hook contract.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DriversIT {
    private static final String[] NODES = {"/dev/mem", "/dev/zero", "/dev/uio0", "/dev/ring", "/dev/pseudo_lock"};

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor processor;

    @Inject
    private ConfigurationAdmin configAdmin;

    private CommandSession session;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("drivers"))};
    }

    @Before
    public void openSession() throws Exception {
        if (PlatformSupport.services(context, MmioWindow.class, "(vfsgi.hw.name=mmio0)").isEmpty()) {
            // the distribution's etc/org.vfsgi.hw.device-mmio0.cfg: 16 KiB at PFN 0xF0000, which uio0 drives
            org.osgi.service.cm.Configuration mmio = configAdmin.getFactoryConfiguration("org.vfsgi.hw.device", "mmio0",
                    "?");
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("name", "mmio0");
            props.put("kind", "mmio");
            props.put("size", "16K");
            props.put("pfnStart", "0xF0000");
            mmio.update(props);
        }
        session = PlatformSupport.sessionOnceServicesAre(context, processor, "the dev: commands",
                "(&(osgi.command.scope=dev)(osgi.command.function=mmap))");
        PlatformSupport.await("every driver's node under /dev", 15, () -> {
            String table = devices();
            return List.of(NODES).stream().allMatch(table::contains);
        });
        session.put("p", run("mm:spawn"));
    }

    @After
    public void closeSession() throws Exception {
        run("mm:exit $p");
        assertNoViolations();
        session.close();
    }

    private String run(String command) throws Exception {
        return PlatformSupport.run(session, command);
    }

    private String devices() {
        try {
            return run("dev:devices");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private MmException fails(String command) throws Exception {
        return PlatformSupport.failsWithErrno(session, command);
    }

    /** Every rule of the mmap hook contract was kept: each row of mm:violations counts 0. */
    private void assertNoViolations() throws Exception {
        String v = run("mm:violations");
        List<String> rows = v.lines().skip(1).toList();
        assertTrue(v, rows.stream().anyMatch(l -> l.matches("total\\s+0")));
        assertTrue(v, rows.stream().allMatch(l -> l.matches("\\S+\\s+0")));
    }

    private List<String> mapsLines() throws Exception {
        return run("mm:maps $p").lines().toList();
    }

    @Test
    public void theDriversNodesAreCharacterDevicesWithTheirMajors() throws Exception {
        String table = devices();
        assertTrue(table, table.lines().anyMatch(l -> l.matches("1\\s+1\\s+/dev/mem\\s+mem_fops")));
        assertTrue(table, table.lines().anyMatch(l -> l.matches("1\\s+5\\s+/dev/zero\\s+\\S+")));
        String ls = run("mm:ls /dev");
        for (String node : NODES) {
            String name = node.substring("/dev/".length());
            assertTrue(ls, ls.lines().anyMatch(l -> l.matches("c\\s+\\d+ " + name)));
        }
    }

    @Test
    public void aStoreThroughTheUioMappingRingsTheMmioDoorbell() throws Exception {
        ServiceReference<MmioWindow> ref = PlatformSupport.services(context, MmioWindow.class, "(vfsgi.hw.name=mmio0)")
                .get(0);
        MmioWindow window = context.getService(ref);
        try {
            long before = window.doorbellCount();
            session.put("u", run("dev:mmap $p 0 0x4000 rw- shared /dev/uio0 0"));
            List<String> maps = mapsLines();
            assertTrue(maps.toString(), maps.stream().anyMatch(l -> l.matches(
                    "0*" + hexOf("u") + "-[0-9a-f]+ rw-s 00000000 .* +/dev/uio0")));
            assertTrue(run("dev:cat /dev/uio0"), run("dev:cat /dev/uio0").contains("mappings 1 "));
            assertEquals("pid " + session.get("p") + ": stored 4 bytes at " + session.get("u"),
                    run("dev:poke $p $u 2a000000"));
            assertEquals(before + 1, window.doorbellCount());
            assertEquals(42, window.lastDoorbellValue());
            String hw = run("hw:device mmio0");
            assertTrue(hw, hw.lines().anyMatch(l -> l.matches("\\s+doorbell \\(0x0\\)\\s+0x0000002a")));
            assertTrue(hw, hw.lines().anyMatch(l -> l.matches("\\s+doorbell rings\\s+" + (before + 1))));
            run("mm:munmap $p $u 0x4000");
            assertTrue(run("dev:cat /dev/uio0"), run("dev:cat /dev/uio0").contains("mappings 0 "));
            assertEquals(List.of(), mapsLines());
        } finally {
            context.ungetService(ref);
        }
    }

    @Test
    public void devZeroSharedIsAShmemFileAndPrivateIsCopyOnWrite() throws Exception {
        session.put("s", run("dev:mmap $p 0 0x2000 rw- shared /dev/zero 0"));
        session.put("q", run("dev:mmap $p 0 0x2000 rw- private /dev/zero 0"));
        List<String> maps = mapsLines();
        assertEquals(maps.toString(), 2, maps.size());
        // shared: shmem_zero_setup put an unlinked shmem file in place of /dev/zero's
        assertTrue(maps.toString(), maps.stream().anyMatch(l -> l.matches(
                "0*" + hexOf("s") + "-[0-9a-f]+ rw-s 00000000 00:\\S+ [1-9]\\d* +/dev/zero \\(deleted\\)")));
        // private: anonymous memory, but the VMA keeps /dev/zero's file, as Linux's maps show it
        assertTrue(maps.toString(), maps.stream().anyMatch(l -> l.matches(
                "0*" + hexOf("q") + "-[0-9a-f]+ rw-p 00000000 00:\\S+ [1-9]\\d* +/dev/zero")));
        assertTrue(run("dev:peek $p $q 4"), run("dev:peek $p $q 4").endsWith(" 00 00 00 00  |....|"));
        run("dev:poke $p $s 73:68:61:72:65:64");
        run("dev:poke $p $q 6f:77:6e");
        session.put("c", run("mm:fork $p"));
        run("dev:poke $c $s 53");
        run("dev:poke $c $q 4f");
        assertTrue("the parent sees the child's store to the shared page", run("dev:peek $p $s 6").endsWith("|Shared|"));
        assertTrue("the private page was copied on the child's write", run("dev:peek $p $q 3").endsWith("|own|"));
        assertTrue(run("dev:peek $c $q 3").endsWith("|Own|"));
        run("mm:exit $c");
    }

    private String hexOf(String variable) {
        return session.get(variable).toString().substring(2);
    }

    @Test
    public void theRingIsReadableAndNeverWritable() throws Exception {
        session.put("r", run("dev:mmap $p 0 0x4000 r-- shared /dev/ring 0"));
        assertTrue(run("dev:peek $p $r 4"), run("dev:peek $p $r 4").endsWith("|RING|"));
        assertTrue(mapsLines().toString(), mapsLines().stream().anyMatch(l -> l.matches("[0-9a-f]+-[0-9a-f]+ r--s .* +/dev/ring")));
        MmException writable = fails("dev:mmap $p 0 0x4000 rw- shared /dev/ring 0");
        assertEquals(writable.getMessage(), Errno.EPERM, writable.errno());
        assertEquals("the refused mapping left nothing", 1, mapsLines().size());
    }

    @Test
    public void devMemMapsDeviceMemoryRefusesRamAndReportsAFailedRemapAsEagain() throws Exception {
        session.put("m", run("dev:mmap $p 0 0x1000 rw- shared /dev/mem 0xF0001000"));
        run("dev:poke $p $m 64:65:76");
        assertTrue(run("hw:peek 0xF0001 0 3"), run("hw:peek 0xF0001 0 3").contains("|dev|"));
        run("mm:munmap $p $m 0x1000");

        MmException ram = fails("dev:mmap $p 0 0x1000 r-- shared /dev/mem 0x10000");
        assertEquals("system RAM is not for /dev/mem: " + ram.getMessage(), Errno.EPERM, ram.errno());

        run("mm:inject action_complete");
        MmException remap = fails("dev:mmap $p 0 0x1000 rw- shared /dev/mem 0xF0001000");
        assertEquals("error_override turns the failed remap into EAGAIN: " + remap.getMessage(), Errno.EAGAIN,
                remap.errno());
        run("mm:inject clear");
        assertEquals("no mapping is left behind", List.of(), mapsLines());
    }
}
