package org.vfsgi.hw.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;

/** The OSGi adapter, driven with a bundle context that records registrations instead of a framework. */
class HardwarePlatformTest {
    record Registered(String[] classes, Object service, Dictionary<String, ?> props) {
    }

    private final List<Registered> live = new ArrayList<>();

    private final BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("registerService") && args[0] instanceof String[] classes) {
                    @SuppressWarnings("unchecked")
                    Registered r = new Registered(classes, args[1], (Dictionary<String, ?>) args[2]);
                    live.add(r);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                            (p, m, a) -> m.getName().equals("unregister") ? Boolean.valueOf(live.remove(r)) : null);
                }
                throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void configurationsBecomeDeviceServicesAndLeaveWithThem() {
        HardwarePlatform platform = new HardwarePlatform(context);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("name", "ram0");
        props.put("kind", "ram");
        props.put("size", "64K");
        props.put("pfnStart", 0x100L);
        props.put("service.pid", "org.vfsgi.hw.device~ram0");
        platform.updated("org.vfsgi.hw.device~ram0", props);

        assertEquals(1, live.size());
        Registered r = live.get(0);
        assertArrayEquals(new String[] {PhysicalMemory.class.getName(), PhysicalRange.class.getName(),
            Device.class.getName()}, r.classes());
        assertEquals("ram0", r.props().get(Device.NAME));
        assertEquals(16L, r.props().get(Device.PFN_COUNT));
        assertEquals(r.service(), platform.rangeOf(0x10f).orElseThrow(), "the address space sees the device");
        assertEquals(1, platform.ranges().size());

        platform.deleted("org.vfsgi.hw.device~ram0");
        assertTrue(live.isEmpty());
        assertTrue(platform.rangeOf(0x10f).isEmpty());
    }

    @Test
    void deactivationRemovesEveryDevice() {
        HardwarePlatform platform = new HardwarePlatform(context);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("name", "io0");
        props.put("kind", "mmio");
        props.put("size", "4K");
        props.put("pfnStart", "0x3f0000");
        platform.updated("hw~io0", props);
        assertEquals(1, live.size());
        platform.deactivate();
        assertTrue(live.isEmpty());
        assertTrue(platform.ranges().isEmpty());
    }
}
