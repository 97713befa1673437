package org.vfsgi.mm.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The metatype of factory PID {@value #FACTORY_PID}: one configuration per mount, what
 * {@code mount -t TYPE -o OPTIONS SOURCE TARGET} takes. Values are checked by {@link MountSpec};
 * a mount whose type is not registered yet waits for it.
 */
@ObjectClassDefinition(id = MountConfiguration.FACTORY_PID, factoryPid = MountConfiguration.FACTORY_PID,
        name = "vfsgi mount",
        description = "One mount of the mm kernel's VFS. It is made as soon as its file-system type is registered"
                + " (tmpfs is built in; other types come from file-system bundles) and undone when the configuration"
                + " is deleted.")
public @interface MountConfiguration {
    /** The factory PID of mount configurations: a stable platform name. */
    String FACTORY_PID = "org.vfsgi.mm.mount";

    /** @return the source */
    @AttributeDefinition(name = "Source", required = false,
            description = "What to mount: none for a memory file system (tmpfs), or a block device name (disk0).")
    String source() default "none";

    /** @return the mount point */
    @AttributeDefinition(name = "Target", description = "The absolute path of an existing directory to mount on.")
    String target();

    /** @return the type name */
    @AttributeDefinition(name = "Type", description = "The file-system type name, as mount -t takes it (tmpfs, ext4).")
    String type();

    /** @return the options */
    @AttributeDefinition(name = "Options", required = false,
            description = "mount -o options joined by ',' (ro, size=64M, ...); empty for the file system's defaults.")
    String options() default "";
}
