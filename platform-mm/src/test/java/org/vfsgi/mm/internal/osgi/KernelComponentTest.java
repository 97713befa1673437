package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.internal.osgi.TraceEventForwarderTest.RecordingEventAdmin;

/** The kernel component without a framework: its kernel, its Event Admin forwarding and its shutdown. */
class KernelComponentTest {

    private static KernelComponent component(Map<String, Object> config) {
        KernelComponent c = new KernelComponent();
        c.start(KernelSettings.from(KernelSettingsTest.config(config)));
        return c;
    }

    @Test
    void everyTraceEventOfAnMmapIsPostedInOrder() {
        KernelComponent c = component(Map.of());
        RecordingEventAdmin admin = new RecordingEventAdmin();
        c.bindEventAdmin(admin);
        Process p = c.kernel().spawn();
        p.mmap(0x400000, 0x1000, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);
        assertEquals(c.kernel().trace().snapshot().size(), admin.posted.size());
        Event last = admin.posted.get(admin.posted.size() - 1);
        assertEquals("org/vfsgi/mm/trace/MMAP", last.getTopic());
        assertEquals(p.pid(), last.getProperty("pid"));
        long previous = 0;
        for (Event e : admin.posted) {
            long seq = (Long) e.getProperty("seq");
            assertTrue(seq > previous, "posted in trace order");
            previous = seq;
        }
        c.unbindEventAdmin(admin);
        int before = admin.posted.size();
        p.munmap(0x400000, 0x1000);
        assertEquals(before, admin.posted.size());
    }

    @Test
    void postTraceEventsOffKeepsEventsInTheRingOnly() {
        KernelComponent c = component(Map.of("postTraceEvents", false, "traceCapacity", 8));
        RecordingEventAdmin admin = new RecordingEventAdmin();
        c.bindEventAdmin(admin);
        c.kernel().spawn().mmap(0, 0x1000, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        assertTrue(admin.posted.isEmpty());
        assertTrue(c.kernel().trace().snapshot().size() > 0);
        assertEquals(8, c.kernel().trace().capacity());
    }

    @Test
    void deactivateExitsEveryProcess() {
        KernelComponent c = component(Map.of());
        Process a = c.kernel().spawn();
        Process b = a.fork();
        c.deactivate();
        assertTrue(a.isExited() && b.isExited());
        assertTrue(c.kernel().processes().isEmpty());
    }
}
