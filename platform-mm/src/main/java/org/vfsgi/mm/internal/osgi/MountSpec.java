package org.vfsgi.mm.internal.osgi;

import java.util.Map;

/**
 * A checked mount configuration of factory PID {@value MountConfiguration#FACTORY_PID}: what
 * {@code mount -t TYPE -o OPTIONS SOURCE TARGET} would take. Built from the raw properties so
 * every way a value can be wrong ends in one {@link IllegalArgumentException} naming the
 * configuration, the attribute and the value.
 *
 * @param source the mount source ({@code none}, or a block device name)
 * @param target the absolute mount point
 * @param type the file-system type name
 * @param options the {@code mount -o} options, possibly empty
 */
record MountSpec(String source, String target, String type, String options) {

    /**
     * @param pid the configuration's PID, for the message
     * @param properties the configuration's properties
     * @return the checked mount
     * @throws IllegalArgumentException naming the first bad attribute
     */
    static MountSpec from(String pid, Map<String, ?> properties) {
        String source = text(pid, properties, "source", "none");
        String target = text(pid, properties, "target", null);
        String type = text(pid, properties, "type", null);
        String options = text(pid, properties, "options", "");
        if (!target.startsWith("/")) {
            throw rejected(pid, "target '" + target + "' is not an absolute path");
        }
        if (!type.matches("[A-Za-z0-9_.+-]+")) {
            throw rejected(pid, "type '" + type + "' is not a file-system type name (letters, digits, '_', '.', '+',"
                    + " '-')");
        }
        if (source.isBlank() || source.chars().anyMatch(Character::isWhitespace)) {
            throw rejected(pid, "source '" + source + "' must be one word: none, or a block device name");
        }
        if (options.chars().anyMatch(Character::isWhitespace)) {
            throw rejected(pid, "options '" + options + "' must be mount -o options joined by ',' without spaces");
        }
        return new MountSpec(source, target, type, options);
    }

    private static String text(String pid, Map<String, ?> properties, String key, String fallback) {
        Object v = properties.get(key);
        if (v == null) {
            if (fallback == null) {
                throw rejected(pid, key + " is missing");
            }
            return fallback;
        }
        if (!(v instanceof String)) {
            throw rejected(pid, key + " must be text, was " + v.getClass().getSimpleName() + " " + v);
        }
        String s = ((String) v).strip();
        if (s.isEmpty() && fallback == null) {
            throw rejected(pid, key + " is empty");
        }
        return s.isEmpty() ? fallback : s;
    }

    private static IllegalArgumentException rejected(String pid, String why) {
        return new IllegalArgumentException("mount configuration " + pid + " rejected, nothing mounted: " + why);
    }

    @Override
    public String toString() {
        return source + " on " + target + " type " + type + (options.isEmpty() ? "" : " (" + options + ")");
    }
}
