package org.vfsgi.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

import org.vfsgi.launcher.Distribution.BundleJar;
import org.vfsgi.launcher.ReadyConditions.ServiceCondition;
import org.vfsgi.launcher.ScriptSplitter.ScriptCommand;

/**
 * Starts the platform of a {@link Distribution} and, depending on the mode, hands the console
 * to Gogo or runs a script. One instance runs the platform once.
 *
 * <p>Start-up, in order: create the state folder; build the framework from {@code
 * conf/config.properties}; install every {@code bundle/N/*.jar} at start level N and mark it
 * for starting; start the framework (it climbs to {@code org.osgi.framework.startlevel.beginning});
 * make FileInstall watch {@code etc/} too ({@link DefaultConfiguration}); wait until the platform
 * is {@link Readiness ready}; raise the start level to {@value #SHELL_START_LEVEL}, where the
 * Gogo shell lives.
 */
public final class Launcher {
    private static final System.Logger LOG = System.getLogger(Launcher.class.getName());
    /** How long stopping the framework may take before the launcher gives up on it. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Gogo shell arguments in script mode: no console, no shutdown, no banner. */
    static final String SCRIPT_GOSH_ARGS = "--nointeractive --noshutdown --quiet";
    /**
     * Framework property: the start level of the Gogo shell. The framework starts to {@code
     * org.osgi.framework.startlevel.beginning} (the platform and its drivers); once that is ready
     * the launcher raises it to this level, so the console never opens on a half-started platform.
     */
    public static final String SHELL_START_LEVEL = "vfsgi.startlevel.shell";

    private final Distribution distribution;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean debug;

    /**
     * @param distribution the distribution to run
     * @param out          the console's standard output (script echo and results)
     * @param err          the console's standard error (errors)
     * @param debug        whether failures print stack traces
     */
    public Launcher(Distribution distribution, PrintStream out, PrintStream err, boolean debug) {
        this.distribution = distribution;
        this.out = out;
        this.err = err;
        this.debug = debug;
    }

    /**
     * Runs the interactive shell: starts the platform, waits (at most {@code timeout}) until it
     * is ready, raises the start level so the Gogo console opens, and returns once the framework
     * has stopped ({@code exit}, {@code stop 0}, end of input, or a signal). A platform that is
     * not ready in time gets a warning naming what is missing, and the shell anyway, so the user
     * can look at what went wrong.
     *
     * @param timeout how long to wait for the platform to be ready
     * @return the exit status, {@link Main#EXIT_OK}
     * @throws LaunchException if the platform cannot start
     * @throws InterruptedException if interrupted while waiting
     */
    public int interactive(Duration timeout) throws LaunchException, InterruptedException {
        Deadline deadline = new Deadline(timeout);
        Map<String, String> properties = frameworkProperties();
        // the shell's own default: console on this terminal, stop the framework when it ends
        properties.putIfAbsent(FrameworkProperties.GOSH_ARGS, "");
        Framework framework = start(properties);
        Thread hook = stopOnSignal(framework);
        try {
            List<String> missing = prepare(framework, properties, List.of(), deadline);
            if (!missing.isEmpty()) {
                err.println("vfsgi: platform not ready after " + timeout.toSeconds() + " s: "
                        + String.join(", ", missing) + " (opening the shell anyway)");
            }
            raiseToShellLevel(framework, properties);
        } catch (LaunchException | RuntimeException e) {
            stop(framework);
            removeHook(hook);
            throw e;
        }
        FrameworkEvent event = framework.waitForStop(0);
        removeHook(hook);
        LOG.log(Level.DEBUG, "framework stopped: {0}", event.getType());
        return Main.EXIT_OK;
    }

