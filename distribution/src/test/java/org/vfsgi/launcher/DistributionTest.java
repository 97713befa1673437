package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: runs the assembled distribution ({@code target/vfsgi}, set by failsafe as system
 * property {@code vfsgi.distribution}) through its own {@code bin/vfsgi} as a child process, from
 * a foreign current directory, with a temporary state folder. Failsafe runs it after {@code
 * package}, in {@code mvn verify}.
 */
class DistributionTest {

    private static final Path DISTRIBUTION = Path.of(System.getProperty("vfsgi.distribution", "target/vfsgi"))
            .toAbsolutePath();
    private static final long RUN_TIMEOUT_SECONDS = 60;

    @TempDir
    Path work;

    /** What a run of bin/vfsgi did. */
    private record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Run vfsgi(Path home, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/vfsgi").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Path in = Files.writeString(Files.createTempFile(work, "in", ".txt"), stdin);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(work.toFile()) // not the distribution: nothing may depend on the current directory
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("VFSGI_STATE", work.resolve("state").toString());
        builder.environment().remove("JAVA_OPTS");
        Process process = builder.start();
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("bin/vfsgi " + String.join(" ", args) + " still running after "
                    + RUN_TIMEOUT_SECONDS + " s; stdout so far:\n" + Files.readString(out));
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path script(String text) throws IOException {
        return Files.writeString(Files.createTempFile(work, "script", ".gosh"), text);
    }

    /** A private copy of the distribution, for tests that change its files. */
    private Path copyOfDistribution() throws IOException {
        Path copy = work.resolve("copy");
        try (Stream<Path> files = Files.walk(DISTRIBUTION)) {
            for (Path source : files.toList()) {
                Path relative = DISTRIBUTION.relativize(source);
                if (relative.startsWith("state")) {
                    continue;
                }
                Path target = copy.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return copy;
    }

    @Test
    void lbScriptPrintsEveryBundleActiveAndExitsZero() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "", "--script", script("lb\n").toString());
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().startsWith("vfsgi> lb"), run::toString);
        List<String> bundleLines = run.out().lines().filter(l -> l.matches("\\s*\\d+\\|.*")).toList();
        assertTrue(bundleLines.size() >= 15, run::toString);
        for (String name : List.of("System Bundle", "Apache Felix Declarative Services", "Apache Felix File Install",
                "Apache Felix Configuration Admin", "Apache Felix Gogo Shell", "vfsgi :: platform-hw",
                "vfsgi :: platform-mm")) {
            assertTrue(bundleLines.stream().anyMatch(l -> l.contains(name)), () -> name + " missing\n" + run);
        }
        assertTrue(bundleLines.stream().allMatch(l -> l.contains("|Active")), run::toString);
        assertFalse(run.err().contains("error:"), run::toString);
    }

