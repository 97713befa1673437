package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded corruption of metadata (superblock, group descriptors, bitmaps, inode table, directory,
 * htree and extent blocks): every mount and every operation afterwards ends in success or an
 * {@link Ext4Exception}, within a time bound, and a read-only mount leaves the bytes untouched.
 */
class CorruptionFuzzTest {
    private static final int CASES_PER_IMAGE = Integer.getInteger("ext4.fuzz.cases", 250);
    private static final long SEED_SHIFT = Long.getLong("ext4.fuzz.seed", 0);

    @TempDir
    Path tmp;

    /** A region of the image worth corrupting: [start, start+len) in bytes, and what it is. */
    record Region(String what, long start, int len) {
    }

    @Test
    void checksummedImage() throws Exception {
        fuzz(build("csum", 1024), 1001);
    }

    @Test
    void imageWithoutMetadataChecksums() throws Exception {
        // without checksums corruption reaches the parsers instead of stopping at a checksum
        fuzz(build("plain", 4096, "-O", "^metadata_csum,^has_journal"), 2002);
    }

    private byte[] build(String name, int bs, String... extra) throws Exception {
        Path src = tmp.resolve(name + "-src");
        new TreeGen(99, src).build(false, 250, 120);
        Path img = tmp.resolve(name + ".img");
        E2fsTools.mkfs(img, src, bs, 8L * 1024 * 1024, extra);
        E2fsTools.indexDirectories(img);
        return Files.readAllBytes(img);
    }

    private List<Region> regions(byte[] pristine) {
        List<Region> out = new ArrayList<>();
        MemDevice dev = new MemDevice(pristine.clone(), true);
        Ext4Volume v = Ext4Volume.mount(dev, true);
        int bs = v.blockSize();
        out.add(new Region("superblock", 1024, 1024));
        long[] m = v.metadataLayout();
        out.add(new Region("group descriptors", m[0] * bs, (int) (m[1] * bs)));
        out.add(new Region("block bitmap", m[2] * bs, bs));
        out.add(new Region("inode bitmap", m[3] * bs, bs));
        // the used part of the inode table, weighted up: most structure lives there
        long usedInodes = v.inodesCount() - v.statfs().freeInodes() + 16;
        int isz = (int) (v.inodeLocation(2)[1] - v.inodeLocation(1)[1]);
        for (int i = 0; i < 4; i++) {
            out.add(new Region("inode table", m[4] * bs, (int) Math.min(usedInodes * isz, m[5] * bs)));
        }
        ArrayDeque<Long> dirs = new ArrayDeque<>();
        dirs.add(Ext4Volume.ROOT_INO);
        Set<Long> seen = new HashSet<>();
        while (!dirs.isEmpty()) {
            long d = dirs.poll();
            if (!seen.add(d)) {
                continue;
            }
            for (long b : v.blocksOf(d, 64)) {
                out.add(new Region("directory " + d, b * bs, bs));
            }
            for (DirEntry e : v.readdir(d)) {
                if (e.name().equals(".") || e.name().equals("..")) {
                    continue;
                }
                Ext4Inode in = v.inode(e.ino());
                if (in.isDirectory()) {
                    dirs.add(e.ino());
                } else if (in.isRegular() || in.isSymlink()) {
                    List<Long> blocks = v.blocksOf(e.ino(), 0);
                    for (long b : blocks) {
                        out.add(new Region("extent block of " + e.name(), b * bs, bs));
                    }
                }
            }
        }
        v.unmount();
        return out;
    }