    /**
     * Runs a script: starts the platform, waits until it is ready, raises the start level to
     * the shell's, runs the commands one by one until one fails, and stops the platform.
     *
     * @param commands the script's commands
     * @param timeout  how long to wait for the platform to be ready
     * @return {@link Main#EXIT_OK}, {@link Main#EXIT_COMMAND_FAILED} or {@link Main#EXIT_NOT_READY}
     * @throws LaunchException if the platform cannot start
     * @throws InterruptedException if interrupted while waiting
     */
    public int script(List<ScriptCommand> commands, Duration timeout) throws LaunchException, InterruptedException {
        Deadline deadline = new Deadline(timeout);
        Map<String, String> properties = frameworkProperties();
        properties.put(FrameworkProperties.GOSH_ARGS, SCRIPT_GOSH_ARGS);
        Framework framework = start(properties);
        Thread hook = stopOnSignal(framework);
        try {
            // the script cannot run without Gogo's command processor, whatever ready.properties says
            List<String> missing = prepare(framework, properties, List.of(ReadyConditions.COMMAND_PROCESSOR), deadline);
            if (missing.isEmpty()) {
                raiseToShellLevel(framework, properties);
                missing = readiness(framework, List.of(ReadyConditions.COMMAND_PROCESSOR)).await(deadline.left());
            }
            if (!missing.isEmpty()) {
                err.println("vfsgi: platform not ready after " + timeout.toSeconds() + " s: "
                        + String.join(", ", missing));
                return Main.EXIT_NOT_READY;
            }
            LOG.log(Level.DEBUG, "platform ready after {0} ms", deadline.elapsedMillis());
            try (GogoSession session = GogoSession.open(framework.getBundleContext(),
                    InputStream.nullInputStream(), out, err)) {
                boolean ok = new ScriptRunner(session, out, err, debug).run(commands);
                return ok ? Main.EXIT_OK : Main.EXIT_COMMAND_FAILED;
            }
        } finally {
            stop(framework);
            removeHook(hook);
        }
    }

    /**
     * Makes FileInstall watch etc/ and waits until the platform is ready at the beginning start
     * level.
     *
     * @return what is not ready when the deadline passes; empty if all is ready
     */
    private List<String> prepare(Framework framework, Map<String, String> properties,
                                 List<ServiceCondition> extra, Deadline deadline)
            throws LaunchException, InterruptedException {
        if (!DefaultConfiguration.install(framework.getBundleContext(), properties, distribution.etcDir(),
                deadline.left())) {
            return List.of("service Config Admin (so the default configuration of " + distribution.etcDir()
                    + " is not applied)");
        }
        return readiness(framework, extra).await(deadline.left());
    }

    private Readiness readiness(Framework framework, List<ServiceCondition> extra) throws LaunchException {
        List<ServiceCondition> conditions = new ArrayList<>(readyConditions());
        for (ServiceCondition condition : extra) {
            if (conditions.stream().noneMatch(c -> c.filter().equals(condition.filter()))) {
                conditions.add(condition);
            }
        }
        return new Readiness(framework.getBundleContext(), conditions);
    }

    /**
     * Raises the framework to {@value #SHELL_START_LEVEL}, where the Gogo shell lives, and
     * waits until the framework has got there: the console must open on a ready platform.
     */
    private static void raiseToShellLevel(Framework framework, Map<String, String> properties)
            throws LaunchException, InterruptedException {
        int level = intProperty(properties, SHELL_START_LEVEL, 5);
        FrameworkStartLevel startLevel = framework.adapt(FrameworkStartLevel.class);
        if (startLevel.getStartLevel() >= level) {
            return;
        }
        CountDownLatch reached = new CountDownLatch(1);
        startLevel.setStartLevel(level, event -> reached.countDown());
        if (!reached.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.log(Level.WARNING, "the framework did not reach start level {0} within {1} s", level,
                    STOP_TIMEOUT.toSeconds());
        }
        LOG.log(Level.DEBUG, "framework at start level {0}", startLevel.getStartLevel());
    }

