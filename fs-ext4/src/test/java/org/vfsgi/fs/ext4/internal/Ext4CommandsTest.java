package org.vfsgi.fs.ext4.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.core.shmem.Tmpfs;
import org.vfsgi.vfs.Fcntl;

/** The {@code ext4:} shell commands: status of the mounts, and shutdown by device name. */
class Ext4CommandsTest {
    @TempDir
    Path tmp;

    @Test
    void statusListsMountsAndShutdownStopsTheNamedOne() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.write(src.resolve("f"), new byte[10_000]);
        try (Ext4Fixture fx = new Ext4Fixture()) {
            fx.attach("disk0", Ext4Fixture.mkfs(tmp.resolve("a.img"), src, 8L << 20), false);
            fx.attach("disk1", Ext4Fixture.mkfs(tmp.resolve("b.img"), src, 8L << 20), true);
            Ext4Commands cmd = new Ext4Commands(fx.ext4);
            assertEquals("no ext4 file system is mounted", cmd.status());
            fx.mount("disk0", "/a", "rw");
            fx.mount("disk1", "/b", "rw");
            String status = cmd.status();
            assertTrue(status.startsWith("disk0 rw blocks=2048 free="), status);
            assertTrue(status.contains("\ndisk1 ro ") && status.contains("(read-only: the device is read-only)"), status);
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> cmd.shutdown("disk7"));
            assertEquals("no ext4 file system is mounted from 'disk7' (mounted: disk0, disk1)", bad.getMessage());
            assertTrue(cmd.shutdown("disk0").startsWith("ext4 on disk0: shut down"));
            assertTrue(cmd.status().startsWith("disk0 rw shut-down"), cmd.status());
            Ext4Fixture.expect(Errno.EIO, () -> fx.vfs.open("/a/f", Fcntl.O_RDONLY, 0));
            assertEquals(10_000, fx.read("/b/f").length, "the other mount goes on");
            fx.vfs.umount("/a", false);
            fx.vfs.umount("/b", false);
        }
    }

    @Test
    void anotherBundlesFileSystemTypeIsRefused() {
        try (Ext4Fixture fx = new Ext4Fixture()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Ext4Commands(new Tmpfs(fx.vfs.ram())));
            assertTrue(e.getMessage().startsWith("ext4 commands need this bundle's ext4 type"), e.getMessage());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
