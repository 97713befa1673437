package org.vfsgi.fs.ext4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.fs.ext4.disk.E2fsTools;
import org.vfsgi.fs.ext4.disk.TreeGen;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.PeriodicWriteback;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.VfsFile;

/**
 * Writes through {@code write(2)}, {@code ftruncate} and shared writable mappings ({@code
 * writeMemory}, {@code msync}, and plain {@code munmap} left to unmount's write-back) on an image
 * mke2fs built, then unmounts: {@code e2fsck -fn} finds the image clean and {@code debugfs cat}
 * returns exactly the bytes written, for every file touched.
 */
class Ext4WriteBackTest {
    private static final int PAGE = Ext4Fixture.PAGE;
    /** A second name of {@code /linked}: it must show what was written through the first. */
    private static final String HARD_LINK = "/emptydir/linked-too";

    @TempDir
    Path tmp;

    /** The expected content of every touched file, by path inside the file system. */
    private final Map<String, byte[]> expected = new TreeMap<>();
    private final Random rnd = new Random(0xE4);

    private byte[] current(Ext4Fixture fx, String path) {
        return expected.computeIfAbsent(path, p -> fx.read("/mnt" + p));
    }

    private static byte[] put(byte[] cur, long pos, byte[] data) {
        byte[] out = cur.length >= pos + data.length ? cur : Arrays.copyOf(cur, (int) (pos + data.length));
        System.arraycopy(data, 0, out, (int) pos, data.length);
        return out;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    @Test
    void writesAndSharedMappingsReachTheImageAndFsckStaysClean() throws IOException {
        Path src = tmp.resolve("src");
        new TreeGen(77, src).build(false, 150, 30);
        Path img = Ext4Fixture.mkfs(tmp.resolve("w.img"), src, 128L << 20);
        List<String> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .map(f -> "/" + src.relativize(f)).filter(f -> !f.equals(HARD_LINK)).sorted()
                    .collect(Collectors.toList());
        }
        try (Ext4Fixture fx = new Ext4Fixture()) {
            fx.attach("disk0", img, false);
            fx.mount("disk0", "/mnt", "rw");
            Process p = fx.kernel.spawn();
            long mkwriteBefore = fx.ext4.superBlock("disk0").orElseThrow().pageMkwriteCount();

            // write(2) over existing data, and past end of file leaving a hole
            for (int i = 0; i < 40; i++) {
                String path = files.get(rnd.nextInt(files.size()));
                byte[] cur = current(fx, path);
                long pos = rnd.nextBoolean() ? rnd.nextInt(cur.length + 1) : cur.length + rnd.nextInt(3 * PAGE);
                byte[] data = bytes(1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 200_000 : 6000));
                VfsFile f = fx.vfs.open("/mnt" + path, Fcntl.O_WRONLY, 0);
                assertEquals(data.length, fx.vfs.pwrite(f, ByteBuffer.wrap(data), pos));
                fx.vfs.close(f);
                expected.put(path, put(cur, pos, data));
            }
            // new files and directories, written with write(2)
            fx.vfs.mkdir("/mnt/new", 0755);
            fx.vfs.mkdir("/mnt/new/deeper", 0700);
            int[] sizes = {0, 1, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE + 17, 300_000, 1_100_000};
            for (int i = 0; i < sizes.length; i++) {
                String path = (i % 2 == 0 ? "/new/" : "/new/deeper/") + "file" + i;
                byte[] data = bytes(sizes[i]);
                VfsFile f = fx.vfs.open("/mnt" + path, Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644);
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    fx.vfs.write(f, b);
                }
                fx.vfs.close(f);
                expected.put(path, data);
            }
            // shared writable mappings: some synced with msync, some left for unmount's write-back,
            // into data and into holes (the sparse and fragmented files)
            List<String> mapped = new ArrayList<>(List.of("/sparse", "/fragmented", "/big.bin", "/new/file6"));
            for (int i = 0; i < 12; i++) {
                mapped.add(files.get(rnd.nextInt(files.size())));
            }
            for (int i = 0; i < mapped.size(); i++) {
                String path = mapped.get(i);
                byte[] cur = current(fx, path);
                if (cur.length == 0) {
                    continue;
                }
                VfsFile f = fx.vfs.open("/mnt" + path, Fcntl.O_RDWR, 0);
                long len = (cur.length + PAGE - 1L) / PAGE * PAGE;
                long addr = p.mmap(0, len, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, f, 0);
                for (int w = 0; w < 6; w++) {
                    int pos = rnd.nextInt(cur.length);
                    byte[] data = bytes(Math.min(cur.length - pos, 1 + rnd.nextInt(9000)));
                    p.writeMemory(addr + pos, data);
                    cur = put(cur, pos, data);
                    if (w == 2 && i % 2 == 0) {
                        p.msync(addr, len, Mman.MS_SYNC);
                    }
                }
                assertArrayEquals(cur, p.readMemory(addr, cur.length), "the mapping shows what was written: " + path);
                p.munmap(addr, len);
                fx.vfs.close(f);
                expected.put(path, cur);
            }
            // a page written, synced, then written again: write-back write-protected it, so the
            // second write calls page_mkwrite again and is not lost
            String twice = "/linked";
            byte[] cur = current(fx, twice);
            VfsFile tf = fx.vfs.open("/mnt" + twice, Fcntl.O_RDWR, 0);
            long taddr = p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, tf, 0);
            long before = fx.ext4.superBlock("disk0").orElseThrow().pageMkwriteCount();
            p.writeMemory(taddr, "first".getBytes());
            p.msync(taddr, PAGE, Mman.MS_SYNC);
            p.writeMemory(taddr + 10, "second".getBytes());
            assertEquals(before + 2, fx.ext4.superBlock("disk0").orElseThrow().pageMkwriteCount(),
                    "page_mkwrite ran for the first write and again after msync cleaned the page");
            p.munmap(taddr, PAGE);
            fx.vfs.close(tf);
            cur = put(put(cur, 0, "first".getBytes()), 10, "second".getBytes());
            expected.put(twice, cur);
            // truncation: shrink one file, grow another (the grown part reads as zeros)
            String shrink = "/big.bin";
            byte[] s = current(fx, shrink);
            fx.vfs.truncate("/mnt" + shrink, 123_457);
            expected.put(shrink, Arrays.copyOf(s, 123_457));
            String grow = "/new/deeper/file5";
            byte[] g = current(fx, grow);
            fx.vfs.truncate("/mnt" + grow, g.length + 50_000);
            expected.put(grow, Arrays.copyOf(g, g.length + 50_000));

            expected.put(HARD_LINK, expected.get(twice));
            assertTrue(fx.ext4.superBlock("disk0").orElseThrow().pageMkwriteCount() > mkwriteBefore + 20);
            for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                assertArrayEquals(e.getValue(), fx.read("/mnt" + e.getKey()), "read back before unmount: " + e.getKey());
            }
            fx.vfs.umount("/mnt", false);
        }
        Ext4Fixture.fsckClean(img);
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), E2fsTools.cat(img, e.getKey()), "debugfs cat " + e.getKey());
        }
        assertTrue(expected.size() > 30, expected.size() + " files touched");
    }

    /**
     * The flusher alone (no msync, fsync or unmount) brings a mapping's writes to the image while
     * the file system stays mounted, as the kernel's periodic write-back does.
     */
    @Test
    void periodicWritebackBringsMappedWritesToTheImageWhileMounted() throws IOException, InterruptedException {
        Path src = tmp.resolve("small");
        Files.createDirectories(src);
        Files.write(src.resolve("f"), new byte[3 * PAGE]);
        Path img = Ext4Fixture.mkfs(tmp.resolve("p.img"), src, 8L << 20);
        byte[] data = bytes(PAGE + 100);
        try (Ext4Fixture fx = new Ext4Fixture()) {
            fx.attach("disk0", img, false);
            fx.mount("disk0", "/mnt", "rw");
            Process p = fx.kernel.spawn();
            VfsFile f = fx.vfs.open("/mnt/f", Fcntl.O_RDWR, 0);
            long addr = p.mmap(0, 3 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, f, 0);
            p.writeMemory(addr + 10, data);
            byte[] want = put(new byte[3 * PAGE], 10, data);
            assertArrayEquals(new byte[3 * PAGE], E2fsTools.cat(img, "/f"), "only dirty in the page cache so far");
            try (PeriodicWriteback flusher = new PeriodicWriteback(fx.vfs, 10)) {
                long deadline = System.nanoTime() + 30_000_000_000L; // bounds a stuck timer; not a timing check
                // The bytes can reach the image before the round that wrote them is counted.
                while ((!Arrays.equals(want, E2fsTools.cat(img, "/f")) || flusher.rounds() < 1)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(flusher.rounds() >= 1, "the flusher wrote it, nobody else");
            }
            assertArrayEquals(want, E2fsTools.cat(img, "/f"), "debugfs sees the mapped write with the mount still up");
            p.exit();
            fx.vfs.close(f);
            fx.vfs.umount("/mnt", false);
        }
        Ext4Fixture.fsckClean(img);
    }
}
