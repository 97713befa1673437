package org.vfsgi.mm.internal.osgi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.MountEntry;
import org.vfsgi.mm.core.vfs.PeriodicWriteback;

/**
 * Owns the bundle's one {@link Kernel}: creates it when the bundle starts, configured by PID
 * {@value #PID} ({@link KernelConfiguration}), and publishes it as a service of this bundle (the
 * core package is private: the shell commands use it, other bundles use the API packages). The
 * launcher's readiness check ({@code conf/ready.properties}) waits for that service.
 *
 * <p>A bad configuration never activates: {@link #activate} checks it through
 * {@link KernelSettings} and throws, SCR logs one line with the message (which PID, attribute
 * and value), and no kernel service exists until the configuration is fixed. The component
 * registers the kernel itself instead of being a DS service, because SCR keeps a component's
 * service registered after a failed activation (it retries on every {@code getService}): the
 * launcher would see a kernel that is not there and the shell would fail with stack traces.
 *
 * <p>A configuration change replaces the kernel (there is no {@code @Modified}): the core's
 * configuration is immutable, like the tunables a kernel boots with.
 *
 * <p>Trace events go to Event Admin through {@link TraceEventForwarder}, when one is present and
 * {@code postTraceEvents} is on.
 *
 * <p>Hardware: two mandatory static references come in through the constructor — the RAM
 * device the kernel's page frames, page caches and tmpfs live in (a {@link PhysicalMemory}
 * service of platform-hw, by default the one named {@value #DEFAULT_RAM_TARGET_NAME}; the
 * configuration's {@code ram.target} filter picks another), and the machine's
 * {@link PhysicalAddressSpace}, so that user access through PFN mappings of devices reaches them.
 * Without both there is no kernel (and the launcher's readiness check waits). A file system that
 * mounts a block device finds it by name ({@code vfsgi.hw.name}) in the service registry.
 *
 * <p>When the kernel goes (configuration change, RAM device gone, bundle stop), every process
 * exits and every mount is detached, so the page frames of tmpfs files and page caches return to
 * the RAM device, which outlives the kernel.
 */
