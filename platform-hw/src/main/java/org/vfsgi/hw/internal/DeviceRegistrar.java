package org.vfsgi.hw.internal;

import java.util.List;
import java.util.Map;

/**
 * Publishes devices to the outside world: in the framework, as OSGi services; in tests, a fake
 * that records what it was asked to do.
 */
public interface DeviceRegistrar {
    /**
     * Publishes a device.
     *
     * @param device the device
     * @param interfaces the fully qualified names of the API interfaces to publish it under
     * @param properties the service properties
     * @return a handle that withdraws the publication
     */
    Registration register(SimulatedDevice device, List<String> interfaces, Map<String, Object> properties);

    /** A published device. */
    interface Registration {
        /** Withdraws the publication; harmless if it is already gone. */
        void unregister();
    }
}
