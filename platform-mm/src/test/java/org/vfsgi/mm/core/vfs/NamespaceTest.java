package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.VfsFile;

/** Names: mkdir, unlink, rmdir, rename, link, mknod, readdir, with their errnos. */
class NamespaceTest {
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;

    private List<String> names(String dir) {
        List<String> out = new ArrayList<>();
        for (DirEntry e : vfs.readdir(dir)) {
            out.add(e.name());
        }
        return out;
    }

    @Test
    void readdirListsDotAndDotDotFirstThenEntriesInCreationOrder() {
        vfs.mkdir("/mnt/b", 0755);
        fx.writeFile("/mnt/a", "x");
        vfs.symlink("/", "/mnt/c");
        List<DirEntry> es = vfs.readdir("/mnt");
        assertEquals(List.of(".", "..", "b", "a", "c"), names("/mnt"));
        assertEquals(vfs.stat("/mnt").attributes().ino(), es.get(0).ino());
        assertEquals(vfs.stat("/").attributes().ino(), es.get(1).ino(), "'..' of a mount root is the parent mount's directory");
        assertEquals(FileType.DIRECTORY, es.get(2).type());
        assertEquals(FileType.REGULAR, es.get(3).type());
        assertEquals(FileType.SYMLINK, es.get(4).type());
        List<DirEntry> root = vfs.readdir("/");
        assertEquals(root.get(0).ino(), root.get(1).ino(), "'..' of / is / itself");
        assertEquals(List.of(".", "..", "mnt"), names("/"));
        expect(Errno.ENOTDIR, () -> vfs.readdir("/mnt/a"));
    }

    @Test
    void mkdirErrnos() {
        vfs.mkdir("/d", 0700);
        assertEquals(0700, vfs.stat("/d").attributes().mode() & 07777);
        MmException e = expect(Errno.EEXIST, () -> vfs.mkdir("/d", 0755));
        assertEquals("errno EEXIST: do_mkdirat: /d exists", e.getMessage());
        expect(Errno.EEXIST, () -> vfs.mkdir("/", 0755));
        expect(Errno.EEXIST, () -> vfs.mkdir("/d/.", 0755));
        expect(Errno.ENOENT, () -> vfs.mkdir("/x/y", 0755));
        fx.writeFile("/f", "");
        expect(Errno.ENOTDIR, () -> vfs.mkdir("/f/y", 0755));
        expect(Errno.EEXIST, () -> vfs.mkdir("/f", 0755));
        assertEquals(4, vfs.stat("/").attributes().nlink(), "2 plus one '..' for each of /d and /mnt");
    }

    @Test
    void unlinkErrnos() {
        fx.writeFile("/f", "x");
        vfs.mkdir("/d", 0755);
        MmException e = expect(Errno.EISDIR, () -> vfs.unlink("/d"));
        assertEquals("errno EISDIR: do_unlinkat: /d is a directory (use rmdir)", e.getMessage());
        expect(Errno.ENOENT, () -> vfs.unlink("/nope"));
        expect(Errno.ENOTDIR, () -> vfs.unlink("/f/"));
        expect(Errno.EISDIR, () -> vfs.unlink("/"));
        vfs.unlink("/f");
        expect(Errno.ENOENT, () -> vfs.stat("/f"));
    }

    @Test
    void rmdirErrnos() {
        vfs.mkdir("/d", 0755);
        fx.writeFile("/d/f", "x");
        MmException e = expect(Errno.ENOTEMPTY, () -> vfs.rmdir("/d"));
        assertTrue(e.detail().contains("d is not empty"), e.getMessage());
        expect(Errno.ENOTDIR, () -> vfs.rmdir("/d/f"));
        expect(Errno.ENOENT, () -> vfs.rmdir("/gone"));
        e = expect(Errno.EBUSY, () -> vfs.rmdir("/mnt"));
        assertEquals("errno EBUSY: do_rmdir: /mnt is a mount point", e.getMessage());
        expect(Errno.EBUSY, () -> vfs.rmdir("/"));
        expect(Errno.EINVAL, () -> vfs.rmdir("/d/."));
        expect(Errno.ENOTEMPTY, () -> vfs.rmdir("/d/.."));
        vfs.unlink("/d/f");
        vfs.rmdir("/d");
        assertEquals(List.of(".", "..", "mnt"), names("/"));
    }

