package org.vfsgi.launcher;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the command line asked for. Built by {@link #parse(String...)}; immutable.
 *
 * @param mode             interactive shell, script, or help
 * @param script           the script to run in {@link Mode#SCRIPT} mode: a path, or {@code "-"} for
 *                         standard input; empty in the other modes
 * @param readyTimeout     how long to wait for the platform to be ready before running the script
 *                         (or, interactively, before opening the shell anyway)
 * @param systemProperties {@code -Dname=value} arguments, applied as system properties before
 *                         anything else reads them (so {@code bin/vfsgi -Dvfsgi.debug=true ...}
 *                         works without touching {@code JAVA_OPTS})
 */
public record LaunchOptions(Mode mode, Optional<String> script, Duration readyTimeout,
                            Map<String, String> systemProperties) {

    /** What the launcher does once started. */
    public enum Mode {
        /** Start the platform with the Gogo console on this terminal; return when the framework stops. */
        INTERACTIVE,
        /** Start the platform, wait until it is ready, run a script, stop. */
        SCRIPT,
        /** Print the usage and exit 0. */
        HELP
    }

    /** The script name that means "read the script from standard input". */
    public static final String STDIN = "-";

    /** How long the launcher waits for readiness unless {@code --timeout} says otherwise. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);

    /** The usage text printed by {@code --help} and after a usage error. */
    public static final String USAGE = String.join(System.lineSeparator(),
            "usage: vfsgi [-Dname=value ...] [--timeout SECONDS] [--script FILE|-]",
            "       vfsgi --help",
            "",
            "Starts the vfsgi platform (Apache Felix) from this distribution.",
            "  (no option)          interactive Gogo shell on this terminal; leave with 'exit', 'stop 0' or EOF",
            "  --script FILE        run FILE (Gogo syntax, '#' comments) once the platform is ready, then stop;",
            "                       each command is echoed as 'vfsgi> COMMAND'; FILE '-' reads standard input;",
            "                       a relative FILE is looked up in the current directory, then in the distribution",
            "  --timeout SECONDS    how long to wait for the platform to be ready (default 30); then --script",
            "                       exits 3 naming what is missing, the shell warns and opens anyway",
            "  -Dname=value         set a system property, e.g. -Dvfsgi.state.dir=/tmp/s or -Dvfsgi.debug=true",
            "  --help               this text",
            "",
            "Exit status: 0 success, 1 a script command failed, 2 bad command line,",
            "             3 platform not ready in time, 4 platform could not start.",
            "Environment: VFSGI_STATE overrides the state folder (default <home>/state).");

    /** Validates and freezes the components. */
    public LaunchOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        systemProperties = Collections.unmodifiableMap(new LinkedHashMap<>(systemProperties));
        if ((mode == Mode.SCRIPT) != script.isPresent()) {
            throw new IllegalArgumentException("a script is given exactly in SCRIPT mode, not in " + mode);
        }
    }

    /**
     * Parses the launcher's arguments.
     *
     * @param args the command-line arguments, as {@code main} receives them
     * @return the options; {@link Mode#HELP} as soon as {@code --help} appears
     * @throws UsageException for an unknown argument, a missing or malformed value, or an option
     *                        given twice; the message names the argument
     */
    public static LaunchOptions parse(String... args) throws UsageException {
        String script = null;
        Duration timeout = null;
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return new LaunchOptions(Mode.HELP, Optional.empty(), DEFAULT_READY_TIMEOUT, properties);
                }
                case "--script" -> {
                    if (script != null) {
                        throw new UsageException("--script given twice");
                    }
                    script = valueOf(args, ++i, arg);
                    if (script.isBlank()) {
                        throw new UsageException("--script needs a file name (or - for standard input)");
                    }
                }
                case "--timeout" -> {
                    if (timeout != null) {
                        throw new UsageException("--timeout given twice");
                    }
                    timeout = parseTimeout(valueOf(args, ++i, arg));
                }
                default -> {
                    if (arg.startsWith("-D") && arg.length() > 2) {
                        int eq = arg.indexOf('=');
                        String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
                        if (name.isEmpty()) {
                            throw new UsageException("no property name in " + arg);
                        }
                        // -Dflag alone means "true", as for the java command
                        properties.put(name, eq < 0 ? "true" : arg.substring(eq + 1));
                    } else {
                        throw new UsageException("unknown argument: " + arg);
                    }
                }
            }
        }
        return new LaunchOptions(script == null ? Mode.INTERACTIVE : Mode.SCRIPT,
                Optional.ofNullable(script), timeout == null ? DEFAULT_READY_TIMEOUT : timeout, properties);
    }

    private static String valueOf(String[] args, int index, String option) throws UsageException {
        if (index >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[index];
    }

    private static Duration parseTimeout(String value) throws UsageException {
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--timeout needs a whole number of seconds, not '" + value + "'");
        }
        if (seconds <= 0 || seconds > 3600) {
            throw new UsageException("--timeout must be between 1 and 3600 seconds, not " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }
}
