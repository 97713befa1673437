package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-disk orphan list (s_last_orphan chained through i_dtime): inodes unlinked while in use and
 * files being shrunk are on it on the device, so an image copied at any moment (a crash) is
 * finished by the next mount's orphan cleanup, as by the kernel's and by e2fsck's; a broken list
 * fails a read-write mount cleanly and changes nothing.
 */
class OrphanListTest {
    @TempDir
    Path tmp;

    private byte[] dataA;
    private byte[] dataB;
    private byte[] dataC;
    private Path pristine;
    private long inoA;
    private long inoC;
    private final List<String> logged = new ArrayList<>();
    private final Logger jul = Logger.getLogger(Ext4Volume.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(MessageFormat.format(r.getMessage(), r.getParameters() == null ? new Object[0]
                    : r.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void image() throws Exception {
        Random rnd = new Random(5);
        dataA = new byte[50_000];
        dataB = new byte[30_000];
        dataC = new byte[70_000];
        rnd.nextBytes(dataA);
        rnd.nextBytes(dataB);
        rnd.nextBytes(dataC);
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.write(src.resolve("a"), dataA);
        Files.write(src.resolve("b"), dataB);
        Files.write(src.resolve("c"), dataC);
        pristine = tmp.resolve("o.img");
        E2fsTools.mkfs(pristine, src, 1024, 4L * 1024 * 1024);
        Ext4Volume v = Ext4Volume.mount(new MemDevice(Files.readAllBytes(pristine), true), true);
        inoA = v.resolve("/a");
        inoC = v.resolve("/c");
        v.unmount();
        jul.addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        jul.removeHandler(capture);
    }

    private static Superblock superOf(byte[] img) {
        return new Superblock(Arrays.copyOfRange(img, 1024, 2048));
    }

    private Path save(String name, byte[] img) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, img);
        return p;
    }

    private static void assertClean(Path img) {
        E2fsTools.Result r = E2fsTools.fsck(img);
        assertEquals(0, r.exit(), "e2fsck -fn:\n" + r.outText() + r.err());
    }

    /** What {@code dumpe2fs -h} and {@code debugfs -R stats} say about the list's head. */
    private static void assertFirstOrphan(Path img, long ino) {
        String stats = E2fsTools.debugfs(img, "stats");
        assertTrue(stats.matches("(?s).*First orphan inode:\\s+" + ino + "\\n.*"), stats);
        E2fsTools.Result d = E2fsTools.run("dumpe2fs", "-h", img.toString());
        assertTrue(d.outText().matches("(?s).*First orphan inode:\\s+" + ino + "\\n.*"), d.outText());
    }

    /** The list as written on the device, read through a read-only device (where cleanup never runs). */
    private static List<Long> listOnDisk(byte[] img) {
        MemDevice dev = new MemDevice(img.clone(), true);
        Ext4Volume v = Ext4Volume.mount(dev, true);
        List<Long> out = new ArrayList<>();
        for (long ino = superOf(img).lastOrphan(); ino != 0; ino = v.inode(ino).dtime()) {
            out.add(ino);
            assertEquals(0, v.inode(ino).linksCount());
        }
        v.unmount();
        return out;
    }

    @Test
    void filesUnlinkedWhileOpenAreChainedOnDiskUntilEvicted() throws Exception {
        try (ImageDevice dev = new ImageDevice(pristine, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            v.setDeferRelease(true);
            Ext4StatFs before = v.statfs();
            long root = Ext4Volume.ROOT_INO;
            long a = v.resolve("/a");
            long b = v.resolve("/b");
            v.unlink(root, "a");
            // on the device at once, without a sync: the superblock names a, whose dtime ends the list
            byte[] now = Files.readAllBytes(pristine);
            assertEquals(a, superOf(now).lastOrphan());
            assertEquals(superOf(now).computeChecksum(), superOf(now).checksum(), "superblock checksum");
            assertEquals(List.of(a), listOnDisk(now)); // reading the inode verifies its checksum
            assertFirstOrphan(pristine, a);
            v.unlink(root, "b");
            now = Files.readAllBytes(pristine);
            assertEquals(List.of(b, a), listOnDisk(now), "new orphans go at the head");
            assertFirstOrphan(pristine, b);
            assertEquals(2, v.orphanCount());
            // still readable while kept; and an unlinked inode cannot get a name again (vfs_link)
            byte[] got = new byte[dataA.length];
            assertEquals(dataA.length, v.read(a, 0, got, 0, got.length));
            assertArrayEquals(dataA, got);
            assertEquals("ENOENT", assertThrows(Ext4Exception.class, () -> v.link(a, root, "again")).errno());

            assertTrue(v.evict(a), "a is the tail: b, its predecessor, is relinked");
            now = Files.readAllBytes(pristine);
            assertEquals(List.of(b), listOnDisk(now));
            assertFalse(v.evict(a), "evicted once");
            assertTrue(v.evict(b), "b is the head: the superblock is relinked");
            assertEquals(0, superOf(Files.readAllBytes(pristine)).lastOrphan());
            assertEquals(0, v.orphanCount());
            Ext4StatFs after = v.statfs();
            assertEquals(before.freeInodes() + 2, after.freeInodes());
            assertEquals(before.freeBlocks() + (dataA.length + 1023) / 1024 + (dataB.length + 1023) / 1024,
                    after.freeBlocks());
            v.unmount();
        }
        assertClean(pristine);
        assertArrayEquals(dataC, E2fsTools.cat(pristine, "/c"));
    }

    @Test
    void evictingTheHeadOfALongerListRelinksTheSuperblockAndTheMiddleRelinksItsPredecessor() throws Exception {
        try (ImageDevice dev = new ImageDevice(pristine, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            v.setDeferRelease(true);
            long a = v.resolve("/a");
            long b = v.resolve("/b");
            long c = v.resolve("/c");
            v.unlink(2, "a");
            v.unlink(2, "b");
            v.unlink(2, "c");
            assertEquals(List.of(c, b, a), listOnDisk(Files.readAllBytes(pristine)));
            v.evict(b);
            assertEquals(List.of(c, a), listOnDisk(Files.readAllBytes(pristine)));
            v.evict(c);
            assertEquals(List.of(a), listOnDisk(Files.readAllBytes(pristine)));
            v.unmount(); // frees what is still kept
        }
        assertEquals(0, superOf(Files.readAllBytes(pristine)).lastOrphan());
        assertClean(pristine);
    }

    @Test
    void aCrashWithAnUnlinkedOpenFileIsCleanedUpByTheNextMount() throws Exception {
        Ext4StatFs freed;
        byte[] crash;
        List<Long> blocksOfA;
        try (ImageDevice dev = new ImageDevice(pristine, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            v.setDeferRelease(true);
            long a = v.resolve("/a");
            blocksOfA = v.blocksOf(a, Integer.MAX_VALUE);
            v.unlink(2, "a");
            crash = Files.readAllBytes(pristine); // the machine dies here, a still open
            v.evict(a);
            freed = v.statfs();
            v.unmount();
        }
        long a = superOf(crash).lastOrphan();
        assertEquals(inoA, a);
        Path crashed = save("crash.img", crash);
        // e2fsck -n does not process the list (release_orphan_inodes needs write access): it sees the
        // unlinked inode still in use (the list's last, so its dtime is 0) and its blocks, nothing else
        E2fsTools.Result n = E2fsTools.fsck(crashed);
        assertEquals(4, n.exit(), n.outText());
        List<String> problems = new ArrayList<>();
        for (String line : n.outText().split("\n")) {
            if (!line.startsWith("Pass ") && !line.isBlank() && !line.startsWith("Fix? no")
                    && !line.startsWith(crashed.toString())) {
                problems.add(line.replace("  Fix? no", ""));
            }
        }
        assertEquals(List.of("Deleted inode " + a + " has zero dtime.", "Block bitmap differences:  " + ranges(blocksOfA),
                "Inode bitmap differences:  -" + a), problems, n.outText());
        // what the real tool does with that list, for comparison
        Path byFsck = save("fsck.img", crash);
        E2fsTools.Result p = E2fsTools.run("e2fsck", "-fy", byFsck.toString());
        assertTrue(p.outText().contains("Clearing orphaned inode " + a), p.outText());
        assertClean(byFsck);

        logged.clear();
        try (ImageDevice dev = new ImageDevice(crashed, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            assertFalse(v.readOnly(), v.readOnlyReason());
            assertTrue(logged.contains("ext4: img: orphan cleanup: 1 inodes deleted, 0 truncated"), logged.toString());
            assertEquals(freed, v.statfs(), "free counts as after the evict the crash prevented");
            assertEquals(0, v.orphanCount());
            assertEquals("ENOENT", assertThrows(Ext4Exception.class, () -> v.resolve("/a")).errno());
            v.unmount();
        }
        assertEquals(0, superOf(Files.readAllBytes(crashed)).lastOrphan());
        assertClean(crashed);
        assertEquals(dumpFree(byFsck), dumpFree(crashed), "the same free counts as e2fsck's cleanup");
        assertArrayEquals(dataB, E2fsTools.cat(crashed, "/b"));
    }

    @Test
    void aRenameOverAnOpenFileWritesTheListWhenTheRenameIsWholeSoACrashRightAfterIsConsistent() throws Exception {
        byte[] crash;
        try (ImageDevice dev = new ImageDevice(pristine, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            v.setDeferRelease(true);
            v.rename(2, "b", 2, "a"); // a, still open, loses its only name
            crash = Files.readAllBytes(pristine);
            assertEquals(List.of(inoA), listOnDisk(crash));
            v.unmount();
        }
        assertClean(pristine);
        Path crashed = save("rename.img", crash);
        logged.clear();
        try (ImageDevice dev = new ImageDevice(crashed, false)) {
            Ext4Volume.mount(dev, false).unmount();
        }
        assertTrue(logged.contains("ext4: img: orphan cleanup: 1 inodes deleted, 0 truncated"), logged.toString());
        assertClean(crashed);
        assertArrayEquals(dataB, E2fsTools.cat(crashed, "/a"));
        assertEquals(dumpFree(pristine), dumpFree(crashed));
    }

    /** Block numbers as e2fsck lists bitmap differences: "-(first--last)" per run, "-n" for a single one. */
    private static String ranges(List<Long> blocks) {
        List<Long> sorted = new ArrayList<>(blocks);
        sorted.sort(null);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sorted.size();) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            out.append(out.length() == 0 ? "" : " ").append(i == j ? "-" + sorted.get(i)
                    : "-(" + sorted.get(i) + "--" + sorted.get(j) + ")");
            i = j + 1;
        }
        return out.toString();
    }

    private static String dumpFree(Path img) {
        StringBuilder sb = new StringBuilder();
        for (String line : E2fsTools.run("dumpe2fs", "-h", img.toString()).outText().split("\n")) {
            if (line.startsWith("Free blocks:") || line.startsWith("Free inodes:")) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void aShrinkingTruncateIsOnTheListWhileItFreesBlocksSoACrashIsFinishedAtMount() throws Exception {
        MemDevice dev = new MemDevice(Files.readAllBytes(pristine), false);
        List<byte[]> snapshots = new ArrayList<>();
        dev.onFlush = () -> snapshots.add(dev.data.clone());
        Ext4Volume v = Ext4Volume.mount(dev, false);
        long c = v.resolve("/c");
        long blocksBefore = v.inode(c).blocks512();
        int from = snapshots.size();
        v.truncate(c, 5000);
        assertEquals(2, snapshots.size() - from, "the list written when the inode goes on and when it comes off");
        byte[] during = snapshots.get(from);
        Superblock s = superOf(during);
        assertEquals(c, s.lastOrphan(), "on the list before a block is freed");
        MemDevice ro = new MemDevice(during.clone(), true);
        Ext4Volume look = Ext4Volume.mount(ro, true);
        assertEquals(5000, look.inode(c).size(), "with its new size");
        assertEquals(blocksBefore, look.inode(c).blocks512(), "and all its blocks");
        assertEquals(1, look.inode(c).linksCount());
        look.unmount();
        assertEquals(0, superOf(snapshots.get(from + 1)).lastOrphan(), "off the list once they are freed");
        v.unmount();
        Path done = save("done.img", dev.data);
        assertClean(done);

        // the crash after the first write: the next mount finishes the truncate
        Path crashed = save("mid-truncate.img", during);
        logged.clear();
        try (ImageDevice d = new ImageDevice(crashed, false)) {
            Ext4Volume w = Ext4Volume.mount(d, false);
            assertTrue(logged.contains("ext4: img: orphan cleanup: 0 inodes deleted, 1 truncated"), logged.toString());
            assertEquals(5 * 2, w.inode(c).blocks512(), "5 blocks of 1 KiB left, in 512-byte sectors");
            w.unmount();
        }
        assertClean(crashed);
        assertArrayEquals(Arrays.copyOf(dataC, 5000), E2fsTools.cat(crashed, "/c"));
        assertEquals(dumpFree(done), dumpFree(crashed));
    }

    @Test
    void withTheOrphanFileFeatureTheClassicListIsUsedAsTheKernelsFallbackIsAndTheFileIsLeftAlone() throws Exception {
        Path img = tmp.resolve("of.img");
        E2fsTools.mkfs(img, tmp.resolve("src"), 1024, 4L * 1024 * 1024, "-O", "orphan_file");
        byte[] crash;
        long b;
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            assertFalse(v.readOnly(), v.readOnlyReason());
            v.setDeferRelease(true);
            b = v.resolve("/b");
            v.unlink(2, "b");
            crash = Files.readAllBytes(img);
            v.unmount();
        }
        assertClean(img);
        assertEquals(List.of(b), listOnDisk(crash));
        Path byFsck = save("of-fsck.img", crash);
        E2fsTools.Result p = E2fsTools.run("e2fsck", "-fy", byFsck.toString());
        assertTrue(p.outText().contains("Clearing orphaned inode " + b), p.outText());
        Path ours = save("of-ours.img", crash);
        try (ImageDevice dev = new ImageDevice(ours, false)) {
            Ext4Volume.mount(dev, false).unmount();
        }
        assertClean(ours);
        assertEquals(dumpFree(byFsck), dumpFree(ours));
    }

    /** An orphan list made by e2fsprogs itself: /a unlinked with no links, /c linked but with blocks past its size. */
    private byte[] debugfsList() throws Exception {
        Path img = tmp.resolve("debugfs.img");
        Files.copy(pristine, img);
        for (String req : new String[] {"unlink /a", "sif <" + inoA + "> links_count 0",
            "sif <" + inoA + "> dtime " + inoC, "sif <" + inoC + "> size 5000", "ssv last_orphan " + inoA}) {
            E2fsTools.Result r = E2fsTools.run("debugfs", "-w", "-R", req, img.toString());
            assertEquals(0, r.exit(), req + ": " + r.err());
        }
        assertEquals(inoA, superOf(Files.readAllBytes(img)).lastOrphan());
        return Files.readAllBytes(img);
    }

    @Test
    void aListBuiltByDebugfsIsProcessedLikeE2fsckDoes() throws Exception {
        byte[] img = debugfsList();
        Path byFsck = save("fsck.img", img);
        E2fsTools.Result p = E2fsTools.run("e2fsck", "-p", byFsck.toString());
        assertEquals(0, p.exit(), p.outText() + p.err());
        assertTrue(p.outText().contains("Clearing orphaned inode " + inoA), p.outText());
        assertTrue(p.outText().contains("Truncating orphaned inode " + inoC), p.outText());

        Path ours = save("ours.img", img);
        logged.clear();
        try (ImageDevice dev = new ImageDevice(ours, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            assertTrue(logged.contains("ext4: img: orphan cleanup: 1 inodes deleted, 1 truncated"), logged.toString());
            v.unmount();
        }
        assertClean(ours);
        assertEquals(dumpFree(byFsck), dumpFree(ours));
        assertArrayEquals(Arrays.copyOf(dataC, 5000), E2fsTools.cat(ours, "/c"));
        assertArrayEquals(dataB, E2fsTools.cat(ours, "/b"));
    }

    @Test
    void aReadOnlyMountCleansUpAsTheKernelsDoesUnlessTheDeviceIsReadOnly() throws Exception {
        byte[] img = debugfsList();
        MemDevice roDev = new MemDevice(img.clone(), true);
        logged.clear();
        Ext4Volume v = Ext4Volume.mount(roDev, true);
        assertEquals(0, roDev.writes);
        assertArrayEquals(img, roDev.data, "a read-only device is never written");
        assertTrue(logged.contains("ext4: mem: skipping orphan cleanup: write access unavailable"), logged.toString());
        v.unmount();

        MemDevice dev = new MemDevice(img.clone(), false);
        logged.clear();
        Ext4Volume w = Ext4Volume.mount(dev, true);
        assertTrue(w.readOnly());
        assertTrue(logged.contains("ext4: mem: orphan cleanup on a read-only file system: 1 inodes deleted, 1 truncated"),
                logged.toString());
        assertEquals(0, superOf(dev.data).lastOrphan());
        assertEquals("EROFS", assertThrows(Ext4Exception.class, () -> w.create(2, "x", 0644)).errno());
        w.unmount();
        Path after = save("ro.img", dev.data);
        assertClean(after);
    }

    /** Mounts a copy read-write: it must fail with EFSCORRUPTED naming the fault, writing nothing. */
    private String brokenListFailsTheMount(byte[] img, String... words) {
        MemDevice dev = new MemDevice(img.clone(), false);
        Ext4Exception e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(Ext4Exception.class, () -> Ext4Volume.mount(dev, false)));
        assertEquals("EFSCORRUPTED", e.errno(), e.getMessage());
        assertEquals("EUCLEAN", e.kernelErrno());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
        assertEquals(0, dev.writes, "a failed mount wrote");
        assertArrayEquals(img, dev.data);
        // read-only, the list is left alone and the files stay readable
        MemDevice roDev = new MemDevice(img.clone(), false);
        Ext4Volume v = Ext4Volume.mount(roDev, true);
        assertArrayEquals(dataB, v.readAll(v.resolve("/b")));
        v.unmount();
        assertEquals(0, roDev.writes);
        return e.getMessage();
    }

    private static byte[] withField(byte[] img, String... requests) throws Exception {
        Path p = Files.createTempFile("orphan", ".img");
        try {
            Files.write(p, img);
            for (String req : requests) {
                E2fsTools.Result r = E2fsTools.run("debugfs", "-w", "-R", req, p.toString());
                assertEquals(0, r.exit(), req + ": " + r.err());
            }
            return Files.readAllBytes(p);
        } finally {
            Files.delete(p);
        }
    }

    @Test
    void randomListsOnAnImageWithoutChecksumsMountOrFailCleanlyWithinTime() throws Exception {
        // without checksums every value reaches the list walk instead of stopping at a checksum
        Path img = tmp.resolve("plain.img");
        E2fsTools.mkfs(img, tmp.resolve("src"), 1024, 4L * 1024 * 1024, "-O", "^metadata_csum,^has_journal");
        byte[] base = Files.readAllBytes(img);
        Ext4Volume probe = Ext4Volume.mount(new MemDevice(base.clone(), true), true);
        int bs = probe.blockSize();
        long inodes = probe.inodesCount();
        long[] dtimeAt = new long[40];
        for (int ino = 1; ino < dtimeAt.length; ino++) {
            long[] loc = probe.inodeLocation(ino);
            dtimeAt[ino] = loc[0] * bs + loc[1] + 0x14;
        }
        probe.unmount();
        Random rnd = new Random(77);
        int mounted = 0;
        int refused = 0;
        for (int c = 0; c < 200; c++) {
            byte[] bad = base.clone();
            Le.put32(bad, 1024 + 0xE8, pick(rnd, inodes));
            for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                Le.put32(bad, (int) dtimeAt[1 + rnd.nextInt(dtimeAt.length - 1)], pick(rnd, inodes));
            }
            byte[] before = bad.clone();
            MemDevice dev = new MemDevice(bad, false);
            int caseNo = c;
            String outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try {
                    Ext4Volume v = Ext4Volume.mount(dev, false);
                    v.readAll(v.resolve("/c"));
                    v.unmount();
                    return "mounted";
                } catch (Ext4Exception e) {
                    assertTrue(e.errno().equals("EFSCORRUPTED") || e.errno().equals("EFSBADCRC"), e.getMessage());
                    assertTrue(e.getMessage().contains("orphan list"), e.getMessage());
                    assertEquals(0, dev.writes, "case " + caseNo + ": a refused mount wrote");
                    assertArrayEquals(before, bad);
                    return "refused";
                }
            }, () -> "case " + caseNo + " took too long");
            if (outcome.equals("mounted")) {
                mounted++;
            } else {
                refused++;
            }
        }
        assertTrue(mounted > 0 && refused > 0, mounted + " mounted, " + refused + " refused");
    }

    /** A next-orphan value: the end, a small number (often a special or in-use inode), any in range, or garbage. */
    private static long pick(Random rnd, long inodes) {
        switch (rnd.nextInt(4)) {
            case 0:
                return 0;
            case 1:
                return rnd.nextInt(40);
            case 2:
                return 1 + (long) rnd.nextInt((int) inodes);
            default:
                return rnd.nextLong() & 0xFFFFFFFFL;
        }
    }

    @Test
    void brokenListsFailAReadWriteMountCleanlyAndNeverHang() throws Exception {
        byte[] good = debugfsList();
        String a = "<" + inoA + ">";
        String c = "<" + inoC + ">";
        brokenListFailsTheMount(withField(good, "sif " + c + " dtime " + inoA), "i_dtime of orphan inode " + inoC,
                "inode " + inoA + " again", "loops", "run e2fsck");
        brokenListFailsTheMount(withField(good, "sif " + a + " dtime " + inoA), "loops");
        brokenListFailsTheMount(withField(good, "ssv last_orphan 99999"), "s_last_orphan names inode 99999",
                "outside [11, 1024]");
        brokenListFailsTheMount(withField(good, "ssv last_orphan 7"), "outside [11");
        // an inode in use whose dtime holds a time, not a next orphan
        brokenListFailsTheMount(withField(good, "sif " + c + " dtime 1700000000"),
                "orphan inode " + inoC + " names inode 1700000000");
        // a free inode on the list
        brokenListFailsTheMount(withField(good, "sif " + c + " dtime 300"), "inode 300", "free");
    }
}
