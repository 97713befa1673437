package org.vfsgi.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
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
import org.osgi.service.cm.ConfigurationAdmin;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.MountContext;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.VfsPath;

/**
 * The fs-overlay bundle in Felix: it resolves against the platform's API packages, exports
 * nothing, publishes its type through Declarative Services with {@code vfsgi.fs.type=overlay},
 * and the VFS mounts it through the shell over an ext4 lower layer (an mke2fs image mounted
 * read-only) and a tmpfs upper layer: a merged view, copy-up on write that leaves the image
 * untouched, and mappings of the real files in both {@code mmap=} modes.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OverlayIT {
    private static final int PAGE = 4096;

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor processor;

    @Inject
    private ConfigurationAdmin configAdmin;

    private CommandSession session;
    private Path work;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("overlay"))};
    }

    @Before
    public void openSession() {
        work = Path.of(context.getProperty("vfsgi.state.dir"));
        session = PlatformSupport.sessionOnceServicesAre(context, processor,
                "the mm: commands and the overlay and ext4 types", "(osgi.command.function=mount)",
                "(vfsgi.fs.type=overlay)", "(vfsgi.fs.type=ext4)");
    }

    @After
    public void closeSession() {
        session.close();
    }

    private String run(String command) throws Exception {
        return PlatformSupport.run(session, command);
    }

    /** A lower layer: an mke2fs image as block device NAME, mounted read-only on /NAME. */
    private final class Lower implements AutoCloseable {
        final String name;
        final Path img;
        final byte[] big;
        final byte[] imageBefore;
        private final org.osgi.service.cm.Configuration device;

        Lower(String name) throws Exception {
            this.name = name;
            this.img = work.resolve(name + ".img");
            this.big = HostE2fs.image(work, name);
            this.imageBefore = Files.readAllBytes(img);
            this.device = PlatformSupport.blockDevice(context, configAdmin, name, img);
            run("mm:mkdir /" + name);
            run("mm:mount " + name + " /" + name + " ext4 ro");
        }

        /** Unmounts and removes the device, then checks the image is byte for byte what mke2fs made. */
        @Override
        public void close() throws Exception {
            run("mm:umount /" + name);
            PlatformSupport.removeDevice(context, device, name);
            assertTrue("the ext4 image is unchanged", Arrays.equals(imageBefore, Files.readAllBytes(img)));
            HostE2fs.assertClean(img);
        }
    }

    /** Makes {@code dir} with the upper, work and mount-point directories of an overlay in the root tmpfs. */
    private void layerDirs(String dir) throws Exception {
        for (String d : new String[] {dir, dir + "/upper", dir + "/work", dir + "/merged"}) {
            run("mm:mkdir " + d);
        }
    }

    /** Mounts an overlay of {@code lower} with the upper layer {@code dir/upper}; @return its mount point */
    private String overlay(Lower lower, String dir, String mode) throws Exception {
        String options = "lowerdir=/" + lower.name + ",upperdir=" + dir + "/upper,workdir=" + dir + "/work,mmap=" + mode;
        assertEquals("mounted none on " + dir + "/merged type overlay",
                run("mm:mount none " + dir + "/merged overlay '" + options + "'"));
        return dir + "/merged";
    }

    private String readFile(String path) throws Exception {
        session.put("rfd", run("mm:open $p " + path + " rdonly"));
        String text = run("mm:read $p $rfd 0x10000");
        run("mm:close $p $rfd");
        return text;
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

    @Test
    public void anOverlayOfExt4AndTmpfsMergesAndCopiesUpOnWriteLeavingTheImageAlone() throws Exception {
        try (Lower lower = new Lower("lowerrw")) {
            layerDirs("/o");
            session.put("p", run("mm:spawn"));
            session.put("fd", run("mm:open $p /o/upper/up.txt wronly,creat 0644"));
            run("mm:write $p $fd 'only in the upper layer'");
            run("mm:close $p $fd");
            String merged = overlay(lower, "/o", "legacy");
            assertTrue(run("mm:mounts"), run("mm:mounts").contains("none " + merged + " overlay "));

            List<String> names = run("mm:ls " + merged).lines().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
            assertTrue(names.toString(), names.containsAll(List.of("hello.txt", "big.txt", "sub", "link", "up.txt")));
            assertEquals(PlatformSupport.asRead(lower.big), readFile(merged + "/big.txt"));
            assertEquals("inside a subdirectory\\n", readFile(merged + "/sub/inner.txt"));
            assertEquals("only in the upper layer", readFile(merged + "/up.txt"));
            String upper = run("mm:ls /o/upper");
            assertTrue("reading copies nothing up: " + upper, upper.lines().noneMatch(
                l -> l.endsWith(" hello.txt") || l.endsWith(" big.txt")));

            // write(2): copy-up of hello.txt into the upper layer, then the write lands there
            session.put("fd", run("mm:open $p " + merged + "/hello.txt rdwr"));
            assertEquals("5", run("mm:pwrite $p $fd HELLO 0"));
            run("mm:close $p $fd");
            assertEquals("HELLO from ext4\\n", readFile("/o/upper/hello.txt"));
            assertEquals("HELLO from ext4\\n", readFile(merged + "/hello.txt"));
            assertEquals("the lower file is untouched", "hello from ext4\\n", readFile("/" + lower.name + "/hello.txt"));

            // a shared writable mapping: the VMA holds the copied-up upper file, and maps names it
            session.put("fd", run("mm:open $p " + merged + "/big.txt rdwr"));
            session.put("a", run("mm:mmap $p 0 0x4000 rw- shared $fd 0"));
            run("mm:close $p $fd");
            assertEquals(1, PlatformSupport.mapsLinesNaming(session, "p", "/o/upper/big.txt").size());
            run("mm:poke $p " + (Long.decode((String) session.get("a")) + PAGE - 3) + " 'ACROSS PAGES'");
            run("mm:msync $p $a 0x4000 sync");
            run("mm:munmap $p $a 0x4000");
            byte[] expected = lower.big.clone();
            System.arraycopy("ACROSS PAGES".getBytes(StandardCharsets.US_ASCII), 0, expected, PAGE - 3, 12);
            assertEquals(PlatformSupport.asRead(expected), readFile("/o/upper/big.txt"));
            assertEquals(PlatformSupport.asRead(lower.big), readFile("/" + lower.name + "/big.txt"));

            // delete of a lower file: a whiteout (character device 0:0) in the copied-up parent hides it
            run("mm:unlink " + merged + "/sub/inner.txt");
            assertEquals("ENOENT", PlatformSupport.failsWithErrno(session, "mm:stat " + merged + "/sub/inner.txt")
                    .errno().name());
            assertTrue(run("mm:ls " + merged + "/sub"), run("mm:ls " + merged + "/sub").lines()
                    .noneMatch(l -> l.endsWith(" inner.txt")));
            String whiteout = run("mm:stat /o/upper/sub/inner.txt");
            assertTrue(whiteout, whiteout.contains("char device") && whiteout.contains("/c"));
            assertEquals("the lower file is still there", "inside a subdirectory\\n",
                    readFile("/" + lower.name + "/sub/inner.txt"));
            run("mm:exit $p");
            run("mm:umount " + merged);
        }
    }

    /** Maps page 1 of the merged big.txt, then page 0 right below it: @return maps lines naming the real file */
    private List<String> adjacentMappings(Lower lower, String merged) throws Exception {
        session.put("p", run("mm:spawn"));
        session.put("fd", run("mm:open $p " + merged + "/big.txt rdonly"));
        long high = Long.decode(run("mm:mmap $p 0 0x1000 r-- shared $fd 0x1000"));
        assertEquals("0x" + Long.toHexString(high - PAGE),
                run("mm:mmap $p 0x" + Long.toHexString(high - PAGE) + " 0x1000 r-- shared,fixed $fd 0"));
        run("mm:close $p $fd");
        byte[] both = PlatformSupport.unhexdump(run("mm:peek $p 0x" + Long.toHexString(high - PAGE) + " " + 2 * PAGE));
        assertArrayEquals("byte for byte across both mappings", Arrays.copyOf(lower.big, 2 * PAGE), both);
        List<String> lines = PlatformSupport.mapsLinesNaming(session, "p", "/" + lower.name + "/big.txt");
        assertEquals("every mapping names the real (lower) file: " + run("mm:maps $p"),
                run("mm:maps $p").lines().count(), lines.size());
        run("mm:exit $p");
        run("mm:umount " + merged);
        return lines;
    }

    @Test
    public void adjacentMappingsStayTwoInLegacyModeAndMergeInPrepareMode() throws Exception {
        try (Lower lower = new Lower("lowermm")) {
            layerDirs("/legacy");
            List<String> legacy = adjacentMappings(lower, overlay(lower, "/legacy", "legacy"));
            assertEquals("a legacy mmap never merges: " + legacy, 2, legacy.size());
            layerDirs("/prepare");
            List<String> prepare = adjacentMappings(lower, overlay(lower, "/prepare", "prepare"));
            assertEquals("mmap_prepare lets the VMAs merge: " + prepare, 1, prepare.size());
            assertTrue(prepare.get(0), prepare.get(0).matches("[0-9a-f]+-[0-9a-f]+ r--s 00000000 .*"));
            String v = run("mm:violations");
            assertTrue(v, v.lines().anyMatch(l -> l.matches("total\\s+0")));
        }
    }
}
