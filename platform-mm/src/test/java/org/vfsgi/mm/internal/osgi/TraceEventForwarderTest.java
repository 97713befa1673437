package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.vfsgi.mm.core.TraceEvent;
import org.vfsgi.mm.core.TraceStep;

/** Trace events become Event Admin events, posted asynchronously to whichever Event Admin is bound. */
class TraceEventForwarderTest {

    /** Records what was posted and fails the test on a synchronous send. */
    static final class RecordingEventAdmin implements EventAdmin {
        final List<Event> posted = new ArrayList<>();
        RuntimeException failure;

        @Override
        public synchronized void postEvent(Event event) {
            if (failure != null) {
                throw failure;
            }
            posted.add(event);
        }

        @Override
        public void sendEvent(Event event) {
            throw new AssertionError("sendEvent would run handlers on the mm operation's thread");
        }
    }

    private static final TraceEvent MMAP_OK = new TraceEvent(7, 3, 0x400000, 0x401000, null, TraceStep.MMAP, "ok",
            "new VMA");
    private static final TraceEvent PREPARE_FAILED = new TraceEvent(8, 3, 0x400000, 0x401000, "/data/f",
            TraceStep.PREPARE, "ENOMEM", "");

    @Test
    void topicAndPropertiesOfAnAnonymousEvent() {
        Event e = TraceEventForwarder.toEvent(MMAP_OK);
        assertEquals("org/vfsgi/mm/trace/MMAP", e.getTopic());
        assertEquals(7L, e.getProperty("seq"));
        assertEquals(3, e.getProperty("pid"));
        assertEquals(0x400000L, e.getProperty("start"));
        assertEquals(0x401000L, e.getProperty("end"));
        assertEquals("ok", e.getProperty("outcome"));
        assertEquals("new VMA", e.getProperty("detail"));
        assertFalse(e.containsProperty("file"), "anonymous memory has no file");
        assertFalse(e.containsProperty("errno"), "ok is not an errno");
    }

    @Test
    void failedStepCarriesItsErrnoAndFile() {
        Event e = TraceEventForwarder.toEvent(PREPARE_FAILED);
        assertEquals("org/vfsgi/mm/trace/PREPARE", e.getTopic());
        assertEquals("/data/f", e.getProperty("file"));
        assertEquals("ENOMEM", e.getProperty("outcome"));
        assertEquals("ENOMEM", e.getProperty("errno"));
        assertFalse(e.containsProperty("detail"));
        TraceEvent merged = new TraceEvent(9, 3, 0, 0x1000, null, TraceStep.MERGE, "EXPANDED", "");
        assertFalse(TraceEventForwarder.toEvent(merged).containsProperty("errno"), "a word starting with E is no errno");
    }

    @Test
    void aLazyDetailIsPostedAsItsText() {
        TraceEvent lazy = new TraceEvent(10, 3, 0, 0x1000, null, TraceStep.SPLIT, "ok", () -> "split at 0x1000");
        assertEquals("split at 0x1000", TraceEventForwarder.toEvent(lazy).getProperty("detail"));
        TraceEvent empty = new TraceEvent(11, 3, 0, 0x1000, null, TraceStep.SPLIT, "ok", () -> "");
        assertFalse(TraceEventForwarder.toEvent(empty).containsProperty("detail"), "empty text is left out either way");
    }

    @Test
    void postsOnlyWhileAnEventAdminIsBound() {
        TraceEventForwarder f = new TraceEventForwarder();
        f.accept(MMAP_OK); // nothing bound: dropped quietly
        RecordingEventAdmin admin = new RecordingEventAdmin();
        f.bind(admin);
        f.accept(MMAP_OK);
        f.accept(PREPARE_FAILED);
        assertEquals(2, admin.posted.size());
        f.unbind(admin);
        assertNull(f.current());
        f.accept(MMAP_OK);
        assertEquals(2, admin.posted.size());
    }

    @Test
    void unbindOfTheOldEventAdminAfterItsReplacementWasBoundKeepsTheReplacement() {
        TraceEventForwarder f = new TraceEventForwarder();
        RecordingEventAdmin old = new RecordingEventAdmin();
        RecordingEventAdmin replacement = new RecordingEventAdmin();
        f.bind(old);
        f.bind(replacement); // greedy dynamic reference: bind new, then unbind old
        f.unbind(old);
        assertSame(replacement, f.current());
        f.accept(MMAP_OK);
        assertEquals(1, replacement.posted.size());
        assertTrue(old.posted.isEmpty());
    }

    @Test
    void aFailingEventAdminNeverBreaksTracing() {
        TraceEventForwarder f = new TraceEventForwarder();
        RecordingEventAdmin admin = new RecordingEventAdmin();
        admin.failure = new IllegalStateException("event admin stopping");
        f.bind(admin);
        f.accept(MMAP_OK); // must not throw
        assertTrue(admin.posted.isEmpty());
    }
}
