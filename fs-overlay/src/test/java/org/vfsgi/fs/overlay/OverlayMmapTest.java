package org.vfsgi.fs.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.fs.overlay.OverlayFixture.PAGE;
import static org.vfsgi.fs.overlay.OverlayFixture.expect;
import static org.vfsgi.fs.overlay.OverlayFixture.pattern;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.TraceEvent;
import org.vfsgi.mm.core.TraceStep;
import org.vfsgi.mm.core.vfs.Kstat;
import org.vfsgi.vfs.Fcntl;

/**
 * Mapping overlay files: both modes reach the real (upper or lower) file, whose page cache holds
 * the data; the legacy mode through {@code vma_set_file} + {@code vfs_mmap} + the compat layer,
 * the prepare mode through the real file's {@code mmap_prepare} before the merge attempt.
 */
class OverlayMmapTest {
    private final OverlayFixture fx = new OverlayFixture();
    private final Process proc = fx.proc;

    private List<TraceEvent> events(TraceStep step) {
        return fx.kernel.trace().events(step);
    }

    private static long linesNaming(String maps, String path) {
        return maps.lines().filter(l -> l.endsWith(" " + path)).count();
    }

    /** The {@code major:minor inode} part {@code /proc/PID/maps} shows for a file. */
    private String mapsIdentity(String path) {
        Kstat st = fx.vfs.stat(path);
        return String.format("%02x:%02x %d ", st.device().major(), st.device().minor(), st.attributes().ino());
    }

    @Test
    void legacyMmapOfALowerFileMapsTheRealFileThroughTheCompatLayer() {
        byte[] data = pattern(3 * PAGE, 3);
        fx.writeFile("/l2/data", data);
        fx.mountReadWrite("");
        fx.kernel.trace().clear();
        int fd = proc.open("/merged/data", Fcntl.O_RDONLY, 0);
        long a = proc.mmap(0, 3 * PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
        proc.close(fd); // the VMA holds the real file, not the descriptor
        assertArrayEquals(data, proc.readMemory(a, 3 * PAGE));

        String maps = proc.maps();
        assertEquals(1, linesNaming(maps, "/l2/data"), maps);
        assertTrue(maps.contains(mapsIdentity("/l2/data")), "the lower file's device and inode: " + maps);
        assertTrue(events(TraceStep.LEGACY_MMAP).stream().anyMatch(e -> e.detail().contains("ovl_file_operations")),
                "the overlay's legacy hook ran: " + fx.kernel.trace().snapshot());
        assertTrue(events(TraceStep.PREPARE).stream().anyMatch(e -> "/l2/data".equals(e.file())),
                "tmpfs's mmap_prepare ran on the lower file");
        assertTrue(events(TraceStep.COMPAT_MMAP).stream().anyMatch(e -> "/l2/data".equals(e.file())
                && e.outcome().equals("0")), "through the compat layer");
        assertEquals(List.of(), fx.list("/u/upper"), "mapping for reading copies nothing up");
        assertEquals(0, fx.kernel.violations().total());
        assertTrue(fx.kernel.pageMemory() != null);
    }

    /** Maps page 1 of {@code path}, then page 0 right below it: the two ranges could merge. */
    private String mapAdjacentHalves(String path, byte[] data) {
        int fd = proc.open(path, Fcntl.O_RDONLY, 0);
        long high = proc.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, PAGE);
        long low = proc.mmap(high - PAGE, PAGE, Mman.PROT_READ, Mman.MAP_SHARED | Mman.MAP_FIXED, fd, 0);
        assertEquals(high - PAGE, low);
        assertArrayEquals(data, proc.readMemory(low, 2 * PAGE), "byte for byte across both mappings");
        proc.close(fd);
        return proc.maps();
    }

    @Test
    void adjacentMappingsNeverMergeInLegacyMode() {
        byte[] data = pattern(2 * PAGE, 4);
        fx.writeFile("/l1/f", data);
        fx.mountReadWrite("mmap=legacy");
        fx.kernel.trace().clear();
        String maps = mapAdjacentHalves("/merged/f", data);
        assertEquals(2, linesNaming(maps, "/l1/f"), maps);
        assertTrue(events(TraceStep.MERGE).stream().noneMatch(e -> e.outcome().equals("merged")),
                "a legacy mmap never even tries: " + events(TraceStep.MERGE));
    }

