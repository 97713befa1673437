package org.vfsgi.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Collection;
import java.util.Optional;

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
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.MountContext;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.VfsPath;

/**
 * The fs-overlay bundle in Felix: it resolves against the platform's API packages, exports
 * nothing, and publishes its type through Declarative Services with {@code vfsgi.fs.type=overlay}.
 * (Mounting it through the kernel's VFS needs the platform's file-system whiteboard; the
 * overlay's behaviour is proven by the bundle's own tests over a core kernel.)
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OverlayIT {
    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("overlay"))};
    }

    @Test
    public void theBundleIsActiveAndExportsNothing() {
        Bundle b = PlatformSupport.findBundle(context, "org.vfsgi.fs.overlay");
        assertNotNull("fs-overlay installed", b);
        assertEquals(Bundle.ACTIVE, b.getState());
        assertTrue(b.adapt(BundleRevision.class).getDeclaredCapabilities("osgi.wiring.package").isEmpty());
    }

    @Test
    public void theOverlayTypeIsAServiceThatChecksItsLayers() throws Exception {
        Collection<ServiceReference<FileSystemType>> refs = context.getServiceReferences(FileSystemType.class,
                "(" + FileSystemType.TYPE + "=overlay)");
        assertEquals(1, refs.size());
        ServiceReference<FileSystemType> ref = refs.iterator().next();
        assertEquals("org.vfsgi.fs.overlay", ref.getBundle().getSymbolicName());
        FileSystemType type = context.getService(ref);
        try {
            assertEquals("overlay", type.name());
            MountContext nothingMounted = new MountContext() {
                @Override
                public Optional<BlockDevice> blockDevice(String name) {
                    return Optional.empty();
                }

                @Override
                public VfsPath lookup(String path) {
                    throw new MmException(Errno.ENOENT, "path_lookupat", path + " does not exist");
                }
            };
            try {
                type.mount(MountRequest.parse("overlay", "lowerdir=/a:/b", nothingMounted));
                fail("mounting over missing layers must fail");
            } catch (MmException e) {
                assertEquals(Errno.ENOENT, e.errno());
                assertTrue(e.getMessage(), e.getMessage().contains("lowerdir /a"));
            }
        } finally {
            context.ungetService(ref);
        }
    }
}
