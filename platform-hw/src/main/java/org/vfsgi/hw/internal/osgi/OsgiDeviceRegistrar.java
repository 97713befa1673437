package org.vfsgi.hw.internal.osgi;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.vfsgi.hw.internal.DeviceRegistrar;
import org.vfsgi.hw.internal.SimulatedDevice;

/** Publishes devices as OSGi services of the hardware bundle. */
final class OsgiDeviceRegistrar implements DeviceRegistrar {
    private final BundleContext context;

    OsgiDeviceRegistrar(BundleContext context) {
        this.context = context;
    }

    @Override
    public Registration register(SimulatedDevice device, List<String> interfaces, Map<String, Object> properties) {
        ServiceRegistration<?> reg = context.registerService(interfaces.toArray(String[]::new), device,
                new Hashtable<>(properties));
        return () -> {
            try {
                reg.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework unregisters a stopping bundle's services itself; nothing left to do.
            }
        };
    }
}