    @Test
    void unknownCommandOnTheSecondLineStopsTheScriptWithExitOne() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "", "--script", script("lb\nno-such-command 1 2\nlb\n").toString());
        assertEquals(1, run.exit(), run::toString);
        assertTrue(run.err().contains("error: Command not found: no-such-command"), run::toString);
        assertEquals(1, run.out().lines().filter(l -> l.equals("vfsgi> lb")).count(),
                () -> "the line after the failure must not run\n" + run);
        assertTrue(run.out().contains("vfsgi> no-such-command 1 2"), run::toString);
        assertFalse(run.err().contains("\tat "), () -> "no stack trace without -Dvfsgi.debug=true\n" + run);
    }

    @Test
    void demoScriptRunsFromAnyDirectoryAndCreatesTheDeviceImages() throws Exception {
        // relative, and absent from the current directory: found in the distribution
        Run run = vfsgi(DISTRIBUTION, "", "--script", "scripts/demo.gosh");
        assertEquals(0, run.exit(), run::toString);
        for (String command : List.of("vfsgi> lb", "vfsgi> hw:devices", "vfsgi> hw:device mmio0",
                "vfsgi> hw:poke 0xF0000 0 2a000000", "vfsgi> hw:mem")) {
            assertTrue(run.out().contains(command), () -> command + " not echoed\n" + run);
        }
        for (String device : List.of("ram0", "pmem0", "disk0", "mmio0")) {
            assertTrue(run.out().contains(device), () -> device + " not listed\n" + run);
        }
        // the mm tour: two ranges merge, mprotect of the middle page splits them, maps prints exactly
        assertTrue(run.out().contains("vfsgi> mm:maps $p\n00400000-00404000 rw-p 00000000 00:00 0 \nvfsgi> "),
                run::toString);
        assertTrue(run.out().contains("vfsgi> mm:mprotect $p 0x401000 0x1000 r--\n"
                + "pid 1: [0x401000, 0x402000) is now r--\n"
                + "vfsgi> mm:maps $p\n"
                + "00400000-00401000 rw-p 00000000 00:00 0 \n"
                + "00401000-00402000 r--p 00000000 00:00 0 \n"
                + "00402000-00404000 rw-p 00000000 00:00 0 \n"), run::toString);
        for (String command : List.of("vfsgi> c = (mm:fork $p)", "vfsgi> mm:maps $c", "vfsgi> mm:trace 20",
                "vfsgi> mm:violations")) {
            assertTrue(run.out().contains(command), () -> command + " not echoed\n" + run);
        }
        assertTrue(run.out().lines().anyMatch(l -> l.matches("total +0")), run::toString);
        Path state = work.resolve("state");
        assertEquals(64L << 20, Files.size(state.resolve("disk0.img")));
        assertEquals(64L << 20, Files.size(state.resolve("pmem0.img")));
        assertTrue(Files.isDirectory(state.resolve("felix-cache")));
    }

    @Test
    void mmSystemCallThatFailsPrintsTheErrnoAndStopsTheScriptWithExitOne() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "p = (mm:spawn)\n"
                + "mm:mmap $p 0x400000 0x1000 rw- private,anonymous,fixed\n"
                + "mm:mmap $p 0x400000 0x1000 rw- private,anonymous,fixed_noreplace\n"
                + "mm:ps\n", "--script", "-");
        assertEquals(1, run.exit(), run::toString);
        assertEquals("error: errno EEXIST: do_mmap: MAP_FIXED_NOREPLACE over an existing mapping at 0x400000\n",
                run.err(), run::toString);
        assertFalse(run.out().contains("vfsgi> mm:ps"), () -> "the line after the failure must not run\n" + run);
    }

    @Test
    void mmCommandWithABadProtNamesTheLetterAndExitsOne() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "mm:spawn\nmm:mmap 1 0 0x1000 rwz private,anonymous\n", "--script", "-");
        assertEquals(1, run.exit(), run::toString);
        assertTrue(run.err().startsWith("error: PROT 'rwz': 'z' is not a permission letter; "), run::toString);
        assertEquals(1, run.err().lines().count(), run::toString);
    }

    @Test
    void rejectedMmConfigurationIsOneLineAndThePlatformNeverGetsReady() throws Exception {
        Path home = copyOfDistribution();
        Files.writeString(home.resolve("etc/org.vfsgi.mm.cfg"), "maxMapCount = 0\n");
        // The timeout must outlast Config Admin's delivery of the bad configuration even on a busy
        // machine, or the rejection line has not been logged yet when the launcher gives up.
        Run run = vfsgi(home, "", "--timeout", "10", "--script", script("mm:spawn\n").toString());
        assertEquals(3, run.exit(), run::toString);
        assertEquals(1, run.err().lines().filter(l -> l.contains("configuration org.vfsgi.mm rejected, the mm kernel"
                + " stays down: maxMapCount must be >= 1, was 0")).count(), run::toString);
        assertTrue(run.err().contains("platform not ready after 10 s: ") && run.err().contains("service mm ("), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
        assertFalse(run.out().contains("vfsgi> mm:spawn"), () -> "the script must not run\n" + run);
    }

    @Test
    void interactiveExitWithAPidEndsThatProcessAndBareExitLeaves() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "mm:spawn\nexit 1\nmm:ps\nexit\n");
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().contains("pid 1 exited"), run::toString);
        assertTrue(run.out().contains("no processes (mm:spawn creates one)"), run::toString);
        // Bare exit is 'stop 0': the framework stops under the shell. Gogo either ends its loop
        // first (and says so) or is interrupted while reading the next line; either way the
        // launcher returned 0 above only after the framework had stopped.
        assertTrue(run.out().contains("gosh: stopping shell and framework")
                || run.out().contains("gogo: InterruptedException"), run::toString);
    }

    @Test
    void scriptFromStandardInput() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "hw:device mmio0\n", "--script", "-");
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().startsWith("vfsgi> hw:device mmio0"), run::toString);
        assertTrue(run.out().contains("mmio0"), run::toString);
    }

    @Test
    void interactiveShellOpensOnAReadyPlatformAndLeavesOnExit() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "hw:devices\nexit\n");
        assertEquals(0, run.exit(), run::toString);
        // the devices of etc/ exist by the time the console reads its first command
        for (String device : List.of("ram0", "pmem0", "disk0", "mmio0")) {
            assertTrue(run.out().contains(device), () -> device + " not listed\n" + run);
        }
        assertTrue(run.out().contains("gosh: stopping shell and framework"), run::toString);
    }

    @Test
    void missingServiceIsNamedAndExitsThreeAfterTheTimeout() throws Exception {
        Path home = copyOfDistribution();
        Files.writeString(home.resolve("conf/ready.properties"), "\nservice.ghost = (vfsgi.hw.name=ghost)\n",
                StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
        long start = System.nanoTime();
        Run run = vfsgi(home, "", "--timeout", "2", "--script", script("lb\n").toString());
        assertEquals(3, run.exit(), run::toString);
        // On a loaded machine other services may still be missing after 2 s too: the report must
        // name the missing one, wherever it comes in the list.
        assertTrue(run.err().contains("vfsgi: platform not ready after 2 s: service "), run::toString);
        assertTrue(run.err().contains("service ghost (vfsgi.hw.name=ghost)"), run::toString);
        assertFalse(run.out().contains("vfsgi> lb"), () -> "the script must not run\n" + run);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "the timeout was not honoured");
    }

    @Test
    void bundleThatCannotResolveIsNamedAndExitsThree() throws Exception {
        Path home = copyOfDistribution();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", "needs.missing");
        manifest.getMainAttributes().putValue("Import-Package", "no.such.pkg");
        try (OutputStream out = Files.newOutputStream(home.resolve("bundle/4/needs-missing.jar"));
             JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest is all this bundle has
        }
        Run run = vfsgi(home, "", "--timeout", "2", "--script", script("lb\n").toString());
        assertEquals(3, run.exit(), run::toString);
        assertTrue(run.err().contains("platform not ready after 2 s: ") && run.err().contains("bundle needs.missing (INSTALLED)"), run::toString);
        // the framework's own error, through the platform's logging on standard error
        assertTrue(run.err().contains("SEVERE org.apache.felix.framework: Bundle needs.missing"), run::toString);
        assertTrue(run.err().contains("no.such.pkg"), run::toString);
        assertFalse(run.out().contains("needs.missing"), () -> "framework errors belong on stderr\n" + run);
    }

    @Test
    void configurationDroppedIntoDeployCreatesADevice() throws Exception {
        Path home = copyOfDistribution();
        Files.writeString(home.resolve("deploy/org.vfsgi.hw.device-ram1.cfg"),
                "name = ram1\nkind = ram\nsize = 1M\npfnStart = 0x200000\n");
        Files.writeString(home.resolve("conf/ready.properties"),
                "\nservice.ram1 = (&(objectClass=org.vfsgi.hw.Device)(vfsgi.hw.name=ram1))\n",
                StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
        Run run = vfsgi(home, "", "--script", script("hw:device ram1\n").toString());
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().contains("ram1"), run::toString);
    }

    @Test
    void configurationDroppedIntoDeployWhileRunningIsPickedUp() throws Exception {
        Path home = copyOfDistribution();
        Path out = work.resolve("live.out");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/vfsgi").toString())
                .directory(work.toFile())
                .redirectOutput(out.toFile())
                .redirectError(work.resolve("live.err").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("VFSGI_STATE", work.resolve("state").toString());
        Process shell = builder.start();
        try (OutputStream console = shell.getOutputStream()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean dropped = false;
            // ask for the device list until the shell shows ram0 (started), then ram9 (deployed)
            while (System.nanoTime() < deadline && !Files.readString(out).contains("ram9")) {
                if (!dropped && Files.readString(out).contains("ram0")) {
                    Files.writeString(home.resolve("deploy/org.vfsgi.hw.device-ram9.cfg"),
                            "name = ram9\nkind = ram\nsize = 1M\npfnStart = 0x300000\n");
                    dropped = true;
                }
                console.write("hw:devices\n".getBytes(StandardCharsets.UTF_8));
                console.flush();
                Thread.sleep(300);
            }
            assertTrue(dropped, () -> "the shell never listed ram0:\n" + read(out));
            assertTrue(Files.readString(out).contains("ram9"), () -> "ram9 never appeared:\n" + read(out));
            console.write("exit\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(shell.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS), "the shell did not exit");
        assertEquals(0, shell.exitValue());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void unknownArgumentPrintsUsageAndExitsTwo() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "", "--bogus");
        assertEquals(2, run.exit(), run::toString);
        assertTrue(run.err().startsWith("vfsgi: unknown argument: --bogus"), run::toString);
        assertTrue(run.err().contains("usage: vfsgi"), run::toString);
        assertEquals("", run.out());
    }

    @Test
    void missingScriptExitsTwoAndUnbalancedScriptExitsOneBeforeStarting() throws Exception {
        Run missing = vfsgi(DISTRIBUTION, "", "--script", "no-such.gosh");
        assertEquals(2, missing.exit(), missing::toString);
        assertTrue(missing.err().startsWith("vfsgi: no script no-such.gosh in the current directory or in "),
                missing::toString);
        Run unbalanced = vfsgi(DISTRIBUTION, "lb\neach [1 2] {\n echo $it\n", "--script", "-");
        assertEquals(1, unbalanced.exit(), unbalanced::toString);
        assertEquals("error: standard input: line 2: '{' is never closed\n", unbalanced.err());
        assertEquals("", unbalanced.out(), "nothing runs from a script that does not parse");
    }

    @Test
    void helpPrintsUsageAndExitsZero() throws Exception {
        Run run = vfsgi(DISTRIBUTION, "", "--help");
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().startsWith("usage: vfsgi"), run::toString);
    }
}
