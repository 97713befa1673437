package org.vfsgi.hw.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;

/**
 * One device's configuration, checked for form (not against the host or the address map; that
 * is {@link DeviceFactory}'s job). Built from the properties of a configuration of the factory PID
 * {@value #FACTORY_PID}; properties it does not know (such as {@code service.pid}) are ignored.
 *
 * @param name the device's unique name
 * @param kind what to create
 * @param size bytes, or {@code null} when not configured
 * @param sizeText the configured size as written, for messages ({@code "64M"})
 * @param pfnStart first PFN, or {@code null} when not configured
 * @param path host file, or {@code null} when not configured
 * @param create whether a missing file may be created
 * @param readOnly whether a block device refuses writes
 */
public record DeviceConfig(String name, Device.Kind kind, Long size, String sizeText, Long pfnStart, Path path,
        boolean create, boolean readOnly) {

    /** The Configuration Admin factory PID under which devices are configured. */
    public static final String FACTORY_PID = "org.vfsgi.hw.device";
    /** Property: the device name. */
    public static final String NAME = "name";
    /** Property: ram, block, pmem or mmio. */
    public static final String KIND = "kind";
    /** Property: size in bytes, optionally with a K, M or G suffix. */
    public static final String SIZE = "size";
    /** Property: first PFN, decimal or 0x-prefixed hexadecimal. */
    public static final String PFN_START = "pfnStart";
    /** Property: host file of a block or pmem device. */
    public static final String PATH = "path";
    /** Property: whether a missing host file is created. */
    public static final String CREATE = "create";
    /** Property: whether a block device is read-only. */
    public static final String READ_ONLY = "readOnly";

    private static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern SIZE_PATTERN = Pattern.compile("(\\d+)\\s*([KMGT]?)(?:i?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern PFN_PATTERN = Pattern.compile("(0x[0-9a-f]+|\\d+)", Pattern.CASE_INSENSITIVE);

    /**
     * Checks configuration properties and builds the configuration they describe.
     *
     * @param props the configuration's properties
     * @return the checked configuration
     * @throws HwException EINVAL with a one-line message naming the offending property and value
     */
    public static DeviceConfig parse(Map<String, ?> props) {
        String name = text(props, NAME);
        if (name == null || name.isEmpty()) {
            throw invalid("name is required (a device name such as 'ram0')");
        }
        if (!NAME_PATTERN.matcher(name).matches()) {
            throw invalid("name '" + name + "' is invalid (use only letters, digits, '_', '.' and '-')");
        }
        Device.Kind kind = kind(text(props, KIND));
        String sizeText = text(props, SIZE);
        Long size = sizeText == null ? null : size(sizeText, kind);
        Long pfnStart = pfn(text(props, PFN_START));
        String pathText = text(props, PATH);
        boolean create = bool(props, CREATE);
        boolean readOnly = bool(props, READ_ONLY);

        switch (kind) {
            case RAM, MMIO -> {
                if (size == null) {
                    throw invalid("size is required for " + aKind(kind) + " device");
                }
                notApplicable(pathText, PATH, kind);
                if (create) {
                    throw invalid("create 'true' does not apply to " + aKind(kind) + " device (it has no host file)");
                }
                if (kind == Device.Kind.MMIO && pfnStart == null) {
                    throw invalid("pfnStart is required for an mmio device");
                }
                if (pfnStart == null) {
                    pfnStart = 0L;
                }
            }
            case PMEM -> {
                if (pfnStart == null) {
                    throw invalid("pfnStart is required for a pmem device");
                }
            }
            case BLOCK -> {
                if (pfnStart != null) {
                    throw invalid("pfnStart '" + text(props, PFN_START)
                            + "' does not apply to a block device (it has no physical address range)");
                }
            }
        }
        if (readOnly && kind != Device.Kind.BLOCK) {
            throw invalid("readOnly 'true' applies only to block devices, not to " + aKind(kind) + " device");
        }
        Path path = null;
        if (kind == Device.Kind.BLOCK || kind == Device.Kind.PMEM) {
            if (pathText == null || pathText.isEmpty()) {
                throw invalid("path is required for " + aKind(kind) + " device (its host file)");
            }
            try {
                path = Path.of(pathText);
            } catch (InvalidPathException e) {
                throw invalid("path '" + pathText + "' is not a valid file name: " + e.getReason());
            }
        }
        return new DeviceConfig(name, kind, size, sizeText, pfnStart, path, create, readOnly);
    }

    /** @return the number of page frames the size covers */
    long pages() {
        return size / Device.PAGE_SIZE;
    }

    private static Device.Kind kind(String text) {
        if (text == null || text.isEmpty()) {
            throw invalid("kind is required (expected ram, block, pmem or mmio)");
        }
        for (Device.Kind k : Device.Kind.values()) {
            if (k.id().equals(text.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw invalid("unknown kind '" + text + "' (expected ram, block, pmem or mmio)");
    }

    /** Parses a size such as {@code 4096}, {@code 64M} or {@code 1GiB} (binary units). */
    static long size(String text, Device.Kind kind) {
        Matcher m = SIZE_PATTERN.matcher(text);
        if (!m.matches()) {
            throw invalid("size '" + text + "' is not a size (expected a number of bytes, optionally with a"
                    + " K, M or G suffix, such as 64M)");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long bytes;
        try {
            bytes = Long.parseLong(m.group(1));
            if (bytes > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            bytes <<= shift;
        } catch (NumberFormatException e) {
            throw invalid("size '" + text + "' is too large");
        }
        if (bytes <= 0) {
            throw invalid("size '" + text + "' must be greater than zero");
        }
        int unit = kind == Device.Kind.BLOCK ? 512 : Device.PAGE_SIZE;
        if (bytes % unit != 0) {
            throw invalid("size '" + text + "' is not a multiple of the " + unit + "-byte "
                    + (kind == Device.Kind.BLOCK ? "sector" : "page") + " size");
        }
        return bytes;
    }

    private static Long pfn(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (!PFN_PATTERN.matcher(text).matches()) {
            throw invalid("pfnStart '" + text + "' is not a page frame number (expected a non-negative decimal"
                    + " or 0x-prefixed hexadecimal number)");
        }
        try {
            return text.toLowerCase(Locale.ROOT).startsWith("0x") ? Long.parseLong(text.substring(2), 16)
                    : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid("pfnStart '" + text + "' is too large");
        }
    }

    private static boolean bool(Map<String, ?> props, String key) {
        String text = text(props, key);
        if (text == null || text.isEmpty()) {
            return false;
        }
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(key + " '" + text + "' is not a boolean (expected true or false)");
    }

    private static void notApplicable(String value, String key, Device.Kind kind) {
        if (value != null && !value.isEmpty()) {
            throw invalid(key + " '" + value + "' does not apply to " + aKind(kind) + " device (it has no host file)");
        }
    }

    /** Configuration values arrive as String, Long, Integer or Boolean depending on the source; compare them as text. */
    private static String text(Map<String, ?> props, String key) {
        Object v = props.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s.trim();
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof Character) {
            return v.toString();
        }
        throw invalid(key + " has a value of type " + v.getClass().getSimpleName() + " ('" + v
                + "'); expected a single value");
    }

    /** @return the kind with its article, for messages: "a ram", "an mmio" */
    static String aKind(Device.Kind kind) {
        return (kind == Device.Kind.MMIO ? "an " : "a ") + kind.id();
    }

    private static HwException invalid(String message) {
        return new HwException("EINVAL", message);
    }
}