    @Test
    void renameWithinAMount() {
        vfs.mkdir("/mnt/a", 0755);
        vfs.mkdir("/mnt/b", 0755);
        fx.writeFile("/mnt/a/f", "moved");
        long ino = vfs.stat("/mnt/a/f").attributes().ino();
        vfs.rename("/mnt/a/f", "/mnt/b/g");
        expect(Errno.ENOENT, () -> vfs.stat("/mnt/a/f"));
        assertEquals(ino, vfs.stat("/mnt/b/g").attributes().ino());
        assertEquals("moved", fx.readFile("/mnt/b/g"));
        assertEquals(4, vfs.stat("/mnt").attributes().nlink(), "2 plus the '..' of a and b");
        vfs.rename("/mnt/a", "/mnt/b/a");
        assertEquals(3, vfs.stat("/mnt").attributes().nlink(), "only b is left under /mnt");
        assertEquals(3, vfs.stat("/mnt/b").attributes().nlink(), "b holds a");
    }

    @Test
    void renameAcrossMountsIsExdev() {
        fx.writeFile("/f", "x");
        MmException e = expect(Errno.EXDEV, () -> vfs.rename("/f", "/mnt/f"));
        assertEquals("errno EXDEV: do_renameat2: /f and /mnt/f are on different mounts (/, /mnt)", e.getMessage());
        expect(Errno.EXDEV, () -> vfs.link("/f", "/mnt/f"));
        assertEquals("x", fx.readFile("/f"), "nothing moved");
    }

    @Test
    void renameReplacingRules() {
        vfs.mkdir("/d", 0755);
        vfs.mkdir("/e", 0755);
        fx.writeFile("/e/inside", "x");
        fx.writeFile("/f", "new");
        fx.writeFile("/g", "old");
        expect(Errno.EISDIR, () -> vfs.rename("/f", "/d"));
        expect(Errno.ENOTDIR, () -> vfs.rename("/d", "/f"));
        expect(Errno.ENOTEMPTY, () -> vfs.rename("/d", "/e"));
        expect(Errno.EINVAL, () -> vfs.rename("/d", "/d/sub"));
        expect(Errno.EEXIST, () -> vfs.rename("/f", "/g", Fcntl.RENAME_NOREPLACE));
        expect(Errno.EBUSY, () -> vfs.rename("/mnt", "/mnt2"));
        expect(Errno.EBUSY, () -> vfs.rename("/d/.", "/x"));
        expect(Errno.ENOENT, () -> vfs.rename("/none", "/x"));
        expect(Errno.EINVAL, () -> vfs.rename("/f", "/g", 64));
        vfs.rename("/f", "/g");
        assertEquals("new", fx.readFile("/g"));
        expect(Errno.ENOENT, () -> vfs.stat("/f"));
        vfs.rename("/e/inside", "/d/inside");
        vfs.rename("/d", "/e"); // a directory replaces an empty directory
        assertEquals("x", fx.readFile("/e/inside"));
    }

    @Test
    void renameExchangeSwapsTwoNames() {
        fx.writeFile("/a", "A");
        vfs.mkdir("/b", 0755);
        vfs.rename("/a", "/b", Fcntl.RENAME_EXCHANGE);
        assertEquals("A", fx.readFile("/b"));
        assertTrue(vfs.stat("/a").attributes().isDirectory());
        expect(Errno.ENOENT, () -> vfs.rename("/a", "/c", Fcntl.RENAME_EXCHANGE));
    }

