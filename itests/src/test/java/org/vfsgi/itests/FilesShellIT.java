package org.vfsgi.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

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
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Signal;
import org.vfsgi.mm.SignalException;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.SuperBlock;

/**
 * Files in the running platform: the kernel runs on ram0 with tmpfs at {@code /}, the {@code mm:}
 * file commands work through Gogo's {@link CommandProcessor} (a shared file mapping written through
 * memory is read by another process), errors arrive as errnos and signals, a file-system type
 * registered as a service by this test is picked up by the VFS whiteboard, and Configuration
 * Admin mounts and unmounts it (a bad configuration is one log line and mounts nothing).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FilesShellIT {
    private static final String MOUNT_FACTORY_PID = "org.vfsgi.mm.mount";
    /** The statfs magic of the test's file system, so statfs shows it is really mounted. */
    private static final long EMPTYFS_MAGIC = 0x1e57f5L;

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor processor;

    @Inject
    private ConfigurationAdmin configAdmin;

    private CommandSession session;

    @Configuration
    public Option[] config() {
        return new Option[] {PlatformSupport.platform(PlatformSupport.workDir("filesshell"))};
    }

    @Before
    public void openSession() {
        session = PlatformSupport.sessionOnceServicesAre(context, processor,
                "the mm: file commands and the mount whiteboard", "(osgi.command.function=mount)",
                "(service.pid=" + MOUNT_FACTORY_PID + ")");
    }

    @After
    public void closeSession() {
        session.close();
    }

    private String run(String command) throws Exception {
        return PlatformSupport.run(session, command);
    }

    private List<ServiceReference<?>> references(String type, String filter) {
        return PlatformSupport.references(context, type, filter);
    }

    private <T extends Throwable> T fails(Class<T> type, String command) throws Exception {
        try {
            session.execute(command);
        } catch (Throwable t) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            throw new AssertionError(command + " threw " + t, t);
        }
        fail(command + " must fail with " + type.getSimpleName());
        return null;
    }

    @Test
    public void aSharedFileMappingIsSeenByAnotherProcessThroughRead() throws Exception {
        assertEquals("none / tmpfs rw 0 0\n", run("mm:mounts").lines().findFirst().get() + "\n");
        run("mm:mkdir /shm");
        session.put("w", run("mm:spawn"));
        session.put("fd", run("mm:open $w /shm/file rdwr,creat 0600"));
        run("mm:ftruncate $w $fd 0x1000");
        String a = run("mm:mmap $w 0x600000 0x1000 rw- shared,fixed $fd 0");
        assertEquals("0x600000", a);
        run("mm:close $w $fd");
        assertEquals("pid " + session.get("w") + ": wrote 11 bytes at 0x600000",
                run("mm:poke $w 0x600000 'from memory'"));
        String maps = run("mm:maps $w");
        String ino = run("mm:stat /shm/file").lines().filter(l -> l.startsWith("Device: ")).findFirst().get()
                .replaceAll(".*Inode: (\\d+).*", "$1");
        assertTrue(maps, maps.matches("00600000-00601000 rw-s 00000000 00:[0-9a-f]{2} " + ino + " +/shm/file\n"));
        assertEquals(73, maps.indexOf("/shm/file"));

        session.put("r", run("mm:spawn"));
        session.put("rfd", run("mm:open $r /shm/file rdonly"));
        assertEquals("from memory", run("mm:read $r $rfd 11"));
        assertEquals("the rest of the page is zeros", "\\x00\\x00", run("mm:read $r $rfd 2"));
        assertTrue(run("mm:smaps $w").contains("Shared_Dirty:          4 kB"));
        run("mm:msync $w 0x600000 0x1000 sync");
        run("mm:exit $w");
        assertEquals("the file outlives the writer's mapping", "from memory", run("mm:pread $r $rfd 11 0"));
        run("mm:exit $r");
    }

    @Test
    public void errorsAreErrnosSignalsAndActionableMessages() throws Exception {
        session.put("p", run("mm:spawn"));
        MmException badFd = fails(MmException.class, "mm:read $p 7 10");
        assertEquals(Errno.EBADF, badFd.errno());
        assertEquals("errno EBADF: ksys_read: fd 7 is not an open file descriptor", badFd.getMessage());
        assertEquals(Errno.ENOENT, fails(MmException.class, "mm:open $p /no/such rdonly").errno());
        run("mm:mkdir /plain");
        assertEquals("errno EINVAL: do_umount: /plain is not a mount point",
                fails(MmException.class, "mm:umount /plain").getMessage());
        IllegalArgumentException flags = fails(IllegalArgumentException.class, "mm:open $p /f rdwr,create");
        assertTrue(flags.getMessage(), flags.getMessage().startsWith("unknown open FLAGS 'create' in 'rdwr,create'"));
        SignalException segv = fails(SignalException.class, "mm:peek $p 0x10000 4");
        assertEquals(Signal.SIGSEGV, segv.signal());
        assertTrue(segv.getMessage(), segv.getMessage().startsWith("SIGSEGV in pid " + session.get("p") + " at 0x10000: "));
        run("mm:exit $p");
    }

    @Test
    public void aFileSystemTypeServiceIsPickedUpAndConfigurationAdminMountsIt() throws Exception {
        run("mm:mkdir /cfg");
        org.osgi.service.cm.Configuration mount = configAdmin.getFactoryConfiguration(MOUNT_FACTORY_PID, "itest", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("target", "/cfg");
        props.put("type", "emptyfs");
        props.put("options", "ro");
        mount.update(props);
        Thread.sleep(300); // Configuration Admin delivers asynchronously: give it time to (wrongly) mount
        assertFalse("no emptyfs type yet: the mount waits", run("mm:mounts").contains("emptyfs"));

        ServiceRegistration<FileSystemType> reg = registerEmptyFs();
        try {
            PlatformSupport.await("the configured emptyfs mount", 10,
                () -> mountsContain("none /cfg emptyfs ro 0 0"));
            assertTrue(run("mm:filesystems").lines().anyMatch("emptyfs"::equals));
            assertTrue(run("mm:statfs /cfg").contains("Type: 0x" + Long.toHexString(EMPTYFS_MAGIC)));
            assertEquals(List.of(".", ".."), run("mm:ls /cfg").lines().map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .toList());
            mount.delete();
            PlatformSupport.await("the unmount after the configuration's deletion", 10,
                () -> !mountsContain("emptyfs"));
        } finally {
            reg.unregister();
        }
        PlatformSupport.await("emptyfs unregistered with its service", 10,
            () -> !filesystemsList().contains("emptyfs"));
    }

    @Test
    public void aBadMountConfigurationIsOneLogLineAndMountsNothing() throws Exception {
        String before = run("mm:mounts");
        try (LogCapture log = LogCapture.start()) {
            org.osgi.service.cm.Configuration bad = configAdmin.getFactoryConfiguration(MOUNT_FACTORY_PID, "bad", "?");
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("target", "relative/path");
            props.put("type", "tmpfs");
            bad.update(props);
            try {
                String line = "mount configuration " + MOUNT_FACTORY_PID + "~bad rejected, nothing mounted: target"
                        + " 'relative/path' is not an absolute path";
                PlatformSupport.await("the rejection line", 10, () -> log.count(line) == 1);
                assertEquals(log.messages().toString(), 1, log.messages().size());
                assertEquals(before, run("mm:mounts"));
            } finally {
                bad.delete();
            }
        }
    }

    @Test
    public void aFileSystemOnABlockDeviceFindsItByNameInTheServiceRegistry() throws Exception {
        Path img = Path.of(context.getProperty("vfsgi.state.dir")).resolve("itdisk.img");
        Files.write(img, new byte[16 * 4096]);
        org.osgi.service.cm.Configuration disk = configAdmin.getFactoryConfiguration("org.vfsgi.hw.device", "itdisk",
                "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("name", "itdisk");
        props.put("kind", "block");
        props.put("path", img.toString());
        disk.update(props);
        ServiceRegistration<FileSystemType> reg = registerEmptyFs();
        try {
            PlatformSupport.await("block device itdisk", 10,
                () -> !references(BlockDevice.class.getName(), "(vfsgi.hw.name=itdisk)").isEmpty());
            PlatformSupport.await("emptyfs registered", 10, () -> filesystemsList().contains("emptyfs"));
            run("mm:mkdir /disk");
            assertEquals("mounted itdisk on /disk type emptyfs", run("mm:mount itdisk /disk emptyfs"));
            assertTrue(run("mm:statfs /disk"), run("mm:statfs /disk").contains("Blocks: Total: 16 "));
            run("mm:umount /disk");
            MmException noDevice = fails(MmException.class, "mm:mount nosuchdisk /disk emptyfs");
            assertEquals(Errno.ENXIO, noDevice.errno());
        } finally {
            reg.unregister();
            disk.delete();
        }
    }

    /** Registers {@link EmptyFs} as a file-system bundle would: the type's name as a service property. */
    private ServiceRegistration<FileSystemType> registerEmptyFs() {
        Dictionary<String, Object> serviceProps = new Hashtable<>();
        serviceProps.put(FileSystemType.TYPE, "emptyfs");
        return context.registerService(FileSystemType.class, new EmptyFs(), serviceProps);
    }

    private String filesystemsList() {
        try {
            return run("mm:filesystems");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private boolean mountsContain(String text) {
        try {
            return run("mm:mounts").contains(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The smallest file system: an empty root directory, as a file-system bundle would register
     * it. With a source other than {@code none} it opens that block device through the mount
     * context, as a disk file system does, and reports the device's size in statfs.
     */
    static final class EmptyFs implements FileSystemType {
        @Override
        public String name() {
            return "emptyfs";
        }

        @Override
        public SuperBlock mount(MountRequest request) {
            long blocks = 0;
            if (!request.source().equals("none")) {
                BlockDevice dev = request.context().blockDevice(request.source()).orElseThrow(
                    () -> new MmException(Errno.ENXIO, "emptyfs_fill_super", "no block device " + request.source()));
                blocks = dev.size() / 4096;
            }
            long total = blocks;
            FsInode root = new FsInode() {
                @Override
                public long ino() {
                    return 1;
                }

                @Override
                public InodeAttributes getattr() {
                    return new InodeAttributes(1, FileType.DIRECTORY.mode(0555), 2, 0, 0, 0, 0, 0, 0, 0, null);
                }

                @Override
                public void setattr(SetAttr change) {
                    throw new MmException(Errno.EROFS, "notify_change", "emptyfs is read-only");
                }

                @Override
                public FsInode lookup(String name) {
                    return null;
                }

                @Override
                public List<org.vfsgi.vfs.DirEntry> readdir() {
                    return List.of();
                }
            };
            return new SuperBlock() {
                @Override
                public FsInode root() {
                    return root;
                }

                @Override
                public StatFs statfs() {
                    return new StatFs(EMPTYFS_MAGIC, 4096, total, total, total, 1, 0, 255);
                }

                @Override
                public void sync() {
                }

                @Override
                public void kill() {
                }
            };
        }
    }
}
