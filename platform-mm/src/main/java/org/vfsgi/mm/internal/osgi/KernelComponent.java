package org.vfsgi.mm.internal.osgi;

import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.Process;

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
 * <p>Physical memory: the core does not take a {@code PhysicalMemory} yet. When page tables
 * arrive (issue 3, item 2), a mandatory {@code @Reference PhysicalMemory} (or the hardware's
 * {@code PhysicalAddressSpace}) joins the activate method and is handed to the kernel in
 * {@link #start} — the only place that creates one.
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

    private static final System.Logger LOG = System.getLogger(KernelComponent.class.getName());

    private final TraceEventForwarder events = new TraceEventForwarder();
    /** Set by {@link #start}: the kernel is built only from a configuration that passed the checks. */
    private volatile Kernel kernel;
    private ServiceRegistration<Kernel> registration;

    /** Created by SCR; {@link #activate} starts the kernel. */
    public KernelComponent() {
        // nothing to do before the configuration is known
    }

    /**
     * Checks the configuration, starts the kernel and publishes it.
     *
     * @param context the bundle's context, to register the kernel service
     * @param config the configuration of PID {@value #PID} (its defaults without one)
     * @param properties the component properties, which hold {@code service.pid} when configured
     * @throws IllegalArgumentException if the configuration is bad: nothing starts
     */
    @Activate
    void activate(BundleContext context, KernelConfiguration config, Map<String, Object> properties) {
        KernelSettings settings = KernelSettings.from(config);
        Kernel k = start(settings);
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
        Kernel k = new Kernel(settings.kernelConfig());
        if (settings.postTraceEvents()) {
            k.trace().addListener(events);
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
        for (Process p : k.processes()) {
            p.exit();
        }
        LOG.log(System.Logger.Level.DEBUG, "mm kernel down");
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
