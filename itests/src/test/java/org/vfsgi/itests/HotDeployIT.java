package org.vfsgi.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.vfsgi.hw.Device;

/** FileInstall's {@code deploy/} folder installs, updates and removes bundles and device configurations. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT {
    private static final String BSN = "org.vfsgi.itests.hotdeployed";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("hotdeploy"))};
    }

    private Path deploy() {
        return Path.of(context.getProperty("felix.fileinstall.dir"));
    }

    /** Writes a bundle jar atomically, so FileInstall never sees half a file. */
    private void writeBundle(Path target, String version) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", BSN);
        a.putValue("Bundle-Version", version);
        Path tmp = Files.createTempFile(target.getParent().getParent(), "bundle", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.flush();
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    public void bundleDroppedIntoDeployIsInstalledUpdatedAndRemoved() throws Exception {
        Path jar = deploy().resolve("hotdeployed.jar");
        writeBundle(jar, "1.0.0");
        PlatformSupport.await("the dropped bundle to be active", 15, () -> {
            Bundle b = PlatformSupport.findBundle(context, BSN);
            return b != null && b.getState() == Bundle.ACTIVE;
        });
        assertEquals("1.0.0", PlatformSupport.findBundle(context, BSN).getVersion().toString());

        // FileInstall compares checksums; a new file content updates the bundle in place
        Thread.sleep(300);
        writeBundle(jar, "1.0.1");
        PlatformSupport.await("the bundle to be updated to 1.0.1", 15, () -> {
            Bundle b = PlatformSupport.findBundle(context, BSN);
            return b != null && "1.0.1".equals(b.getVersion().toString()) && b.getState() == Bundle.ACTIVE;
        });

        Files.delete(jar);
        PlatformSupport.await("the bundle to be uninstalled", 15, () -> PlatformSupport.findBundle(context, BSN) == null);
        assertNull(PlatformSupport.findBundle(context, BSN));
    }

    @Test
    public void deviceConfigurationDroppedIntoDeployCreatesAndRemovesTheDevice() throws Exception {
        Path cfg = deploy().resolve("org.vfsgi.hw.device-hotio.cfg");
        Path tmp = deploy().getParent().resolve("hotio.tmp");
        Files.writeString(tmp, "name=hotio\nkind=mmio\nsize=8K\npfnStart=0x700000\n");
        Files.move(tmp, cfg, StandardCopyOption.ATOMIC_MOVE);
        String filter = "(" + Device.NAME + "=hotio)";
        PlatformSupport.await("device hotio from deploy/", 15,
            () -> PlatformSupport.services(context, Device.class, filter).size() == 1);
        assertEquals("mmio", PlatformSupport.services(context, Device.class, filter).get(0).getProperty(Device.KIND));

        Files.delete(cfg);
        PlatformSupport.await("device hotio to go with its file", 15,
            () -> PlatformSupport.services(context, Device.class, filter).isEmpty());
    }
}
