package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.VfsFile;

/** Path lookup across mounts: {@code .}, {@code ..}, symlinks, and the lookup errnos. */
class PathWalkTest {
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;
    private final DeviceNumber rootDev = new DeviceNumber(0, 1);
    private final DeviceNumber mntDev = new DeviceNumber(0, 2);

    private long ino(String path) {
        return vfs.stat(path).attributes().ino();
    }

    @Test
    void dotDotCrossesTheMountBoundaryUpwards() {
        vfs.mkdir("/mnt/sub", 0755);
        vfs.mkdir("/etc", 0755);
        assertEquals(mntDev, vfs.stat("/mnt/sub").device());
        assertEquals(mntDev, vfs.stat("/mnt/sub/..").device());
        assertEquals(ino("/mnt"), ino("/mnt/sub/.."), "/mnt/sub/.. is the mount's root");
        assertEquals(rootDev, vfs.stat("/mnt/..").device(), "/mnt/.. leaves the mount");
        assertEquals(ino("/"), ino("/mnt/.."));
        assertEquals(ino("/etc"), ino("/mnt/sub/../../etc"));
        assertEquals(rootDev, vfs.stat("/mnt/sub/../../etc").device());
        assertEquals(ino("/"), ino("/../../.."), "the root's parent is the root");
        assertEquals(ino("/mnt/sub"), ino("/./mnt/./sub/."));
        assertEquals(ino("/mnt/sub"), ino("//mnt///sub//"));
    }

    @Test
    void theCoveredDirectoryIsHiddenByTheMount() {
        vfs.umount("/mnt", false);
        fx.writeFile("/mnt/under", "covered");
        vfs.mount("again", "/mnt", "tmpfs", null);
        expect(Errno.ENOENT, () -> vfs.stat("/mnt/under"));
        vfs.umount("/mnt", false);
        assertEquals("covered", fx.readFile("/mnt/under"));
    }

    @Test
    void symlinksResolveRelativeToTheirDirectoryAndAcrossMounts() {
        vfs.mkdir("/mnt/data", 0755);
        fx.writeFile("/mnt/data/file", "payload");
        vfs.symlink("/mnt/data", "/abs");
        vfs.symlink("data/file", "/mnt/rel");
        vfs.symlink("../mnt/data", "/mnt/../up"); // relative, stored in /
        assertEquals("payload", fx.readFile("/abs/file"));
        assertEquals("payload", fx.readFile("/mnt/rel"));
        assertEquals("payload", fx.readFile("/up/file"));
        assertEquals(mntDev, vfs.stat("/abs/file").device());
        assertEquals(FileType.SYMLINK, vfs.lstat("/abs").attributes().type());
        assertEquals(FileType.DIRECTORY, vfs.stat("/abs").attributes().type());
        assertEquals("/mnt/data", vfs.readlink("/abs"));
        assertEquals(9, vfs.lstat("/abs").attributes().size(), "a symlink's size is its body's length");
        // ".." after a symlink is the physical parent of the target, as the kernel's d_parent.
        assertEquals(ino("/mnt"), ino("/abs/.."));
        VfsFile f = vfs.open("/abs/file", Fcntl.O_RDONLY, 0);
        assertEquals("/mnt/data/file", f.path(), "the open file's path is the resolved one");
        vfs.close(f);
    }

    @Test
    void aSymlinkLoopIsEloop() {
        vfs.symlink("/b", "/a");
        vfs.symlink("/a", "/b");
        MmException e = expect(Errno.ELOOP, () -> vfs.stat("/a"));
        assertTrue(e.detail().contains("more than 40 symbolic links"), e.getMessage());
        expect(Errno.ELOOP, () -> vfs.open("/a/x", Fcntl.O_RDONLY, 0));
        expect(Errno.ELOOP, () -> vfs.open("/a", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644));
        vfs.symlink("self", "/mnt/self");
        expect(Errno.ELOOP, () -> vfs.stat("/mnt/self"));
        assertEquals(FileType.SYMLINK, vfs.lstat("/a").attributes().type(), "lstat does not follow");
    }

    @Test
    void fortyLinksResolveAndFortyOneAreEloop() {
        fx.writeFile("/target", "end");
        vfs.symlink("/target", "/l0");
        for (int i = 1; i <= 40; i++) {
            vfs.symlink("/l" + (i - 1), "/l" + i);
        }
        assertEquals("end", fx.readFile("/l39"), "40 hops: /l39 .. /l0, then the file");
        expect(Errno.ELOOP, () -> vfs.stat("/l40"));
    }

    @Test
    void missingComponentsAreEnoent() {
        MmException e = expect(Errno.ENOENT, () -> vfs.stat("/mnt/nothing/here"));
        assertEquals("errno ENOENT: path_lookupat: /mnt/nothing/here: nothing does not exist", e.getMessage());
        vfs.symlink("/nowhere", "/dangling");
        expect(Errno.ENOENT, () -> vfs.stat("/dangling"));
        expect(Errno.ENOENT, () -> vfs.stat(""));
        assertEquals(FileType.SYMLINK, vfs.lstat("/dangling").attributes().type());
    }

    @Test
    void aFileInTheMiddleIsEnotdir() {
        fx.writeFile("/mnt/file", "x");
        MmException e = expect(Errno.ENOTDIR, () -> vfs.stat("/mnt/file/x"));
        assertTrue(e.detail().contains("file is not a directory"), e.getMessage());
        expect(Errno.ENOTDIR, () -> vfs.stat("/mnt/file/"));
        expect(Errno.ENOTDIR, () -> vfs.stat("/mnt/file/.."));
        expect(Errno.ENOTDIR, () -> vfs.open("/mnt/file", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0));
    }

    @Test
    void longNamesAreEnametoolong() {
        String name256 = "n".repeat(256);
        MmException e = expect(Errno.ENAMETOOLONG, () -> vfs.stat("/" + name256));
        assertTrue(e.detail().contains("NAME_MAX"), e.getMessage());
        expect(Errno.ENAMETOOLONG, () -> vfs.mkdir("/mnt/" + name256, 0755));
        vfs.mkdir("/mnt/" + "n".repeat(255), 0755); // exactly NAME_MAX is fine
        String longPath = "/a".repeat(Fcntl.PATH_MAX / 2);
        e = expect(Errno.ENAMETOOLONG, () -> vfs.stat(longPath));
        assertTrue(e.detail().contains("PATH_MAX"), e.getMessage());
        expect(Errno.ENAMETOOLONG, () -> vfs.symlink("x".repeat(Fcntl.PATH_MAX), "/l"));
    }

    @Test
    void relativePathsAreRefusedWithAClearMessage() {
        MmException e = expect(Errno.EINVAL, () -> vfs.stat("mnt"));
        assertTrue(e.detail().contains("give an absolute path"), e.getMessage());
    }
}
