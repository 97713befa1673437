package org.vfsgi.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The folders and files of an installed distribution. Every path is resolved against the
 * distribution's home, never against the current directory, so the platform behaves the same
 * whichever directory it is started from.
 *
 * <pre>
 * home/
 *   bin/vfsgi                   start script, passes -Dvfsgi.home
 *   lib/                        Felix framework and this launcher
 *   bundle/N/*.jar              bundles installed at start level N
 *   conf/config.properties      framework properties
 *   conf/ready.properties       service filters script mode waits for
 *   conf/logging.properties     java.util.logging configuration
 *   etc/                        the default configuration (FileInstall-watched, .cfg/.config only)
 *   deploy/                     hot deployment (FileInstall-watched, bundles and configurations)
 *   scripts/                    Gogo scripts, e.g. demo.gosh
 *   state/                      default state folder: device images, felix-cache
 * </pre>
 *
 * @param home     the distribution's root folder, absolute
 * @param stateDir where devices keep their images and Felix its cache, absolute
 */
public record Distribution(Path home, Path stateDir) {

    /** System property the start script sets to the distribution's root folder. */
    public static final String HOME_PROPERTY = "vfsgi.home";
    /** System/framework property naming the state folder; configurations use {@code ${vfsgi.state.dir}}. */
    public static final String STATE_PROPERTY = "vfsgi.state.dir";
    /** Environment variable naming the state folder when the system property is not set. */
    public static final String STATE_ENV = "VFSGI_STATE";

    /** Normalises both paths to absolute ones. */
    public Distribution {
        home = home.toAbsolutePath().normalize();
        stateDir = stateDir.toAbsolutePath().normalize();
    }

    /**
     * Locates the distribution from the {@value #HOME_PROPERTY} system property, and its state
     * folder from the {@value #STATE_PROPERTY} system property, else the {@value #STATE_ENV}
     * environment variable, else {@code <home>/state}. A relative state folder is taken
     * relative to the current directory, as a user typing it would expect.
     *
     * @param systemProperties the system properties to read
     * @param environment      the environment to read
     * @return the distribution
     * @throws LaunchException if the home property is missing or does not name a distribution
     */
    public static Distribution locate(Properties systemProperties, Map<String, String> environment)
            throws LaunchException {
        String home = systemProperties.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new LaunchException("system property " + HOME_PROPERTY
                    + " is not set: start vfsgi through its bin/vfsgi script");
        }
        Path homePath = Path.of(home);
        if (!Files.isRegularFile(homePath.resolve("conf/config.properties"))) {
            throw new LaunchException(HOME_PROPERTY + "=" + home
                    + " is not a vfsgi distribution: conf/config.properties is missing");
        }
        String state = systemProperties.getProperty(STATE_PROPERTY);
        if (state == null || state.isBlank()) {
            state = environment.get(STATE_ENV);
        }
        Path statePath = state == null || state.isBlank() ? homePath.resolve("state") : Path.of(state);
        return new Distribution(homePath, statePath);
    }

    /** @return {@code conf/config.properties}: the framework properties */
    public Path frameworkConfig() {
        return home.resolve("conf/config.properties");
    }

    /** @return {@code conf/ready.properties}: what script mode waits for */
    public Path readyConfig() {
        return home.resolve("conf/ready.properties");
    }

    /** @return {@code conf/logging.properties}: the java.util.logging configuration */
    public Path loggingConfig() {
        return home.resolve("conf/logging.properties");
    }

    /** @return {@code bundle/}: one sub-folder per start level */
    public Path bundleDir() {
        return home.resolve("bundle");
    }

    /** @return {@code etc/}: the default configuration shipped with the distribution */
    public Path etcDir() {
        return home.resolve("etc");
    }

    /** @return {@code deploy/}: FileInstall's hot-deployment folder */
    public Path deployDir() {
        return home.resolve("deploy");
    }

    /**
     * Resolves a script name given on the command line: an absolute path as is; a relative one
     * against the current directory if it exists there, else against the distribution's home
     * (so {@code --script scripts/demo.gosh} works from anywhere).
     *
     * @param name the script name as typed
     * @return the path to read
     */
    public Path resolveScript(String name) {
        Path typed = Path.of(name);
        if (typed.isAbsolute() || Files.exists(typed)) {
            return typed.toAbsolutePath();
        }
        Path inHome = home.resolve(typed);
        return Files.exists(inHome) ? inHome : typed.toAbsolutePath();
    }

    /**
     * Lists the bundles to install: every {@code *.jar} of every {@code bundle/N/} folder, whose
     * name N (a positive integer) is the start level, in ascending level then file name order.
     *
     * @return the bundles with their start levels
     * @throws LaunchException if a folder under {@code bundle/} is not named by a positive integer
     */
    public List<BundleJar> bundles() throws LaunchException {
        List<BundleJar> jars = new ArrayList<>();
        if (!Files.isDirectory(bundleDir())) {
            throw new LaunchException("no bundle folder " + bundleDir());
        }
        try (Stream<Path> levels = Files.list(bundleDir())) {
            for (Path levelDir : levels.filter(Files::isDirectory).toList()) {
                int level = startLevelOf(levelDir);
                try (Stream<Path> files = Files.list(levelDir)) {
                    files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                            .forEach(f -> jars.add(new BundleJar(f, level)));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new LaunchException("cannot list " + bundleDir() + ": " + e.getMessage(), e);
        }
        jars.sort(Comparator.comparingInt(BundleJar::startLevel)
                .thenComparing(j -> j.path().getFileName().toString()));
        return jars;
    }

    private static int startLevelOf(Path levelDir) throws LaunchException {
        String name = levelDir.getFileName().toString();
        try {
            int level = Integer.parseInt(name);
            if (level > 0) {
                return level;
            }
        } catch (NumberFormatException e) {
            // reported below, with the folder named
        }
        throw new LaunchException("bundle folder " + levelDir
                + " must be named by its start level (a positive integer), not '" + name + "'");
    }

    /**
     * Reads a properties file of the distribution (ISO 8859-1 escapes, as {@link Properties}).
     *
     * @param file the file
     * @return its properties
     * @throws LaunchException if it cannot be read, naming the file
     */
    static Properties readProperties(Path file) throws LaunchException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new LaunchException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return properties;
    }

    /**
     * A bundle jar of the distribution and the start level it is installed at.
     *
     * @param path       the jar
     * @param startLevel its start level, from the name of its folder
     */
    public record BundleJar(Path path, int startLevel) {
        /** Rejects a missing path or a non-positive level. */
        public BundleJar {
            Objects.requireNonNull(path, "path");
            if (startLevel <= 0) {
                throw new IllegalArgumentException("start level must be positive: " + startLevel);
            }
        }
    }
}
