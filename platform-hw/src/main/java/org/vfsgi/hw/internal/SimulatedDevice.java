package org.vfsgi.hw.internal;

import java.util.Map;

import org.vfsgi.hw.Device;

/**
 * What the platform needs from every device it creates beyond the API: a way to release its
 * host resources when its configuration goes away, and a description for the shell.
 */
public interface SimulatedDevice extends Device, AutoCloseable {
    /**
     * A one-word summary for a device table, for example {@code "rw"} or {@code "12/256 free"}.
     *
     * @return the device's state at this moment
     */
    String state();

    /**
     * Everything worth showing about the device, in display order: geometry, counters, register
     * values. Values are already formatted for a person.
     *
     * @return an ordered map of label to value
     */
    Map<String, String> details();

    /**
     * Releases the device's host resources (file handles, memory). Later accesses fail with
     * {@code ENODEV}. Closing twice is harmless.
     *
     * @throws org.vfsgi.hw.HwException EIO if data could not be written back while closing; the
     *         device is closed all the same
     */
    @Override
    void close();
}
