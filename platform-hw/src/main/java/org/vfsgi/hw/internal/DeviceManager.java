package org.vfsgi.hw.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.hw.PersistentMemory;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;

/**
 * Keeps one device per configuration, the way a {@code ManagedServiceFactory} keeps one service
 * per factory configuration: {@link #updated} creates or replaces the configuration's device,
 * {@link #deleted} removes it. Plain Java, so the OSGi adapter stays a few lines and tests can
 * drive every path with a fake {@link DeviceRegistrar}.
 *
 * <p>A bad configuration is reported as exactly one WARNING line naming the configuration PID and
 * the problem, never a stack trace, and leaves nothing registered: the person who wrote the file
 * needs the sentence, not the call chain.
 */
public final class DeviceManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeviceManager.class.getName());

    private record Entry(DeviceConfig config, SimulatedDevice device, DeviceRegistrar.Registration registration) {
    }

    private final DeviceFactory factory;
    private final DeviceRegistrar registrar;
    private final Map<String, Entry> byPid = new LinkedHashMap<>();
    private boolean closed;

    /**
     * @param factory creates devices in the address map
     * @param registrar publishes them
     */
    public DeviceManager(DeviceFactory factory, DeviceRegistrar registrar) {
        this.factory = factory;
        this.registrar = registrar;
    }

    /**
     * Creates, replaces or keeps the device of a configuration. An unchanged configuration keeps
     * its device (and its contents); a changed one removes the old device first, because the new
     * one usually wants the same name, PFN range and file.
     *
     * @param pid the configuration's PID
     * @param properties its properties
     * @return whether the configuration now has a device; {@code false} after a logged rejection
     */
    public synchronized boolean updated(String pid, Map<String, ?> properties) {
        if (closed) {
            return false;
        }
        DeviceConfig config;
        try {
            config = DeviceConfig.parse(properties);
        } catch (HwException e) {
            remove(pid);
            reject(pid, e);
            return false;
        }
        Entry old = byPid.get(pid);
        if (old != null && old.config().equals(config)) {
            LOG.log(System.Logger.Level.DEBUG, "configuration {0} unchanged; keeping {1}", pid, old.device());
            return true;
        }
        remove(pid);
        SimulatedDevice device;
        try {
            device = factory.create(config);
        } catch (HwException e) {
            reject(pid, e);
            return false;
        }
        DeviceRegistrar.Registration registration;
        try {
            registration = registrar.register(device, serviceInterfaces(device), serviceProperties(device));
        } catch (RuntimeException e) {
            // Typically the bundle is stopping; undo the creation so no file stays open.
            destroyQuietly(device);
            LOG.log(System.Logger.Level.WARNING, "Device configuration {0}: cannot publish device ''{1}'': {2}", pid,
                    device.name(), e.toString());
            return false;
        }
        byPid.put(pid, new Entry(config, device, registration));
        LOG.log(System.Logger.Level.DEBUG, "configuration {0} created {1}", pid, device);
        return true;
    }

    /**
     * Removes the device of a deleted configuration: withdraws its services, takes it out of the
     * address map and closes its host file.
     *
     * @param pid the configuration's PID; unknown PIDs (rejected configurations) are ignored
     */
    public synchronized void deleted(String pid) {
        remove(pid);
    }

    /** @return the device of each configuration that has one, by configuration PID */
    public synchronized Map<String, SimulatedDevice> devices() {
        Map<String, SimulatedDevice> out = new LinkedHashMap<>();
        byPid.forEach((pid, e) -> out.put(pid, e.device()));
        return out;
    }

    /** Removes every device, newest first, as at shutdown. */
    @Override
    public synchronized void close() {
        closed = true;
        List<String> pids = new ArrayList<>(byPid.keySet());
        for (int i = pids.size() - 1; i >= 0; i--) {
            remove(pids.get(i));
        }
    }

    /** @return the API interfaces a device is published under, most specific first */
    public static List<String> serviceInterfaces(Device device) {
        List<String> names = new ArrayList<>();
        if (device instanceof PhysicalMemory) {
            names.add(PhysicalMemory.class.getName());
        }
        if (device instanceof BlockDevice) {
            names.add(BlockDevice.class.getName());
        }
        if (device instanceof PersistentMemory) {
            names.add(PersistentMemory.class.getName());
        }
        if (device instanceof MmioWindow) {
            names.add(MmioWindow.class.getName());
        }
        if (device instanceof PhysicalRange) {
            names.add(PhysicalRange.class.getName());
        }
        names.add(Device.class.getName());
        return names;
    }

    /** @return the service properties named by {@link Device}'s constants */
    public static Map<String, Object> serviceProperties(Device device) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(Device.NAME, device.name());
        props.put(Device.KIND, device.kind().id());
        props.put(Device.SIZE, device.size());
        if (device instanceof PhysicalRange range) {
            props.put(Device.PFN_START, range.pfnStart());
            props.put(Device.PFN_COUNT, range.pfnCount());
        }
        return props;
    }

    private void remove(String pid) {
        Entry e = byPid.remove(pid);
        if (e == null) {
            return;
        }
        // Reverse order of creation: withdraw the services first so no new user finds a closing device.
        try {
            e.registration().unregister();
        } finally {
            destroyQuietly(e.device());
        }
        LOG.log(System.Logger.Level.DEBUG, "configuration {0} removed {1}", pid, e.device());
    }

    private void destroyQuietly(SimulatedDevice device) {
        try {
            factory.destroy(device);
        } catch (HwException e) {
            LOG.log(System.Logger.Level.WARNING, "Device ''{0}'' did not close cleanly: {1}", device.name(),
                    e.getMessage());
        }
    }

    private static void reject(String pid, HwException e) {
        LOG.log(System.Logger.Level.WARNING, "Device configuration {0} rejected: {1}", pid, e.getMessage());
    }
}