    @Test
    void hardLinksShareTheInodeAndItsData() {
        fx.writeFile("/f", "shared");
        vfs.link("/f", "/g");
        assertEquals(2, vfs.stat("/f").attributes().nlink());
        assertEquals(vfs.stat("/f").attributes().ino(), vfs.stat("/g").attributes().ino());
        vfs.unlink("/f");
        assertEquals("shared", fx.readFile("/g"));
        assertEquals(1, vfs.stat("/g").attributes().nlink());
        vfs.mkdir("/d", 0755);
        expect(Errno.EPERM, () -> vfs.link("/d", "/d2"));
        expect(Errno.EEXIST, () -> vfs.link("/g", "/d"));
    }

    @Test
    void mknodMakesAWhiteoutAndOtherNodes() {
        vfs.mknod("/mnt/wh", FileType.CHAR_DEVICE.mode(0), DeviceNumber.WHITEOUT);
        InodeAttributes a = vfs.lstat("/mnt/wh").attributes();
        assertEquals(FileType.CHAR_DEVICE, a.type());
        assertEquals(DeviceNumber.WHITEOUT, a.rdev());
        assertTrue(a.isWhiteout());
        MmException e = expect(Errno.ENXIO, () -> vfs.open("/mnt/wh", Fcntl.O_RDONLY, 0));
        assertTrue(e.detail().contains("has no file operations"), e.getMessage());
        vfs.mknod("/mnt/fifo", FileType.FIFO.mode(0600), null);
        assertEquals(FileType.FIFO, vfs.stat("/mnt/fifo").attributes().type());
        vfs.mknod("/mnt/reg", FileType.REGULAR.mode(0600), null);
        assertTrue(vfs.stat("/mnt/reg").attributes().isRegular());
        expect(Errno.EPERM, () -> vfs.mknod("/mnt/dir", FileType.DIRECTORY.mode(0755), null));
        expect(Errno.EINVAL, () -> vfs.mknod("/mnt/blk", FileType.BLOCK_DEVICE.mode(0600), null));
        expect(Errno.EEXIST, () -> vfs.mknod("/mnt/wh", FileType.CHAR_DEVICE.mode(0), DeviceNumber.WHITEOUT));
        expect(Errno.EINVAL, () -> vfs.mknod("/mnt/bad", 0, null));
        vfs.unlink("/mnt/wh");
    }

    @Test
    void symlinkAndReadlinkErrnos() {
        expect(Errno.ENOENT, () -> vfs.symlink("", "/l"));
        vfs.symlink("target", "/l");
        expect(Errno.EEXIST, () -> vfs.symlink("other", "/l"));
        fx.writeFile("/f", "");
        MmException e = expect(Errno.EINVAL, () -> vfs.readlink("/f"));
        assertEquals("errno EINVAL: do_readlinkat: /f is not a symlink", e.getMessage());
        assertEquals("target", vfs.readlink("/l"));
    }

    @Test
    void anUnlinkedOpenFileKeepsItsDataUntilTheLastClose() {
        fx.writeFile("/mnt/tmp", "z".repeat(8192));
        long used = fx.ram.usedFrames();
        VfsFile f = vfs.open("/mnt/tmp", Fcntl.O_RDWR, 0);
        vfs.unlink("/mnt/tmp");
        expect(Errno.ENOENT, () -> vfs.stat("/mnt/tmp"));
        assertEquals(0, vfs.fstat(f).attributes().nlink());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8192);
        assertEquals(8192, vfs.read(f, b));
        assertEquals(used, fx.ram.usedFrames());
        long inodes = vfs.statfs("/mnt").filesFree();
        vfs.close(f);
        assertEquals(used - 2, fx.ram.usedFrames(), "evicted with its pages on the last close");
        assertEquals(inodes + 1, vfs.statfs("/mnt").filesFree(), "and its inode freed");
    }

    @Test
    void overwritingRenameEvictsTheReplacedFile() {
        fx.writeFile("/mnt/a", "a".repeat(4096));
        fx.writeFile("/mnt/b", "b".repeat(4096 * 3));
        long used = fx.ram.usedFrames();
        vfs.rename("/mnt/a", "/mnt/b");
        assertEquals(used - 3, fx.ram.usedFrames());
        assertEquals("a".repeat(4096), fx.readFile("/mnt/b"));
    }
}
