package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.shmem.Tmpfs;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.VfsPath;
import org.vfsgi.vfs.SuperBlock;
import org.vfsgi.vfs.VfsFile;

/** The mount table: mounting, device numbers, umount and its EBUSY rules, type registration. */
class MountTest {
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;

    @Test
    void twoTmpfsMountsGetDistinctAnonymousDevices() {
        List<MountEntry> m = vfs.mounts();
        assertEquals(2, m.size());
        assertEquals("/", m.get(0).mountpoint());
        assertEquals("/mnt", m.get(1).mountpoint());
        assertEquals("scratch /mnt tmpfs rw,size=1m 0 0", m.get(1).toString());
        assertEquals(new DeviceNumber(0, 1), m.get(0).device());
        assertEquals(new DeviceNumber(0, 2), m.get(1).device());
        assertEquals(new DeviceNumber(0, 2), vfs.stat("/mnt").device());
        assertEquals(2, vfs.anonymousDevicesInUse());
    }

    @Test
    void unknownTypeIsEnodevNamingTheKnownTypes() {
        vfs.mkdir("/d", 0755);
        MmException e = expect(Errno.ENODEV, () -> vfs.mount("x", "/d", "ext4", null));
        assertEquals("errno ENODEV: get_fs_type: unknown file system type 'ext4' (known: tmpfs)", e.getMessage());
    }

    @Test
    void mountOnAFileIsEnotdir() {
        fx.writeFile("/f", "x");
        expect(Errno.ENOTDIR, () -> vfs.mount("none", "/f", "tmpfs", null));
    }

    @Test
    void mountingTwiceOnOnePointIsEbusy() {
        MmException e = expect(Errno.EBUSY, () -> vfs.mount("again", "/mnt", "tmpfs", null));
        assertTrue(e.detail().contains("/mnt is already a mount point"), e.getMessage());
        expect(Errno.EBUSY, () -> vfs.mount("again", "/", "tmpfs", null));
    }

    @Test
    void missingMountPointIsEnoent() {
        expect(Errno.ENOENT, () -> vfs.mount("none", "/nowhere", "tmpfs", null));
    }

    @Test
    void firstMountMustBeRoot() {
        VfsFixture empty = new VfsFixture(false);
        MmException e = expect(Errno.ENOENT, () -> empty.vfs.mount("none", "/mnt", "tmpfs", null));
        assertTrue(e.detail().contains("no root file system"), e.getMessage());
        expect(Errno.ENOENT, () -> empty.vfs.stat("/"));
    }

    @Test
    void badOptionsAreEinvalNamingTheOption() {
        vfs.mkdir("/d", 0755);
        MmException e = expect(Errno.EINVAL, () -> vfs.mount("none", "/d", "tmpfs", "size=1m,colour=blue"));
        assertTrue(e.detail().contains("'colour'"), e.getMessage());
        e = expect(Errno.EINVAL, () -> vfs.mount("none", "/d", "tmpfs", "size=lots"));
        assertTrue(e.detail().contains("'lots'") && e.detail().contains("'size'"), e.getMessage());
        expect(Errno.EINVAL, () -> vfs.mount("none", "/d", "tmpfs", "size=1m,,mode=755"));
        assertEquals(2, vfs.mounts().size(), "nothing mounted by a failed mount");
        assertEquals(2, vfs.anonymousDevicesInUse(), "no device number leaked");
    }

    @Test
    void readOnlyOptionBecomesTheMountFlagAndRefusesWrites() {
        vfs.mkdir("/ro", 0755);
        vfs.mount("none", "/ro", "tmpfs", "ro,size=64k");
        MountEntry e = vfs.mounts().get(2);
        assertTrue(e.readOnly());
        assertEquals("size=64k", e.options());
        expect(Errno.EROFS, () -> vfs.mkdir("/ro/x", 0755));
        expect(Errno.EROFS, () -> vfs.open("/ro/f", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644));
        expect(Errno.EROFS, () -> vfs.symlink("/x", "/ro/l"));
        expect(Errno.EROFS, () -> vfs.mknod("/ro/wh", org.vfsgi.vfs.FileType.CHAR_DEVICE.mode(0), DeviceNumber.WHITEOUT));
        expect(Errno.EROFS, () -> vfs.setxattr("/ro", "user.a", new byte[1], 0));
        expect(Errno.EROFS, () -> vfs.setattr("/ro", org.vfsgi.vfs.SetAttr.builder().mode(0700).build()));
        // A directory is refused for writing before the mount's flag is looked at, as may_open does.
        expect(Errno.EISDIR, () -> vfs.open("/ro", Fcntl.O_RDWR, 0));
        VfsFile dir = vfs.open("/ro", Fcntl.O_RDONLY, 0);
        vfs.close(dir);
    }

