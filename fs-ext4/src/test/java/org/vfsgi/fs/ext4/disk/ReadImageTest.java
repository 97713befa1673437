package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images built by mke2fs -d from generated folders read back exactly. */
class ReadImageTest {
    @TempDir
    Path tmp;

    private Ext4Volume mountRo(Path img, ImageDevice dev) {
        Ext4Volume v = Ext4Volume.mount(dev, true);
        assertTrue(v.readOnly());
        return v;
    }

    @Test
    void fourKiBlocksWithHugeSparseFileAndHtree() throws Exception {
        Path src = tmp.resolve("src");
        TreeGen gen = new TreeGen(42, src).build(true, 400, 500);
        Path img = tmp.resolve("a.img");
        E2fsTools.mkfs(img, src, 4096, 64L * 1024 * 1024);
        E2fsTools.indexDirectories(img);
        byte[] before = Files.readAllBytes(img);
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = mountRo(img, dev);
            assertEquals(4096, v.blockSize());
            assertTrue(v.features().containsAll(java.util.List.of("has_journal", "extent", "64bit", "flex_bg",
                    "metadata_csum", "dir_index", "huge_file", "dir_nlink", "extra_isize")), v.features().toString());
            TreeCompare c = new TreeCompare(v);
            c.compare(src, Ext4Volume.ROOT_INO, "");
            assertTrue(c.files > 150 && c.dirs > 10 && c.links >= 5, c.files + " files " + c.dirs + " dirs");
            long big = v.resolve("/bigdir");
            assertNotEquals(0, v.inode(big).flags() & Ext4Inode.EXT4_INDEX_FL, "bigdir has an htree index");
            assertEquals(1, v.extentDepth(v.resolve("/fragmented")), "500 extents need leaf blocks");
            long huge = v.resolve("/huge");
            assertTrue(v.inode(huge).size() > (1L << 32));
            // hard links: one inode under two names
            assertEquals(v.resolve("/linked"), v.resolve("/emptydir/linked-too"));
            assertEquals(2, v.inode(v.resolve("/linked")).linksCount());
            assertEquals(big, v.lookup(big, "."), "'.' of an htree directory lives in its dx_root block");
            assertEquals(Ext4Volume.ROOT_INO, v.lookup(big, ".."));
            Ext4Exception e = assertThrows(Ext4Exception.class, () -> v.lookup(big, "no-such-entry"));
            assertEquals("ENOENT", e.errno());
            assertEquals("ENOTDIR", assertThrows(Ext4Exception.class, () -> v.readdir(huge)).errno());
            assertEquals("EISDIR", assertThrows(Ext4Exception.class, () -> v.read(big, 0, new byte[1], 0, 1)).errno());
            assertEquals("EROFS", assertThrows(Ext4Exception.class, () -> v.create(big, "x", 0644)).errno());
            v.unmount();
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(img)), "a read-only mount wrote nothing");
    }

    @Test
    void oneKiBlocksGiveADeeperExtentTree() throws Exception {
        Path src = tmp.resolve("src");
        TreeGen gen = new TreeGen(7, src).build(false, 350, 400);
        Path img = tmp.resolve("b.img");
        E2fsTools.mkfs(img, src, 1024, 48L * 1024 * 1024);
        E2fsTools.indexDirectories(img);
        try (ImageDevice dev = new ImageDevice(img, true)) {
            Ext4Volume v = mountRo(img, dev);
            assertEquals(1024, v.blockSize());
            new TreeCompare(v).compare(src, Ext4Volume.ROOT_INO, "");
            assertEquals(2, v.extentDepth(v.resolve("/fragmented")), "400 extents of 84 per 1 KiB leaf need two levels");
            assertFalse(v.readdir(Ext4Volume.ROOT_INO).isEmpty());
            v.unmount();
            assertEquals(0, dev.writes);
        }
    }
}
