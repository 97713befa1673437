package org.vfsgi.launcher;

import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Makes FileInstall watch the distribution's {@code etc/} folder, the default configuration,
 * besides {@code deploy/}.
 *
 * <p>Why this mechanism: FileInstall's framework properties describe exactly one watched
 * folder ({@code deploy/}); every further folder is a factory configuration of FileInstall's
 * own {@code org.apache.felix.fileinstall} managed service factory. So the launcher creates one
 * such configuration, through Config Admin, as soon as Config Admin is up. FileInstall then
 * does what it does best for {@code etc/} too: parses {@code .cfg}/{@code .config} files with
 * {@code ${vfsgi.state.dir}} substitution, and applies edits made while the platform runs.
 * The alternative, the launcher parsing {@code etc/} and creating configurations itself, would
 * duplicate FileInstall's parser and lose live edits. Config Admin's store lives in the Felix
 * cache, which is cleaned on every start, so the watcher never exists twice.
 *
 * <p>The {@code etc/} watcher takes its settings from the framework's {@code
 * felix.fileinstall.*} properties, but only picks up configuration files, and never writes
 * configuration changes back into the shipped files ({@code enableConfigSave=false}).
 */
public final class DefaultConfiguration {
    private static final System.Logger LOG = System.getLogger(DefaultConfiguration.class.getName());

    /** FileInstall's managed service factory PID: one configuration per watched folder. */
    public static final String FILEINSTALL_FACTORY_PID = "org.apache.felix.fileinstall";
    /** The name of the etc/ watcher's factory configuration (PID {@code org.apache.felix.fileinstall~vfsgi.etc}). */
    public static final String ETC_WATCHER_NAME = "vfsgi.etc";
    private static final String FILEINSTALL_PREFIX = "felix.fileinstall.";
    private static final String CONFIGURATION_ADMIN = "org.osgi.service.cm.ConfigurationAdmin";
    private static final String CONFIGURATION = "org.osgi.service.cm.Configuration";

    private DefaultConfiguration() {
    }

    /**
     * Builds the etc/ watcher's configuration from the framework properties.
     *
     * @param frameworkProperties the resolved framework properties
     * @param etcDir              the folder to watch
     * @return the watcher's configuration properties
     */
    public static Dictionary<String, Object> watcherProperties(Map<String, String> frameworkProperties,
                                                               Path etcDir) {
        Hashtable<String, Object> properties = new Hashtable<>();
        frameworkProperties.forEach((name, value) -> {
            if (name.startsWith(FILEINSTALL_PREFIX)) {
                properties.put(name, value);
            }
        });
        properties.put(FILEINSTALL_PREFIX + "dir", etcDir.toString());
        properties.put(FILEINSTALL_PREFIX + "filter", ".*\\.(cfg|config)");
        properties.put(FILEINSTALL_PREFIX + "enableConfigSave", "false");
        return properties;
    }

    /**
     * Waits for Config Admin and creates (or updates) the etc/ watcher's configuration.
     *
     * @param context             the system bundle's context
     * @param frameworkProperties the resolved framework properties
     * @param etcDir              the folder to watch
     * @param timeout             how long to wait for Config Admin
     * @return {@code true} if the configuration was made, {@code false} if Config Admin did not
     *         appear in time
     * @throws LaunchException if Config Admin rejects the configuration
     * @throws InterruptedException if interrupted while waiting
     */
    public static boolean install(BundleContext context, Map<String, String> frameworkProperties, Path etcDir,
                                  Duration timeout) throws LaunchException, InterruptedException {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, CONFIGURATION_ADMIN, null);
        tracker.open();
        try {
            Object admin = tracker.waitForService(Math.max(1, timeout.toMillis()));
            ServiceReference<Object> reference = tracker.getServiceReference();
            if (admin == null || reference == null) {
                return false;
            }
            // reflection for the same reason as GogoSession: the cm API lives in its bundle
            Class<?> adminType = reference.getBundle().loadClass(CONFIGURATION_ADMIN);
            Class<?> configurationType = reference.getBundle().loadClass(CONFIGURATION);
            Method get = adminType.getMethod("getFactoryConfiguration", String.class, String.class, String.class);
            Object configuration = get.invoke(admin, FILEINSTALL_FACTORY_PID, ETC_WATCHER_NAME, "?");
            configurationType.getMethod("update", Dictionary.class)
                    .invoke(configuration, watcherProperties(frameworkProperties, etcDir));
            LOG.log(Level.DEBUG, "FileInstall now also watches {0}", etcDir);
            return true;
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new LaunchException("cannot configure FileInstall to watch " + etcDir + ": "
                    + GogoSession.describe(cause), cause);
        } finally {
            tracker.close();
        }
    }
}
