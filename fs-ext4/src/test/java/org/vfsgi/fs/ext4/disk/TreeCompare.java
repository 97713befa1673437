package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Compares a mounted volume with the host folder the image was made from, entry by entry. */
final class TreeCompare {
    int files;
    int dirs;
    int links;
    long bytes;

    private final Ext4Volume vol;
    private final Random rnd = new Random(7);

    TreeCompare(Ext4Volume vol) {
        this.vol = vol;
    }

    void compare(Path src, long ino, String where) throws IOException {
        Ext4Inode in = vol.inode(ino);
        int mode = (Integer) Files.getAttribute(src, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertEquals(Integer.toOctalString(mode), Integer.toOctalString(in.mode()), "mode of " + where);
        if (Files.isSymbolicLink(src)) {
            links++;
            assertEquals(Files.readSymbolicLink(src).toString(), vol.readlink(ino), "target of " + where);
            return;
        }
        long mtime = Files.getLastModifiedTime(src, LinkOption.NOFOLLOW_LINKS).toInstant().getEpochSecond();
        if (ino != Ext4Volume.ROOT_INO) {
            // mke2fs -d adds lost+found to the root after copying, so the root's mtime is mke2fs's
            // clock, not the source folder's: comparing it fails whenever a second ticked in between
            assertEquals(mtime, in.mtime().getEpochSecond(), "mtime of " + where);
        }
        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            dirs++;
            TreeSet<String> want = new TreeSet<>();
            try (Stream<Path> s = Files.list(src)) {
                s.forEach(p -> want.add(p.getFileName().toString()));
            }
            TreeSet<String> got = new TreeSet<>();
            boolean dot = false;
            boolean dotdot = false;
            for (DirEntry e : vol.readdir(ino)) {
                if (e.name().equals(".")) {
                    dot = true;
                    assertEquals(ino, e.ino(), "'.' of " + where);
                } else if (e.name().equals("..")) {
                    dotdot = true;
                } else if (!(ino == Ext4Volume.ROOT_INO && e.name().equals("lost+found"))) {
                    assertTrue(got.add(e.name()), "duplicate entry " + e.name() + " in " + where);
                }
            }
            assertTrue(dot && dotdot, "'.' and '..' in " + where);
            assertEquals(want, got, "listing of " + where);
            for (String n : want) {
                long child = vol.lookup(ino, n);
                compare(src.resolve(n), child, where + "/" + n);
            }
            return;
        }
        files++;
        long size = Files.size(src);
        assertEquals(size, in.size(), "size of " + where);
        if (size <= 64L * 1024 * 1024) {
            byte[] want = Files.readAllBytes(src);
            byte[] got = vol.readAll(ino);
            assertArrayEquals(want, got, "bytes of " + where);
            bytes += size;
            // and page by page, as the page cache reads
            byte[] page = new byte[4096];
            for (long idx = 0; idx * 4096 < size; idx += 1 + rnd.nextInt(4)) {
                int n = vol.readPage(ino, idx, page);
                int expect = (int) Math.min(4096, size - idx * 4096);
                assertEquals(expect, n, "page " + idx + " of " + where);
                for (int i = 0; i < 4096; i++) {
                    byte w = i < expect ? want[(int) (idx * 4096 + i)] : 0;
                    if (page[i] != w) {
                        assertEquals(w, page[i], "page " + idx + " byte " + i + " of " + where);
                    }
                }
            }
        } else {
            compareRanges(src, ino, size, where);
        }
    }

    /** A file too big to read whole: compare ranges around the data and random ranges in the holes. */
    private void compareRanges(Path src, long ino, long size, String where) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long p = (long) (rnd.nextDouble() * size);
            ranges.add(new long[] {p, Math.min(20000, size - p)});
        }
        for (long p : new long[] {0, 4096 - 10, (1L << 32) - 4096, 1L << 32, size - 5000}) {
            if (p >= 0 && p < size) {
                ranges.add(new long[] {p, Math.min(12288, size - p)});
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(src.toFile(), "r")) {
            for (long[] r : ranges) {
                byte[] want = new byte[(int) r[1]];
                raf.seek(r[0]);
                raf.readFully(want);
                byte[] got = new byte[(int) r[1]];
                assertEquals(want.length, vol.read(ino, r[0], got, 0, got.length), "read count at " + r[0]);
                assertArrayEquals(want, got, "bytes at " + r[0] + " of " + where);
                bytes += want.length;
            }
        }
    }
}
