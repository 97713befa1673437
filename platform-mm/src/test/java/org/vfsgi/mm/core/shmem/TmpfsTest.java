package org.vfsgi.mm.core.shmem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.bytes;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.mm.core.vfs.VfsFixture;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.VfsFile;

/** tmpfs itself: limits, options, xattrs, whiteouts, timestamps, SEEK_DATA/SEEK_HOLE. */
class TmpfsTest {
    private static final int PAGE = 4096;
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;

    private void mountAt(String path, String options) {
        vfs.mkdir(path, 0755);
        vfs.mount("none", path, "tmpfs", options);
    }

    @Test
    void sizeLimitIsEnospcAndTruncationGivesTheSpaceBack() {
        mountAt("/small", "size=8k");
        StatFs s = vfs.statfs("/small");
        assertEquals(ShmemSuperBlock.TMPFS_MAGIC, s.magic());
        assertEquals(2, s.blocks());
        assertEquals(2, s.blocksFree());
        VfsFile f = vfs.open("/small/f", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        assertEquals(2 * PAGE, vfs.write(f, ByteBuffer.wrap(new byte[2 * PAGE])));
        assertEquals(0, vfs.statfs("/small").blocksFree());
        MmException e = expect(Errno.ENOSPC, () -> vfs.write(f, bytes("x")));
        assertEquals("errno ENOSPC: vfs_write: shmem_file_operations.write of /small/f returned ENOSPC", e.getMessage());
        assertEquals(2 * PAGE, vfs.fstat(f).attributes().size(), "a refused write changes nothing");
        assertEquals(5, vfs.pwrite(f, bytes("again"), 100), "overwriting cached pages needs no space");
        VfsFile g = vfs.open("/small/g", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        expect(Errno.ENOSPC, () -> vfs.write(g, bytes("y")));
        vfs.ftruncate(f, PAGE);
        assertEquals(1, vfs.statfs("/small").blocksFree());
        assertEquals(1, vfs.write(g, bytes("y")));
        vfs.close(f);
        vfs.close(g);
    }

    @Test
    void concurrentWritersNeverOvershootTheSizeLimit() throws Exception {
        mountAt("/race", "size=64k");
        int writers = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        java.util.List<java.util.concurrent.Future<Integer>> pages = new java.util.ArrayList<>();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        for (int w = 0; w < writers; w++) {
            String path = "/race/f" + w;
            pages.add(pool.submit(() -> {
                VfsFile f = vfs.open(path, Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644);
                start.await();
                int n = 0;
                try {
                    while (true) {
                        vfs.write(f, ByteBuffer.wrap(new byte[PAGE]));
                        n++;
                    }
                } catch (MmException e) {
                    assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
                } finally {
                    vfs.close(f);
                }
                return n;
            }));
        }
        start.countDown();
        int total = 0;
        for (java.util.concurrent.Future<Integer> p : pages) {
            total += p.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(16, total, "exactly size=64k worth of pages were written");
        assertEquals(0, vfs.statfs("/race").blocksFree());
    }

    @Test
    void aWriteSpanningTheLimitIsRefusedWhole() {
        mountAt("/small", "size=2");
        assertEquals(1, vfs.statfs("/small").blocks(), "2 bytes round up to one page");
        VfsFile f = vfs.open("/small/f", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        expect(Errno.ENOSPC, () -> vfs.write(f, ByteBuffer.wrap(new byte[PAGE + 1])));
        assertEquals(0, vfs.fstat(f).attributes().size());
        assertEquals(0, f.mapping().cachedPages());
        vfs.close(f);
    }

    @Test
    void sizeOptionForms() {
        mountAt("/pct", "size=10%");
        assertEquals(VfsFixture.FRAMES / 10, vfs.statfs("/pct").blocks());
        mountAt("/unl", "size=0,nr_inodes=0");
        StatFs s = vfs.statfs("/unl");
        assertEquals(0, s.blocks(), "size=0 is unlimited");
        assertEquals(0, s.files());
        mountAt("/m", "size=1M,nr_inodes=1k");
        assertEquals(256, vfs.statfs("/m").blocks());
        assertEquals(1024, vfs.statfs("/m").files());
        mountAt("/dflt", null);
        assertEquals(VfsFixture.FRAMES / 2, vfs.statfs("/dflt").blocks(), "default: half of RAM");
        vfs.mkdir("/bad", 0755);
        MmException e = expect(Errno.EINVAL, () -> vfs.mount("none", "/bad", "tmpfs", "nr_inodes=-1"));
        assertEquals("errno EINVAL: shmem_parse_one: tmpfs: bad value '-1' for mount option 'nr_inodes'", e.getMessage());
        expect(Errno.EINVAL, () -> vfs.mount("none", "/bad", "tmpfs", "mode=999"));
    }

    @Test
    void nrInodesLimitsCreation() {
        mountAt("/few", "nr_inodes=3");
        vfs.mkdir("/few/d", 0755);
        fx.writeFile("/few/f", "x");
        MmException e = expect(Errno.ENOSPC, () -> vfs.symlink("/x", "/few/l"));
        assertTrue(e.detail().contains("all 3 inodes"), e.getMessage());
        assertEquals(0, vfs.statfs("/few").filesFree());
        vfs.unlink("/few/f");
        vfs.symlink("/x", "/few/l");
    }

    @Test
    void rootDirectoryOptions() {
        mountAt("/own", "mode=0700,uid=5,gid=6");
        InodeAttributes a = vfs.stat("/own").attributes();
        assertEquals(FileType.DIRECTORY.mode(0700), a.mode());
        assertEquals(5, a.uid());
        assertEquals(6, a.gid());
        assertEquals(2, a.nlink());
        assertEquals(01777, vfs.stat("/mnt").attributes().mode() & 07777, "the default is 1777");
    }

    @Test
    void extendedAttributes() {
        vfs.mkdir("/mnt/upper", 0755);
        String dir = "/mnt/upper";
        vfs.setxattr(dir, "trusted.overlay.opaque", "y".getBytes(StandardCharsets.UTF_8), 0);
        vfs.setxattr(dir, "user.note", new byte[] {1, 2, 3}, Fcntl.XATTR_CREATE);
        assertArrayEquals("y".getBytes(StandardCharsets.UTF_8), vfs.getxattr(dir, "trusted.overlay.opaque"));
        assertEquals(List.of("trusted.overlay.opaque", "user.note"), vfs.listxattr(dir));
        MmException e = expect(Errno.EEXIST, () -> vfs.setxattr(dir, "user.note", new byte[0], Fcntl.XATTR_CREATE));
        assertTrue(e.detail().contains("XATTR_CREATE"), e.getMessage());
        expect(Errno.ENODATA, () -> vfs.setxattr(dir, "user.other", new byte[0], Fcntl.XATTR_REPLACE));
        vfs.setxattr(dir, "user.note", new byte[] {9}, Fcntl.XATTR_REPLACE);
        assertArrayEquals(new byte[] {9}, vfs.getxattr(dir, "user.note"));
        vfs.removexattr(dir, "user.note");
        e = expect(Errno.ENODATA, () -> vfs.getxattr(dir, "user.note"));
        assertTrue(e.detail().startsWith("no xattr user.note"), e.getMessage());
        expect(Errno.ENODATA, () -> vfs.removexattr(dir, "user.note"));
        expect(Errno.EOPNOTSUPP, () -> vfs.setxattr(dir, "system.posix_acl_access", new byte[4], 0));
        expect(Errno.EOPNOTSUPP, () -> vfs.getxattr(dir, "nonamespace"));
        expect(Errno.ERANGE, () -> vfs.getxattr(dir, ""));
        expect(Errno.EINVAL, () -> vfs.setxattr(dir, "user.a", new byte[0], 3));
        expect(Errno.E2BIG, () -> vfs.setxattr(dir, "user.a", new byte[65537], 0));
        byte[] v = vfs.getxattr(dir, "trusted.overlay.opaque");
        v[0] = 'n';
        assertArrayEquals("y".getBytes(StandardCharsets.UTF_8), vfs.getxattr(dir, "trusted.overlay.opaque"),
                "callers get copies");
    }

    @Test
    void renameWhiteoutLeavesACharDevice00() {
        fx.writeFile("/mnt/f", "x");
        vfs.rename("/mnt/f", "/mnt/g", Fcntl.RENAME_WHITEOUT);
        InodeAttributes w = vfs.lstat("/mnt/f").attributes();
        assertTrue(w.isWhiteout());
        assertEquals(new DeviceNumber(0, 0), w.rdev());
        assertEquals("x", fx.readFile("/mnt/g"));
        expect(Errno.EINVAL, () -> vfs.rename("/mnt/g", "/mnt/f", Fcntl.RENAME_EXCHANGE | Fcntl.RENAME_WHITEOUT));
    }

    @Test
    void timestampsFollowTheOperations() {
        fx.writeFile("/mnt/f", "x");
        InodeAttributes a0 = vfs.stat("/mnt/f").attributes();
        long dirMtime = vfs.stat("/mnt").attributes().mtimeNanos();
        VfsFile f = vfs.open("/mnt/f", Fcntl.O_RDWR, 0);
        vfs.write(f, bytes("y"));
        InodeAttributes a1 = vfs.fstat(f).attributes();
        assertTrue(a1.mtimeNanos() > a0.mtimeNanos() && a1.ctimeNanos() > a0.ctimeNanos(), "write sets mtime, ctime");
        vfs.pread(f, ByteBuffer.allocate(1), 0);
        assertTrue(vfs.fstat(f).attributes().atimeNanos() > a1.atimeNanos(), "read sets atime");
        vfs.close(f);
        vfs.mkdir("/mnt/sub", 0755);
        assertTrue(vfs.stat("/mnt").attributes().mtimeNanos() > dirMtime, "a new entry changes the directory");
        vfs.setattr("/mnt/f", SetAttr.builder().mode(0600).uid(7).gid(8).atime(11).mtime(22).build());
        InodeAttributes a2 = vfs.stat("/mnt/f").attributes();
        assertEquals(FileType.REGULAR.mode(0600), a2.mode());
        assertEquals(7, a2.uid());
        assertEquals(8, a2.gid());
        assertEquals(11, a2.atimeNanos());
        assertEquals(22, a2.mtimeNanos());
        assertTrue(a2.ctimeNanos() > a1.ctimeNanos(), "setattr sets ctime");
        expect(Errno.EISDIR, () -> vfs.setattr("/mnt/sub", SetAttr.builder().size(0).build()));
    }

    @Test
    void seekDataAndSeekHoleFollowCachedPages() {
        VfsFile f = vfs.open("/mnt/sparse", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        vfs.pwrite(f, bytes("d"), 2 * PAGE + 5);
        assertEquals(2 * PAGE, vfs.lseek(f, 0, ShmemFile.SEEK_DATA));
        assertEquals(0, vfs.lseek(f, 0, ShmemFile.SEEK_HOLE));
        assertEquals(2 * PAGE + 6, vfs.lseek(f, 2 * PAGE, ShmemFile.SEEK_HOLE), "end of file is a hole");
        expect(Errno.ENXIO, () -> vfs.lseek(f, 2 * PAGE + 6, ShmemFile.SEEK_DATA));
        assertEquals(3, vfs.lseek(f, 3, Fcntl.SEEK_SET));
        assertEquals(5, vfs.lseek(f, 2, Fcntl.SEEK_CUR));
        expect(Errno.EINVAL, () -> vfs.lseek(f, -10, Fcntl.SEEK_CUR));
        vfs.close(f);
    }

    @Test
    void directorySizeCountsEntriesAndNlinkTracksSubdirectories() {
        vfs.mkdir("/mnt/a", 0755);
        vfs.mkdir("/mnt/a/b", 0755);
        fx.writeFile("/mnt/a/f", "");
        InodeAttributes a = vfs.stat("/mnt/a").attributes();
        assertEquals(40, a.size(), "20 bytes per entry, as BOGO_DIRENT_SIZE");
        assertEquals(3, a.nlink());
        vfs.rmdir("/mnt/a/b");
        assertEquals(2, vfs.stat("/mnt/a").attributes().nlink());
    }
}
