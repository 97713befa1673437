package org.vfsgi.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

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
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.vfsgi.hw.PhysicalAddressSpace;

/** The distribution's bundle set resolves and starts in Felix, and exports what DESIGN.md says. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT {
    @Inject
    private BundleContext context;

    @Inject
    private PhysicalAddressSpace physicalAddressSpace;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("platform"))};
    }

    @Test
    public void everyBundleIsActiveNoneUnresolved() {
        List<String> notActive = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName() + " state " + b.getState());
            }
        }
        assertTrue("bundles not active: " + notActive, notActive.isEmpty());
    }

    @Test
    public void hardwareBundleExportsVersionedApiOnly() {
        Bundle hw = PlatformSupport.findBundle(context, "org.vfsgi.platform.hw");
        assertNotNull("platform-hw bundle installed", hw);
        List<String> exports = new ArrayList<>();
        for (BundleCapability c : hw.adapt(BundleRevision.class).getDeclaredCapabilities("osgi.wiring.package")) {
            exports.add(c.getAttributes().get("osgi.wiring.package") + ";" + c.getAttributes().get("version"));
        }
        assertEquals(List.of("org.vfsgi.hw;1.0.0"), exports);
    }

    @Test
    public void physicalAddressSpaceServiceIsPresent() {
        assertNotNull(physicalAddressSpace);
        assertNotNull(physicalAddressSpace.ranges());
    }
}
