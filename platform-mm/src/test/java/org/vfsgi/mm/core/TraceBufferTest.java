package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TraceBufferTest {

    @Test
    void ringDropsOldestAndListenersSeeEverything() {
        TraceBuffer t = new TraceBuffer(3);
        List<TraceEvent> heard = new ArrayList<>();
        Consumer<TraceEvent> l = heard::add;
        t.addListener(l);
        t.addListener(e -> {
            throw new IllegalStateException("a broken listener must not break tracing");
        });
        for (int i = 0; i < 5; i++) {
            t.emit(1, i * 0x1000L, (i + 1) * 0x1000L, null, TraceStep.UNMAP, "ok", "n" + i);
        }
        List<TraceEvent> kept = t.snapshot();
        assertEquals(3, kept.size());
        assertEquals("n2", kept.get(0).detail());
        assertEquals(3, kept.get(0).seq());
        assertEquals(2, t.dropped());
        assertEquals(5, heard.size());
        t.removeListener(l);
        t.emit(1, 0, 0, "/f", TraceStep.MMAP, "ENOMEM", "");
        assertEquals(5, heard.size());
        assertEquals(1, t.events(TraceStep.MMAP).size());
        assertEquals("#6 pid 1 [0,0) /f MMAP ENOMEM", t.events(TraceStep.MMAP).get(0).toString());
        t.clear();
        assertEquals(0, t.snapshot().size());
        assertThrows(IllegalArgumentException.class, () -> new TraceBuffer(0));
    }

    @Test
    void aListenerAddedTwiceHearsTwiceUntilRemovedOnce() {
        TraceBuffer t = new TraceBuffer(2);
        List<Long> heard = new ArrayList<>();
        Consumer<TraceEvent> l = e -> heard.add(e.seq());
        Consumer<TraceEvent> other = e -> heard.add(-e.seq());
        t.addListener(l);
        t.addListener(other);
        t.addListener(l);
        t.emit(1, 0, 0, null, TraceStep.EXIT, "ok", "");
        assertEquals(List.of(1L, -1L, 1L), heard, "in the order added");
        t.removeListener(l);
        t.emit(1, 0, 0, null, TraceStep.EXIT, "ok", "");
        assertEquals(List.of(1L, -1L, 1L, -2L, 2L), heard, "the first registration went");
        t.removeListener(e -> { });
        t.removeListener(other);
        t.removeListener(l);
        t.emit(1, 0, 0, null, TraceStep.EXIT, "ok", "");
        assertEquals(5, heard.size(), "no listener left");
        assertThrows(NullPointerException.class, () -> t.addListener(null));
    }

    @Test
    void defaultCapacityIs4096() {
        assertEquals(4096, new Kernel().trace().capacity());
    }
}