    private void fuzz(byte[] pristine, long seed) {
        List<Region> regions = regions(pristine);
        assertTrue(regions.stream().anyMatch(r -> r.what().startsWith("extent block")), "the image has extent blocks");
        Random rnd = new Random(seed + SEED_SHIFT);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int c = 0; c < CASES_PER_IMAGE; c++) {
            byte[] img = pristine.clone();
            StringBuilder what = new StringBuilder();
            int n = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 12 : 3);
            for (int k = 0; k < n; k++) {
                Region r = regions.get(rnd.nextInt(regions.size()));
                int off = (int) (r.start() + rnd.nextInt(r.len()));
                switch (rnd.nextInt(4)) {
                    case 0:
                        img[off] ^= (byte) (1 << rnd.nextInt(8));
                        break;
                    case 1:
                        img[off] = (byte) rnd.nextInt(256);
                        break;
                    case 2:
                        img[off] = (byte) 0xFF;
                        break;
                    default:
                        img[off] = 0;
                        break;
                }
                what.append(r.what()).append('@').append(off).append(' ');
            }
            boolean rw = rnd.nextInt(4) == 0;
            final int caseNo = c;
            String outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> runCase(img, rw),
                    () -> "case " + caseNo + " (" + what + ") took too long");
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.getLogger(CorruptionFuzzTest.class.getName()).log(System.Logger.Level.INFO,
                "fuzz seed {0}: mounts {1}, failed operations {2}", seed, outcomes, opErrors);
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("mount failed")), outcomes.toString());
        assertTrue(outcomes.getOrDefault("mounted", 0) > 0, outcomes.toString());
    }

    /** Mounts one corrupted copy and touches everything reachable; returns how it went. */
    private String runCase(byte[] img, boolean rw) {
        byte[] before = img.clone();
        MemDevice dev = new MemDevice(img, !rw);
        Ext4Volume v;
        try {
            v = Ext4Volume.mount(dev, !rw);
        } catch (Ext4Exception e) {
            failed(e);
            assertEquals(0, dev.writes, "a failed mount wrote to the device");
            assertArrayEquals(before, img, "a failed mount changed the image");
            return "mount failed " + e.errno();
        } catch (RuntimeException e) {
            fail("mount threw " + e, e);
            return null;
        }
        try {
            walk(v);
            if (!v.readOnly()) {
                mutate(v);
            }
            v.unmount();
        } catch (Ext4Exception e) {
            failed(e); // unmount itself may report an I/O-level error; it must still be ours
        } catch (RuntimeException e) {
            fail("operation threw " + e, e);
        }
        if (v.readOnly()) {
            assertEquals(0, dev.writes, "a read-only mount wrote to the device");
            assertArrayEquals(before, img, "a read-only mount changed the image");
        }
        return "mounted";
    }

    /** Ops that failed, by errno; a Java exception caught by the engine's last-resort guard counts as a bug. */
    private final Map<String, Integer> opErrors = new TreeMap<>();

    private void failed(Ext4Exception e) {
        if (e.getMessage().contains("inconsistent metadata:")) {
            fail("a corrupted image reached a Java exception inside the engine: " + e.getMessage(), e);
        }
        opErrors.merge(e.errno(), 1, Integer::sum);
    }

    private void walk(Ext4Volume v) {
        ArrayDeque<Long> dirs = new ArrayDeque<>();
        dirs.add(Ext4Volume.ROOT_INO);
        Set<Long> seen = new HashSet<>();
        byte[] buf = new byte[65536];
        byte[] page = new byte[4096];
        while (!dirs.isEmpty()) {
            long d = dirs.poll();
            if (!seen.add(d)) {
                continue; // a directory loop in a corrupted image: seen before
            }
            List<DirEntry> entries;
            try {
                entries = v.readdir(d);
            } catch (Ext4Exception e) {
                failed(e);
                continue;
            }
            for (DirEntry e : entries) {
                try {
                    v.lookup(d, e.name());
                } catch (Ext4Exception x) {
                    failed(x); // a clean failure of this one operation
                }
                if (e.name().equals(".") || e.name().equals("..")) {
                    continue;
                }
                try {
                    Ext4Inode in = v.inode(e.ino());
                    if (in.isDirectory()) {
                        dirs.add(e.ino());
                    } else if (in.isSymlink()) {
                        v.readlink(e.ino());
                    } else if (in.isRegular() && seen.add(-e.ino())) {
                        for (long pos = 0; pos < Math.min(in.size(), 1 << 20); pos += buf.length) {
                            v.read(e.ino(), pos, buf, 0, buf.length);
                        }
                        v.readPage(e.ino(), in.size() / 4096, page);
                        v.read(e.ino(), in.size() / 2, buf, 0, 100);
                    }
                } catch (Ext4Exception x) {
                    failed(x); // a clean failure of this one operation
                }
            }
        }
    }

    private void mutate(Ext4Volume v) {
        long root = Ext4Volume.ROOT_INO;
        String[] steps = {"create", "write", "mkdir", "unlink", "truncate", "rename"};
        for (String s : steps) {
            try {
                switch (s) {
                    case "create":
                        v.create(root, "fuzz-new", 0644);
                        break;
                    case "write":
                        v.write(v.lookup(root, "fuzz-new"), 10000, new byte[20000], 0, 20000);
                        break;
                    case "mkdir":
                        v.mkdir(v.resolve("/many"), "fuzz-dir", 0755);
                        break;
                    case "unlink":
                        v.unlink(v.resolve("/many"), v.readdir(v.resolve("/many")).get(5).name());
                        break;
                    case "truncate":
                        v.truncate(v.resolve("/big.bin"), 100);
                        break;
                    default:
                        v.rename(root, "fuzz-new", v.resolve("/bigdir"), "fuzz-moved");
                        break;
                }
            } catch (Ext4Exception e) {
                failed(e); // a clean failure of this one operation
            } catch (IndexOutOfBoundsException e) {
                // the test's own get(5) on a listing shortened by corruption
            }
        }
    }
}
