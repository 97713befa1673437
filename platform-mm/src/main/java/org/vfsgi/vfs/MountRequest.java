package org.vfsgi.vfs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a mount asks of a {@link FileSystemType}: the source ({@code "none"}, a block device
 * name such as {@code "disk0"}, or free text), the file system's own options parsed from a
 * comma-separated string such as {@code "dax,lowerdir=/a:/b,size=1m"}, the read-only flag,
 * and the platform's services. The generic flags {@code ro} and {@code rw} are taken out of
 * the option string into {@link #readOnly()}, as {@code mount(8)} turns them into
 * {@code MS_RDONLY}. Immutable.
 */
public final class MountRequest {
    private final String source;
    private final Map<String, String> options;
    private final boolean readOnly;
    private final MountContext context;

    /**
     * @param source the mount source, not null (may be {@code "none"})
     * @param options the file system's options, name to value ({@code ""} for a flag), copied
     * @param readOnly whether the mount is read-only
     * @param context the platform's services, not null
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if an option name is empty or {@code ro}/{@code rw}
     */
    public MountRequest(String source, Map<String, String> options, boolean readOnly, MountContext context) {
        this.source = Objects.requireNonNull(source, "source");
        this.context = Objects.requireNonNull(context, "context");
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : Objects.requireNonNull(options, "options").entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty() || k.equals("ro") || k.equals("rw")) {
                throw new IllegalArgumentException("bad mount option name '" + k
                        + "' (ro/rw belong in the read-only flag)");
            }
            copy.put(k, e.getValue() == null ? "" : e.getValue());
        }
        this.options = Collections.unmodifiableMap(copy);
        this.readOnly = readOnly;
    }

    /**
     * Parses a {@code mount -o} string into a request: options separated by commas, each
     * {@code name} or {@code name=value}; {@code ro} and {@code rw} set the read-only flag (the
     * last one wins, as do repeated options).
     *
     * @param source the mount source
     * @param optionString the options, may be null or empty
     * @param context the platform's services
     * @return the request
     * @throws IllegalArgumentException naming the option, for an empty option ({@code "a,,b"})
     *         or an option without a name ({@code "=x"})
     */
    public static MountRequest parse(String source, String optionString, MountContext context) {
        Map<String, String> opts = new LinkedHashMap<>();
        boolean ro = false;
        if (optionString != null && !optionString.isEmpty()) {
            for (String part : optionString.split(",", -1)) {
                if (part.isEmpty()) {
                    throw new IllegalArgumentException("empty mount option in '" + optionString + "'");
                }
                int eq = part.indexOf('=');
                String name = eq < 0 ? part : part.substring(0, eq);
                String value = eq < 0 ? "" : part.substring(eq + 1);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("mount option '" + part + "' has no name");
                }
                if (name.equals("ro") || name.equals("rw")) {
                    if (eq >= 0) {
                        throw new IllegalArgumentException("mount option '" + name + "' takes no value");
                    }
                    ro = name.equals("ro");
                } else {
                    opts.remove(name); // the last occurrence decides, and keeps its place
                    opts.put(name, value);
                }
            }
        }
        return new MountRequest(source, opts, ro, context);
    }

    /** @return the mount source */
    public String source() {
        return source;
    }

    /** @return the file system's options in the order given, unmodifiable */
    public Map<String, String> options() {
        return options;
    }

    /**
     * @param name an option name
     * @return its value ({@code ""} for a flag), or {@code null} if absent
     */
    public String option(String name) {
        return options.get(name);
    }

    /**
     * @param name an option name
     * @return whether it was given
     */
    public boolean hasOption(String name) {
        return options.containsKey(name);
    }

    /** @return whether the mount is read-only */
    public boolean readOnly() {
        return readOnly;
    }

    /** @return the platform's services */
    public MountContext context() {
        return context;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source).append(readOnly ? " (ro" : " (rw");
        options.forEach((k, v) -> sb.append(',').append(k).append(v.isEmpty() ? "" : "=" + v));
        return sb.append(')').toString();
    }
}
