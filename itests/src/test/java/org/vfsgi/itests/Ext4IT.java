package org.vfsgi.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

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
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;

/**
 * fs-ext4 in Felix, as a user drives it: an image made by the host's {@code mke2fs -d} becomes a
 * block device through Configuration Admin, {@code mm:mount} (and a mount configuration) mounts
 * it as ext4, its files read back byte for byte through {@code read} and a shared mapping, and a
 * store through a shared writable mapping reaches the image, as the host's debugfs and e2fsck see.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Ext4IT {
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
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("ext4"))};
    }

    @Before
    public void openSession() {
        work = Path.of(context.getProperty("vfsgi.state.dir"));
        session = PlatformSupport.sessionOnceServicesAre(context, processor, "the mm: commands and the ext4 type",
                "(osgi.command.function=mount)", "(vfsgi.fs.type=ext4)");
    }

    @After
    public void closeSession() {
        session.close();
    }

    private String run(String command) throws Exception {
        return PlatformSupport.run(session, command);
    }

    private MmException fails(String command) throws Exception {
        return PlatformSupport.failsWithErrno(session, command);
    }

    private byte[] image(String name) throws Exception {
        return HostE2fs.image(work, name);
    }

    @Test
    public void filesOfAnMke2fsImageReadBackThroughReadAndASharedMapping() throws Exception {
        byte[] big = image("ro");
        org.osgi.service.cm.Configuration dev = PlatformSupport.blockDevice(context, configAdmin, "ext4ro",
                work.resolve("ro.img"));
        run("mm:mkdir /ro");
        assertEquals("mounted ext4ro on /ro type ext4", run("mm:mount ext4ro /ro ext4 ro"));
        assertTrue(run("mm:mounts"), run("mm:mounts").lines().anyMatch(l -> l.startsWith("ext4ro /ro ext4 ro")));

        String ls = run("mm:ls /ro");
        for (String entry : new String[] {"d\\s+2 \\.", "-\\s+\\d+ hello\\.txt", "-\\s+\\d+ big\\.txt", "d\\s+\\d+ sub",
            "l\\s+\\d+ link", "d\\s+\\d+ lost\\+found"}) {
            assertTrue(entry + " in\n" + ls, ls.lines().anyMatch(l -> l.matches(entry)));
        }
        assertTrue(run("mm:ls /ro/sub"), run("mm:ls /ro/sub").lines().anyMatch(l -> l.matches("-\\s+\\d+ inner\\.txt")));
        String stat = run("mm:stat /ro/big.txt");
        assertTrue(stat, stat.contains("Size: " + big.length + " "));
        assertTrue(stat, stat.contains("regular file"));

        session.put("p", run("mm:spawn"));
        session.put("fd", run("mm:open $p /ro/big.txt rdonly"));
        assertEquals(PlatformSupport.asRead(big), run("mm:read $p $fd " + (big.length + 100)));
        assertEquals("end of file", "", run("mm:read $p $fd 10"));
        session.put("a", run("mm:mmap $p 0 0x4000 r-- shared $fd 0"));
        run("mm:close $p $fd");
        assertArrayEquals(big, PlatformSupport.unhexdump(run("mm:peek $p $a " + big.length)));
        String maps = run("mm:maps $p");
        assertTrue(maps, maps.lines().anyMatch(l -> l.matches("[0-9a-f]+-[0-9a-f]+ r--s 00000000 .* +/ro/big\\.txt")));

        session.put("fd", run("mm:open $p /ro/sub/inner.txt rdonly"));
        assertEquals("inside a subdirectory\\n", run("mm:read $p $fd 100"));
        session.put("fd", run("mm:open $p /ro/link rdonly"));
        assertEquals("the symbolic link leads to hello.txt", "hello from ext4\\n", run("mm:read $p $fd 100"));

        MmException rofs = fails("mm:open $p /ro/hello.txt rdwr");
        assertEquals(rofs.getMessage(), Errno.EROFS, rofs.errno());
        run("mm:exit $p");
        run("mm:umount /ro");
        assertFalse(run("mm:mounts").contains("/ro "));
        PlatformSupport.removeDevice(context, dev, "ext4ro");
    }

    @Test
    public void aStoreThroughASharedWritableMappingReachesTheImage() throws Exception {
        byte[] big = image("rw");
        Path img = work.resolve("rw.img");
        org.osgi.service.cm.Configuration dev = PlatformSupport.blockDevice(context, configAdmin, "ext4rw", img);
        run("mm:mkdir /rw");
        assertEquals("mounted ext4rw on /rw type ext4", run("mm:mount ext4rw /rw ext4 rw"));
        session.put("p", run("mm:spawn"));
        session.put("fd", run("mm:open $p /rw/big.txt rdwr"));
        session.put("a", run("mm:mmap $p 0 0x4000 rw- shared $fd 0"));
        run("mm:close $p $fd");
        String text = "WRITTEN THROUGH A SHARED MAPPING";
        long at = 4096 + 10; // in the second page, so more than the first block is written back
        run("mm:poke $p " + (Long.decode(session.get("a").toString()) + at) + " '" + text + "'");
        run("mm:msync $p $a 0x4000 sync");
        run("mm:munmap $p $a 0x4000");
        run("mm:exit $p");
        run("mm:umount /rw");
        PlatformSupport.removeDevice(context, dev, "ext4rw");

        byte[] expected = big.clone();
        System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, expected, (int) at, text.length());
        byte[] onDisk = HostE2fs.cat(img, "/big.txt");
        assertEquals("the file keeps its size", big.length, onDisk.length);
        assertArrayEquals("debugfs reads the stored bytes from the image", expected, onDisk);
        assertArrayEquals("the rest of the image's files are untouched", "hello from ext4\n".getBytes(
                StandardCharsets.US_ASCII), HostE2fs.cat(img, "/hello.txt"));
        HostE2fs.assertClean(img);
    }

    @Test
    public void aMountConfigurationMountsTheImageAndItsDeletionUnmountsIt() throws Exception {
        image("cfg");
        org.osgi.service.cm.Configuration dev = PlatformSupport.blockDevice(context, configAdmin, "ext4cfg",
                work.resolve("cfg.img"));
        run("mm:mkdir /cfg");
        org.osgi.service.cm.Configuration mount = configAdmin.getFactoryConfiguration("org.vfsgi.mm.mount", "ext4cfg",
                "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("source", "ext4cfg");
        props.put("target", "/cfg");
        props.put("type", "ext4");
        props.put("options", "ro");
        mount.update(props);
        PlatformSupport.await("the configured ext4 mount", 10, () -> mounts().contains("ext4cfg /cfg ext4 ro"));
        session.put("p", run("mm:spawn"));
        session.put("fd", run("mm:open $p /cfg/hello.txt rdonly"));
        assertEquals("hello from ext4\\n", run("mm:read $p $fd 100"));
        run("mm:exit $p");
        mount.delete();
        PlatformSupport.await("the unmount after the configuration's deletion", 10,
            () -> !mounts().contains("/cfg"));
        PlatformSupport.removeDevice(context, dev, "ext4cfg");
    }

    @Test
    public void aDeviceWithoutExt4IsAnErrnoAndMapSyncIsRefused() throws Exception {
        Path zeros = work.resolve("zeros.img");
        Files.write(zeros, new byte[1 << 20]);
        org.osgi.service.cm.Configuration blank = PlatformSupport.blockDevice(context, configAdmin, "blank", zeros);
        run("mm:mkdir /blank");
        MmException notExt4 = fails("mm:mount blank /blank ext4");
        assertEquals(notExt4.getMessage(), Errno.EINVAL, notExt4.errno());
        assertTrue(notExt4.getMessage(), notExt4.getMessage().contains("no ext4 superblock"));
        assertFalse(mounts().contains("/blank"));
        PlatformSupport.removeDevice(context, blank, "blank");

        image("sync");
        org.osgi.service.cm.Configuration dev = PlatformSupport.blockDevice(context, configAdmin, "ext4sync",
                work.resolve("sync.img"));
        run("mm:mkdir /sync");
        run("mm:mount ext4sync /sync ext4");
        session.put("p", run("mm:spawn"));
        session.put("fd", run("mm:open $p /sync/big.txt rdwr"));
        MmException sync = fails("mm:mmap $p 0 0x1000 rw- shared_validate,sync $fd 0");
        assertEquals(sync.getMessage(), Errno.EOPNOTSUPP, sync.errno());
        assertEquals("nothing was mapped", List.of(), run("mm:maps $p").lines().toList());
        run("mm:exit $p");
        run("mm:umount /sync");
        PlatformSupport.removeDevice(context, dev, "ext4sync");
    }

    private String mounts() {
        try {
            return run("mm:mounts");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
