package org.vfsgi.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A simulated device. Each device is registered as an OSGi service under its own type
 * (and under {@code Device}) with the properties named by the constants below.
 */
@ProviderType
public interface Device {
    /** Service property: the device's unique name, for example {@code "pmem0"}. */
    String NAME = "vfsgi.hw.name";
    /** Service property: the device's {@link Kind}, as its lower-case name. */
    String KIND = "vfsgi.hw.kind";
    /** Service property: the device's size in bytes ({@code Long}). */
    String SIZE = "vfsgi.hw.size";
    /** Service property: first PFN of the device's physical range ({@code Long}); absent if it has none. */
    String PFN_START = "vfsgi.hw.pfn.start";
    /** Service property: number of page frames in the device's physical range ({@code Long}). */
    String PFN_COUNT = "vfsgi.hw.pfn.count";

    /** Size of a page frame in bytes. */
    int PAGE_SIZE = 4096;
    /** log2 of {@link #PAGE_SIZE}. */
    int PAGE_SHIFT = 12;

    /** The kinds of simulated device. */
    enum Kind {
        /** System RAM: page frames handed out by {@link PhysicalMemory}. */
        RAM,
        /** A block device backed by an image file. */
        BLOCK,
        /** A byte-addressable persistent-memory region backed by a host file. */
        PMEM,
        /** A memory-mapped I/O window with side-effecting registers. */
        MMIO;

        /** @return the lower-case name used in configuration and service properties */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** @return the device's unique name */
    String name();

    /** @return what kind of device this is */
    Kind kind();

    /** @return the device's size in bytes */
    long size();
}
