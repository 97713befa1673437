package org.vfsgi.fs.ext4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.fs.ext4.disk.TreeGen;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Process;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.VfsFile;

/**
 * An image mke2fs built from a generated folder (many files, deep directories, a large file,
 * sparse files, a fragmented file, fast and slow symlinks, hard links, an indexed directory),
 * mounted read-only through the platform's VFS: every file reads back the source bytes through
 * {@code read(2)} and through a shared mapping, every directory lists the source names, every
 * symlink its target, and the image is untouched.
 */
class Ext4ReadMapTest {
    @TempDir
    static Path tmp;
    static Path src;
    static Path image;
    static Ext4Fixture fx;

    @BeforeAll
    static void build() throws IOException {
        src = tmp.resolve("src");
        new TreeGen(0x5EED, src).build(false, 400, 60);
        image = Ext4Fixture.mkfs(tmp.resolve("read.img"), src, 96L << 20);
        fx = new Ext4Fixture();
        fx.attach("disk0", image, false);
        fx.mount("disk0", "/mnt", "ro");
    }

    @AfterAll
    static void done() throws IOException {
        fx.vfs.umount("/mnt", false);
        fx.close();
    }

    private static List<Path> tree() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(src)) {
            s.forEach(all::add);
        }
        return all;
    }

    private static String vpath(Path p) {
        String rel = src.relativize(p).toString();
        return rel.isEmpty() ? "/mnt" : "/mnt/" + rel;
    }

    @Test
    void everyFileReadsTheSourceBytesThroughReadAndThroughAMapping() throws IOException {
        Process p = fx.kernel.spawn();
        int files = 0;
        long bytes = 0;
        for (Path f : tree()) {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            byte[] want = Files.readAllBytes(f);
            String vp = vpath(f);
            assertArrayEquals(want, fx.read(vp), "read(2) of " + vp);
            VfsFile file = fx.vfs.open(vp, Fcntl.O_RDONLY, 0);
            try {
                assertArrayEquals(want, Ext4Fixture.readMapped(p, file, want.length), "mmap of " + vp);
            } finally {
                fx.vfs.close(file);
            }
            files++;
            bytes += want.length;
        }
        assertTrue(files > 150, "the tree has many files: " + files);
        assertTrue(bytes > 40L << 20, "and large and sparse ones: " + bytes + " bytes");
    }

    @Test
    void aMappingAtAnOffsetSeesThatPartOfTheFileAndBeyondEndOfFileIsSigbus() throws IOException {
        Path big = src.resolve("big.bin");
        byte[] want = Files.readAllBytes(big);
        Process p = fx.kernel.spawn();
        VfsFile f = fx.vfs.open("/mnt/big.bin", Fcntl.O_RDONLY, 0);
        try {
            long off = 100L * Ext4Fixture.PAGE;
            int len = want.length - (int) off;
            long mapLen = (len + Ext4Fixture.PAGE - 1L) / Ext4Fixture.PAGE * Ext4Fixture.PAGE + Ext4Fixture.PAGE;
            long addr = p.mmap(0, mapLen, Mman.PROT_READ, Mman.MAP_PRIVATE, f, off);
            byte[] got = p.readMemory(addr, len);
            assertArrayEquals(java.util.Arrays.copyOfRange(want, (int) off, want.length), got);
            // the page past the last one of the file lies beyond end of file
            org.vfsgi.mm.SignalException sig = org.junit.jupiter.api.Assertions.assertThrows(
                    org.vfsgi.mm.SignalException.class, () -> p.readMemory(addr + mapLen - Ext4Fixture.PAGE, 1));
            assertEquals(org.vfsgi.mm.Signal.SIGBUS, sig.signal());
            p.munmap(addr, mapLen);
        } finally {
            fx.vfs.close(f);
        }
    }

    @Test
    void aFaultReadsAheadThroughThePlatformsPageCache() throws IOException {
        Path file;
        try (Stream<Path> s = Files.list(src.resolve("many"))) {
            file = s.filter(f -> f.toFile().length() > 5 * Ext4Fixture.PAGE).findFirst().orElseThrow();
        }
        byte[] want = Files.readAllBytes(file);
        // a mount of its own (the same image through a second read-only device), so no other
        // test has filled its page cache yet
        fx.attach("disk1", image, true);
        fx.mount("disk1", "/ra", "ro");
        Process p = fx.kernel.spawn();
        VfsFile f = fx.vfs.open("/ra/many/" + file.getFileName(), Fcntl.O_RDONLY, 0);
        try {
            long addr = p.mmap(0, Ext4Fixture.PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, 0);
            assertEquals(0, f.mapping().cachedPages(), "nothing is read before the first fault");
            assertEquals(want[0], p.readMemory(addr, 1)[0]);
            assertTrue(f.mapping().isCached(1) && f.mapping().cachedPages() > 1,
                    "one fault read the pages after it too: " + f.mapping().cachedPages());
            p.munmap(addr, Ext4Fixture.PAGE);
        } finally {
            fx.vfs.close(f);
            fx.vfs.umount("/ra", false);
        }
    }

    @Test
    void aReadFaultMapsTheCachedPagesAroundItThroughMapPages() throws IOException {
        Path big = src.resolve("big.bin");
        byte[] want = Files.readAllBytes(big);
        fx.attach("disk2", image, true);
        fx.mount("disk2", "/fa", "ro");
        Process p = fx.kernel.spawn();
        VfsFile f = fx.vfs.open("/fa/big.bin", Fcntl.O_RDONLY, 0);
        try {
            long len = 64L * Ext4Fixture.PAGE;
            long addr = p.mmap(0, len, Mman.PROT_READ, Mman.MAP_SHARED, f, 0);
            // Page 0: nothing cached yet, so map_pages maps nothing and filemap_fault reads it
            // with readahead; only the faulting page is mapped.
            assertEquals(want[0], p.readMemory(addr, 1)[0]);
            assertEquals(1, p.mm().pageTable().presentCount());
            long cached = f.mapping().cachedPages();
            assertTrue(cached > 2, "readahead filled the cache: " + cached);
            // Page 1 is cached: fault-around maps every cached page of the 16-page window at once.
            assertEquals(want[Ext4Fixture.PAGE], p.readMemory(addr + Ext4Fixture.PAGE, 1)[0]);
            long around = Math.min(cached, 16);
            assertEquals(around, p.mm().pageTable().presentCount());
            long reads = f.mapping().cachedPages();
            byte[] got = p.readMemory(addr, (int) (around * Ext4Fixture.PAGE));
            assertArrayEquals(java.util.Arrays.copyOf(want, got.length), got, "the prefaulted pages hold the file");
            assertEquals(around, p.mm().pageTable().presentCount(), "no further fault for them");
            assertEquals(reads, f.mapping().cachedPages());
            p.munmap(addr, len);
        } finally {
            fx.vfs.close(f);
            fx.vfs.umount("/fa", false);
        }
    }

    @Test
    void readaheadReadsEachWindowOfAContiguousFileWithOneDeviceRequest() throws IOException {
        Path big = src.resolve("big.bin");
        byte[] want = Files.readAllBytes(big);
        org.vfsgi.fs.ext4.disk.ImageDevice dev = fx.attach("disk3", image, true);
        fx.mount("disk3", "/bio", "ro");
        Process p = fx.kernel.spawn();
        VfsFile f = fx.vfs.open("/bio/big.bin", Fcntl.O_RDONLY, 0);
        try {
            int pages = 256;
            assertTrue(want.length >= pages * Ext4Fixture.PAGE, "big.bin has " + want.length + " bytes");
            long addr = p.mmap(0, pages * (long) Ext4Fixture.PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, 0);
            int requests = dev.readRequests;
            long sectors = dev.sectorsRead;
            byte[] got = p.readMemory(addr, pages * Ext4Fixture.PAGE);
            assertArrayEquals(java.util.Arrays.copyOf(want, got.length), got);
            int used = dev.readRequests - requests;
            // Windows of 4, 8, 16, then 32 pages: 11 windows for 256 pages, plus the extent
            // blocks the first lookup may read; page by page it would take 256 requests.
            assertTrue(used <= 16, used + " device requests for " + pages + " pages");
            assertTrue(dev.sectorsRead - sectors >= pages * 8L, "every page came from the device");
        } finally {
            p.exit();
            fx.vfs.close(f);
            fx.vfs.umount("/bio", false);
        }
    }

    @Test
    void mapsAndStatShowTheBlockDevicesNumberAsForSdX() throws IOException {
        Process p = fx.kernel.spawn();
        VfsFile f = fx.vfs.open("/mnt/big.bin", Fcntl.O_RDONLY, 0);
        try {
            p.mmap(0, Ext4Fixture.PAGE, Mman.PROT_READ, Mman.MAP_PRIVATE, f, 0);
            org.vfsgi.vfs.DeviceNumber d = fx.vfs.stat("/mnt/big.bin").device();
            assertEquals(8, d.major(), "the SCSI disk major, not an anonymous 0: " + d);
            assertEquals(0, d.minor() % 16, "16 minors per disk: " + d);
            long ino = fx.vfs.stat("/mnt/big.bin").attributes().ino();
            String line = p.maps().lines().filter(l -> l.endsWith("/mnt/big.bin")).findFirst().orElseThrow();
            assertTrue(line.contains(String.format(" %02x:%02x %d ", d.major(), d.minor(), ino)), line);
            p.exit();
        } finally {
            fx.vfs.close(f);
        }
    }

    @Test
    void directoriesSymlinksAndAttributesMatchTheSource() throws IOException {
        int dirs = 0;
        int links = 0;
        for (Path f : tree()) {
            String vp = vpath(f);
            PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            InodeAttributes got = fx.vfs.lstat(vp).attributes();
            if (a.isSymbolicLink()) {
                assertEquals(FileType.SYMLINK, got.type(), vp);
                assertEquals(Files.readSymbolicLink(f).toString(), fx.vfs.readlink(vp), vp);
                links++;
            } else if (a.isDirectory()) {
                assertEquals(FileType.DIRECTORY, got.type(), vp);
                TreeSet<String> want = new TreeSet<>();
                try (Stream<Path> s = Files.list(f)) {
                    s.forEach(c -> want.add(c.getFileName().toString()));
                }
                TreeSet<String> names = new TreeSet<>();
                for (DirEntry e : fx.vfs.readdir(vp)) {
                    if (!e.name().equals(".") && !e.name().equals("..")) {
                        names.add(e.name());
                    }
                }
                if (vp.equals("/mnt")) {
                    names.remove("lost+found");
                }
                assertEquals(want, names, "entries of " + vp);
                dirs++;
            } else {
                assertEquals(FileType.REGULAR, got.type(), vp);
                assertEquals(a.size(), got.size(), vp);
                // mke2fs -d copies whole seconds
                assertEquals(Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000,
                        got.mtimeNanos() / 1_000_000_000, "mtime of " + vp);
            }
            int perm = FileType.PERMISSION_MASK & (int) Files.getAttribute(f, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(perm, got.mode() & FileType.PERMISSION_MASK, "permissions of " + vp);
        }
        assertTrue(dirs > 10 && links >= 5, dirs + " directories, " + links + " symlinks");
        // the hard link and its original are one inode
        assertEquals(fx.vfs.stat("/mnt/linked").attributes().ino(),
                fx.vfs.stat("/mnt/emptydir/linked-too").attributes().ino());
        assertEquals(2, fx.vfs.stat("/mnt/linked").attributes().nlink());
    }

    @Test
    void statfsGivesTheSuperblockFigures() {
        StatFs s = fx.vfs.statfs("/mnt");
        assertEquals(Ext4SuperBlock.EXT4_SUPER_MAGIC, s.magic());
        assertEquals(4096, s.blockSize());
        assertEquals((96L << 20) / 4096, s.blocks());
        assertTrue(s.blocksFree() > 0 && s.blocksFree() < s.blocks(), s.toString());
        assertTrue(s.blocksAvailable() <= s.blocksFree(), s.toString());
        assertTrue(s.files() > 0 && s.filesFree() < s.files(), s.toString());
        assertEquals(255, s.nameMax());
        // what debugfs reads from the superblock
        String stats = org.vfsgi.fs.ext4.disk.E2fsTools.debugfs(image, "stats");
        assertTrue(stats.contains("Free blocks:              " + s.blocksFree()), stats);
        assertTrue(stats.contains("Free inodes:              " + s.filesFree()), stats);
    }
}