@Component(name = KernelComponent.PID, configurationPid = KernelComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
@Designate(ocd = KernelConfiguration.class)
public final class KernelComponent {
    /** The configuration PID and component name: a stable platform name, not a class name. */
    public static final String PID = "org.vfsgi.mm";
    /**
     * Service property of the kernel service: {@code true} once a configuration of {@value #PID}
     * reached it, so a readiness check can wait for the configured kernel rather than the default
     * one that the configuration then replaces.
     */
    public static final String CONFIGURED = "vfsgi.mm.configured";

    /** The RAM device the kernel uses unless the configuration's {@code ram.target} says otherwise. */
    public static final String DEFAULT_RAM_TARGET_NAME = "ram0";
    /** The default target filter of the {@code ram} reference. */
    public static final String DEFAULT_RAM_TARGET = "(" + Device.NAME + "=" + DEFAULT_RAM_TARGET_NAME + ")";

    private static final System.Logger LOG = System.getLogger(KernelComponent.class.getName());

    private final TraceEventForwarder events = new TraceEventForwarder();
    private final PhysicalMemory ram;
    private final PhysicalAddressSpace physical;
    /** Block devices handed to file systems, released when the kernel goes. */
    private final List<ServiceReference<BlockDevice>> blockDevicesInUse = new ArrayList<>();
    private final BundleContext context;
    /** The flusher of {@code vm.dirty_writeback_centisecs}, or null when it is 0. */
    private PeriodicWriteback flusher;
    /** Set by {@link #start}: the kernel is built only from a configuration that passed the checks. */
    private volatile Kernel kernel;
    private ServiceRegistration<Kernel> registration;

    /**
     * Takes the hardware; {@link #activate} starts the kernel on it (tests without a framework
     * call {@link #start}).
     *
     * @param context the bundle's context, to register the kernel service and find block
     *        devices; null in tests without a framework
     * @param ram the RAM device that {@code ram.target} selects
     * @param physical the machine's physical address map
     */
    @Activate
    public KernelComponent(BundleContext context,
            @Reference(name = "ram", target = DEFAULT_RAM_TARGET) PhysicalMemory ram,
            @Reference(name = "physical") PhysicalAddressSpace physical) {
        this.context = context;
        this.ram = ram;
        this.physical = physical;
    }

    /**
     * Checks the configuration, starts the kernel and publishes it. A method of its own, not the
     * constructor: SCR logs an activate method's exception with its message, while a constructor's
     * comes out as a bare {@code InvocationTargetException}, and the message is the one line a
     * person needs to fix the configuration.
     *
     * @param config the configuration of PID {@value #PID} (its defaults without one)
     * @param properties the component properties, which hold {@code service.pid} when configured
     * @throws IllegalArgumentException if the configuration is bad: nothing starts
     */
    @Activate
    void activate(KernelConfiguration config, Map<String, Object> properties) {
        KernelSettings settings = KernelSettings.from(config);
        Kernel k = start(settings);
        k.setBlockDeviceLookup(this::blockDevice);
        Hashtable<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put(CONFIGURED, properties.containsKey(Constants.SERVICE_PID));
        serviceProperties.put("maxMapCount", settings.kernelConfig().maxMapCount());
        serviceProperties.put("traceCapacity", settings.kernelConfig().traceCapacity());
        registration = context.registerService(Kernel.class, k, serviceProperties);
    }

    /**
     * Creates the kernel and attaches the Event Admin forwarding; tests call it without a framework.
     *
     * @param settings checked settings
     * @return the kernel
     */
    Kernel start(KernelSettings settings) {
        Kernel k = new Kernel(settings.kernelConfig(), ram, physical);
        if (settings.postTraceEvents()) {
            k.trace().addListener(events);
        }
        if (settings.dirtyWritebackMillis() > 0) {
            flusher = new PeriodicWriteback(k.vfs(), settings.dirtyWritebackMillis());
        }
        kernel = k;
        LOG.log(System.Logger.Level.DEBUG, "mm kernel up with {0}, trace events {1}", settings.kernelConfig(),
                settings.postTraceEvents() ? "posted to Event Admin" : "kept in the ring only");
        return k;
    }

    /**
     * Withdraws the service first, so the shell stops using the kernel, then every process exits,
     * so drivers' {@code close} hooks run while their bundles are still there.
     */
    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters a stopping bundle's services itself
            }
            registration = null;
        }
        Kernel k = kernel;
        if (k == null) {
            return;
        }
        k.trace().removeListener(events);
        if (flusher != null) {
            flusher.close(); // before the mounts go: a round must not race their detaching
            flusher = null;
        }
        for (Process p : k.processes()) {
            p.exit();
        }
        detachAll(k);
        releaseBlockDevices();
        LOG.log(System.Logger.Level.DEBUG, "mm kernel down");
    }

    /**
     * Detaches every mount, innermost first, after writing back its dirty pages, so page caches
     * and tmpfs files give their frames back to the RAM device.
     */
    private static void detachAll(Kernel k) {
        List<MountEntry> mounts = k.vfs().mounts();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            try {
                k.vfs().umount(mounts.get(i).mountpoint(), true);
            } catch (MmException e) {
                LOG.log(System.Logger.Level.DEBUG, "umount of {0} at shutdown: {1}", mounts.get(i).mountpoint(),
                        e.getMessage()); // already gone with its parent
            }
        }
    }

    /**
     * {@code lookup_bdev}: the platform-hw block device of that name, as a file system's mount
     * asks for it; the service is held until the kernel goes.
     */
    private Optional<BlockDevice> blockDevice(String name) {
        BundleContext ctx = context;
        if (ctx == null || name == null || name.isEmpty()) {
            return Optional.empty();
        }
        Collection<ServiceReference<BlockDevice>> refs;
        try {
            refs = ctx.getServiceReferences(BlockDevice.class, "(" + Device.NAME + "=" + escape(name) + ")");
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return Optional.empty();
        }
        for (ServiceReference<BlockDevice> ref : refs) {
            BlockDevice d = ctx.getService(ref);
            if (d != null) {
                synchronized (blockDevicesInUse) {
                    blockDevicesInUse.add(ref);
                }
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    private void releaseBlockDevices() {
        synchronized (blockDevicesInUse) {
            for (ServiceReference<BlockDevice> ref : blockDevicesInUse) {
                try {
                    context.ungetService(ref);
                } catch (IllegalStateException stopping) {
                    // the bundle is stopping: the framework releases its services itself
                }
            }
            blockDevicesInUse.clear();
        }
    }

    /** Escapes the characters an LDAP filter value may not hold literally. */
    static String escape(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** @return the kernel, null before {@link #start} */
    Kernel kernel() {
        return kernel;
    }

    /** @param admin the Event Admin to post trace events to */
    @Reference(name = "eventAdmin", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindEventAdmin")
    void bindEventAdmin(EventAdmin admin) {
        events.bind(admin);
    }

    /** @param admin the Event Admin that goes away; ignored if another one was bound since */
    void unbindEventAdmin(EventAdmin admin) {
        events.unbind(admin);
    }
}
