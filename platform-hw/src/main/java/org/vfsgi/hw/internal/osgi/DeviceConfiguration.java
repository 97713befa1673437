package org.vfsgi.hw.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.vfsgi.hw.internal.DeviceConfig;

/**
 * The metatype of factory PID {@value DeviceConfig#FACTORY_PID}: one configuration per simulated
 * device. Configuration tools (the web console, FileInstall {@code .cfg} files) read it; the values
 * are checked by {@link DeviceConfig#parse}, which is why sizes and PFNs are text here (they accept
 * {@code 64M} and {@code 0x100}).
 */
@ObjectClassDefinition(id = DeviceConfig.FACTORY_PID, factoryPid = DeviceConfig.FACTORY_PID,
        name = "vfsgi simulated device",
        description = "One simulated hardware device: RAM, a block device over an image file, a persistent-memory"
                + " region over a host file, or an MMIO window.")
public @interface DeviceConfiguration {
    /** @return the device's unique name */
    @AttributeDefinition(name = "Name", description = "Unique device name: letters, digits, '_', '.' and '-'.")
    String name();

    /** @return the kind of device */
    @AttributeDefinition(name = "Kind", description = "What to simulate.", options = {
        @Option(label = "RAM", value = "ram"),
        @Option(label = "Block device over an image file", value = "block"),
        @Option(label = "Persistent memory over a host file", value = "pmem"),
        @Option(label = "MMIO window", value = "mmio")})
    String kind();

    /** @return the size in bytes, optionally with a K, M or G suffix */
    @AttributeDefinition(name = "Size", required = false, description = "Bytes, or a number with a K, M or G suffix"
            + " (binary units). A multiple of 4096 for ram, pmem and mmio, of 512 for block. Required for ram and mmio"
            + " and to create a file; otherwise the file's size.")
    String size();

    /** @return the first page frame number */
    @AttributeDefinition(name = "First PFN", required = false, description = "First page frame number, decimal or"
            + " 0x-prefixed. Default 0 for ram; required for pmem and mmio; not used by block.")
    String pfnStart();

    /** @return the host file */
    @AttributeDefinition(name = "Host file", required = false, description = "Image file of a block device or media"
            + " file of a pmem region; relative paths resolve against the framework's working directory.")
    String path();

    /** @return whether a missing host file is created */
    @AttributeDefinition(name = "Create file", required = false, description = "Create a missing host file (and its"
            + " folders) of the configured size. An existing file is never truncated.")
    boolean create() default false;

    /** @return whether a block device refuses writes */
    @AttributeDefinition(name = "Read-only", required = false, description = "Block devices only: refuse writes"
            + " with EROFS.")
    boolean readOnly() default false;
}
