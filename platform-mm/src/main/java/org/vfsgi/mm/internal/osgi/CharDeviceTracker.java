package org.vfsgi.mm.internal.osgi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.vfs.Devtmpfs;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.FileOperations;

/**
 * The whiteboard of character drivers: every {@link CharDevice} service is registered in the
 * kernel's character-device table and gets its node {@code /dev/NAME} ({@link Devtmpfs}); when the
 * service goes, both go. The kernel is a static reference, so a replaced kernel (a configuration
 * change) re-activates this component and every driver is registered into the new one.
 *
 * <p>A service whose properties are unusable, or whose device number or node is taken, is refused
 * with one WARNING line naming it and the problem; the others are unaffected. A kernel without RAM
 * has no VFS, so nothing can be registered: each driver that arrives is refused with a WARNING.
 */
@Component(service = {}, immediate = true)
public final class CharDeviceTracker {
    private static final System.Logger LOG = System.getLogger(CharDeviceTracker.class.getName());

    /** What a tracked service was registered as. */
    private record Registered(String name, DeviceNumber dev) {
    }

    private final Kernel kernel;
    private final Devtmpfs devtmpfs;
    /** Keyed by the service object, whose identity the bind and unbind calls share. */
    private final Map<CharDevice, Registered> registered = new LinkedHashMap<>();

    /** @param kernel the kernel that {@link KernelComponent} publishes */
    @Activate
    public CharDeviceTracker(@Reference(name = "kernel") Kernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        Devtmpfs d = null;
        try {
            d = new Devtmpfs(kernel.vfs());
        } catch (IllegalStateException noVfs) {
            // Only a problem once a driver arrives: then its refusal is warned about.
            LOG.log(System.Logger.Level.DEBUG, "no character devices for this kernel: {0}", noVfs.getMessage());
        }
        this.devtmpfs = d;
    }

    /**
     * Registers a driver.
     *
     * @param device the driver
     * @param properties its service properties ({@link CharDevice#NAME}, {@link CharDevice#MAJOR}, ...)
     */
    @Reference(name = "charDevice", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeCharDevice")
    synchronized void addCharDevice(CharDevice device, Map<String, Object> properties) {
        String who = describe(properties);
        if (devtmpfs == null) {
            LOG.log(System.Logger.Level.WARNING, "character device {0} refused: the kernel has no VFS"
                    + " (it was started without RAM)", who);
            return;
        }
        try {
            CharDeviceProperties p = CharDeviceProperties.from(properties);
            FileOperations fops = Objects.requireNonNull(device.fileOperations(), "fileOperations() returned null");
            DeviceNumber dev = devtmpfs.addCharDevice(p.name(), p.major(), p.minor(), p.mode(), fops);
            registered.put(device, new Registered(p.name(), dev));
            LOG.log(System.Logger.Level.DEBUG, "character device {0} is {1} ({2})", Devtmpfs.DEV + "/" + p.name(), dev,
                    fops.name());
        } catch (IllegalArgumentException | NullPointerException | MmException e) {
            LOG.log(System.Logger.Level.WARNING, "character device {0} refused: {1}", who, e.getMessage());
        }
    }

    /**
     * Removes a driver's node and registration.
     *
     * @param device the driver going away
     */
    synchronized void removeCharDevice(CharDevice device) {
        Registered r = registered.remove(device);
        if (r != null) {
            devtmpfs.removeCharDevice(r.name(), r.dev());
            LOG.log(System.Logger.Level.DEBUG, "character device {0} ({1}) removed", r.name(), r.dev());
        }
    }

    /** Removes every node this component created, so a replacement kernel component starts clean. */
    @Deactivate
    synchronized void deactivate() {
        for (Registered r : registered.values()) {
            try {
                devtmpfs.removeCharDevice(r.name(), r.dev());
            } catch (MmException e) {
                LOG.log(System.Logger.Level.DEBUG, "removing {0} at shutdown: {1}", r.name(), e.getMessage());
            }
        }
        registered.clear();
    }

    /** @return the device number of each tracked driver's node, by name (for tests and the shell) */
    synchronized Map<String, DeviceNumber> devices() {
        Map<String, DeviceNumber> out = new LinkedHashMap<>();
        registered.values().forEach(r -> out.put(r.name(), r.dev()));
        return out;
    }

    /** @return the kernel whose table this component fills */
    Kernel kernel() {
        return kernel;
    }

    private static String describe(Map<String, Object> properties) {
        Object name = properties.get(CharDevice.NAME);
        Object id = properties.get(Constants.SERVICE_ID);
        return (name == null ? "without " + CharDevice.NAME : "'" + name + "'") + (id == null ? "" : " (service " + id + ")");
    }
}
