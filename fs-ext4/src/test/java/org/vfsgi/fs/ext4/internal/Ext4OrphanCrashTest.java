package org.vfsgi.fs.ext4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.fs.ext4.internal.Ext4Fixture.expect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.mm.Errno;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.VfsFile;

/**
 * A crash through the VFS: the image is copied while a file unlinked through {@code unlink(2)} is
 * still open; mounting the copy finishes the orphan list, as the kernel's mount does after a crash.
 */
class Ext4OrphanCrashTest {
    @TempDir
    Path tmp;

    @Test
    void anImageCopiedWhileAnUnlinkedFileIsOpenMountsWithTheFileFreed() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Random rnd = new Random(9);
        byte[] open = new byte[300_000];
        byte[] keep = new byte[40_000];
        rnd.nextBytes(open);
        rnd.nextBytes(keep);
        Files.write(src.resolve("open"), open);
        Files.write(src.resolve("keep"), keep);
        Path image = Ext4Fixture.mkfs(tmp.resolve("c.img"), src, 16L << 20);
        Path crashed = tmp.resolve("crashed.img");
        StatFs freed;
        try (Ext4Fixture fx = new Ext4Fixture()) {
            fx.attach("disk0", image, false);
            fx.mount("disk0", "/mnt", "rw");
            StatFs before = fx.vfs.statfs("/mnt");
            VfsFile f = fx.vfs.open("/mnt/open", Fcntl.O_RDWR, 0);
            fx.vfs.unlink("/mnt/open");
            Files.copy(image, crashed); // the machine dies here, the file still open
            fx.vfs.close(f);
            freed = fx.vfs.statfs("/mnt");
            assertTrue(freed.blocksFree() > before.blocksFree() + open.length / 4096 - 1,
                    before.blocksFree() + " -> " + freed.blocksFree());
            assertEquals(before.filesFree() + 1, freed.filesFree());
            fx.vfs.umount("/mnt", false);

            fx.attach("disk1", crashed, false);
            fx.mount("disk1", "/crash", "rw");
            assertFalse(fx.ext4.superBlock("disk1").orElseThrow().readOnly(), "a crashed image mounts read-write");
            StatFs after = fx.vfs.statfs("/crash");
            assertEquals(freed.blocksFree(), after.blocksFree(), "the orphan's blocks are free again");
            assertEquals(freed.filesFree(), after.filesFree(), "and its inode");
            expect(Errno.ENOENT, () -> fx.vfs.stat("/crash/open"));
            assertArrayEquals(keep, fx.read("/crash/keep"));
            fx.vfs.umount("/crash", false);
        }
        Ext4Fixture.fsckClean(image);
        Ext4Fixture.fsckClean(crashed);
    }
}
