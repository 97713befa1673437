package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class FrameworkPropertiesTest {

    private static final Distribution DISTRIBUTION = new Distribution(Path.of("/opt/vfsgi"), Path.of("/var/vfsgi"));

    private static Properties props(String... nameValues) {
        Properties p = new Properties();
        for (int i = 0; i < nameValues.length; i += 2) {
            p.setProperty(nameValues[i], nameValues[i + 1]);
        }
        return p;
    }

    @Test
    void homeAndStateAreSetAndSubstituted() throws LaunchException {
        Map<String, String> resolved = FrameworkProperties.resolve(DISTRIBUTION,
                props("org.osgi.framework.storage", "${vfsgi.state.dir}/felix-cache",
                        "felix.fileinstall.dir", "${vfsgi.home}/deploy"),
                props());
        assertEquals(Map.of("org.osgi.framework.storage", "/var/vfsgi/felix-cache",
                "felix.fileinstall.dir", "/opt/vfsgi/deploy",
                "vfsgi.home", "/opt/vfsgi",
                "vfsgi.state.dir", "/var/vfsgi"), resolved);
    }

    @Test
    void variablesResolveThroughOtherPropertiesAndSystemProperties() throws LaunchException {
        Map<String, String> resolved = FrameworkProperties.resolve(DISTRIBUTION,
                props("a", "${b}/x", "b", "${user.name}-${vfsgi.home}"),
                props("user.name", "ada"));
        assertEquals("ada-/opt/vfsgi/x", resolved.get("a"));
        assertFalse(resolved.containsKey("user.name"), "system properties are a source, not framework properties");
    }

    @Test
    void systemPropertyOfTheSameNameOverridesTheFile() throws LaunchException {
        Map<String, String> resolved = FrameworkProperties.resolve(DISTRIBUTION,
                props("felix.fileinstall.poll", "1000"), props("felix.fileinstall.poll", "250"));
        assertEquals("250", resolved.get("felix.fileinstall.poll"));
    }

    @Test
    void unknownVariableNamesPropertyAndVariable() {
        LaunchException e = assertThrows(LaunchException.class,
                () -> FrameworkProperties.resolve(DISTRIBUTION, props("x", "${nope}/y"), props()));
        assertEquals("property x refers to ${nope}, which is neither in conf/config.properties nor a system property",
                e.getMessage());
    }

    @Test
    void cyclesAndUnclosedVariablesAreRejected() {
        assertEquals("property a refers to itself through ${...}", assertThrows(LaunchException.class,
                () -> FrameworkProperties.resolve(DISTRIBUTION, props("a", "${b}", "b", "${a}"), props()))
                .getMessage().replace("property b", "property a"));
        assertEquals("property a has an unclosed ${ in 'x${y'", assertThrows(LaunchException.class,
                () -> FrameworkProperties.resolve(DISTRIBUTION, props("a", "x${y"), props())).getMessage());
    }
}
