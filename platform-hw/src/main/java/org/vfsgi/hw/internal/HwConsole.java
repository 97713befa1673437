package org.vfsgi.hw.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.MmioWindow;
import org.vfsgi.hw.PersistentMemory;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;

/**
 * What the {@code hw:} shell commands do, without the shell: every method takes the text a person
 * typed and returns the text to show. Mistakes become {@link IllegalArgumentException}s whose
 * message says what to fix; numbers may be decimal or {@code 0x}-prefixed hexadecimal.
 */
public final class HwConsole {
    /** Largest dump {@link #peek} prints: one frame. */
    private static final int MAX_PEEK = Device.PAGE_SIZE;

    private final Supplier<? extends Collection<? extends Device>> devices;
    private final PhysicalAddressSpace addressSpace;

    /**
     * @param devices the devices to show, read on every command (for example the tracked services)
     * @param addressSpace resolves PFNs for {@link #peek} and {@link #poke}
     */
    public HwConsole(Supplier<? extends Collection<? extends Device>> devices, PhysicalAddressSpace addressSpace) {
        this.devices = devices;
        this.addressSpace = addressSpace;
    }

    /** @return a table of every device: name, kind, size, PFN range and state */
    public String devices() {
        List<Device> all = sorted();
        if (all.isEmpty()) {
            return "no devices (configure them under factory PID " + DeviceConfig.FACTORY_PID + ")";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "SIZE", "PFNS", "STATE"});
        for (Device d : all) {
            String pfns = d instanceof PhysicalRange r ? Checks.pfnRange(r.pfnStart(), r.pfnCount()) : "-";
            rows.add(new String[] {d.name(), d.kind().id(), Checks.humanSize(d.size()), pfns, state(d)});
        }
        return table(rows);
    }

    /** @return every detail and counter of one device */
    public String device(String name) {
        Device d = find(name);
        StringBuilder sb = new StringBuilder("device ").append(d.name()).append('\n');
        Map<String, String> details = d instanceof SimulatedDevice s ? s.details() : basicDetails(d);
        int width = details.keySet().stream().mapToInt(String::length).max().orElse(0);
        details.forEach((k, v) -> sb.append("  ").append(pad(k, width)).append("  ").append(v).append('\n'));
        return sb.toString().stripTrailing();
    }

    /** @return free and used frames of every RAM device */
    public String mem() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "PFNS", "FRAMES", "USED", "FREE"});
        long total = 0;
        long used = 0;
        for (Device d : sorted()) {
            if (d instanceof PhysicalMemory m) {
                long u = m.usedFrames();
                long f = m.freeFrames();
                rows.add(new String[] {m.name(), Checks.pfnRange(m.pfnStart(), m.pfnCount()),
                    Long.toString(m.pfnCount()), Long.toString(u), Long.toString(f)});
                total += m.pfnCount();
                used += u;
            }
        }
        if (rows.size() == 1) {
            return "no RAM devices (configure one with kind=ram under factory PID " + DeviceConfig.FACTORY_PID + ")";
        }
        return table(rows) + "\n" + used + " of " + total + " frames used (" + Checks.humanSize(used * Device.PAGE_SIZE)
                + " of " + Checks.humanSize(total * Device.PAGE_SIZE) + ")";
    }

    /** @return a hex dump of {@code len} bytes at {@code offset} of physical frame {@code pfn} */
    public String peek(String pfnText, String offsetText, String lenText) {
        long pfn = number("PFN", pfnText);
        int offset = (int) bounded("offset", offsetText, Device.PAGE_SIZE - 1);
        int len = (int) bounded("length", lenText, MAX_PEEK);
        if (offset + len > Device.PAGE_SIZE) {
            throw new IllegalArgumentException("offset " + offset + " + length " + len + " crosses the end of the "
                    + Device.PAGE_SIZE + "-byte frame; peek within one frame");
        }
        PhysicalRange range = rangeOf(pfn);
        byte[] data = new byte[len];
        try {
            range.read(pfn, offset, data, 0, len);
        } catch (HwException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        long base = (pfn << Device.PAGE_SHIFT) + offset;
        StringBuilder sb = new StringBuilder();
        sb.append("PFN ").append(Checks.hex(pfn)).append(" (device '").append(range.name()).append("')\n");
        for (int row = 0; row < len; row += 16) {
            sb.append(String.format("%012x ", base + row));
            StringBuilder ascii = new StringBuilder();
            for (int i = row; i < row + 16; i++) {
                if (i < len) {
                    int b = data[i] & 0xff;
                    sb.append(String.format(" %02x", b));
                    ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                } else {
                    sb.append("   ");
                }
            }
            sb.append("  |").append(ascii).append("|\n");
        }
        return sb.toString().stripTrailing();
    }

    /** Writes bytes given as hex ({@code "deadbeef"}, {@code "de:ad:be:ef"}) into physical frame {@code pfn}. */
    public String poke(String pfnText, String offsetText, String hexBytes) {
        long pfn = number("PFN", pfnText);
        int offset = (int) bounded("offset", offsetText, Device.PAGE_SIZE - 1);
        byte[] data = hex(hexBytes);
        if (offset + data.length > Device.PAGE_SIZE) {
            throw new IllegalArgumentException(data.length + " bytes at offset " + offset + " cross the end of the "
                    + Device.PAGE_SIZE + "-byte frame; poke within one frame");
        }
        PhysicalRange range = rangeOf(pfn);
        try {
            range.write(pfn, offset, data, 0, data.length);
        } catch (HwException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return "wrote " + data.length + " bytes at PFN " + Checks.hex(pfn) + " offset " + Checks.hex(offset)
                + " (device '" + range.name() + "')";
    }

    /** Writes a value to an MMIO window's doorbell register. */
    public String doorbell(String name, String valueText) {
        Device d = find(name);
        if (!(d instanceof MmioWindow w)) {
            throw new IllegalArgumentException("device '" + name + "' is " + d.kind().id()
                    + ", not mmio; only MMIO windows have a doorbell");
        }
        long value = number("value", valueText);
        if (value > 0xffff_ffffL) {
            throw new IllegalArgumentException("value " + valueText + " does not fit the 32-bit doorbell register");
        }
        try {
            w.writeRegister(MmioWindow.REG_DOORBELL, (int) value);
        } catch (HwException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return "rang doorbell of '" + name + "' with " + String.format("0x%08x", (int) value) + "; "
                + w.doorbellCount() + " rings, status " + String.format("0x%08x", w.readRegister(MmioWindow.REG_STATUS));
    }

    /** Makes a block or pmem device's writes durable in its host file. */
    public String flush(String name) {
        Device d = find(name);
        try {
            if (d instanceof BlockDevice b) {
                b.flush();
            } else if (d instanceof PersistentMemory p) {
                p.flush(0, p.size());
            } else {
                throw new IllegalArgumentException("device '" + name + "' is " + d.kind().id()
                        + "; only block and pmem devices have a host file to flush");
            }
        } catch (HwException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return "flushed '" + name + "'";
    }

    private List<Device> sorted() {
        List<Device> all = new ArrayList<>(devices.get());
        all.sort(Comparator.comparing(Device::name));
        return all;
    }

    private Device find(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("device name is missing; hw:devices lists them");
        }
        for (Device d : devices.get()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "'; hw:devices lists them");
    }

    private PhysicalRange rangeOf(long pfn) {
        return addressSpace.rangeOf(pfn).orElseThrow(() -> new IllegalArgumentException("PFN " + Checks.hex(pfn)
                + " is not backed by any device; hw:devices shows the PFN ranges"));
    }

    private static String state(Device d) {
        if (d instanceof SimulatedDevice s) {
            return s.state();
        }
        if (d instanceof BlockDevice b) {
            return b.readOnly() ? "ro" : "rw";
        }
        if (d instanceof PhysicalMemory m) {
            return m.freeFrames() + "/" + m.pfnCount() + " free";
        }
        return "-";
    }

    private static Map<String, String> basicDetails(Device d) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("kind", d.kind().id());
        m.put("size", Checks.humanSize(d.size()) + " (" + d.size() + " bytes)");
        if (d instanceof PhysicalRange r) {
            m.put("PFNs", Checks.pfnRange(r.pfnStart(), r.pfnCount()));
        }
        m.put("state", state(d));
        return m;
    }

    private static long number(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            long v = t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a non-negative number"
                    + " (decimal, or hexadecimal with 0x)");
        }
    }

    private static long bounded(String what, String text, long max) {
        long v = number(what, text);
        if (v > max) {
            throw new IllegalArgumentException(what + " " + text + " is larger than " + max);
        }
        return v;
    }

    private static byte[] hex(String text) {
        String digits = text == null ? "" : text.replaceAll("[\\s:_-]", "");
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.length() % 2 != 0 || !digits.matches("[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("bytes '" + text + "' are not an even number of hex digits"
                    + " (for example deadbeef or de:ad:be:ef)");
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    private static String table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : pad(r[i], widths[i]) + "  ");
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
