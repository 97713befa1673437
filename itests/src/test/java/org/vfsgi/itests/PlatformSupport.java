package org.vfsgi.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.mm.MmException;

/**
 * The bundle set of the distribution, installed into Pax Exam's Felix from the folder that
 * maven-dependency-plugin fills in pre-integration-test, plus helpers the tests share.
 */
public final class PlatformSupport {
    /** Infrastructure first, then the platform, at the start levels the distribution uses. */
    private static final String[][] BUNDLES = {
        {"org.osgi.util.function", "1"},
        {"org.osgi.util.promise", "1"},
        {"org.osgi.service.component", "1"},
        {"org.apache.felix.scr", "1"},
        {"org.apache.felix.configadmin", "1"},
        {"org.apache.felix.eventadmin", "1"},
        {"org.apache.felix.metatype", "1"},
        {"org.apache.felix.gogo.runtime", "1"},
        {"org.apache.felix.gogo.command", "1"},
        {"org.apache.felix.fileinstall", "2"},
        {"platform-hw", "3"},
        {"platform-mm", "3"},
        {"fs-ext4", "4"},
        {"fs-overlay", "4"},
        {"drv-char", "4"},
    };

    private PlatformSupport() {
    }

    /** @return the folder holding the bundles under test */
    public static Path bundlesDir() {
        String dir = System.getProperty("vfsgi.bundles.dir");
        if (dir == null) {
            throw new IllegalStateException("system property vfsgi.bundles.dir is not set: run the tests through failsafe");
        }
        return Path.of(dir);
    }

