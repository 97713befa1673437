package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScriptRunnerTest {

    /** A shell that knows three commands and records what it ran. */
    private static final class FakeShell implements ScriptRunner.Shell {
        final List<String> ran = new ArrayList<>();

        @Override
        public Object execute(String command) throws Exception {
            ran.add(command);
            if (command.startsWith("quiet")) {
                return null;
            }
            return switch (command) {
                case "answer" -> 42;
                case "maps" -> "00400000-00401000 rw-p 00000000 00:00 0 \n";
                case "broken" -> throw new IllegalArgumentException("no such device: disk9");
                case "silent-failure" -> throw new IllegalStateException();
                default -> throw new Exception("Command not found: " + command);
            };
        }

        @Override
        public String format(Object result) {
            return result instanceof String text ? text : "<" + result + ">";
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final FakeShell shell = new FakeShell();

    private boolean run(boolean debug, String script) {
        return new ScriptRunner(shell, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), debug).run(ScriptSplitter.split(script));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    @Test
    void resultEndingItsOwnLineIsPrintedAsIs() {
        assertTrue(run(false, "maps\nanswer\n"));
        assertEquals("vfsgi> maps\n00400000-00401000 rw-p 00000000 00:00 0 \nvfsgi> answer\n<42>\n", text(out));
    }

    @Test
    void echoesEachCommandAndPrintsNonNullResults() {
        assertTrue(run(false, "quiet\nanswer\n"));
        assertEquals(List.of("quiet", "answer"), shell.ran);
        assertEquals("vfsgi> quiet\nvfsgi> answer\n<42>\n", text(out));
        assertEquals("", text(err));
    }

    @Test
    void stopsAtTheFirstFailureWithOneErrorLine() {
        assertFalse(run(false, "answer\nbroken\nanswer\n"));
        assertEquals(List.of("answer", "broken"), shell.ran, "nothing runs after the failing command");
        assertEquals("vfsgi> answer\n<42>\nvfsgi> broken\n", text(out));
        assertEquals("error: no such device: disk9\n", text(err));
    }

    @Test
    void failureWithoutMessageIsNamedByItsType() {
        assertFalse(run(false, "silent-failure\n"));
        assertEquals("error: IllegalStateException\n", text(err));
    }

    @Test
    void debugAddsTheLineAndStackTrace() {
        assertFalse(run(true, "quiet\n\nbroken\n"));
        String errors = text(err);
        assertTrue(errors.startsWith("error: no such device: disk9\n  (script line 3)\n"
                + "java.lang.IllegalArgumentException: no such device: disk9\n"), errors);
        assertTrue(errors.contains("\tat "), errors);
    }

    @Test
    void multiLineCommandsShowContinuationPrompts() {
        assertTrue(run(false, "quiet {\n}\n"));
        assertEquals("vfsgi> quiet {\n" + ScriptRunner.CONTINUATION + "}\n", text(out));
    }
}
