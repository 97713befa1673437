package org.vfsgi.hw.internal.osgi;

import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalRange;
import org.vfsgi.hw.internal.DeviceConfig;
import org.vfsgi.hw.internal.DeviceFactory;
import org.vfsgi.hw.internal.DeviceManager;
import org.vfsgi.hw.internal.HostFiles;
import org.vfsgi.hw.internal.PhysicalAddressMap;

/**
 * The machine: its physical address map, published as {@link PhysicalAddressSpace} whether or not
 * any device is configured, and the {@link ManagedServiceFactory} of factory PID
 * {@value DeviceConfig#FACTORY_PID} that turns each configuration into a device service.
 *
 * <p>A managed service factory rather than a factory-configured DS component, because a bad
 * configuration must produce one clear warning and nothing else; an activation failure in SCR
 * would log a stack trace. The configuration's work happens in {@link DeviceManager}.
 */
@Component(name = "org.vfsgi.hw.platform", immediate = true, configurationPolicy = ConfigurationPolicy.IGNORE,
        service = {PhysicalAddressSpace.class, ManagedServiceFactory.class},
        property = Constants.SERVICE_PID + "=" + DeviceConfig.FACTORY_PID)
public final class HardwarePlatform implements PhysicalAddressSpace, ManagedServiceFactory {
    private static final System.Logger LOG = System.getLogger(HardwarePlatform.class.getName());

    private final PhysicalAddressMap map = new PhysicalAddressMap();
    private final DeviceManager manager;

    /** @param context the hardware bundle's context, for registering device services */
    @Activate
    public HardwarePlatform(BundleContext context) {
        this.manager = new DeviceManager(new DeviceFactory(map, new HostFiles()), new OsgiDeviceRegistrar(context));
        LOG.log(System.Logger.Level.DEBUG, "hardware platform up; devices come from factory PID {0}",
                DeviceConfig.FACTORY_PID);
    }

    @Deactivate
    void deactivate() {
        manager.close();
        LOG.log(System.Logger.Level.DEBUG, "hardware platform down");
    }

    @Override
    public String getName() {
        return "vfsgi simulated hardware devices";
    }

    /** Never throws {@code ConfigurationException}: {@link DeviceManager} logs the one warning line itself. */
    @Override
    public void updated(String pid, Dictionary<String, ?> properties) {
        Map<String, Object> props = new HashMap<>();
        for (String key : Collections.list(properties.keys())) {
            props.put(key, properties.get(key));
        }
        manager.updated(pid, props);
    }

    @Override
    public void deleted(String pid) {
        manager.deleted(pid);
    }

    @Override
    public Optional<PhysicalRange> rangeOf(long pfn) {
        return map.rangeOf(pfn);
    }

    @Override
    public List<PhysicalRange> ranges() {
        return map.ranges();
    }
}
