package org.vfsgi.mm.internal.osgi;

import java.util.Map;
import org.vfsgi.vfs.CharDevice;

/**
 * The checked service properties of a {@link CharDevice}: its node name, major (0 = dynamic),
 * minor and mode. Numbers may arrive as any {@link Number} or as decimal text (a configuration
 * or a {@code property} line without a type).
 *
 * @param name the node's name under {@code /dev}
 * @param major the major, 0 for a dynamic one
 * @param minor the minor
 * @param mode the node's permission bits
 */
record CharDeviceProperties(String name, int major, int minor, int mode) {
    static final int DEFAULT_MODE = 0666;

    /**
     * @param properties the service properties
     * @return the checked values
     * @throws IllegalArgumentException naming the property and the value that is wrong
     */
    static CharDeviceProperties from(Map<String, Object> properties) {
        Object n = properties.get(CharDevice.NAME);
        if (!(n instanceof String) || ((String) n).isEmpty()) {
            throw new IllegalArgumentException(CharDevice.NAME + " must be a non-empty String, was " + n);
        }
        int major = number(properties, CharDevice.MAJOR, 0, 0, 511);
        int minor = number(properties, CharDevice.MINOR, 0, 0, 0xfffff);
        int mode = number(properties, CharDevice.MODE, DEFAULT_MODE, 0, 07777);
        return new CharDeviceProperties((String) n, major, minor, mode);
    }

    private static int number(Map<String, Object> properties, String key, int dflt, int min, int max) {
        Object v = properties.get(key);
        if (v == null) {
            return dflt;
        }
        long value;
        if (v instanceof Number) {
            value = ((Number) v).longValue();
        } else if (v instanceof String) {
            try {
                value = Long.decode(((String) v).trim()); // "0666" is octal, as a mode is written
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number (decimal, 0x hex or 0 octal), was '" + v + "'", e);
            }
        } else {
            throw new IllegalArgumentException(key + " must be a number, was " + v.getClass().getSimpleName() + " " + v);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", was " + value);
        }
        return (int) value;
    }
}
