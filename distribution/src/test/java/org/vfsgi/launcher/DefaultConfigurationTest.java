package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class DefaultConfigurationTest {

    @Test
    void etcWatcherSharesFileInstallSettingsButWatchesOnlyConfigurationFilesOfEtc() {
        Map<String, String> framework = Map.of(
                "felix.fileinstall.dir", "/opt/vfsgi/deploy",
                "felix.fileinstall.poll", "1000",
                "felix.fileinstall.noInitialDelay", "true",
                "felix.fileinstall.filter", ".*\\.(jar|cfg|config)",
                "felix.fileinstall.enableConfigSave", "true",
                "org.osgi.framework.storage", "/var/vfsgi/felix-cache");
        Dictionary<String, Object> watcher = DefaultConfiguration.watcherProperties(framework, Path.of("/opt/vfsgi/etc"));
        Map<String, Object> asMap = new TreeMap<>();
        watcher.keys().asIterator().forEachRemaining(k -> asMap.put(k, watcher.get(k)));
        assertEquals(Map.of(
                "felix.fileinstall.dir", "/opt/vfsgi/etc",
                "felix.fileinstall.poll", "1000",
                "felix.fileinstall.noInitialDelay", "true",
                "felix.fileinstall.filter", ".*\\.(cfg|config)",
                "felix.fileinstall.enableConfigSave", "false"), asMap);
    }
}
