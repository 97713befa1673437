package org.vfsgi.launcher;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Splits a Gogo script into the commands script mode runs one at a time, so that it can echo
 * each one and stop at the first that fails.
 *
 * <p>A command ends at a newline outside brackets and quotes. A command continues onto the next
 * line while a {@code {}, {@code (} or {@code [} is open (a multi-line closure, as in Gogo's own
 * profile), while a quote is open, or when the line ends with a backslash. A line whose first
 * non-blank character is {@code #} is a comment, at any nesting depth, and is dropped. Quoting
 * follows Gogo: a backslash escapes the next character outside single quotes; single quotes
 * are literal.
 */
public final class ScriptSplitter {

    private ScriptSplitter() {
    }

    /**
     * Splits a script.
     *
     * @param script the script text
     * @return its commands in order, each with the line it starts on; blank lines and comments
     *         produce none
     * @throws IllegalArgumentException for an unbalanced bracket or an unclosed quote, naming the
     *                                  line where it was opened or found
     */
    public static List<ScriptCommand> split(String script) {
        List<ScriptCommand> commands = new ArrayList<>();
        Deque<Open> open = new ArrayDeque<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        int quoteLine = 0;
        int line = 1;
        int commandLine = 1; // set when the command's first character is seen
        boolean lineStart = true; // only blanks so far on this line, outside quotes
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (quote != 0) {
                current.append(c);
                if (c == '\\' && quote == '"' && i + 1 < n) {
                    char next = script.charAt(++i);
                    current.append(next);
                    if (next == '\n') {
                        line++;
                    }
                } else if (c == quote) {
                    quote = 0;
                } else if (c == '\n') {
                    line++;
                }
                continue;
            }
            if (lineStart && c == '#') {
                while (i + 1 < n && script.charAt(i + 1) != '\n') {
                    i++;
                }
                continue; // the newline itself is handled on the next iteration
            }
            if (c == '\n') {
                line++;
                lineStart = true;
                if (open.isEmpty()) {
                    add(commands, current, commandLine);
                } else {
                    current.append(c);
                }
                continue;
            }
            if (c == '\r' && i + 1 < n && script.charAt(i + 1) == '\n') {
                continue; // CRLF scripts: the LF does the work
            }
            if (Character.isWhitespace(c)) {
                if (current.length() == 0) {
                    continue; // blanks before a command belong to no command
                }
            } else {
                lineStart = false;
                if (current.length() == 0) {
                    commandLine = line; // a command starts on the line of its first character
                }
            }
            switch (c) {
                case '\\' -> {
                    if (i + 1 < n && script.charAt(i + 1) == '\n') {
                        i++; // line continuation: join the lines
                        line++;
                        current.append(' ');
                    } else if (i + 1 < n && script.charAt(i + 1) == '\r'
                            && i + 2 < n && script.charAt(i + 2) == '\n') {
                        i += 2;
                        line++;
                        current.append(' ');
                    } else {
                        current.append(c);
                        if (i + 1 < n) {
                            current.append(script.charAt(++i));
                        }
                    }
                }
                case '\'', '"' -> {
                    quote = c;
                    quoteLine = line;
                    current.append(c);
                }
                case '{', '(', '[' -> {
                    open.push(new Open(c, line));
                    current.append(c);
                }
                case '}', ')', ']' -> {
                    char expected = c == '}' ? '{' : c == ')' ? '(' : '[';
                    if (open.isEmpty() || open.peek().bracket() != expected) {
                        throw new IllegalArgumentException("line " + line + ": unexpected '" + c + "'"
                                + (open.isEmpty() ? "" : " while '" + open.peek().bracket()
                                        + "' from line " + open.peek().line() + " is open"));
                    }
                    open.pop();
                    current.append(c);
                }
                default -> current.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("line " + quoteLine + ": quote " + quote + " is never closed");
        }
        if (!open.isEmpty()) {
            throw new IllegalArgumentException("line " + open.peek().line() + ": '" + open.peek().bracket()
                    + "' is never closed");
        }
        add(commands, current, commandLine);
        return commands;
    }

    private static void add(List<ScriptCommand> commands, StringBuilder current, int line) {
        String text = current.toString().strip();
        if (!text.isEmpty()) {
            commands.add(new ScriptCommand(line, text));
        }
        current.setLength(0);
    }

    private record Open(char bracket, int line) {
    }

    /**
     * One command of a script.
     *
     * @param line the 1-based line it starts on
     * @param text the command, without surrounding blanks; may span lines
     */
    public record ScriptCommand(int line, String text) {
        /** Rejects a missing text or a line before the first. */
        public ScriptCommand {
            Objects.requireNonNull(text, "text");
            if (line < 1) {
                throw new IllegalArgumentException("line must be positive: " + line);
            }
        }
    }
}
