package org.vfsgi.mm.internal.osgi;

import java.util.function.Supplier;

import org.vfsgi.mm.core.KernelConfig;

/**
 * A checked kernel configuration: the {@link KernelConfig} to build the kernel with, and whether
 * trace events go to Event Admin. Built from the raw attribute values so that every way a value
 * can be wrong — not a number, out of range, inconsistent with another — ends in one
 * {@link IllegalArgumentException} whose message names the PID, the attribute and the value.
 *
 * @param kernelConfig the tunables of the core
 * @param postTraceEvents whether trace events are posted to Event Admin
 * @param dirtyWritebackMillis the period of background write-back in milliseconds, 0 for none
 */
record KernelSettings(KernelConfig kernelConfig, boolean postTraceEvents, long dirtyWritebackMillis) {

    /**
     * Reads and checks a configuration.
     *
     * @param config the configuration as Declarative Services presents it
     * @return the settings
     * @throws IllegalArgumentException naming the first bad attribute
     */
    static KernelSettings from(KernelConfiguration config) {
        int maxMapCount = read("maxMapCount", config::maxMapCount);
        String mmapMinAddr = read("mmapMinAddr", config::mmapMinAddr);
        boolean topDown = read("topDown", config::topDown);
        int traceCapacity = read("traceCapacity", config::traceCapacity);
        boolean post = read("postTraceEvents", config::postTraceEvents);
        int writebackCentisecs = read("dirtyWritebackCentisecs", config::dirtyWritebackCentisecs);
        long faultAroundBytes = read("faultAroundBytes", config::faultAroundBytes);
        if (writebackCentisecs < 0) {
            throw rejected("dirtyWritebackCentisecs must be >= 0 (0 turns periodic write-back off), was "
                    + writebackCentisecs);
        }
        long minAddr;
        try {
            minAddr = SyscallArgs.number("mmapMinAddr", mmapMinAddr);
        } catch (IllegalArgumentException e) {
            throw rejected(e.getMessage());
        }
        try {
            KernelConfig kc = KernelConfig.builder().maxMapCount(maxMapCount).mmapMinAddr(minAddr).topDown(topDown)
                    .traceCapacity(traceCapacity).faultAroundBytes(faultAroundBytes).build();
            return new KernelSettings(kc, post, writebackCentisecs * 10L);
        } catch (IllegalArgumentException e) {
            throw rejected(e.getMessage());
        }
    }

    /**
     * Declarative Services converts values when an attribute is read and throws its own
     * exception when it cannot (a {@code .cfg} file with {@code maxMapCount = many}); this turns
     * that into the same one-line message as every other bad value.
     */
    private static <T> T read(String attribute, Supplier<T> value) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw rejected(attribute + " cannot be read as its type ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
    }

    private static IllegalArgumentException rejected(String why) {
        return new IllegalArgumentException("configuration " + KernelComponent.PID
                + " rejected, the mm kernel stays down: " + why);
    }
}
