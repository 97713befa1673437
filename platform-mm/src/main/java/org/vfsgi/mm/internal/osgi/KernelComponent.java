package org.vfsgi.mm.internal.osgi;

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
 * The bundle's one {@link Kernel}, created when the bundle starts and configured by PID
 * {@value #PID} ({@link KernelConfiguration}). Its service is this bundle's own: the shell
 * commands and the launcher's readiness check ({@code conf/ready.properties}) wait for it; other
 * bundles use the API packages, not the core.
 *
 * <p>A bad configuration never activates: the constructor checks it through
 * {@link KernelSettings} and throws, and SCR reports the failure — one line whose message names
 * the PID, the attribute and the value — and registers nothing until the configuration is fixed.
 * A configuration change replaces the kernel (SCR deactivates and activates the component, there
 * is no {@code @Modified}): the core's configuration is immutable, like the tunables a kernel
 * is booted with.
 *
 * <p>Trace events go to Event Admin through {@link TraceEventForwarder}, when one is present and
 * {@code postTraceEvents} is on.
 *
 * <p>Physical memory: the core does not take a {@code PhysicalMemory} yet. When page tables
 * arrive (issue 3, item 2), a mandatory {@code @Reference PhysicalMemory} (or the hardware's
 * {@code PhysicalAddressSpace}) joins this constructor and is handed to the kernel here — the
 * only place that creates one.
 */
@Component(name = KernelComponent.PID, configurationPid = KernelComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, service = KernelComponent.class)
@Designate(ocd = KernelConfiguration.class)
public final class KernelComponent {
    /** The configuration PID and component name: a stable platform name, not a class name. */
    public static final String PID = "org.vfsgi.mm";

    private static final System.Logger LOG = System.getLogger(KernelComponent.class.getName());

    private final Kernel kernel;
    private final TraceEventForwarder events = new TraceEventForwarder();
    private final boolean postTraceEvents;

    /**
     * @param config the configuration of PID {@value #PID} (its defaults without one)
     * @throws IllegalArgumentException if the configuration is bad: the kernel does not start
     */
    @Activate
    public KernelComponent(KernelConfiguration config) {
        this(KernelSettings.from(config));
    }

    /** For tests, which build their settings without Declarative Services. */
    KernelComponent(KernelSettings settings) {
        this.kernel = new Kernel(settings.kernelConfig());
        this.postTraceEvents = settings.postTraceEvents();
        if (postTraceEvents) {
            kernel.trace().addListener(events);
        }
        LOG.log(System.Logger.Level.DEBUG, "mm kernel up with {0}, trace events {1}", settings.kernelConfig(),
                postTraceEvents ? "posted to Event Admin" : "kept in the ring only");
    }

    /** Every process exits, so drivers' {@code close} hooks run while their bundles are still there. */
    @Deactivate
    void deactivate() {
        kernel.trace().removeListener(events);
        for (Process p : kernel.processes()) {
            p.exit();
        }
        LOG.log(System.Logger.Level.DEBUG, "mm kernel down");
    }

    /** @return the kernel */
    public Kernel kernel() {
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

    /** @return where trace events go, for tests */
    TraceEventForwarder events() {
        return events;
    }
}