    private static int intProperty(Map<String, String> properties, String name, int defaultValue)
            throws LaunchException {
        String value = properties.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new LaunchException("framework property " + name + " must be a positive integer, not '" + value + "'");
    }

    private Map<String, String> frameworkProperties() throws LaunchException {
        return new TreeMap<>(FrameworkProperties.resolve(distribution,
                Distribution.readProperties(distribution.frameworkConfig()), System.getProperties()));
    }

    private List<ServiceCondition> readyConditions() throws LaunchException {
        if (!Files.isRegularFile(distribution.readyConfig())) {
            return List.of();
        }
        return ReadyConditions.parse(Distribution.readProperties(distribution.readyConfig()));
    }

    private Framework start(Map<String, String> properties) throws LaunchException {
        try {
            Files.createDirectories(distribution.stateDir());
        } catch (IOException e) {
            throw new LaunchException("cannot create the state folder " + distribution.stateDir() + ": "
                    + e.getMessage(), e);
        }
        LOG.log(Level.DEBUG, "framework properties: {0}", properties);
        Map<String, Object> configuration = new TreeMap<>(properties);
        configuration.put(FrameworkLog.FELIX_LOGGER_PROPERTY, new FrameworkLog(debug));
        Framework framework;
        try {
            framework = frameworkFactory().newFramework(asFrameworkProperties(configuration));
        } catch (RuntimeException e) {
            throw new LaunchException("cannot create the framework: " + GogoSession.describe(e), e);
        }
        try {
            framework.init();
            BundleContext context = framework.getBundleContext();
            new LogForwarder(context, debug).open();
            install(context, distribution.bundles());
            framework.start();
        } catch (BundleException | RuntimeException e) {
            stop(framework);
            throw new LaunchException("the framework did not start: " + GogoSession.describe(e), e);
        }
        return framework;
    }

    private static FrameworkFactory frameworkFactory() throws LaunchException {
        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class).iterator();
        if (!factories.hasNext()) {
            throw new LaunchException("no OSGi framework on the class path: lib/ must hold the Felix framework jar");
        }
        return factories.next();
    }

    private static void install(BundleContext context, List<BundleJar> jars) throws LaunchException {
        for (BundleJar jar : jars) {
            try {
                Bundle bundle = context.installBundle(jar.path().toUri().toString());
                bundle.adapt(BundleStartLevel.class).setStartLevel(jar.startLevel());
                if (bundle.getHeaders("").get(Constants.FRAGMENT_HOST) == null) {
                    // marks it persistently started; the framework starts it when it reaches its level
                    bundle.start();
                }
                LOG.log(Level.DEBUG, "installed {0} at start level {1}", bundle.getSymbolicName(), jar.startLevel());
            } catch (BundleException | RuntimeException e) {
                throw new LaunchException("cannot install " + jar.path() + ": " + GogoSession.describe(e), e);
            }
        }
    }

    /**
     * The launch API types the configuration as strings only, but Felix reads {@value
     * FrameworkLog#FELIX_LOGGER_PROPERTY} as an object.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, String> asFrameworkProperties(Map<String, Object> configuration) {
        return (Map) configuration;
    }

    private static Thread stopOnSignal(Framework framework) {
        // Ctrl-C or kill: stop the framework so that devices flush their images
        Thread hook = new Thread(() -> stop(framework), "vfsgi-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down, and the hook is doing its job
        }
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.log(Level.WARNING, "the framework did not stop within {0} s", STOP_TIMEOUT.toSeconds());
            }
        } catch (BundleException e) {
            LOG.log(Level.WARNING, "stopping the framework failed: {0}", GogoSession.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One time budget shared by every wait of a start-up. */
    private static final class Deadline {
        private final long startNanos = System.nanoTime();
        private final long endNanos;

        Deadline(Duration timeout) {
            endNanos = startNanos + timeout.toNanos();
        }

        Duration left() {
            long left = endNanos - System.nanoTime();
            return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
        }

        long elapsedMillis() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }
    }
}
