package org.vfsgi.launcher;

import java.io.PrintStream;
import java.util.List;

import org.vfsgi.launcher.ScriptSplitter.ScriptCommand;

/**
 * Runs a script's commands one at a time: echoes each as {@code vfsgi> COMMAND}, prints its
 * result (adding a line break unless it ends with one), and stops at the first command that
 * throws, printing one line {@code error: MESSAGE} (and the stack trace only when debugging).
 */
public final class ScriptRunner {

    /** The prompt echoed before each command. */
    public static final String PROMPT = "vfsgi> ";
    /** The prompt echoed before the continuation lines of a multi-line command. */
    public static final String CONTINUATION = "...    ";

    /** Where the commands run: a Gogo session in the platform, a fake in tests. */
    public interface Shell {
        /**
         * Executes one command.
         *
         * @param command the command text
         * @return its result, possibly {@code null}
         * @throws Exception whatever the command threw
         */
        Object execute(String command) throws Exception;

        /**
         * Formats a non-null result for printing.
         *
         * @param result the result
         * @return its text
         * @throws Exception if formatting fails
         */
        String format(Object result) throws Exception;
    }

    private final Shell shell;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean debug;

    /**
     * @param shell where commands run
     * @param out   where echoes and results go
     * @param err   where errors go
     * @param debug whether a failure also prints its stack trace
     */
    public ScriptRunner(Shell shell, PrintStream out, PrintStream err, boolean debug) {
        this.shell = shell;
        this.out = out;
        this.err = err;
        this.debug = debug;
    }

    /**
     * Runs commands until one fails.
     *
     * @param commands the commands, in order
     * @return {@code true} if every command succeeded
     */
    public boolean run(List<ScriptCommand> commands) {
        for (ScriptCommand command : commands) {
            out.println(PROMPT + command.text().replace("\n", System.lineSeparator() + CONTINUATION));
            out.flush();
            try {
                Object result = shell.execute(command.text());
                if (result != null) {
                    String text = shell.format(result);
                    if (!text.isEmpty()) {
                        // text that ends its own last line (mm:maps, byte for byte /proc/PID/maps)
                        // is printed as is, not followed by an empty line
                        out.print(text);
                        if (!text.endsWith("\n")) {
                            out.println();
                        }
                    }
                }
                out.flush();
            } catch (Exception e) {
                out.flush();
                err.println("error: " + GogoSession.describe(e));
                if (debug) {
                    err.println("  (script line " + command.line() + ")");
                    e.printStackTrace(err);
                }
                err.flush();
                return false;
            }
        }
        return true;
    }
}
