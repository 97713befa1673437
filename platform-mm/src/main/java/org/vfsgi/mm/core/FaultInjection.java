package org.vfsgi.mm.core;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.vfsgi.mm.Errno;

/**
 * Failure injection for tests: arm a named {@link InjectionPoint} to fail its N-th call
 * from now with an errno. One instance per {@link Kernel}, never static.
 */
public final class FaultInjection {
    private static final class Arming {
        long remaining;
        Errno errno;
    }

    private final Map<InjectionPoint, Arming> armed = new EnumMap<>(InjectionPoint.class);
    /**
     * Calls per point, by ordinal: every split, merge and mmap passes a point, and counting in
     * a map boxed a Long each time (a measured allocation hot spot of those paths, benchmarks/).
     */
    private final long[] calls = new long[InjectionPoint.values().length];

    FaultInjection() {
    }

    /**
     * Arms a point: its {@code nth} call from now fails with {@code errno}, once.
     *
     * @param point the point
     * @param nth 1 for the next call
     * @param errno the errno to fail with
     * @throws IllegalArgumentException if {@code nth < 1} or errno is null
     */
    public synchronized void arm(InjectionPoint point, long nth, Errno errno) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth must be >= 1, was " + nth);
        }
        if (errno == null || point == null) {
            throw new IllegalArgumentException("point and errno are required");
        }
        Arming a = new Arming();
        a.remaining = nth;
        a.errno = errno;
        armed.put(point, a);
    }

    /**
     * @param point the point to disarm
     */
    public synchronized void disarm(InjectionPoint point) {
        armed.remove(point);
    }

    /** Disarms every point and forgets call counts. */
    public synchronized void reset() {
        armed.clear();
        Arrays.fill(calls, 0);
    }

    /**
     * @param point a point
     * @return how many times the point was passed
     */
    public synchronized long calls(InjectionPoint point) {
        return calls[point.ordinal()];
    }

    /**
     * @param point a point
     * @return whether it is still armed (its failing call has not happened yet)
     */
    public synchronized boolean isArmed(InjectionPoint point) {
        return armed.containsKey(point);
    }

    /**
     * Passes a point.
     *
     * @param point the point
     * @return {@code 0}, or the negative errno to fail with
     */
    public synchronized int check(InjectionPoint point) {
        calls[point.ordinal()]++;
        Arming a = armed.get(point);
        if (a == null) {
            return 0;
        }
        if (--a.remaining > 0) {
            return 0;
        }
        armed.remove(point);
        return a.errno.negative();
    }
}
