package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.internal.osgi.TraceEventForwarderTest.RecordingEventAdmin;
import org.vfsgi.vfs.Fcntl;

/** The kernel component without a framework: its kernel, its Event Admin forwarding and its shutdown. */
class KernelComponentTest {

    private static KernelComponent component(Map<String, Object> config) {
        KernelComponent c = new KernelComponent(null, new SimulatedRam("ram0", 0, 1024), null);
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

    @Test
    void theKernelRunsOnTheRamDeviceAndGivesEveryFrameBackWhenItGoes() {
        SimulatedRam ram = new SimulatedRam("ram0", 0, 1024);
        KernelComponent c = new KernelComponent(null, ram, null);
        c.start(KernelSettings.from(KernelSettingsTest.config(Map.of())));
        assertSame(ram, c.kernel().vfs().ram());
        assertEquals("none / tmpfs rw 0 0", c.kernel().vfs().mounts().get(0).toString());
        Process p = c.kernel().spawn();
        int fd = p.open("/f", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        p.write(fd, "kept in a tmpfs page".getBytes(StandardCharsets.UTF_8));
        long a = p.mmap(0, 0x2000, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        p.writeMemory(a, new byte[] {1});
        assertTrue(ram.usedFrames() >= 2, "a tmpfs page and an anonymous page");
        c.deactivate();
        assertEquals(0, ram.usedFrames(), "processes exited and mounts detached: every frame is free");
        assertTrue(c.kernel().vfs().mounts().isEmpty());
    }

    @Test
    void ldapValuesAreEscapedForTheBlockDeviceFilter() {
        assertEquals("disk\\(1\\)\\*\\\\", KernelComponent.escape("disk(1)*\\"));
        assertEquals("disk0", KernelComponent.escape("disk0"));
    }
}
