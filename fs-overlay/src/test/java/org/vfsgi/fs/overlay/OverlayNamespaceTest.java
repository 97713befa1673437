package org.vfsgi.fs.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.fs.overlay.OverlayFixture.expect;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.SetAttr;

/**
 * The merged namespace over tmpfs layers: listings, whiteouts and opaque directories made by
 * hand in the layers (as another overlayfs would leave them), copy-up on every kind of
 * modification, and what the upper layer looks like afterwards, byte for byte.
 */
class OverlayNamespaceTest {
    private final OverlayFixture fx = new OverlayFixture();

    @BeforeEach
    void layers() {
        fx.writeFile("/l1/shared", "l1 wins");
        fx.writeFile("/l2/shared", "l2 loses");
        fx.writeFile("/l2/bottom", "from l2");
        fx.vfs.mkdir("/l1/dir", 0751);
        fx.vfs.mkdir("/l2/dir", 0750);
        fx.writeFile("/l1/dir/one", "1");
        fx.writeFile("/l2/dir/two", "2");
        fx.vfs.mkdir("/l2/hidden", 0755);
        fx.writeFile("/l2/hidden/secret", "s");
    }

    @Test
    void lookupAndListingMergeTheLayersTopFirst() {
        fx.mountReadWrite("");
        assertEquals(List.of("bottom", "dir", "hidden", "shared"), fx.list("/merged"));
        assertEquals(List.of("one", "two"), fx.list("/merged/dir"));
        assertEquals("l1 wins", fx.readFile("/merged/shared"));
        assertEquals("from l2", fx.readFile("/merged/bottom"));
        assertEquals("2", fx.readFile("/merged/dir/two"));
        InodeAttributes dir = fx.vfs.stat("/merged/dir").attributes();
        assertEquals(0751, dir.mode() & FileType.PERMISSION_MASK, "a merged directory shows its topmost layer");
        for (var e : fx.vfs.readdir("/merged/dir")) {
            if (!e.name().startsWith(".")) {
                assertEquals(fx.vfs.stat("/merged/dir/" + e.name()).attributes().ino(), e.ino(),
                        "readdir and stat agree on overlay inode numbers: " + e);
            }
        }
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesInTheLayersHideWhatIsBelow() {
        fx.vfs.mknod("/l1/bottom", FileType.CHAR_DEVICE.mode(0), DeviceNumber.WHITEOUT);
        fx.vfs.mkdir("/l1/hidden", 0700);
        fx.vfs.setxattr("/l1/hidden", OverlaySuperBlock.OPAQUE, new byte[] {'y'}, 0);
        fx.writeFile("/l1/hidden/visible", "v");
        fx.mountOverlay("lowerdir=/l1:/l2");
        assertEquals(List.of("dir", "hidden", "shared"), fx.list("/merged"), "the whiteout hides l2's bottom");
        assertFalse(fx.exists("/merged/bottom"));
        assertEquals(List.of("visible"), fx.list("/merged/hidden"), "the opaque directory hides l2's secret");
        assertFalse(fx.exists("/merged/hidden/secret"));
        assertTrue(fx.vfs.listxattr("/merged/hidden").isEmpty(), "overlay's own xattrs are not shown");
        expect(Errno.ENODATA, () -> fx.vfs.getxattr("/merged/hidden", OverlaySuperBlock.OPAQUE));
    }

    @Test
    void openForWriteCopiesUpThroughTheWorkDirectoryAndKeepsTheInodeNumber() {
        fx.mountReadWrite("");
        long ino = fx.vfs.stat("/merged/dir/two").attributes().ino();
        fx.vfs.setxattr("/l2/dir/two", "user.note", "kept".getBytes(StandardCharsets.UTF_8), 0);
        int fd = fx.proc.open("/merged/dir/two", Fcntl.O_RDWR, 0);
        fx.proc.pwrite(fd, "3".getBytes(StandardCharsets.UTF_8), 1);
        fx.proc.close(fd);
        assertEquals("23", fx.readFile("/merged/dir/two"));
        assertEquals("23", fx.readFile("/u/upper/dir/two"), "the copy went to the upper layer");
        assertEquals("2", fx.readFile("/l2/dir/two"), "the lower layer is never written");
        assertEquals(0751, fx.vfs.stat("/u/upper/dir").attributes().mode() & FileType.PERMISSION_MASK,
                "the parent was copied up with its topmost lower mode");
        assertEquals(List.of("two"), fx.list("/u/upper/dir"), "only the file itself came up");
        assertEquals(List.of(), fx.list("/u/work/work"), "nothing is left in the work directory");
        assertEquals(ino, fx.vfs.stat("/merged/dir/two").attributes().ino(), "copy-up keeps st_ino");
        assertArrayEquals("kept".getBytes(StandardCharsets.UTF_8), fx.vfs.getxattr("/merged/dir/two", "user.note"));
        var lower = fx.vfs.stat("/l2/dir/two");
        assertEquals(lower.device() + ":" + lower.attributes().ino(),
                new String(fx.vfs.getxattr("/u/upper/dir/two", OverlaySuperBlock.ORIGIN), StandardCharsets.UTF_8),
                "the upper copy names its origin (device:inode of the lower file)");
    }

    @Test
    void appendingToALowerFileAppendsToItsCopy() {
        fx.mountReadWrite("");
        int fd = fx.proc.open("/merged/bottom", Fcntl.O_WRONLY | Fcntl.O_APPEND, 0);
        fx.proc.write(fd, " and more".getBytes(StandardCharsets.UTF_8));
        assertEquals(16, fx.proc.lseek(fd, 0, Fcntl.SEEK_END));
        fx.proc.close(fd);
        assertEquals("from l2 and more", fx.readFile("/merged/bottom"));
        assertEquals("from l2", fx.readFile("/l2/bottom"));
    }

    @Test
    void readOnlyOpensAndLookupsCopyNothingUp() {
        fx.mountReadWrite("");
        assertEquals("1", fx.readFile("/merged/dir/one"));
        fx.list("/merged/dir");
        fx.vfs.stat("/merged/shared");
        assertEquals(List.of(), fx.list("/u/upper"));
    }

    @Test
    void truncateChmodAndXattrChangesCopyUp() {
        fx.mountReadWrite("");
        fx.vfs.truncate("/merged/shared", 2);
        assertEquals("l1", fx.readFile("/merged/shared"));
        assertEquals("l1 wins", fx.readFile("/l1/shared"));
        fx.vfs.setattr("/merged/bottom", SetAttr.builder().mode(0600).build());
        assertEquals(0600, fx.vfs.stat("/u/upper/bottom").attributes().mode() & FileType.PERMISSION_MASK);
        assertEquals("from l2", fx.readFile("/u/upper/bottom"), "metadata copy-up copies the data too");
        fx.vfs.setxattr("/merged/dir/one", "user.x", new byte[] {1}, 0);
        assertArrayEquals(new byte[] {1}, fx.vfs.getxattr("/u/upper/dir/one", "user.x"));
        expect(Errno.EPERM, () -> fx.vfs.setxattr("/merged/dir", OverlaySuperBlock.OPAQUE, new byte[] {'y'}, 0),
                "reserved");
        int fd = fx.proc.open("/merged/dir/two", Fcntl.O_WRONLY | Fcntl.O_TRUNC, 0);
        fx.proc.close(fd);
        assertEquals(0, fx.vfs.stat("/merged/dir/two").attributes().size());
        assertEquals("2", fx.readFile("/l2/dir/two"));
    }

    @Test
    void deletingALowerFileLeavesAWhiteoutAndAPureUpperFileIsJustRemoved() {
        fx.mountReadWrite("");
        fx.vfs.unlink("/merged/bottom");
        assertFalse(fx.exists("/merged/bottom"));
        InodeAttributes w = fx.vfs.lstat("/u/upper/bottom").attributes();
        assertTrue(w.isWhiteout(), "a character device 0:0 in the upper layer: " + w);
        assertEquals("from l2", fx.readFile("/l2/bottom"));
        assertEquals(List.of("dir", "hidden", "shared"), fx.list("/merged"));

        fx.writeFile("/merged/bottom", "reborn");
        assertEquals("reborn", fx.readFile("/merged/bottom"));
        assertTrue(fx.vfs.lstat("/u/upper/bottom").attributes().isRegular(), "the new file replaced the whiteout");

        fx.writeFile("/merged/fresh", "new");
        fx.vfs.unlink("/merged/fresh");
        assertFalse(fx.exists("/u/upper/fresh"), "nothing below it: no whiteout needed");

        fx.writeFile("/merged/shared", "copied then deleted");
        fx.vfs.unlink("/merged/shared");
        assertTrue(fx.vfs.lstat("/u/upper/shared").attributes().isWhiteout(), "the whiteout replaced the copy");
        assertEquals(List.of(), fx.list("/u/work/work"));
    }

    @Test
    void removingAMergedDirectoryNeedsItEmptyAndLeavesAWhiteout() {
        fx.mountReadWrite("");
        expect(Errno.ENOTEMPTY, () -> fx.vfs.rmdir("/merged/dir"), "/dir");
        fx.vfs.unlink("/merged/dir/one");
        fx.vfs.unlink("/merged/dir/two");
        assertEquals(List.of(), fx.list("/merged/dir"));
        fx.vfs.rmdir("/merged/dir");
        assertFalse(fx.exists("/merged/dir"));
        assertTrue(fx.vfs.lstat("/u/upper/dir").attributes().isWhiteout());

        fx.vfs.mkdir("/merged/dir", 0711);
        assertEquals(List.of(), fx.list("/merged/dir"), "the new directory does not show the old lower entries");
        assertArrayEquals(new byte[] {'y'}, fx.vfs.getxattr("/u/upper/dir", OverlaySuperBlock.OPAQUE),
                "made over a whiteout, it is opaque");
        fx.writeFile("/merged/dir/three", "3");
        assertEquals(List.of("three"), fx.list("/merged/dir"));
    }

    @Test
    void newFilesAndDirectoriesGoToTheUpperLayer() {
        fx.mountReadWrite("");
        fx.vfs.mkdir("/merged/dir/sub", 0755);
        fx.writeFile("/merged/dir/sub/f", "deep");
        fx.vfs.symlink("sub/f", "/merged/dir/link");
        assertEquals("deep", fx.readFile("/merged/dir/link"));
        assertEquals("deep", fx.readFile("/u/upper/dir/sub/f"));
        assertEquals(List.of("link", "one", "sub", "two"), fx.list("/merged/dir"));
        assertFalse(fx.vfs.listxattr("/u/upper/dir/sub").contains(OverlaySuperBlock.OPAQUE),
                "a directory made where nothing was is not opaque");
        expect(Errno.EPERM, () -> fx.vfs.mknod("/merged/wh", FileType.CHAR_DEVICE.mode(0), DeviceNumber.WHITEOUT),
                "whiteout");
    }

    @Test
    void filesRenameInTheUpperLayerAndDirectoriesWithLowerLayersRefuseWithExdev() {
        fx.mountReadWrite("");
        long ino = fx.vfs.stat("/merged/bottom").attributes().ino();
        fx.vfs.rename("/merged/bottom", "/merged/dir/moved");
        assertFalse(fx.exists("/merged/bottom"));
        assertEquals("from l2", fx.readFile("/merged/dir/moved"));
        assertTrue(fx.vfs.lstat("/u/upper/bottom").attributes().isWhiteout(), "the old name is whited out");
        assertEquals(ino, fx.vfs.stat("/merged/dir/moved").attributes().ino(), "the origin keeps st_ino");

        fx.vfs.rename("/merged/dir/moved", "/merged/shared");
        assertEquals("from l2", fx.readFile("/merged/shared"), "replacing a lower file");
        assertEquals("l1 wins", fx.readFile("/l1/shared"));

        expect(Errno.EXDEV, () -> fx.vfs.rename("/merged/dir", "/merged/dir2"), "redirect_dir");
        fx.vfs.mkdir("/merged/newdir", 0755);
        fx.writeFile("/merged/newdir/f", "f");
        fx.vfs.rename("/merged/newdir", "/merged/renamed");
        assertEquals("f", fx.readFile("/merged/renamed/f"), "a pure upper directory moves freely");
        expect(Errno.EINVAL, () -> fx.vfs.rename("/merged/shared", "/merged/renamed/f", Fcntl.RENAME_EXCHANGE));
    }

    @Test
    void aCopyUpThatFailsHalfWayLeavesNoPartialFile() {
        int[] chunks = {0};
        OverlayFixture faulty = new OverlayFixture(new OverlayFs((path, offset) -> {
            // the third chunk of /big fails: two chunks are already in the work directory by then
            return path.equals("/big") && ++chunks[0] == 3 ? Errno.EIO.negative() : 0;
        }));
        byte[] big = OverlayFixture.pattern(5 * CopyUp.CHUNK + 123, 1);
        faulty.writeFile("/l1/big", big);
        faulty.mountReadWrite("");
        expect(Errno.EIO, () -> faulty.proc.open("/merged/big", Fcntl.O_RDWR, 0), "/merged/big");
        assertEquals(3, chunks[0], "it failed at the third chunk");
        assertEquals(List.of(), faulty.list("/u/upper"), "no partial file in the upper layer");
        assertEquals(List.of(), faulty.list("/u/work/work"), "the half-made copy was removed");
        assertArrayEquals(big, faulty.readBytes("/merged/big"), "the lower file still shows");

        int fd = faulty.proc.open("/merged/big", Fcntl.O_RDWR, 0); // the fault was one-shot: now it copies
        faulty.proc.close(fd);
        assertArrayEquals(big, faulty.readBytes("/u/upper/big"), "byte for byte");
    }

    @Test
    void aFullUpperLayerFailsTheCopyUpWithEnospcAndLeavesNothing() {
        byte[] big = OverlayFixture.pattern(8 * OverlayFixture.PAGE, 2);
        fx.writeFile("/l1/big", big);
        fx.mountUpper("size=16k");
        fx.mountOverlay("lowerdir=/l1,upperdir=/u/upper,workdir=/u/work");
        expect(Errno.ENOSPC, () -> fx.proc.open("/merged/big", Fcntl.O_WRONLY, 0), "/big");
        assertEquals(List.of(), fx.list("/u/upper"));
        assertEquals(List.of(), fx.list("/u/work/work"));
        assertArrayEquals(big, fx.readBytes("/merged/big"));
    }
}
