package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.vfsgi.launcher.ScriptSplitter.ScriptCommand;

class ScriptSplitterTest {

    @Test
    void oneCommandPerLineWithCommentsAndBlankLinesDropped() {
        assertEquals(List.of(new ScriptCommand(2, "lb"), new ScriptCommand(5, "hw:device mmio0")),
                ScriptSplitter.split("""
                        # the bundles
                        lb

                            # indented comment
                          hw:device mmio0   \s
                        """));
    }

    @Test
    void emptyScriptHasNoCommands() {
        assertEquals(List.of(), ScriptSplitter.split(""));
        assertEquals(List.of(), ScriptSplitter.split("\n  \n# only a comment"));
    }

    @Test
    void lastLineWithoutNewlineCounts() {
        assertEquals(List.of(new ScriptCommand(1, "lb"), new ScriptCommand(2, "hw:mem")),
                ScriptSplitter.split("lb\nhw:mem"));
    }

    @Test
    void openBracesKeepAClosureTogetherAcrossLines() {
        String closure = """
                each [1 2] {
                  # a comment inside the closure, with an apostrophe: don't
                  echo $it
                }""";
        assertEquals(List.of(new ScriptCommand(1, "each [1 2] {\n  \n  echo $it\n}"), new ScriptCommand(5, "lb")),
                ScriptSplitter.split(closure + "\nlb\n"));
    }

    @Test
    void parenthesesAndBracketsAlsoContinue() {
        assertEquals(List.of(new ScriptCommand(1, "x = (\necho a\n)"), new ScriptCommand(4, "y = [a\nb]")),
                ScriptSplitter.split("x = (\necho a\n)\ny = [a\nb]\n"));
    }

    @Test
    void quotesHideBracketsHashesAndNewlines() {
        assertEquals(List.of(new ScriptCommand(1, "echo '{ # not a comment'"),
                        new ScriptCommand(2, "echo \"two\nlines } \\\" still quoted\""),
                        new ScriptCommand(4, "lb")),
                ScriptSplitter.split("echo '{ # not a comment'\necho \"two\nlines } \\\" still quoted\"\nlb\n"));
    }

    @Test
    void backslashNewlineJoinsLinesAndOtherEscapesStay() {
        assertEquals(List.of(new ScriptCommand(1, "hw:poke 0xF0000 0   2a000000"), new ScriptCommand(3, "echo \\{")),
                ScriptSplitter.split("hw:poke 0xF0000 0 \\\n 2a000000\necho \\{\n"));
    }

    @Test
    void crlfScriptsSplitLikeLfScripts() {
        assertEquals(List.of(new ScriptCommand(1, "lb"), new ScriptCommand(2, "hw:mem")),
                ScriptSplitter.split("lb\r\nhw:mem\r\n"));
    }

    @Test
    void unclosedBraceNamesTheLineItWasOpenedOn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScriptSplitter.split("lb\neach [1] {\n echo $it\n"));
        assertEquals("line 2: '{' is never closed", e.getMessage());
    }

    @Test
    void unexpectedClosingBracketNamesItsLine() {
        assertEquals("line 2: unexpected '}'",
                assertThrows(IllegalArgumentException.class, () -> ScriptSplitter.split("lb\n}\n")).getMessage());
        assertEquals("line 1: unexpected ')' while '{' from line 1 is open",
                assertThrows(IllegalArgumentException.class, () -> ScriptSplitter.split("x = { )")).getMessage());
    }

    @Test
    void unclosedQuoteNamesItsLine() {
        assertEquals("line 3: quote ' is never closed", assertThrows(IllegalArgumentException.class,
                () -> ScriptSplitter.split("lb\n\necho 'oops\nlb\n")).getMessage());
    }
}
