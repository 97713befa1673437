package org.vfsgi.mm.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final List<Consumer<TraceEvent>> listeners = new CopyOnWriteArrayList<>();
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
     * @param detail a sentence, may be empty
     * @return the recorded event
     */
    public TraceEvent emit(int pid, long start, long end, String file, TraceStep step, String outcome, String detail) {
        TraceEvent ev;
        synchronized (this) {
            ev = new TraceEvent(++seq, pid, start, end, file, step, outcome, detail == null ? "" : detail);
            if (ring.size() == capacity) {
                ring.removeFirst();
                dropped++;
            }
            ring.addLast(ev);
        }
        for (Consumer<TraceEvent> l : listeners) {
            try {
                l.accept(ev);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "trace listener {0} failed on {1}", l, ev, e);
            }
        }
        return ev;
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
    public void addListener(Consumer<TraceEvent> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** @param listener a listener added before */
    public void removeListener(Consumer<TraceEvent> listener) {
        listeners.remove(listener);
    }
}
