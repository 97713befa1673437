package org.vfsgi.mm.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The metatype of PID {@value KernelComponent#PID}: the kernel's tunables, named after the sysctls
 * they model. Every attribute is optional; the defaults are those of {@code KernelConfig.defaults()}
 * (a test keeps the two in step). Values are checked by {@link KernelSettings} when the kernel
 * component activates, so a bad value keeps the kernel down instead of running a kernel nobody
 * asked for. Addresses are text so that they can be written in hexadecimal.
 */
@ObjectClassDefinition(id = KernelComponent.PID, name = "vfsgi mm kernel",
        description = "Tunables of the mm kernel: processes, address spaces and the mmap path. A change"
                + " restarts the kernel: its processes and mappings are gone, as after a reboot.")
public @interface KernelConfiguration {
    /** @return {@code vm.max_map_count} */
    @AttributeDefinition(name = "vm.max_map_count", required = false,
            description = "Most VMAs one address space may hold; mmap, mprotect and munmap fail with ENOMEM"
                    + " beyond it. At least 1.")
    int maxMapCount() default 65530;

    /** @return {@code vm.mmap_min_addr}, decimal or 0x-prefixed */
    @AttributeDefinition(name = "vm.mmap_min_addr", required = false,
            description = "Lowest address a mapping may use, decimal or 0x-prefixed; a multiple of 4096.")
    String mmapMinAddr() default "0x10000";

    /** @return whether unhinted mappings are placed top-down */
    @AttributeDefinition(name = "Top-down layout", required = false,
            description = "Place mappings without an address hint top-down from mmap_base (the default layout);"
                    + " false places them bottom-up from TASK_UNMAPPED_BASE (legacy layout).")
    boolean topDown() default true;

    /** @return the number of events the trace ring keeps */
    @AttributeDefinition(name = "Trace ring size", required = false,
            description = "How many trace events the in-memory ring keeps for mm:trace and tests; older ones are"
                    + " dropped. At least 1.")
    int traceCapacity() default 4096;

    /** @return whether trace events go to Event Admin */
    @AttributeDefinition(name = "Post trace events", required = false,
            description = "Post every trace event to Event Admin (asynchronously) under topic"
                    + " org/vfsgi/mm/trace/<STEP>. Turn off for very large address spaces.")
    boolean postTraceEvents() default true;

    /** @return the period of background write-back in centiseconds, 0 for none */
    @AttributeDefinition(name = "vm.dirty_writeback_centisecs", required = false,
            description = "How often, in hundredths of a second, dirty page-cache pages of every mount are written"
                    + " back to their file systems and the file systems synced, as the kernel's flusher does"
                    + " (default 500: every 5 s). 0 turns periodic write-back off: pages then reach the device"
                    + " on fsync, msync, sync and unmount only.")
    int dirtyWritebackCentisecs() default 500;

    /** @return {@code fault_around_bytes} */
    @AttributeDefinition(name = "fault_around_bytes", required = false,
            description = "How many bytes around a read fault of a file mapping are mapped at once from pages"
                    + " already in the page cache (the kernel's debugfs fault_around_bytes), when the file system"
                    + " provides map_pages. 0 to 2097152, rounded down to a power of two pages; 4096 or less turns"
                    + " fault-around off. Default 65536 (16 pages), as the kernel's.")
    long faultAroundBytes() default 65536;

    /** @return the target filter of the {@code ram} reference (property {@code ram.target}) */
    @AttributeDefinition(name = "RAM device", required = false,
            description = "LDAP filter choosing the platform-hw RAM device (a PhysicalMemory service) whose page"
                    + " frames the kernel uses, for example (vfsgi.hw.name=ram1). Until such a device exists the"
                    + " kernel stays down.")
    String ram_target() default KernelComponent.DEFAULT_RAM_TARGET;
}
