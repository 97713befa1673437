package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.core.KernelConfig;

/** A configuration of PID org.vfsgi.mm either becomes a kernel's settings or one clear message. */
class KernelSettingsTest {

    /**
     * A {@link KernelConfiguration} as Declarative Services presents one: the given values, the
     * annotation's defaults for the rest; a value that is a {@link RuntimeException} is thrown when
     * read, as SCR does when it cannot convert a property.
     */
    static KernelConfiguration config(Map<String, Object> values) {
        return (KernelConfiguration) Proxy.newProxyInstance(KernelConfiguration.class.getClassLoader(),
                new Class<?>[] {KernelConfiguration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return KernelConfiguration.class;
                    }
                    Object v = values.containsKey(method.getName()) ? values.get(method.getName())
                            : method.getDefaultValue();
                    if (v instanceof RuntimeException e) {
                        throw e;
                    }
                    return v;
                });
    }

    private static String rejected(Map<String, Object> values) {
        return assertThrows(IllegalArgumentException.class, () -> KernelSettings.from(config(values))).getMessage();
    }

    @Test
    void metatypeDefaultsAreTheKernelDefaults() throws Exception {
        KernelConfig defaults = KernelConfig.defaults();
        assertEquals(defaults.maxMapCount(), def("maxMapCount"));
        assertEquals(defaults.mmapMinAddr(), Long.decode((String) def("mmapMinAddr")));
        assertEquals(defaults.topDown(), def("topDown"));
        assertEquals(defaults.traceCapacity(), def("traceCapacity"));
        assertEquals(defaults.faultAroundBytes(), def("faultAroundBytes"));
        KernelSettings s = KernelSettings.from(config(Map.of()));
        assertEquals(defaults, s.kernelConfig());
        assertTrue(s.postTraceEvents());
        assertEquals(5000, s.dirtyWritebackMillis(), "vm.dirty_writeback_centisecs defaults to 500, as the kernel's");
    }

    @Test
    void periodicWritebackIsConfiguredInCentisecondsAndZeroTurnsItOff() {
        assertEquals(250, KernelSettings.from(config(Map.of("dirtyWritebackCentisecs", 25))).dirtyWritebackMillis());
        assertEquals(0, KernelSettings.from(config(Map.of("dirtyWritebackCentisecs", 0))).dirtyWritebackMillis());
        assertEquals("configuration org.vfsgi.mm rejected, the mm kernel stays down: dirtyWritebackCentisecs must be"
                + " >= 0 (0 turns periodic write-back off), was -1", rejected(Map.of("dirtyWritebackCentisecs", -1)));
    }

    @Test
    void faultAroundBytesReachesTheKernelAndIsRoundedToPowerOfTwoPages() {
        KernelConfig kc = KernelSettings.from(config(Map.of("faultAroundBytes", 40960L))).kernelConfig();
        assertEquals(40960, kc.faultAroundBytes());
        assertEquals(8, kc.faultAroundPages(), "10 pages round down to 8, as fault_around_bytes_set does");
        assertEquals(1, KernelSettings.from(config(Map.of("faultAroundBytes", 0L))).kernelConfig().faultAroundPages());
        assertEquals(16, KernelConfig.defaults().faultAroundPages());
        assertEquals("configuration org.vfsgi.mm rejected, the mm kernel stays down: faultAroundBytes must be within"
                + " [0, 2097152] (one page table), was 4194304", rejected(Map.of("faultAroundBytes", 4194304L)));
    }

    private static Object def(String attribute) throws NoSuchMethodException {
        Method m = KernelConfiguration.class.getMethod(attribute);
        return m.getDefaultValue();
    }

    @Test
    void valuesReachTheKernelConfig() {
        KernelSettings s = KernelSettings.from(config(Map.of("maxMapCount", 100, "mmapMinAddr", "0x100000",
                "topDown", false, "traceCapacity", 16, "postTraceEvents", false)));
        assertEquals(100, s.kernelConfig().maxMapCount());
        assertEquals(0x100000, s.kernelConfig().mmapMinAddr());
        assertFalse(s.kernelConfig().topDown());
        assertEquals(16, s.kernelConfig().traceCapacity());
        assertFalse(s.postTraceEvents());
        assertEquals(65536, KernelSettings.from(config(Map.of("mmapMinAddr", "65536"))).kernelConfig().mmapMinAddr());
    }

    @Test
    void outOfRangeValueIsOneLineNamingPidAttributeAndValue() {
        assertEquals("configuration org.vfsgi.mm rejected, the mm kernel stays down: maxMapCount must be >= 1, was 0",
                rejected(Map.of("maxMapCount", 0)));
        assertEquals("configuration org.vfsgi.mm rejected, the mm kernel stays down: traceCapacity must be >= 1,"
                + " was -5", rejected(Map.of("traceCapacity", -5)));
        String unaligned = rejected(Map.of("mmapMinAddr", "0x10001"));
        assertTrue(unaligned.contains("mmapMinAddr must be a non-negative multiple of 4096, was 65537"), unaligned);
    }

    @Test
    void unparsableValueIsOneLineToo() {
        String hex = rejected(Map.of("mmapMinAddr", "low"));
        assertEquals("configuration org.vfsgi.mm rejected, the mm kernel stays down: mmapMinAddr 'low' is not a"
                + " non-negative number (decimal, or hexadecimal with 0x)", hex);
        String coerced = rejected(Map.of("maxMapCount", new IllegalStateException("cannot convert 'many' to int")));
        assertEquals("configuration org.vfsgi.mm rejected, the mm kernel stays down: maxMapCount cannot be read as"
                + " its type (cannot convert 'many' to int)", coerced);
        assertFalse(coerced.contains("\n"));
    }
}
