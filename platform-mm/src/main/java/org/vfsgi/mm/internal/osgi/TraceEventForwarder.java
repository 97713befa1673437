package org.vfsgi.mm.internal.osgi;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.core.TraceEvent;
import org.vfsgi.mm.core.TraceStep;

/**
 * A trace listener that posts each {@link TraceEvent} to the current Event Admin, if there is
 * one. {@link EventAdmin#postEvent} and not {@code sendEvent}: the listener runs on the thread
 * of the mm operation, under its locks, and an event handler must never be able to stall or
 * re-enter an mmap.
 *
 * <p>Topic {@value #TOPIC_PREFIX}{@code <STEP>} ({@code org/vfsgi/mm/trace/MMAP},
 * {@code org/vfsgi/mm/trace/PREPARE}, ...), so a handler can subscribe to one step or to
 * {@code org/vfsgi/mm/trace/*}. The properties are the event's fields; {@value #FILE} is absent for
 * anonymous memory and {@value #ERRNO} is present only when the outcome is an errno.
 */
final class TraceEventForwarder implements Consumer<TraceEvent> {
    private static final System.Logger LOG = System.getLogger(TraceEventForwarder.class.getName());

    /** Topic of every trace event, followed by the {@link TraceStep} name. */
    static final String TOPIC_PREFIX = "org/vfsgi/mm/trace/";
    /** Event property: the trace sequence number ({@code Long}). */
    static final String SEQ = "seq";
    /** Event property: the process id ({@code Integer}, 0 when no process is concerned). */
    static final String PID = "pid";
    /** Event property: start of the range ({@code Long}). */
    static final String START = "start";
    /** Event property: end of the range, exclusive ({@code Long}). */
    static final String END = "end";
    /** Event property: the file's path ({@code String}); absent for anonymous memory. */
    static final String FILE = "file";
    /** Event property: {@code ok}, an errno name or a word such as {@code merged} ({@code String}). */
    static final String OUTCOME = "outcome";
    /** Event property: the errno name when the step failed ({@code String}); absent otherwise. */
    static final String ERRNO = "errno";
    /** Event property: a sentence for people ({@code String}); absent when empty. */
    static final String DETAIL = "detail";

    private final AtomicReference<EventAdmin> eventAdmin = new AtomicReference<>();

    /** @param admin the Event Admin to post to from now on */
    void bind(EventAdmin admin) {
        eventAdmin.set(admin);
    }

    /**
     * Forgets an Event Admin, unless another one was bound since: with a dynamic greedy
     * reference, the replacement is bound before the old one is unbound.
     *
     * @param admin the Event Admin that is going away
     */
    void unbind(EventAdmin admin) {
        eventAdmin.compareAndSet(admin, null);
    }

    /** @return the Event Admin events go to, or null */
    EventAdmin current() {
        return eventAdmin.get();
    }

    @Override
    public void accept(TraceEvent event) {
        EventAdmin admin = eventAdmin.get();
        if (admin == null) {
            return;
        }
        try {
            admin.postEvent(toEvent(event));
        } catch (RuntimeException e) {
            // An Event Admin that is stopping refuses events; the ring still has them.
            LOG.log(System.Logger.Level.DEBUG, "could not post trace event {0}: {1}", event.seq(), e);
        }
    }

    /**
     * @param e a trace event
     * @return the OSGi event for it
     */
    static Event toEvent(TraceEvent e) {
        return new Event(topic(e.step()), properties(e));
    }

    /**
     * @param step a step
     * @return its topic
     */
    static String topic(TraceStep step) {
        return TOPIC_PREFIX + step.name();
    }

    /**
     * @param e a trace event
     * @return its event properties (Event Admin does not allow null values, so absent ones are left out)
     */
    static Map<String, Object> properties(TraceEvent e) {
        Map<String, Object> p = new HashMap<>();
        p.put(SEQ, e.seq());
        p.put(PID, e.pid());
        p.put(START, e.start());
        p.put(END, e.end());
        if (e.file() != null) {
            p.put(FILE, e.file());
        }
        p.put(OUTCOME, e.outcome());
        if (isErrno(e.outcome())) {
            p.put(ERRNO, e.outcome());
        }
        // Formats a lazily kept detail (TraceEvent#detail): Event Admin needs the text now.
        String detail = e.detail();
        if (!detail.isEmpty()) {
            p.put(DETAIL, detail);
        }
        return p;
    }

    private static boolean isErrno(String outcome) {
        if (outcome == null || !outcome.startsWith("E")) {
            return false;
        }
        for (Errno errno : Errno.values()) {
            if (errno.name().equals(outcome)) {
                return true;
            }
        }
        return false;
    }
}