    @Test
    void umountWithAnOpenFileIsEbusyUntilClosed() {
        VfsFile f = vfs.open("/mnt/a", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        MmException e = expect(Errno.EBUSY, () -> vfs.umount("/mnt", false));
        assertEquals("errno EBUSY: do_umount: /mnt is busy: 1 open file(s)", e.getMessage());
        vfs.close(f);
        vfs.umount("/mnt", false);
        assertEquals(1, vfs.mounts().size());
        assertEquals(1, vfs.anonymousDevicesInUse(), "device number freed");
        assertEquals(new DeviceNumber(0, 1), vfs.stat("/mnt").device(), "the covered directory is visible again");
    }

    @Test
    void umountWithAStackedMountIsEbusy() {
        vfs.mkdir("/mnt/inner", 0755);
        vfs.mount("inner", "/mnt/inner", "tmpfs", null);
        MmException e = expect(Errno.EBUSY, () -> vfs.umount("/mnt", false));
        assertTrue(e.detail().contains("/mnt/inner is mounted on it"), e.getMessage());
        expect(Errno.EBUSY, () -> vfs.umount("/", false));
    }

    @Test
    void umountOfAPlainDirectoryIsEinval() {
        vfs.mkdir("/plain", 0755);
        MmException e = expect(Errno.EINVAL, () -> vfs.umount("/plain", false));
        assertTrue(e.detail().endsWith("/plain is not a mount point"), e.getMessage());
    }

    @Test
    void forcedUmountDetachesAtOnceAndKillsAfterTheLastClose() {
        vfs.mkdir("/mnt/inner", 0755);
        vfs.mount("inner", "/mnt/inner", "tmpfs", null);
        VfsFile f = vfs.open("/mnt/a", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        vfs.write(f, VfsFixture.bytes("still here"));
        vfs.umount("/mnt", true);
        assertEquals(1, vfs.mounts().size(), "both detached");
        assertEquals(2, vfs.anonymousDevicesInUse(), "/mnt's superblock lives while the file is open");
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(10);
        assertEquals(10, vfs.pread(f, buf, 0), "the open file keeps working after a lazy umount");
        long used = fx.ram.usedFrames();
        vfs.close(f);
        assertEquals(1, vfs.anonymousDevicesInUse());
        assertTrue(fx.ram.usedFrames() < used, "the page cache of the killed tmpfs is freed");
        expect(Errno.EBADF, () -> vfs.read(f, java.nio.ByteBuffer.allocate(1)));
        vfs.close(f); // closing again after the superblock died is harmless
    }

    @Test
    void umountFreesTheTmpfsPages() {
        long before = fx.ram.usedFrames();
        fx.writeFile("/mnt/big", "x".repeat(5 * 4096));
        assertEquals(before + 5, fx.ram.usedFrames());
        vfs.umount("/mnt", false);
        assertEquals(before, fx.ram.usedFrames());
    }

    @Test
    void registeringATypeTwiceIsEbusyAndUnregisterChecksIdentity() {
        expect(Errno.EBUSY, () -> vfs.registerFileSystem(new Tmpfs(fx.ram)));
        Tmpfs other = new Tmpfs(fx.ram);
        assertFalse(vfs.unregisterFileSystem(other), "a replacement that is not registered is not removed");
        assertTrue(vfs.unregisterFileSystem(fx.tmpfs));
        assertEquals(List.of(), vfs.fileSystemTypes());
        vfs.mkdir("/d", 0755);
        MmException e = expect(Errno.ENODEV, () -> vfs.mount("none", "/d", "tmpfs", null));
        assertTrue(e.detail().endsWith("(known: none)"), e.getMessage());
        assertEquals(2, vfs.mounts().size(), "existing mounts survive the type going away");
    }

    @Test
    void aBlockBackedSuperBlockKeepsItsOwnDeviceNumber() {
        FileSystemType fake = new FileSystemType() {
            @Override
            public String name() {
                return "fakedisk";
            }

            @Override
            public SuperBlock mount(MountRequest request) {
                SuperBlock inner = fx.tmpfs.mount(new MountRequest("none", java.util.Map.of(), false,
                        request.context()));
                return new SuperBlock() {
                    @Override
                    public org.vfsgi.vfs.FsInode root() {
                        return inner.root();
                    }

                    @Override
                    public org.vfsgi.vfs.StatFs statfs() {
                        return inner.statfs();
                    }

                    @Override
                    public void sync() {
                        inner.sync();
                    }

                    @Override
                    public void kill() {
                        inner.kill();
                    }

                    @Override
                    public DeviceNumber device() {
                        return new DeviceNumber(8, 1);
                    }

                    @Override
                    public boolean forcedReadOnly() {
                        return true;
                    }
                };
            }
        };
        vfs.registerFileSystem(fake);
        vfs.mkdir("/disk", 0755);
        vfs.mount("disk0", "/disk", "fakedisk", "rw");
        assertEquals(new DeviceNumber(8, 1), vfs.stat("/disk").device());
        assertTrue(vfs.mounts().get(2).readOnly(), "forced read-only wins over rw");
        assertEquals(2, vfs.anonymousDevicesInUse());
        assertNotEquals(vfs.stat("/").device(), vfs.stat("/disk").device());
    }

    @Test
    void mountContextResolvesPathsAcrossMountsForStackingFileSystems() {
        vfs.mkdir("/mnt/lower", 0755);
        fx.writeFile("/mnt/lower/f", "lower data");
        var lower = vfs.mountContext().lookup("/mnt/lower");
        assertEquals("/mnt/lower", lower.path());
        assertEquals(new DeviceNumber(0, 2), lower.device());
        assertEquals(null, lower.child("missing"));
        var f = lower.child("f");
        VfsFile open = f.open(Fcntl.O_RDONLY);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(32);
        assertEquals(10, vfs.read(open, buf));
        open.close();
        open.close(); // idempotent
        assertEquals(0, vfs.openFileCount());
        var root = vfs.mountContext().lookup("/");
        assertEquals(new DeviceNumber(0, 2), root.child("mnt").device(), "child() crosses into the mount");
        expect(Errno.EINVAL, () -> root.child(".."));
        assertTrue(vfs.mountContext().blockDevice("/dev/disk0").isEmpty());
    }

    @Test
    void layerPathsUnlinkRenameRmdirAndTruncateTheWayTheVfsDoes() {
        vfs.mkdir("/mnt/work", 0755);
        vfs.mkdir("/mnt/upper", 0755);
        fx.writeFile("/mnt/work/tmp", "copied data");
        fx.writeFile("/mnt/upper/old", "replaced");
        long freeBefore = vfs.statfs("/mnt").filesFree();
        VfsPath work = vfs.mountContext().lookup("/mnt/work");
        VfsPath upper = vfs.mountContext().lookup("/mnt/upper");

        work.rename("tmp", upper, "old", 0);
        assertEquals("copied data", fx.readFile("/mnt/upper/old"));
        assertEquals(freeBefore + 1, vfs.statfs("/mnt").filesFree(), "the replaced inode was freed");
        expect(Errno.ENOENT, () -> vfs.stat("/mnt/work/tmp"));

        upper.child("old").setattr(SetAttr.builder().size(6).build());
        assertEquals("copied", fx.readFile("/mnt/upper/old"));
        upper.child("old").setattr(SetAttr.builder().size(11).build());
        assertEquals("copied\0\0\0\0\0", fx.readFile("/mnt/upper/old"), "the truncated tail reads as zeros");

        expect(Errno.EISDIR, () -> vfs.mountContext().lookup("/mnt").unlink("upper"));
        upper.unlink("old");
        assertEquals(freeBefore + 2, vfs.statfs("/mnt").filesFree());
        expect(Errno.ENOENT, () -> upper.unlink("old"));
        expect(Errno.EINVAL, () -> vfs.mountContext().lookup("/mnt").rmdir("missing/x"));
        fx.writeFile("/mnt/file", "x");
        expect(Errno.ENOTDIR, () -> vfs.mountContext().lookup("/mnt").rmdir("file"));
        vfs.mountContext().lookup("/mnt").rmdir("work");
        expect(Errno.ENOENT, () -> vfs.stat("/mnt/work"));
        expect(Errno.EXDEV, () -> upper.rename("x", vfs.mountContext().lookup("/"), "x", 0));

        vfs.mount("none", "/mnt/upper", "tmpfs", "ro");
        expect(Errno.EROFS, () -> vfs.mountContext().lookup("/mnt/upper").setattr(SetAttr.builder().mode(0600).build()));
    }

    @Test
    void blockDevicesAreNumberedAsSdDisksInTheOrderTheyAreFirstAskedFor() {
        org.vfsgi.hw.BlockDevice disk = (org.vfsgi.hw.BlockDevice) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.vfsgi.hw.BlockDevice.class}, (proxy, m, args) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        Vfs disks = new Vfs(fx.ram, n -> n.startsWith("disk") ? java.util.Optional.of(disk) : java.util.Optional.empty(),
                () -> 0);
        var ctx = disks.mountContext();
        List<DeviceNumber> got = new java.util.ArrayList<>();
        for (int i = 0; i < 18; i++) {
            got.add(ctx.blockDeviceNumber("disk" + i).orElseThrow());
        }
        assertEquals(new DeviceNumber(8, 0), got.get(0), "sda");
        assertEquals(new DeviceNumber(8, 16), got.get(1), "sdb");
        assertEquals(new DeviceNumber(8, 240), got.get(15), "sdp");
        assertEquals(new DeviceNumber(259, 0), got.get(16), "then the extended block major");
        assertEquals(new DeviceNumber(259, 1), got.get(17));
        assertEquals(got.get(1), ctx.blockDeviceNumber("/dev/disk1").orElseThrow(), "stable, /dev/ ignored");
        assertTrue(ctx.blockDeviceNumber("nvme0").isEmpty(), "no such device, no number");
    }
}
