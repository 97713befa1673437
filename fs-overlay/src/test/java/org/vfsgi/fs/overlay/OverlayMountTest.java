package org.vfsgi.fs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.fs.overlay.OverlayFixture.expect;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.vfs.Fcntl;

/** Mount options and the layer checks: every bad input fails with overlayfs's errno and names the problem. */
class OverlayMountTest {
    private final OverlayFixture fx = new OverlayFixture();

    @Test
    void optionErrorsNameTheOption() {
        fx.mountUpper("size=1m");
        expect(Errno.EINVAL, () -> fx.mountOverlay("upperdir=/u/upper,workdir=/u/work"), "missing 'lowerdir'");
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1,upperdir=/u/upper"), "missing 'workdir'");
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1:/l2,workdir=/u/work"), "'workdir' without 'upperdir'");
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1:/l2,redirect_dir=on"), "unknown mount option 'redirect_dir'");
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1:/l2,mmap=fast"), "'fast'", "'mmap'");
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1::/l2"), "empty layer");
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1"), "at least 2 lowerdir");
        assertTrue(fx.vfs.mounts().stream().noneMatch(m -> m.type().equals("overlay")), "nothing was mounted");
    }

    @Test
    void missingOrWrongLayerDirectoriesAreNamed() {
        fx.mountUpper("size=1m");
        expect(Errno.ENOENT, () -> fx.mountOverlay("lowerdir=/l1:/nowhere"), "lowerdir /nowhere");
        expect(Errno.ENOENT, () -> fx.mountOverlay("lowerdir=/l1,upperdir=/u/gone,workdir=/u/work"), "upperdir /u/gone");
        expect(Errno.ENOENT, () -> fx.mountOverlay("lowerdir=/l1,upperdir=/u/upper,workdir=/u/nowork"),
                "workdir /u/nowork");
        fx.writeFile("/l2/file", "x");
        expect(Errno.ENOTDIR, () -> fx.mountOverlay("lowerdir=/l1:/l2/file"), "lowerdir /l2/file is not a directory");
    }

    @Test
    void upperAndWorkMustShareAMountAndBeSeparate() {
        fx.mountUpper("size=1m");
        fx.vfs.mkdir("/otherwork", 0755);
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1,upperdir=/u/upper,workdir=/otherwork"),
                "workdir /otherwork", "upperdir /u/upper", "same mount");
        fx.vfs.mkdir("/u/upper/w", 0755);
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1,upperdir=/u/upper,workdir=/u/upper/w"),
                "separate subtrees");
        expect(Errno.EINVAL, () -> fx.mountOverlay("lowerdir=/l1,upperdir=/u,workdir=/u/work"), "separate subtrees");
    }

    @Test
    void overlappingLayersAreRefused() {
        fx.vfs.mkdir("/l1/sub", 0755);
        expect(Errno.ELOOP, () -> fx.mountOverlay("lowerdir=/l1:/l1/sub"), "overlapping lowerdir", "/l1/sub");
        fx.mountUpper("size=1m");
        fx.vfs.mkdir("/u/upper/low", 0755);
        expect(Errno.ELOOP, () -> fx.mountOverlay("lowerdir=/u/upper/low,upperdir=/u/upper,workdir=/u/work"),
                "overlapping upperdir");
    }

    @Test
    void aReadOnlyUpperLayerIsRefusedForAWritableMount() {
        fx.vfs.mount("none", "/u", "tmpfs", "ro");
        expect(Errno.EROFS, () -> fx.mountOverlay("lowerdir=/l1,upperdir=/u,workdir=/u"), "upperdir /u",
                "read-only");
    }

    @Test
    void lowerOnlyMountsAreReadOnly() {
        fx.writeFile("/l1/a", "top");
        fx.writeFile("/l2/a", "bottom");
        fx.writeFile("/l2/b", "only below");
        fx.mountOverlay("lowerdir=/l1:/l2");
        assertTrue(fx.vfs.mounts().stream().anyMatch(m -> m.type().equals("overlay") && m.readOnly()));
        assertEquals("top", fx.readFile("/merged/a"));
        assertEquals("only below", fx.readFile("/merged/b"));
        assertEquals(List.of("a", "b"), fx.list("/merged"));
        expect(Errno.EROFS, () -> fx.proc.open("/merged/a", Fcntl.O_RDWR, 0));
        expect(Errno.EROFS, () -> fx.vfs.mkdir("/merged/d", 0755));
        expect(Errno.EROFS, () -> fx.vfs.unlink("/merged/b"));
        assertEquals("bottom", fx.readFile("/l2/a"));
    }

    @Test
    void aWorkDirectoryLeftoverFromAnInterruptedCopyUpIsClearedAtMount() {
        fx.mountUpper("size=1m");
        fx.vfs.mkdir("/u/work/work", 0700);
        fx.writeFile("/u/work/work/#1", "half a copy");
        fx.vfs.mkdir("/u/work/work/#2", 0700);
        fx.writeFile("/u/work/work/#2/x", "y");
        fx.mountOverlay("lowerdir=/l1,upperdir=/u/upper,workdir=/u/work");
        assertEquals(List.of(), fx.list("/u/work/work"));
        assertFalse(fx.list("/merged").contains("#1"));
    }

    @Test
    void aReadOnlyMountShowsTheUpperLayerWithoutWritingIt() {
        fx.mountUpper("size=1m");
        fx.writeFile("/u/upper/new", "upper");
        fx.writeFile("/l1/old", "lower");
        fx.mountOverlay("lowerdir=/l1,upperdir=/u/upper,workdir=/u/work,ro");
        assertEquals(List.of("new", "old"), fx.list("/merged"));
        expect(Errno.EROFS, () -> fx.proc.open("/merged/old", Fcntl.O_WRONLY, 0));
        assertFalse(fx.exists("/u/work/work"), "a read-only mount does not even make its work directory");
    }
}