    /**
     * @param work a folder of this test class's own, holding its {@code deploy/} folder and device images
     * @return the options that start the platform with FileInstall watching {@code work/deploy}
     */
    public static Option platform(Path work) {
        List<Option> options = new ArrayList<>();
        for (String[] b : BUNDLES) {
            File jar = bundlesDir().resolve(b[0] + ".jar").toFile();
            options.add(bundle(jar.toURI().toString()).startLevel(Integer.parseInt(b[1])).start());
        }
        options.add(frameworkStartLevel(5));
        options.add(junitBundles());
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(frameworkProperty("felix.fileinstall.dir").value(work.resolve("deploy").toString()));
        options.add(frameworkProperty("felix.fileinstall.poll").value("200"));
        options.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        // As the distribution's etc/ watcher: FileInstall never writes configurations back into
        // the watched files, so no configuration event can rewrite ram0's file under the test.
        options.add(frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
        options.add(frameworkProperty("felix.fileinstall.log.level").value("1"));
        options.add(frameworkProperty("vfsgi.state.dir").value(work.toString()));
        return composite(options.toArray(new Option[0]));
    }

    /**
     * The RAM device the mm kernel runs on, as the distribution's {@code etc/} configures it:
     * FileInstall turns the file into the factory configuration {@code org.vfsgi.hw.device~ram0}.
     */
    static final String RAM0_CFG = "org.vfsgi.hw.device-ram0.cfg";

    /**
     * @return a fresh work folder for one test class, whose {@code deploy/} holds only the
     *         configuration of {@code ram0} (64 MiB from PFN 0), which the mm kernel needs. Pax Exam
     *         evaluates a class's configuration more than once (JUnit discovery, then the run, not
     *         always from the same class loader), and a second evaluation that emptied the folder
     *         would pull {@code ram0} from under a running framework. So the folder is named after
     *         this JVM (a new run gets a new folder, nothing stale survives) and never touched once
     *         it exists; the configuration file appears atomically, so FileInstall never reads it
     *         half written.
     */
    public static Path workDir(String name) {
        Path base = Path.of(System.getProperty("vfsgi.itest.work", System.getProperty("java.io.tmpdir")));
        Path work = base.resolve(name + "-" + ProcessHandle.current().pid());
        if (Files.exists(work)) {
            return work;
        }
        try {
            Files.createDirectories(work.resolve("deploy"));
            Path tmp = Files.writeString(work.resolve(RAM0_CFG + ".tmp"),
                    "name = ram0\nkind = ram\nsize = 64M\npfnStart = 0\n");
            Files.move(tmp, work.resolve("deploy").resolve(RAM0_CFG), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return work;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare work folder " + work, e);
        }
    }

    /**
     * Waits up to 15 s until a service matches each filter, then opens a quiet shell session: the
     * start of every test that drives the platform through its commands.
     *
     * @param context the test bundle's context
     * @param processor Gogo's command processor
     * @param what what is awaited, for the failure message
     * @param filters one LDAP filter per service that must be there
     * @return the session
     */
    public static CommandSession sessionOnceServicesAre(BundleContext context, CommandProcessor processor, String what,
            String... filters) {
        await(what, 15, () -> java.util.Arrays.stream(filters).allMatch(f -> !references(context, null, f).isEmpty()));
        return quietSession(processor);
    }

    /** Waits up to {@code seconds} for {@code condition}; fails with {@code what} if it never holds. */
    public static void await(String what, long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** @return the references matching {@code filter} for {@code type}, never null */
    public static <T> List<ServiceReference<T>> services(BundleContext ctx, Class<T> type, String filter) {
        try {
            return new ArrayList<>(ctx.getServiceReferences(type, filter));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad filter " + filter, e);
        }
    }

    /**
     * @param type the service's class name, or null for any
     * @return the references matching {@code filter}, never null; for services whose type the
     *         test cannot load (the kernel's is private to platform-mm)
     */
    public static List<ServiceReference<?>> references(BundleContext ctx, String type, String filter) {
        try {
            ServiceReference<?>[] refs = ctx.getServiceReferences(type, filter);
            return refs == null ? List.of() : List.of(refs);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad filter " + filter, e);
        }
    }

    /** @return a Gogo session whose printed output is discarded: tests check the commands' results */
    public static CommandSession quietSession(CommandProcessor processor) {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    /**
     * Runs a command as the shell and the launcher do.
     *
     * @return its result, which every mm: command gives as text
     */
    public static String run(CommandSession session, String command) throws Exception {
        Object result = session.execute(command);
        if (!(result instanceof String)) {
            throw new AssertionError(command + " returned " + result + ", not text");
        }
        return (String) result;
    }

    /**
     * Configures a platform-hw block device on an image file through Configuration Admin, as an
     * {@code etc/org.vfsgi.hw.device-NAME.cfg} would, and waits for its service.
     *
     * @return the configuration, to delete when the device should go
     */
    public static org.osgi.service.cm.Configuration blockDevice(BundleContext ctx, ConfigurationAdmin configAdmin,
            String name, Path img) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration("org.vfsgi.hw.device", name, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("name", name);
        props.put("kind", "block");
        props.put("path", img.toString());
        c.update(props);
        await("block device " + name, 10,
            () -> !references(ctx, BlockDevice.class.getName(), "(vfsgi.hw.name=" + name + ")").isEmpty());
        return c;
    }

    /** Deletes a device's configuration and waits until its service is gone (and its image released). */
    public static void removeDevice(BundleContext ctx, org.osgi.service.cm.Configuration device, String name)
            throws IOException {
        device.delete();
        await("device " + name + " to go", 10,
            () -> references(ctx, null, "(vfsgi.hw.name=" + name + ")").isEmpty());
    }

    /** @return the bytes of {@code mm:peek}'s {@code hexdump -C} lines */
    public static byte[] unhexdump(String dump) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : dump.split("\n")) {
            String hex = line.substring(line.indexOf("  ") + 2, line.indexOf(" |"));
            for (String b : hex.trim().split("\\s+")) {
                out.write(Integer.parseInt(b, 16));
            }
        }
        return out.toByteArray();
    }

    /** @return ASCII text as {@code mm:read} prints it: newlines escaped */
    public static String asRead(byte[] ascii) {
        return new String(ascii, StandardCharsets.US_ASCII).replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** Runs a command that must fail with an errno, as the shell shows it: @return the errno's exception */
    public static MmException failsWithErrno(CommandSession session, String command) throws Exception {
        try {
            session.execute(command);
        } catch (MmException e) {
            return e;
        }
        throw new AssertionError(command + " must fail with an errno");
    }

    /** @return the lines of {@code mm:maps} for process {@code $pidVariable} that name {@code path} */
    public static List<String> mapsLinesNaming(CommandSession session, String pidVariable, String path)
            throws Exception {
        return run(session, "mm:maps $" + pidVariable).lines().filter(l -> l.endsWith(" " + path)).toList();
    }

    /** @return the bundle with this symbolic name, or null */
    public static Bundle findBundle(BundleContext ctx, String symbolicName) {
        for (Bundle b : ctx.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }
}
