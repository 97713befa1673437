package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.vfsgi.launcher.Distribution.BundleJar;

class DistributionLayoutTest {

    @TempDir
    Path home;

    private Properties homeProperty() throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/config.properties"), "");
        Properties p = new Properties();
        p.setProperty(Distribution.HOME_PROPERTY, home.toString());
        return p;
    }

    @Test
    void stateDefaultsToHomeStateAndEnvironmentThenPropertyOverride() throws Exception {
        Properties system = homeProperty();
        assertEquals(home.resolve("state"), Distribution.locate(system, Map.of()).stateDir());
        assertEquals(Path.of("/tmp/env-state"),
                Distribution.locate(system, Map.of(Distribution.STATE_ENV, "/tmp/env-state")).stateDir());
        system.setProperty(Distribution.STATE_PROPERTY, "/tmp/prop-state");
        assertEquals(Path.of("/tmp/prop-state"),
                Distribution.locate(system, Map.of(Distribution.STATE_ENV, "/tmp/env-state")).stateDir());
    }

    @Test
    void missingHomePropertyOrConfigurationIsExplained() throws Exception {
        LaunchException e = assertThrows(LaunchException.class, () -> Distribution.locate(new Properties(), Map.of()));
        assertTrue(e.getMessage().contains("bin/vfsgi"), e.getMessage());
        Properties elsewhere = new Properties();
        elsewhere.setProperty(Distribution.HOME_PROPERTY, home.resolve("nothing-here").toString());
        e = assertThrows(LaunchException.class, () -> Distribution.locate(elsewhere, Map.of()));
        assertTrue(e.getMessage().endsWith("is not a vfsgi distribution: conf/config.properties is missing"),
                e.getMessage());
    }

    @Test
    void bundlesAreListedByStartLevelFolderThenName() throws Exception {
        for (String jar : List.of("bundle/5/shell.jar", "bundle/1/scr.jar", "bundle/1/cm.jar", "bundle/12/late.jar")) {
            Files.createDirectories(home.resolve(jar).getParent());
            Files.writeString(home.resolve(jar), "");
        }
        Files.writeString(home.resolve("bundle/5/README"), "not a jar");
        Files.createDirectories(home.resolve("bundle/4"));
        Distribution distribution = new Distribution(home, home.resolve("state"));
        assertEquals(List.of(new BundleJar(home.resolve("bundle/1/cm.jar"), 1),
                new BundleJar(home.resolve("bundle/1/scr.jar"), 1),
                new BundleJar(home.resolve("bundle/5/shell.jar"), 5),
                new BundleJar(home.resolve("bundle/12/late.jar"), 12)), distribution.bundles());
    }

    @Test
    void bundleFolderNotNamedByALevelIsRejected() throws Exception {
        Files.createDirectories(home.resolve("bundle/extra"));
        LaunchException e = assertThrows(LaunchException.class,
                () -> new Distribution(home, home.resolve("state")).bundles());
        assertTrue(e.getMessage().endsWith("must be named by its start level (a positive integer), not 'extra'"),
                e.getMessage());
        Files.delete(home.resolve("bundle/extra"));
        Files.createDirectories(home.resolve("bundle/0"));
        assertThrows(LaunchException.class, () -> new Distribution(home, home.resolve("state")).bundles());
    }

    @Test
    void relativeScriptFallsBackToTheDistribution() throws Exception {
        Files.createDirectories(home.resolve("scripts"));
        Files.writeString(home.resolve("scripts/only-in-home.gosh"), "lb\n");
        Distribution distribution = new Distribution(home, home.resolve("state"));
        assertEquals(home.resolve("scripts/only-in-home.gosh"), distribution.resolveScript("scripts/only-in-home.gosh"));
        Path absolute = home.resolve("elsewhere.gosh");
        assertEquals(absolute, distribution.resolveScript(absolute.toString()));
        // missing everywhere: reported against the current directory, where the user typed it
        assertEquals(Path.of("no-such.gosh").toAbsolutePath(), distribution.resolveScript("no-such.gosh"));
    }
}
