package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LaunchOptionsTest {

    @Test
    void noArgumentsMeansInteractiveWithTheDefaultTimeout() throws UsageException {
        LaunchOptions options = LaunchOptions.parse();
        assertEquals(LaunchOptions.Mode.INTERACTIVE, options.mode());
        assertEquals(Optional.empty(), options.script());
        assertEquals(Duration.ofSeconds(30), options.readyTimeout());
        assertEquals(Map.of(), options.systemProperties());
    }

    @Test
    void scriptWithTimeoutAndProperties() throws UsageException {
        LaunchOptions options = LaunchOptions.parse("-Dvfsgi.debug", "--script", "demo.gosh", "--timeout", "7",
                "-Dvfsgi.state.dir=/tmp/a=b");
        assertEquals(LaunchOptions.Mode.SCRIPT, options.mode());
        assertEquals(Optional.of("demo.gosh"), options.script());
        assertEquals(Duration.ofSeconds(7), options.readyTimeout());
        // -Dname alone means true; only the first '=' separates name and value
        assertEquals(Map.of("vfsgi.debug", "true", "vfsgi.state.dir", "/tmp/a=b"), options.systemProperties());
    }

    @Test
    void dashReadsTheScriptFromStandardInput() throws UsageException {
        assertEquals(Optional.of(LaunchOptions.STDIN), LaunchOptions.parse("--script", "-").script());
    }

    @Test
    void helpWinsOverEverythingAfterIt() throws UsageException {
        assertEquals(LaunchOptions.Mode.HELP, LaunchOptions.parse("--script", "x", "--help", "--bogus").mode());
        assertEquals(LaunchOptions.Mode.HELP, LaunchOptions.parse("-h").mode());
    }

    @Test
    void unknownArgumentIsNamed() {
        UsageException e = assertThrows(UsageException.class, () -> LaunchOptions.parse("--scirpt", "x"));
        assertEquals("unknown argument: --scirpt", e.getMessage());
        assertThrows(UsageException.class, () -> LaunchOptions.parse("shell"));
    }

    @Test
    void optionWithoutValue() {
        assertEquals("--script needs a value",
                assertThrows(UsageException.class, () -> LaunchOptions.parse("--script")).getMessage());
        assertEquals("--timeout needs a value",
                assertThrows(UsageException.class, () -> LaunchOptions.parse("--script", "x", "--timeout"))
                        .getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "3601", "ten", "1.5", ""})
    void timeoutOutsideOneSecondToAnHourIsRejected(String value) {
        UsageException e = assertThrows(UsageException.class,
                () -> LaunchOptions.parse("--script", "x", "--timeout", value));
        assertTrue(e.getMessage().startsWith("--timeout"), e.getMessage());
        assertTrue(e.getMessage().contains(value.isEmpty() ? "''" : value), e.getMessage());
    }

    @Test
    void timeoutAlsoAppliesToTheInteractiveShell() throws UsageException {
        LaunchOptions options = LaunchOptions.parse("--timeout", "5");
        assertEquals(LaunchOptions.Mode.INTERACTIVE, options.mode());
        assertEquals(Duration.ofSeconds(5), options.readyTimeout());
    }

    @Test
    void repeatedOptionsAreRejected() {
        assertEquals("--script given twice",
                assertThrows(UsageException.class, () -> LaunchOptions.parse("--script", "a", "--script", "b"))
                        .getMessage());
        assertEquals("--timeout given twice", assertThrows(UsageException.class,
                () -> LaunchOptions.parse("--script", "a", "--timeout", "1", "--timeout", "2")).getMessage());
    }

    @Test
    void blankScriptNameAndNamelessPropertyAreRejected() {
        assertThrows(UsageException.class, () -> LaunchOptions.parse("--script", " "));
        assertEquals("no property name in -D=x",
                assertThrows(UsageException.class, () -> LaunchOptions.parse("-D=x")).getMessage());
    }
}
