package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes through the engine leave images that e2fsck -fn calls clean and debugfs reads back exactly. */
class WriteImageTest {
    @TempDir
    Path tmp;

    /** Expected content of every regular file the test touched, by absolute path. */
    private final Map<String, byte[]> model = new TreeMap<>();

    private Path image(int bs, long bytes, boolean withTree) throws Exception {
        Path src = null;
        if (withTree) {
            src = tmp.resolve("src");
            new TreeGen(3, src).build(false, 300, 0);
        }
        Path img = tmp.resolve("w" + bs + ".img");
        E2fsTools.mkfs(img, src, bs, bytes);
        if (withTree) {
            E2fsTools.indexDirectories(img);
        }
        return img;
    }

    private void assertClean(Path img) {
        E2fsTools.Result r = E2fsTools.fsck(img);
        assertEquals(0, r.exit(), "e2fsck -fn:\n" + r.outText() + r.err());
    }

    private void assertModelOnDisk(Path img) {
        for (Map.Entry<String, byte[]> e : model.entrySet()) {
            byte[] got = E2fsTools.cat(img, e.getKey());
            assertArrayEquals(e.getValue(), got, "debugfs cat " + e.getKey());
        }
    }

    private static byte[] write(byte[] old, long pos, byte[] data) {
        byte[] n = old.length >= pos + data.length ? old.clone() : Arrays.copyOf(old, (int) (pos + data.length));
        System.arraycopy(data, 0, n, (int) pos, data.length);
        return n;
    }