    @Test
    void adjacentMappingsMergeInPrepareMode() {
        byte[] data = pattern(2 * PAGE, 5);
        fx.writeFile("/l1/f", data);
        fx.mountReadWrite("mmap=prepare");
        fx.kernel.trace().clear();
        String maps = mapAdjacentHalves("/merged/f", data);
        assertEquals(1, linesNaming(maps, "/l1/f"), maps);
        assertTrue(events(TraceStep.MERGE).stream().anyMatch(e -> e.outcome().equals("merged")),
                "the trace shows the merge: " + events(TraceStep.MERGE));
        assertTrue(events(TraceStep.PREPARE).stream().anyMatch(e -> e.detail().contains("ovl_file_operations_mmap_prepare")));
        assertTrue(events(TraceStep.PREPARE).stream().anyMatch(e -> "/l1/f".equals(e.file())
                && e.detail().startsWith("vfs_mmap_prepare: shmem_file_operations for /merged/f")),
                "the real file's prepare ran nested: " + events(TraceStep.PREPARE));
        assertTrue(events(TraceStep.LEGACY_MMAP).isEmpty());
        assertEquals(0, fx.kernel.violations().total());
    }

    @ParameterizedTest
    @EnumSource(MmapMode.class)
    void writesThroughASharedMappingOfACopiedUpFileReachTheUpperFile(MmapMode mode) {
        byte[] data = pattern(2 * PAGE, 6);
        fx.writeFile("/l2/f", data);
        fx.mountReadWrite("mmap=" + mode.optionValue());
        int fd = proc.open("/merged/f", Fcntl.O_RDWR, 0);
        long a = proc.mmap(0, 2 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
        byte[] hello = "written through the mapping".getBytes(StandardCharsets.UTF_8);
        proc.writeMemory(a + PAGE - 5, hello);
        proc.msync(a, 2 * PAGE, Mman.MS_SYNC);
        proc.close(fd);

        byte[] expected = data.clone();
        System.arraycopy(hello, 0, expected, PAGE - 5, hello.length);
        assertArrayEquals(expected, fx.readBytes("/u/upper/f"), "the upper file's page cache has the writes");
        assertArrayEquals(expected, fx.readBytes("/merged/f"));
        assertArrayEquals(data, fx.readBytes("/l2/f"), "the lower file is untouched");
        assertTrue(proc.maps().contains(mapsIdentity("/u/upper/f")), proc.maps());
        assertEquals(1, linesNaming(proc.maps(), "/u/upper/f"));
        proc.munmap(a, 2 * PAGE);
        assertEquals(0, fx.vfs.openFileCount(), "every real file reference went with the VMA");
    }

    @Test
    void aLowerMappingKeepsShowingTheLowerFileAfterAnotherWriterCopiesItUp() {
        byte[] data = pattern(PAGE, 7);
        fx.writeFile("/l2/f", data);
        fx.mountReadWrite("");
        int fd = proc.open("/merged/f", Fcntl.O_RDONLY, 0);
        long old = proc.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);

        Process writer = fx.kernel.spawn();
        int wfd = writer.open("/merged/f", Fcntl.O_RDWR, 0);
        writer.pwrite(wfd, "NEW".getBytes(StandardCharsets.UTF_8), 0);
        writer.close(wfd);

        assertArrayEquals(data, proc.readMemory(old, PAGE), "the old mapping still maps the lower file");
        assertEquals("NEW", new String(proc.pread(fd, 3, 0), StandardCharsets.UTF_8),
                "read() on the descriptor opened before the copy-up sees it (reopened on the upper file)");
        assertArrayEquals(data, proc.readMemory(old, PAGE), "while its old mapping does not");
        assertEquals(1, linesNaming(proc.maps(), "/l2/f"));
        assertEquals("NEW", new String(fx.readBytes("/merged/f"), 0, 3, StandardCharsets.UTF_8));
        int again = proc.open("/merged/f", Fcntl.O_RDONLY, 0);
        long fresh = proc.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, again, 0);
        assertEquals("NEW", new String(proc.readMemory(fresh, 3), StandardCharsets.UTF_8),
                "a new open sees the copy-up");
        assertEquals(1, linesNaming(proc.maps(), "/u/upper/f"));
        proc.close(again);
        proc.close(fd);
    }

    @Test
    void anOverlayOverAnOverlayMapsThroughTwoLevelsOfTheCompatLayer() {
        byte[] data = pattern(2 * PAGE, 8);
        fx.writeFile("/l1/f", data);
        fx.mountOverlay("lowerdir=/l1:/l2");
        fx.vfs.mkdir("/outer", 0755);
        fx.mountUpper("size=16m");
        fx.vfs.mount("overlay", "/outer", "overlay", "lowerdir=/merged,upperdir=/u/upper,workdir=/u/work");
        fx.kernel.trace().clear();

        int fd = proc.open("/outer/f", Fcntl.O_RDONLY, 0);
        long a = proc.mmap(0, 2 * PAGE, Mman.PROT_READ, Mman.MAP_PRIVATE, fd, 0);
        assertArrayEquals(data, proc.readMemory(a, 2 * PAGE));
        String maps = proc.maps();
        assertEquals(1, linesNaming(maps, "/l1/f"), "maps shows the real file, two levels down: " + maps);
        assertTrue(maps.contains(mapsIdentity("/l1/f")), maps);
        List<String> compat = events(TraceStep.COMPAT_MMAP).stream().map(TraceEvent::file).distinct()
                .collect(Collectors.toList());
        assertTrue(compat.containsAll(List.of("/merged/f", "/l1/f")),
                "vfs_mmap on the inner overlay file, then compat_vma_mmap on the tmpfs file: " + compat);
        assertEquals(2, events(TraceStep.LEGACY_MMAP).size(), "both overlays' legacy hooks: "
                + events(TraceStep.LEGACY_MMAP));
        proc.close(fd);

        // and writing: the outer overlay copies up from the inner one, the mapping reaches the copy
        int w = proc.open("/outer/f", Fcntl.O_RDWR, 0);
        long b = proc.mmap(0, 2 * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, w, 0);
        proc.writeMemory(b, new byte[] {42});
        proc.close(w);
        assertEquals(42, fx.readBytes("/u/upper/f")[0]);
        assertEquals(data[0], fx.readBytes("/l1/f")[0]);
        assertEquals(0, fx.kernel.violations().total());
    }

    @Test
    void prepareModeStacksOverPrepareModeAndRefusesALegacyOnlyLowerFile() {
        byte[] data = pattern(PAGE, 9);
        fx.writeFile("/l1/f", data);
        fx.mountOverlay("lowerdir=/l1:/l2,mmap=prepare");
        fx.vfs.mkdir("/outer", 0755);
        fx.vfs.mount("overlay", "/outer", "overlay", "lowerdir=/merged:/l2,mmap=prepare");
        int fd = proc.open("/outer/f", Fcntl.O_RDONLY, 0);
        long a = proc.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
        assertArrayEquals(data, proc.readMemory(a, PAGE));
        assertEquals(1, linesNaming(proc.maps(), "/l1/f"), proc.maps());
        proc.munmap(a, PAGE);
        proc.close(fd);
        assertEquals(0, fx.vfs.openFileCount(), "the handed-over references of both levels were dropped");

        fx.vfs.mkdir("/third", 0755);
        fx.vfs.mkdir("/l3", 0755);
        fx.vfs.mount("overlay", "/third", "overlay", "lowerdir=/outer:/l3,mmap=legacy");
        fx.vfs.mkdir("/mid", 0755);
        fx.vfs.mount("overlay", "/mid", "overlay", "lowerdir=/third:/l3,mmap=prepare");
        fx.vfs.mkdir("/top", 0755);
        fx.vfs.mount("overlay", "/top", "overlay", "lowerdir=/mid:/l3,mmap=prepare");
        int t = proc.open("/top/f", Fcntl.O_RDONLY, 0);
        // /top hands /mid's file to the descriptor, /mid's prepare then fails: /third maps only the legacy way
        expect(Errno.ENODEV, () -> proc.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, t, 0));
        assertEquals(6, fx.vfs.openFileCount(), "one open file per level (/top, /mid, /third, /outer, /merged, /l1)");
        assertEquals("", proc.maps());
        proc.close(t);
        assertEquals(0, fx.vfs.openFileCount(), "the failed prepare gave back the reference it had handed over");
    }

    @ParameterizedTest
    @EnumSource(MmapMode.class)
    void aCopiedUpFileDeletedWhileMappedLivesUntilItsLastVmaAcrossAFork(MmapMode mode) {
        fx.writeFile("/l2/f", pattern(PAGE, 12));
        fx.mountReadWrite("mmap=" + mode.optionValue());
        long freeBefore = fx.vfs.statfs("/u").filesFree();
        int fd = proc.open("/merged/f", Fcntl.O_RDWR, 0);
        long a = proc.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 0);
        proc.close(fd);
        fx.vfs.unlink("/merged/f");
        assertTrue(fx.vfs.lstat("/u/upper/f").attributes().isWhiteout(), "the whiteout replaced the upper copy");
        assertEquals(freeBefore - 2, fx.vfs.statfs("/u").filesFree(), "the whiteout, and the copy kept by its VMA");

        Process child = proc.fork();
        child.writeMemory(a, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, proc.readMemory(a, 3), "parent and child share the copy's pages");
        child.exit();
        proc.munmap(a, PAGE);
        assertEquals(0, fx.vfs.openFileCount());
        assertEquals(freeBefore - 1, fx.vfs.statfs("/u").filesFree(), "the copy was freed with its last VMA");
    }
}
