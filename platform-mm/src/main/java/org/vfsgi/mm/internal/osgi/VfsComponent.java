package org.vfsgi.mm.internal.osgi;

import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;

import org.osgi.framework.Constants;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.vfs.FileSystemType;

/**
 * The VFS whiteboard in Felix: every {@link FileSystemType} service (service property
 * {@value FileSystemType#TYPE}) is registered with the kernel's VFS while it is there, and every
 * configuration of factory PID {@value MountConfiguration#FACTORY_PID} is a mount, made when its
 * type is present and undone when the configuration is deleted. The work is done by
 * {@link VfsWhiteboard}; this class adapts the service registry and Configuration Admin to it.
 *
 * <p>A managed service factory rather than a factory-configured DS component, as for the
 * hardware's devices: a bad mount configuration must give one clear log line, not an activation
 * stack trace, and a mount waiting for its type is not an error at all.
 *
 * <p>The kernel reference is static: a new kernel (configuration change) means a new whiteboard,
 * which registers the types again and receives every mount configuration again.
 */
@Component(name = "org.vfsgi.mm.vfs", immediate = true, configurationPolicy = ConfigurationPolicy.IGNORE,
        service = ManagedServiceFactory.class,
        property = Constants.SERVICE_PID + "=" + MountConfiguration.FACTORY_PID)
public final class VfsComponent implements ManagedServiceFactory {
    private final VfsWhiteboard whiteboard;
    /** Retries configured mounts once a detached superblock freed their device, off the closing thread. */
    private final java.util.concurrent.ExecutorService retries = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vfsgi-mount-retry");
                t.setDaemon(true);
                return t;
            });

    /** @param kernel the kernel that {@link KernelComponent} publishes, with RAM and so a VFS */
    @Activate
    public VfsComponent(@Reference(name = "kernel") Kernel kernel) {
        this.whiteboard = new VfsWhiteboard(kernel.vfs(), retries);
    }

    /** Unmounts the configured mounts and unregisters the types, before the kernel goes. */
    @Deactivate
    void deactivate() {
        whiteboard.close();
        retries.shutdown();
    }

    /** @param type a file-system type service that arrived */
    @Reference(name = "fileSystemType", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindFileSystemType")
    void bindFileSystemType(FileSystemType type) {
        whiteboard.addType(type);
    }

    /** @param type a file-system type service that goes; only that instance is unregistered */
    void unbindFileSystemType(FileSystemType type) {
        whiteboard.removeType(type);
    }

    @Override
    public String getName() {
        return "vfsgi mounts";
    }

    /** Never throws {@code ConfigurationException}: {@link VfsWhiteboard} logs the one line itself. */
    @Override
    public void updated(String pid, Dictionary<String, ?> properties) {
        Map<String, Object> props = new HashMap<>();
        for (String key : Collections.list(properties.keys())) {
            props.put(key, properties.get(key));
        }
        whiteboard.configure(pid, props);
    }

    @Override
    public void deleted(String pid) {
        whiteboard.deleted(pid);
    }

    /** @return the whiteboard, for tests */
    VfsWhiteboard whiteboard() {
        return whiteboard;
    }
}
