package org.vfsgi.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.LogManager;

import org.vfsgi.launcher.ScriptSplitter.ScriptCommand;

/**
 * The {@code vfsgi} command: {@code bin/vfsgi} runs this class with {@code -Dvfsgi.home} set to
 * the distribution. See {@link LaunchOptions#USAGE} for the command line and the exit statuses.
 */
public final class Main {
    /** Exit status: success. */
    public static final int EXIT_OK = 0;
    /** Exit status: a script command failed (or the script could not be parsed). */
    public static final int EXIT_COMMAND_FAILED = 1;
    /** Exit status: the command line was not understood. */
    public static final int EXIT_USAGE = 2;
    /** Exit status: the platform was not ready before the timeout. */
    public static final int EXIT_NOT_READY = 3;
    /** Exit status: the platform could not start. */
    public static final int EXIT_LAUNCH_FAILED = 4;

    /** System property: print stack traces for failures. */
    public static final String DEBUG_PROPERTY = "vfsgi.debug";

    private Main() {
    }

    /**
     * Runs vfsgi and exits the JVM with its status; exiting is necessary because bundles may
     * leave non-daemon threads behind.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    /**
     * Runs vfsgi without exiting the JVM.
     *
     * @param args        the command line
     * @param in          standard input, read by {@code --script -}
     * @param out         standard output
     * @param err         standard error
     * @param environment the environment ({@value Distribution#STATE_ENV})
     * @return the exit status, one of the {@code EXIT_} constants
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err,
                          Map<String, String> environment) {
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (UsageException e) {
            err.println("vfsgi: " + e.getMessage());
            err.println(LaunchOptions.USAGE);
            return EXIT_USAGE;
        }
        if (options.mode() == LaunchOptions.Mode.HELP) {
            out.println(LaunchOptions.USAGE);
            return EXIT_OK;
        }
        options.systemProperties().forEach(System::setProperty);
        boolean debug = Boolean.getBoolean(DEBUG_PROPERTY);
        try {
            Distribution distribution = Distribution.locate(System.getProperties(), environment);
            configureLogging(distribution.loggingConfig());
            Launcher launcher = new Launcher(distribution, out, err, debug);
            if (options.mode() == LaunchOptions.Mode.INTERACTIVE) {
                return launcher.interactive(options.readyTimeout());
            }
            String name = options.script().orElseThrow();
            boolean stdin = name.equals(LaunchOptions.STDIN);
            String text;
            try {
                text = stdin ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(distribution.resolveScript(name), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("vfsgi: no script " + name + " in the current directory or in " + distribution.home());
                return EXIT_USAGE;
            } catch (IOException e) {
                err.println("vfsgi: cannot read script " + name + ": " + GogoSession.describe(e));
                return EXIT_USAGE;
            }
            List<ScriptCommand> commands;
            try {
                commands = ScriptSplitter.split(text);
            } catch (IllegalArgumentException e) {
                // checked before the platform starts: a typo should not cost a start-up
                err.println("error: " + (stdin ? "standard input" : name) + ": " + e.getMessage());
                return EXIT_COMMAND_FAILED;
            }
            return launcher.script(commands, options.readyTimeout());
        } catch (LaunchException e) {
            err.println("vfsgi: " + e.getMessage());
            if (debug && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return EXIT_LAUNCH_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("vfsgi: interrupted");
            return EXIT_LAUNCH_FAILED;
        } catch (RuntimeException e) {
            // a bug, in the launcher or the framework: still one line, and the trace on request
            err.println("vfsgi: unexpected failure: " + e);
            if (debug) {
                e.printStackTrace(err);
            }
            return EXIT_LAUNCH_FAILED;
        }
    }

    /**
     * Configures java.util.logging, which {@code System.Logger} uses underneath, from the
     * distribution's file, unless the JVM was given its own {@code java.util.logging.config.file}.
     * Without the file, java.util.logging keeps its JDK defaults.
     */
    private static void configureLogging(Path file) throws LaunchException {
        if (System.getProperty("java.util.logging.config.file") != null || !Files.isRegularFile(file)) {
            return;
        }
        try (InputStream config = Files.newInputStream(file)) {
            LogManager.getLogManager().readConfiguration(config);
        } catch (IOException | IllegalArgumentException e) {
            throw new LaunchException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
