package org.vfsgi.hw.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.vfsgi.hw.Device;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalRange;

/**
 * The machine's physical address map and its device namespace. Every device's name is unique
 * here (block devices too, though they own no PFNs); every {@link PhysicalRange} owns a PFN range
 * that overlaps no other.
 *
 * <p>{@link #rangeOf(long)} runs on every physical access, so it reads an immutable snapshot (a
 * sorted array, binary-searched) without locking; changes, which are rare, build a new snapshot
 * under the object's monitor.
 */
public final class PhysicalAddressMap implements PhysicalAddressSpace {
    private static final System.Logger LOG = System.getLogger(PhysicalAddressMap.class.getName());
    /** PFNs beyond this would put a byte address past the 64-bit physical address space. */
    static final long MAX_PFN = Long.MAX_VALUE >> Device.PAGE_SHIFT;

    private record Snapshot(PhysicalRange[] ranges, Map<String, Device> byName) {
    }

    private volatile Snapshot snapshot = new Snapshot(new PhysicalRange[0], Map.of());

    /**
     * Checks that a device with this name and PFN range could be registered now, without
     * registering it; lets a factory fail before it touches any host file.
     *
     * @param pfnCount zero for a device without a PFN range
     * @throws HwException EEXIST for a name in use, EINVAL for an invalid or overlapping PFN range
     */
    public void checkAvailable(String name, long pfnStart, long pfnCount) {
        Snapshot s = snapshot;
        checkName(s, name);
        if (pfnCount > 0) {
            checkRange(s, name, pfnStart, pfnCount);
        }
    }

    /**
     * Adds a device: to the namespace, and to the address map if it is a {@link PhysicalRange}.
     *
     * @throws HwException EEXIST if another device has its name, EINVAL if its PFN range is
     *         invalid or overlaps another device's
     */
    public synchronized void register(Device device) {
        Snapshot s = snapshot;
        checkName(s, device.name());
        PhysicalRange[] ranges = s.ranges();
        if (device instanceof PhysicalRange range) {
            checkRange(s, range.name(), range.pfnStart(), range.pfnCount());
            ranges = Arrays.copyOf(ranges, ranges.length + 1);
            ranges[ranges.length - 1] = range;
            Arrays.sort(ranges, Comparator.comparingLong(PhysicalRange::pfnStart));
        }
        Map<String, Device> byName = new LinkedHashMap<>(s.byName());
        byName.put(device.name(), device);
        snapshot = new Snapshot(ranges, Collections.unmodifiableMap(byName));
        LOG.log(System.Logger.Level.DEBUG, "registered {0}", device);
    }

    /**
     * Removes a device if it is this very object (not merely a device of the same name).
     *
     * @return whether it was registered
     */
    public synchronized boolean unregister(Device device) {
        Snapshot s = snapshot;
        if (s.byName().get(device.name()) != device) {
            return false;
        }
        Map<String, Device> byName = new LinkedHashMap<>(s.byName());
        byName.remove(device.name());
        PhysicalRange[] ranges = Arrays.stream(s.ranges()).filter(r -> r != device)
                .toArray(PhysicalRange[]::new);
        snapshot = new Snapshot(ranges, Collections.unmodifiableMap(byName));
        LOG.log(System.Logger.Level.DEBUG, "unregistered {0}", device);
        return true;
    }

    /** @return the device of that name, if one is registered */
    public Optional<Device> device(String name) {
        return Optional.ofNullable(snapshot.byName().get(name));
    }

    /** @return every registered device, in registration order */
    public List<Device> devices() {
        return List.copyOf(snapshot.byName().values());
    }

    @Override
    public Optional<PhysicalRange> rangeOf(long pfn) {
        PhysicalRange[] ranges = snapshot.ranges();
        int lo = 0;
        int hi = ranges.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            PhysicalRange r = ranges[mid];
            if (pfn < r.pfnStart()) {
                hi = mid - 1;
            } else if (pfn - r.pfnStart() >= r.pfnCount()) {
                lo = mid + 1;
            } else {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    @Override
    public List<PhysicalRange> ranges() {
        return List.of(snapshot.ranges());
    }

    private static void checkName(Snapshot s, String name) {
        Device other = s.byName().get(name);
        if (other != null) {
            throw new HwException("EEXIST", "device name '" + name + "' is already used by " + other);
        }
    }

    private static void checkRange(Snapshot s, String name, long pfnStart, long pfnCount) {
        if (pfnStart < 0 || pfnCount <= 0 || pfnStart > MAX_PFN - pfnCount) {
            throw new HwException("EINVAL", "device '" + name + "' PFN range starting at " + Checks.hex(pfnStart)
                    + " with " + pfnCount + " frames does not fit the physical address space (PFNs 0x0-"
                    + Checks.hex(MAX_PFN - 1) + ")");
        }
        List<String> clashes = new ArrayList<>();
        for (PhysicalRange r : s.ranges()) {
            boolean overlaps = pfnStart < r.pfnStart() + r.pfnCount() && r.pfnStart() < pfnStart + pfnCount;
            if (overlaps) {
                clashes.add("device '" + r.name() + "' (PFNs " + Checks.pfnRange(r.pfnStart(), r.pfnCount()) + ")");
            }
        }
        if (!clashes.isEmpty()) {
            throw new HwException("EINVAL", "device '" + name + "' (PFNs " + Checks.pfnRange(pfnStart, pfnCount)
                    + ") overlaps " + String.join(" and ", clashes));
        }
    }
}
