package org.vfsgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

import org.vfsgi.launcher.ReadyConditions.ServiceCondition;

/** Readiness against a real, empty Felix framework and bundles made on the fly. */
class ReadinessTest {

    @TempDir
    Path dir;

    private Framework framework;
    private BundleContext context;

    @BeforeEach
    void startFramework() throws Exception {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        framework = factory.newFramework(Map.of(
                "org.osgi.framework.storage", dir.resolve("cache").toString(),
                "org.osgi.framework.storage.clean", "onFirstInit",
                "org.osgi.framework.startlevel.beginning", "2",
                "felix.log.level", "0")); // the failures below are on purpose
        framework.start();
        context = framework.getBundleContext();
    }

    @AfterEach
    void stopFramework() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }

    private Bundle install(String symbolicName, int startLevel, String... headers) throws IOException, Exception {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        for (int i = 0; i < headers.length; i += 2) {
            main.putValue(headers[i], headers[i + 1]);
        }
        Path jar = dir.resolve(symbolicName + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest is all these bundles need
        }
        Bundle bundle = context.installBundle(jar.toUri().toString());
        bundle.adapt(BundleStartLevel.class).setStartLevel(startLevel);
        return bundle;
    }

    @Test
    void startedBundlesAtOrBelowTheCurrentLevelAreReady() throws Exception {
        install("plain", 1).start();
        assertEquals(List.of(), new Readiness(context, List.of()).notReady());
    }

    @Test
    void unresolvableStartedBundleIsReportedWithItsState() throws Exception {
        Bundle broken = install("broken", 1, "Import-Package", "no.such.pkg");
        try {
            broken.start();
        } catch (org.osgi.framework.BundleException expected) {
            // the start fails, but the bundle stays marked for starting: the platform is not ready
        }
        assertEquals(List.of("bundle broken (INSTALLED)"), new Readiness(context, List.of()).notReady());
    }

    @Test
    void bundlesNobodyAskedToRunDoNotCount() throws Exception {
        install("above-current-level", 3).start(); // marked, but the framework is at level 2
        install("never-started", 1);
        install("fragment", 1, "Fragment-Host", "plain");
        assertEquals(List.of(), new Readiness(context, List.of()).notReady());
    }

    @Test
    void bundleAboveTheLevelCountsOnceTheFrameworkGetsThere() throws Exception {
        install("late", 3, "Import-Package", "no.such.pkg").start();
        assertEquals(List.of(), new Readiness(context, List.of()).notReady());
        FrameworkStartLevel startLevel = framework.adapt(FrameworkStartLevel.class);
        java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
        startLevel.setStartLevel(3, event -> reached.countDown());
        assertTrue(reached.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(List.of("bundle late (INSTALLED)"), new Readiness(context, List.of()).notReady());
    }

    @Test
    void serviceConditionsWaitForAMatchingRegistration() throws Exception {
        ServiceCondition ram0 = new ServiceCondition("ram0", "(&(objectClass=java.lang.Runnable)(vfsgi.hw.name=ram0))");
        Readiness readiness = new Readiness(context, List.of(ram0));
        assertEquals(List.of("service ram0 (&(objectClass=java.lang.Runnable)(vfsgi.hw.name=ram0))"),
                readiness.notReady());

        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("vfsgi.hw.name", "ram1");
        ServiceRegistration<Runnable> other = context.registerService(Runnable.class, () -> { }, properties);
        assertEquals(1, readiness.notReady().size(), "a service with other properties does not match");

        Thread registerLater = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            properties.put("vfsgi.hw.name", "ram0");
            context.registerService(Runnable.class, () -> { }, properties);
        });
        registerLater.start();
        assertEquals(List.of(), readiness.await(Duration.ofSeconds(10)));
        registerLater.join();
        other.unregister();
    }

    @Test
    void awaitReturnsWhatIsStillMissingAtTheTimeout() throws Exception {
        ServiceCondition ghost = new ServiceCondition("ghost", "(vfsgi.hw.name=ghost)");
        long start = System.nanoTime();
        assertEquals(List.of("service ghost (vfsgi.hw.name=ghost)"),
                new Readiness(context, List.of(ghost)).await(Duration.ofMillis(300)));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis >= 300 && elapsedMillis < 5_000, "waited " + elapsedMillis + " ms");
    }
}
