package org.vfsgi.mm.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A bounded ring of {@link TraceEvent}s with subscribers. When full, the oldest event is
 * dropped. Listeners run synchronously on the emitting thread (an Event Admin adapter posts
 * asynchronously on its own); a listener that throws is removed from nothing and is only
 * logged, so tracing never breaks an mm operation.
 */
public final class TraceBuffer {
    private static final System.Logger LOG = System.getLogger(TraceBuffer.class.getName());

    private final int capacity;
    private final ArrayDeque<TraceEvent> ring;
    /** Copied on write under {@code this}; read without a lock. */
    @SuppressWarnings("unchecked")
    private volatile Consumer<TraceEvent>[] listeners = new Consumer[0];
    private long seq;
    private long dropped;

    /**
     * @param capacity the number of events kept, at least 1
     * @throws IllegalArgumentException if capacity is below 1
     */
    public TraceBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("trace capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /**
     * Records an event and tells the listeners.
     *
     * @param pid process id
     * @param start range start
     * @param end range end
     * @param file file path or null
     * @param step the step
     * @param outcome the outcome word
     * @param detail a sentence, may be empty; null counts as empty. Pass text that costs nothing
     *        to build (a constant, a name); text built from values goes through
     *        {@link #emit(int, long, long, String, TraceStep, String, TraceDetail)}
     * @return the recorded event
     */
    public TraceEvent emit(int pid, long start, long end, String file, TraceStep step, String outcome, String detail) {
        return record(pid, start, end, file, step, outcome, detail == null ? "" : detail);
    }

    /**
     * Records an event whose detail is formatted only when read ({@link TraceEvent#detail()}),
     * and tells the listeners.
     *
     * @param pid process id
     * @param start range start
     * @param end range end
     * @param file file path or null
     * @param step the step
     * @param outcome the outcome word
     * @param detail the detail's raw values, captured now (see {@link TraceDetail})
     * @return the recorded event
     */
    public TraceEvent emit(int pid, long start, long end, String file, TraceStep step, String outcome,
            TraceDetail detail) {
        return record(pid, start, end, file, step, outcome, Objects.requireNonNull(detail, "detail"));
    }

    /** @param detail a String or a {@link TraceDetail}, not null */
    private TraceEvent record(int pid, long start, long end, String file, TraceStep step, String outcome,
            Object detail) {
        TraceEvent ev;
        synchronized (this) {
            ev = new TraceEvent(++seq, pid, start, end, file, step, outcome, detail);
            keep(ev);
        }
        tell(ev);
        return ev;
    }

    private void keep(TraceEvent ev) {
        if (ring.size() == capacity) {
            ring.removeFirst();
            dropped++;
        }
        ring.addLast(ev);
    }

    private void tell(TraceEvent ev) {
        // An array read once, not an iterator: emitting allocates nothing but the event.
        for (Consumer<TraceEvent> l : listeners) {
            try {
                l.accept(ev);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "trace listener {0} failed on {1}", l, ev, e);
            }
        }
    }

    /** @return the kept events, oldest first */
    public synchronized List<TraceEvent> snapshot() {
        return new ArrayList<>(ring);
    }

    /**
     * @param step a step
     * @return the kept events of that step, oldest first
     */
    public synchronized List<TraceEvent> events(TraceStep step) {
        List<TraceEvent> out = new ArrayList<>();
        for (TraceEvent e : ring) {
            if (e.step() == step) {
                out.add(e);
            }
        }
        return out;
    }

    /** Forgets all kept events (sequence numbers keep increasing). */
    public synchronized void clear() {
        ring.clear();
    }

    /** @return the number of events dropped because the ring was full */
    public synchronized long dropped() {
        return dropped;
    }

    /** @return the capacity */
    public int capacity() {
        return capacity;
    }

    /** @param listener called for every new event */
    public synchronized void addListener(Consumer<TraceEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        Consumer<TraceEvent>[] now = Arrays.copyOf(listeners, listeners.length + 1);
        now[now.length - 1] = listener;
        listeners = now;
    }

    /** @param listener a listener added before */
    public synchronized void removeListener(Consumer<TraceEvent> listener) {
        Consumer<TraceEvent>[] now = listeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i].equals(listener)) {
                Consumer<TraceEvent>[] less = Arrays.copyOf(now, now.length - 1);
                System.arraycopy(now, i + 1, less, i, now.length - i - 1);
                listeners = less;
                return;
            }
        }
    }
}
