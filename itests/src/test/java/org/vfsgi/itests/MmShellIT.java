package org.vfsgi.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.vfsgi.mm.MmException;

/**
 * The mm kernel component and its {@code mm:} commands in Felix: commands run through Gogo's
 * {@link CommandProcessor} as the shell and the launcher run them, trace events reach Event
 * Admin, and Configuration Admin configures (or refuses to start) the kernel.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MmShellIT {
    private static final String KERNEL_SERVICE = "org.vfsgi.mm.core.Kernel";
    private static final String PID = "org.vfsgi.mm";

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor processor;

    @Inject
    private ServiceComponentRuntime scr;

    @Inject
    private ConfigurationAdmin configAdmin;

    private CommandSession session;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("mmshell"))};
    }

    @Before
    public void openSession() {
        PlatformSupport.await("the mm: commands", 10, () -> !kernels("(vfsgi.mm.configured=false)").isEmpty()
                && !commands().isEmpty());
        session = PlatformSupport.quietSession(processor);
    }

    @After
    public void closeSession() {
        session.close();
    }

    private String run(String command) throws Exception {
        return PlatformSupport.run(session, command);
    }

    /** The kernel's service type is private to platform-mm, so it is looked up by name. */
    private List<ServiceReference<?>> kernels(String filter) {
        return references(KERNEL_SERVICE, filter);
    }

    private List<ServiceReference<?>> commands() {
        return references(null, "(osgi.command.scope=mm)");
    }

    private List<ServiceReference<?>> references(String type, String filter) {
        return PlatformSupport.references(context, type, filter);
    }

    @Test
    public void kernelComponentIsActiveAndPublishesTheKernel() {
        Bundle mm = PlatformSupport.findBundle(context, "org.vfsgi.platform.mm");
        assertNotNull(mm);
        ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(mm, PID);
        assertNotNull("component " + PID, description);
        List<Integer> states = new ArrayList<>();
        for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
            states.add(c.state);
        }
        assertEquals(List.of(ComponentConfigurationDTO.ACTIVE), states);
        assertEquals(1, kernels(null).size());
        assertEquals(65530, kernels(null).get(0).getProperty("maxMapCount"));
    }

    @Test
    public void platformMmExportsOnlyItsVersionedApi() {
        Bundle mm = PlatformSupport.findBundle(context, "org.vfsgi.platform.mm");
        List<String> exports = new ArrayList<>();
        for (BundleCapability c : mm.adapt(BundleRevision.class).getDeclaredCapabilities("osgi.wiring.package")) {
            exports.add(c.getAttributes().get("osgi.wiring.package") + ";" + c.getAttributes().get("version"));
        }
        exports.sort(null);
        assertEquals(List.of("org.vfsgi.mm;1.4.0", "org.vfsgi.vfs;1.4.0"), exports);
    }

    @Test
    public void mmapThroughTheShellAndMapsIsByteForByteProcMaps() throws Exception {
        String pid = run("mm:spawn");
        assertTrue(pid, pid.matches("\\d+"));
        assertEquals("0x400000", run("mm:mmap " + pid + " 0x400000 0x2000 rw- private,anonymous,fixed"));
        assertEquals("0x402000", run("mm:mmap " + pid + " 0x402000 0x1000 'PROT_READ|PROT_WRITE' private,anonymous,fixed"));
        assertEquals("00400000-00403000 rw-p 00000000 00:00 0 \n", run("mm:maps " + pid));
        run("mm:mprotect " + pid + " 0x401000 0x1000 r--");
        assertEquals("00400000-00401000 rw-p 00000000 00:00 0 \n"
                + "00401000-00402000 r--p 00000000 00:00 0 \n"
                + "00402000-00403000 rw-p 00000000 00:00 0 \n", run("mm:maps " + pid));
        String child = run("mm:fork " + pid);
        assertEquals(run("mm:maps " + pid), run("mm:maps " + child));
        assertEquals("pid " + child + " exited", run("mm:exit " + child));
        assertEquals("pid " + pid + " exited", run("mm:exit " + pid));
    }

    @Test
    public void refusedSystemCallThrowsTheKernelsErrno() throws Exception {
        String pid = run("mm:spawn");
        run("mm:mmap " + pid + " 0x400000 0x1000 rw- private,anonymous,fixed");
        try {
            session.execute("mm:mmap " + pid + " 0x400000 0x1000 rw- private,anonymous,fixed_noreplace");
            fail("MAP_FIXED_NOREPLACE over a mapping must fail");
        } catch (MmException e) {
            assertEquals("errno EEXIST: do_mmap: MAP_FIXED_NOREPLACE over an existing mapping at 0x400000",
                    e.getMessage());
        }
        try {
            session.execute("mm:mprotect " + pid + " 0x400000 0x1000 rwz");
            fail("a bad PROT letter must be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("PROT 'rwz': 'z' is not a permission letter"));
        }
        run("mm:exit " + pid);
    }

    @Test
    public void traceEventsArePostedToEventAdmin() throws Exception {
        BlockingQueue<Event> received = new LinkedBlockingQueue<>();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, "org/vfsgi/mm/trace/MMAP");
        ServiceRegistration<EventHandler> handler = context.registerService(EventHandler.class, received::add, props);
        try {
            String pid = run("mm:spawn");
            run("mm:mmap " + pid + " 0x500000 0x3000 rw- private,anonymous,fixed");
            Event e = received.poll(10, TimeUnit.SECONDS);
            assertNotNull("no org/vfsgi/mm/trace/MMAP event", e);
            assertEquals(Integer.valueOf(pid), e.getProperty("pid"));
            assertEquals(0x500000L, e.getProperty("start"));
            assertEquals(0x503000L, e.getProperty("end"));
            assertEquals("ok", e.getProperty("outcome"));
            run("mm:exit " + pid);
        } finally {
            handler.unregister();
        }
    }

    @Test
    public void configurationReplacesTheKernelAndABadOneKeepsItDown() throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(PID, "?");
        try {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("maxMapCount", 1);
            c.update(props);
            PlatformSupport.await("the configured kernel", 10,
                () -> kernels("(&(vfsgi.mm.configured=true)(maxMapCount=1))").size() == 1);
            PlatformSupport.await("the mm: commands on the configured kernel", 10,
                () -> !commands().isEmpty());
            String pid = run("mm:spawn");
            run("mm:mmap " + pid + " 0x400000 0x1000 rw- private,anonymous,fixed");
            // as in Linux, do_mmap refuses only when map_count already exceeds the limit
            run("mm:mmap " + pid + " 0x500000 0x1000 rw- private,anonymous,fixed");
            try {
                session.execute("mm:mmap " + pid + " 0x600000 0x1000 rw- private,anonymous,fixed");
                fail("with 2 VMAs, map_count exceeds vm.max_map_count=1");
            } catch (MmException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("errno ENOMEM: "));
            }

            // SCR refuses the activation and, with no Log Service in this framework, prints the
            // exception with its stack trace on standard error: expected output of this test
            props.put("maxMapCount", 0);
            c.update(props);
            PlatformSupport.await("the kernel to go", 10, () -> kernels(null).isEmpty());
            PlatformSupport.await("the mm: commands to go", 10,
                () -> commands().isEmpty());
        } finally {
            c.delete();
        }
        PlatformSupport.await("the default kernel back", 10,
            () -> kernels("(&(vfsgi.mm.configured=false)(maxMapCount=65530))").size() == 1);
    }
}