    @Test
    void namespaceAndDataOperationsKeepTheImageClean() throws Exception {
        Path img = image(4096, 32L * 1024 * 1024, true);
        Random rnd = new Random(11);
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            assertFalse(v.readOnly(), v.readOnlyReason());
            int mounts = v.mountCount();
            long root = Ext4Volume.ROOT_INO;
            long dir = v.mkdir(root, "work", 0755);
            long sub = v.mkdir(dir, "sub", 0700);
            // files of many sizes written in random pieces
            for (int i = 0; i < 30; i++) {
                String name = "file" + i;
                long ino = v.create(i % 2 == 0 ? dir : sub, name, 0644);
                String path = (i % 2 == 0 ? "/work/" : "/work/sub/") + name;
                byte[] content = new byte[0];
                for (int k = 0; k < 4; k++) {
                    byte[] d = new byte[rnd.nextInt(30000)];
                    rnd.nextBytes(d);
                    long pos = rnd.nextInt(content.length + 5000);
                    assertEquals(d.length, v.write(ino, pos, d, 0, d.length));
                    content = write(content, pos, d);
                }
                model.put(path, content);
            }
            // truncate: shrink to a partial block, then grow again (the tail must read as zeros)
            long t = v.lookup(dir, "file0");
            byte[] c0 = model.get("/work/file0");
            v.truncate(t, 1000);
            v.truncate(t, 9000);
            byte[] c0n = new byte[9000];
            System.arraycopy(c0, 0, c0n, 0, Math.min(1000, c0.length));
            model.put("/work/file0", c0n);
            assertArrayEquals(c0n, v.readAll(t));
            // a sparse file past 4 GiB
            long huge = v.create(root, "huge", 0600);
            byte[] tail = new byte[5000];
            rnd.nextBytes(tail);
            v.write(huge, 5L * 1024 * 1024 * 1024, tail, 0, tail.length);
            assertEquals(5L * 1024 * 1024 * 1024 + 5000, v.inode(huge).size());
            byte[] back = new byte[5000];
            v.read(huge, 5L * 1024 * 1024 * 1024, back, 0, 5000);
            assertArrayEquals(tail, back);
            // an existing file from mke2fs: overwrite its middle
            long big = v.resolve("/big.bin");
            byte[] bigContent = v.readAll(big);
            byte[] patch = new byte[10000];
            rnd.nextBytes(patch);
            v.write(big, 123456, patch, 0, patch.length);
            model.put("/big.bin", write(bigContent, 123456, patch));
            // page writeback keeps the size
            byte[] page = new byte[4096];
            rnd.nextBytes(page);
            long p = v.lookup(sub, "file1");
            byte[] c1 = model.get("/work/sub/file1");
            if (c1.length > 4096) {
                v.writePage(p, 0, page);
                model.put("/work/sub/file1", write(c1, 0, page));
            }
            // symlinks, fast and slow
            long fast = v.symlink(dir, "fast", "file2");
            String longTarget = "x/".repeat(150);
            long slow = v.symlink(dir, "slow", longTarget);
            assertEquals("file2", v.readlink(fast));
            assertEquals(longTarget, v.readlink(slow));
            // hard links
            long f4 = v.lookup(dir, "file4");
            v.link(f4, sub, "file4-link");
            model.put("/work/sub/file4-link", model.get("/work/file4"));
            assertEquals(2, v.inode(f4).linksCount());
            // unlink, rmdir, rename in place, across directories, over an existing file, a directory
            v.unlink(dir, "file6");
            model.remove("/work/file6");
            v.unlink(dir, "file4");
            model.remove("/work/file4");
            assertEquals(1, v.inode(f4).linksCount());
            v.rename(dir, "file8", dir, "file8-renamed");
            model.put("/work/file8-renamed", model.remove("/work/file8"));
            v.rename(dir, "file10", sub, "moved");
            model.put("/work/sub/moved", model.remove("/work/file10"));
            v.rename(dir, "file12", dir, "file14");
            model.put("/work/file14", model.remove("/work/file12"));
            long empty = v.mkdir(dir, "gone", 0755);
            v.rmdir(dir, "gone");
            assertEquals("ENOENT", assertThrows(Ext4Exception.class, () -> v.lookup(dir, "gone")).errno());
            long moving = v.mkdir(dir, "moving", 0755);
            long inside = v.create(moving, "inside", 0644);
            v.write(inside, 0, new byte[] {1, 2, 3}, 0, 3);
            model.put("/mkdir-moved/inside", new byte[] {1, 2, 3});
            v.rename(dir, "moving", root, "mkdir-moved");
            assertEquals(root, v.lookup(moving, ".."));
            assertEquals("EINVAL", assertThrows(Ext4Exception.class,
                    () -> v.rename(root, "work", sub, "loop")).errno());
            assertEquals("ENOTEMPTY", assertThrows(Ext4Exception.class, () -> v.rmdir(root, "work")).errno());
            assertEquals("EEXIST", assertThrows(Ext4Exception.class, () -> v.create(dir, "file2", 0644)).errno());
            assertEquals("EISDIR", assertThrows(Ext4Exception.class, () -> v.unlink(root, "work")).errno());
            assertEquals("ENOTDIR", assertThrows(Ext4Exception.class, () -> v.rmdir(dir, "file2")).errno());
            assertEquals("ENAMETOOLONG", assertThrows(Ext4Exception.class,
                    () -> v.create(dir, "n".repeat(256), 0644)).errno());
            assertEquals("EFBIG", assertThrows(Ext4Exception.class,
                    () -> v.truncate(huge, v.maxFileSize() + 1)).errno());
            // setattr
            Instant when = Instant.parse("2020-02-29T12:34:56.123456789Z");
            Ext4Inode a = v.setattr(f4, SetAttr.none().withMode(0640).withOwner(1234, 5678).withTimes(when, when));
            assertEquals(0100640, a.mode());
            assertEquals(1234, a.uid());
            assertEquals(when, v.inode(f4).mtime());
            // delete files created by mke2fs, in the htree directory too
            for (DirEntry e : v.readdir(v.resolve("/many"))) {
                if (e.name().startsWith("m1")) {
                    v.unlink(v.resolve("/many"), e.name());
                }
            }
            // everything reads back through the engine before unmount
            for (Map.Entry<String, byte[]> e : model.entrySet()) {
                assertArrayEquals(e.getValue(), v.readAll(v.resolve(e.getKey())), e.getKey());
            }
            v.unmount();
            assertEquals("EINVAL", assertThrows(Ext4Exception.class, () -> v.inode(2)).errno());
            assertNotNull(empty);
            String dump = E2fsTools.run("dumpe2fs", "-h", img.toString()).outText();
            assertTrue(dump.contains("Filesystem state:         clean"), dump);
            assertTrue(dump.contains("Mount count:              " + (mounts)), dump);
        }
        assertClean(img);
        assertModelOnDisk(img);
        assertEquals("file2", E2fsTools.debugfs(img, "stat /work/fast").contains("Fast link dest: \"file2\"")
                ? "file2" : E2fsTools.debugfs(img, "stat /work/fast"));
        // and a second mount sees the same
        try (ImageDevice dev = new ImageDevice(img, true)) {
            Ext4Volume v = Ext4Volume.mount(dev, true);
            for (Map.Entry<String, byte[]> e : model.entrySet()) {
                assertArrayEquals(e.getValue(), v.readAll(v.resolve(e.getKey())), e.getKey());
            }
            v.unmount();
        }
    }

    @Test
    void interleavedGrowthNeedsExtentIndexBlocksAndShrinksBack() throws Exception {
        Path img = image(1024, 16L * 1024 * 1024, false);
        Random rnd = new Random(5);
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            long a = v.create(Ext4Volume.ROOT_INO, "a", 0644);
            long b = v.create(Ext4Volume.ROOT_INO, "b", 0644);
            byte[] ca = new byte[0];
            byte[] cb = new byte[0];
            // one block each in turn: every block of a becomes its own extent
            for (int i = 0; i < 420; i++) {
                byte[] d = new byte[1024];
                rnd.nextBytes(d);
                v.write(a, ca.length, d, 0, d.length);
                ca = write(ca, ca.length, d);
                rnd.nextBytes(d);
                v.write(b, cb.length, d, 0, d.length);
                cb = write(cb, cb.length, d);
            }
            assertEquals(2, v.extentDepth(a), "420 extents with 84 per leaf need an index block");
            assertArrayEquals(ca, v.readAll(a));
            model.put("/a", ca);
            model.put("/b", cb);
            v.sync();
            v.unmount();
        }
        assertClean(img);
        assertModelOnDisk(img);
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            long a = v.resolve("/a");
            v.truncate(a, 3000);
            assertEquals(0, v.extentDepth(a));
            model.put("/a", Arrays.copyOf(model.get("/a"), 3000));
            v.unlink(Ext4Volume.ROOT_INO, "b");
            model.remove("/b");
            v.unmount();
        }
        assertClean(img);
        assertModelOnDisk(img);
    }

    @Test
    void fillingTheDeviceGivesEnospcAndStaysClean() throws Exception {
        Path img = image(4096, 4L * 1024 * 1024, false);
        Random rnd = new Random(9);
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            List<Long> files = new ArrayList<>();
            Ext4Exception full = null;
            byte[] d = new byte[50000];
            for (int i = 0; i < 1000 && full == null; i++) {
                try {
                    long ino = v.create(Ext4Volume.ROOT_INO, "fill" + i, 0644);
                    files.add(ino);
                    rnd.nextBytes(d);
                    int n = v.write(ino, 0, d, 0, d.length);
                    model.put("/fill" + i, Arrays.copyOf(d, n));
                    if (n < d.length) {
                        v.write(ino, n, d, n, d.length - n);
                    }
                } catch (Ext4Exception e) {
                    full = e;
                }
            }
            assertNotNull(full, "the device filled up");
            assertEquals("ENOSPC", full.errno());
            assertEquals(0, v.statfs().freeBlocks());
            v.unmount();
        }
        assertClean(img);
        assertModelOnDisk(img);
    }

    @Test
    void manyGroupsFillUpWithMetadataCsum() throws Exception {
        fillManyGroups();
    }

    @Test
    void manyGroupsFillUpWithCrc16GroupDescriptors() throws Exception {
        fillManyGroups("-O", "^metadata_csum,uninit_bg");
    }

    /**
     * Thousands of small files over three 1 KiB-block groups: allocation reaches groups whose
     * bitmaps were never initialised (BLOCK_UNINIT / INODE_UNINIT) until the device is full.
     */
    private void fillManyGroups(String... opts) throws Exception {
        Path img = tmp.resolve("groups.img");
        E2fsTools.mkfs(img, null, 1024, 40L * 1024 * 1024, opts);
        String before = E2fsTools.run("dumpe2fs", img.toString()).outText();
        assertTrue(before.contains("BLOCK_UNINIT") && before.contains("INODE_UNINIT"), before);
        Random rnd = new Random(13);
        Ext4Exception full = null;
        List<String> names = new ArrayList<>();
        Map<String, byte[]> all = new TreeMap<>();
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            for (int d = 0; d < 300 && full == null; d++) {
                try {
                    long dir = v.mkdir(Ext4Volume.ROOT_INO, "dir" + d, 0755);
                    for (int i = 0; i < 50; i++) {
                        long ino = v.create(dir, "f" + i, 0644);
                        byte[] data = new byte[i == 0 ? 300_000 : 500 + rnd.nextInt(6000)];
                        rnd.nextBytes(data);
                        int n = v.write(ino, 0, data, 0, data.length);
                        all.put("/dir" + d + "/f" + i, Arrays.copyOf(data, n));
                        names.add("/dir" + d + "/f" + i);
                    }
                } catch (Ext4Exception e) {
                    full = e;
                }
            }
            assertNotNull(full, "the device filled up");
            assertEquals("ENOSPC", full.errno(), full.getMessage());
            // free a few, then unmount
            v.unlink(v.resolve("/dir0"), "f1");
            all.remove("/dir0/f1");
            v.unmount();
        }
        String after = E2fsTools.run("dumpe2fs", img.toString()).outText();
        assertTrue(after.indexOf("BLOCK_UNINIT") < 0 || after.indexOf("INODE_UNINIT") < 0, after);
        assertClean(img);
        for (int i = 0; i < 25; i++) {
            String n = names.get(rnd.nextInt(names.size()));
            if (all.containsKey(n)) {
                model.put(n, all.get(n));
            }
        }
        assertModelOnDisk(img);
    }

    @Test
    void preallocatedExtentsReadAsZerosAndTakeWritesInPlace() throws Exception {
        Path img = image(4096, 8L * 1024 * 1024, false);
        Path hello = tmp.resolve("hello");
        Files.write(hello, "hello world\n".getBytes());
        Path script = tmp.resolve("script");
        Files.writeString(script, "write " + hello + " f\nfallocate /f 2 40\nsif /f size 200000\n");
        E2fsTools.Result r = E2fsTools.run("debugfs", "-w", "-f", script.toString(), img.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(E2fsTools.debugfs(img, "stat /f").contains("[u]"), "debugfs made unwritten extents");
        long freeBefore;
        byte[] want = new byte[200000];
        System.arraycopy("hello world\n".getBytes(), 0, want, 0, 12);
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            long f = v.resolve("/f");
            assertArrayEquals(want, v.readAll(f), "unwritten extents read as zeros");
            freeBefore = v.statfs().freeBlocks();
            byte[] d = new byte[6000];
            new Random(2).nextBytes(d);
            v.write(f, 5 * 4096 + 100, d, 0, d.length); // inside the unwritten extent, over two blocks
            System.arraycopy(d, 0, want, 5 * 4096 + 100, d.length);
            v.write(f, 39 * 4096, d, 0, 100); // its last block
            System.arraycopy(d, 0, want, 39 * 4096, 100);
            assertArrayEquals(want, v.readAll(f));
            // five extents now (written and unwritten pieces): the tree needs one leaf block, nothing more
            assertEquals(1, v.extentDepth(f));
            assertEquals(freeBefore - 1, v.statfs().freeBlocks(), "writes into preallocated blocks allocate no data");
            v.unmount();
        }
        model.put("/f", want);
        assertClean(img);
        assertModelOnDisk(img);
    }

    @Test
    void aFullHtreeRootTurnsTheDirectoryLinear() throws Exception {
        Path src = tmp.resolve("src1k");
        new TreeGen(4, src).build(false, 300, 0);
        Path img = tmp.resolve("h1k.img");
        E2fsTools.mkfs(img, src, 1024, 24L * 1024 * 1024);
        E2fsTools.indexDirectories(img);
        List<String> names = new ArrayList<>();
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            long big = v.resolve("/bigdir");
            assertTrue((v.inode(big).flags() & Ext4Inode.EXT4_INDEX_FL) != 0);
            boolean indexedHalfway = false;
            for (int i = 0; i < 2200; i++) {
                String n = "a-rather-long-name-to-fill-leaves-quickly-" + i + "-" + "w".repeat(40);
                v.create(big, n, 0644);
                names.add(n);
                if (i == 600) {
                    indexedHalfway = (v.inode(big).flags() & Ext4Inode.EXT4_INDEX_FL) != 0;
                }
            }
            assertTrue(indexedHalfway, "leaves were split while the root had room");
            assertEquals(0, v.inode(big).flags() & Ext4Inode.EXT4_INDEX_FL, "a full root: linear now");
            for (String n : names) {
                v.lookup(big, n);
            }
            v.unmount();
        }
        assertClean(img);
        String ls = E2fsTools.debugfs(img, "ls -l /bigdir");
        for (int i = 0; i < names.size(); i += 97) {
            assertTrue(ls.contains(names.get(i)), names.get(i));
        }
    }

    @Test
    void addingManyEntriesToAnHtreeDirectoryStaysClean() throws Exception {
        Path img = image(4096, 32L * 1024 * 1024, true);
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            long big = v.resolve("/bigdir");
            assertTrue((v.inode(big).flags() & Ext4Inode.EXT4_INDEX_FL) != 0);
            long before = v.inode(big).size();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 700; i++) {
                String n = "added-" + i + "-" + "q".repeat(i % 50);
                long ino = v.create(big, n, 0644);
                byte[] d = n.getBytes();
                v.write(ino, 0, d, 0, d.length);
                names.add(n);
                if (i % 50 == 0) {
                    model.put("/bigdir/" + n, d);
                }
            }
            for (String n : names) {
                assertTrue(v.lookup(big, n) > 0, n);
            }
            assertTrue((v.inode(big).flags() & Ext4Inode.EXT4_INDEX_FL) != 0,
                    "full htree leaves were split, the directory is still indexed");
            assertTrue(v.inode(big).size() > before, "the directory grew by split leaves");
            v.unmount();
        }
        assertClean(img);
        assertModelOnDisk(img);
    }
}
