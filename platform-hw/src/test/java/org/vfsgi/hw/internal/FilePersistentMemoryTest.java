package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.hw.HwException;

class FilePersistentMemoryTest {
    private static final long PFN = 0x4000;

    @TempDir
    Path dir;

    private final HostFiles files = new HostFiles();

    private Path media(int bytes) throws Exception {
        Path p = dir.resolve("pmem.img");
        Files.write(p, new byte[bytes]);
        return p;
    }

    private static void assertErrno(String errno, String messagePart, Runnable r) {
        HwException e = assertThrows(HwException.class, r::run);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void storesReachTheFileOnlyWhenFlushed() throws Exception {
        Path p = media(4 * 4096);
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", p, 4 * 4096, PFN, files)) {
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            pm.writeBytes(4096 + 100, hello, 0, hello.length);
            byte[] back = new byte[5];
            pm.readBytes(4096 + 100, back, 0, 5);
            assertArrayEquals(hello, back, "loads see stores at once");
            assertEquals(1, pm.dirtyPages());
            assertArrayEquals(new byte[5], Arrays.copyOfRange(Files.readAllBytes(p), 4196, 4201),
                    "not durable before the flush");

            pm.flush(4096 + 102, 1);
            assertArrayEquals(hello, Arrays.copyOfRange(Files.readAllBytes(p), 4196, 4201),
                    "the flush wrote the dirty page back");
            assertEquals(0, pm.dirtyPages());
            assertEquals("1", pm.details().get("pages written back"));
        }
    }

    @Test
    void aFlushOfOneRangeLeavesOtherPagesDirty() throws Exception {
        Path p = media(4 * 4096);
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", p, 4 * 4096, PFN, files)) {
            pm.writeBytes(0, new byte[] {1}, 0, 1);
            pm.writeBytes(3 * 4096, new byte[] {3}, 0, 1);
            pm.flush(0, 4096);
            byte[] file = Files.readAllBytes(p);
            assertEquals(1, file[0]);
            assertEquals(0, file[3 * 4096]);
            assertEquals(1, pm.dirtyPages());
        }
    }

    @Test
    void contentsSurviveCloseAndReopen() throws Exception {
        Path p = media(2 * 4096);
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", p, 2 * 4096, PFN, files)) {
            // Crosses the page boundary, and goes through the PFN interface for the second half.
            pm.writeBytes(4000, data, 0, 96);
            pm.write(PFN + 1, 0, data, 96, 204);
            pm.flush(0, pm.size());
        }
        assertEquals(0, files.openCount());
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", p, 2 * 4096, PFN, files)) {
            byte[] back = new byte[300];
            pm.readBytes(4000, back, 0, 300);
            assertArrayEquals(data, back);
            byte[] viaPfn = new byte[96];
            pm.read(PFN, 4000, viaPfn, 0, 96);
            assertArrayEquals(Arrays.copyOf(data, 96), viaPfn);
        }
    }

    @Test
    void anOrderlyCloseWritesBackUnflushedStores() throws Exception {
        Path p = media(4096);
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", p, 4096, PFN, files)) {
            pm.writeBytes(10, new byte[] {42}, 0, 1);
        }
        assertEquals(42, Files.readAllBytes(p)[10]);
    }

    @Test
    void aPartialStoreKeepsTheRestOfThePage() throws Exception {
        Path p = dir.resolve("pmem.img");
        byte[] initial = new byte[4096];
        Arrays.fill(initial, (byte) 0x11);
        Files.write(p, initial);
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", p, 4096, PFN, files)) {
            pm.writeBytes(100, new byte[] {5}, 0, 1);
            pm.flush(0, 4096);
        }
        byte[] file = Files.readAllBytes(p);
        assertEquals(5, file[100]);
        assertEquals(0x11, file[99]);
        assertEquals(0x11, file[4095]);
    }

    @Test
    void rangesAndPfnsOutsideTheRegionAreEinval() throws Exception {
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", media(2 * 4096), 2 * 4096, PFN, files)) {
            assertEquals(2, pm.pfnCount());
            assertErrno("EINVAL", "outside device 'pmem0' of 8192 bytes", () -> pm.writeBytes(8190, new byte[4], 0, 4));
            assertErrno("EINVAL", "outside", () -> pm.readBytes(-1, new byte[1], 0, 1));
            assertErrno("EINVAL", "outside", () -> pm.flush(0, 8193));
            assertErrno("EINVAL", "PFN 0x4002 is outside", () -> pm.read(PFN + 2, 0, new byte[1], 0, 1));
            assertErrno("EINVAL", "crosses", () -> pm.write(PFN, 4095, new byte[2], 0, 2));
        }
    }

    @Test
    void mediaSmallerThanTheRegionIsRefused() throws Exception {
        Path p = media(4096);
        assertErrno("EINVAL", "holds 4096 bytes, fewer than its size of 8192",
                () -> FilePersistentMemory.open("pmem0", p, 8192, PFN, files));
        assertEquals(0, files.openCount());
    }

    @Test
    void anInterruptedFlushKeepsTheStoresDirtyAndTheRegionUsable() throws Exception {
        Path p = media(4096);
        try (FilePersistentMemory pm = FilePersistentMemory.open("pmem0", p, 4096, PFN, files)) {
            pm.writeBytes(0, new byte[] {8}, 0, 1);
            Thread.currentThread().interrupt();
            try {
                assertErrno("EINTR", "was interrupted", () -> pm.flush(0, 4096));
            } finally {
                Thread.interrupted();
            }
            assertEquals(1, pm.dirtyPages(), "a store whose write-back failed is still pending");
            pm.flush(0, 4096);
            assertEquals(8, Files.readAllBytes(p)[0]);
        }
        assertEquals(0, files.openCount());
    }

    @Test
    void closedRegionIsEnodev() throws Exception {
        FilePersistentMemory pm = FilePersistentMemory.open("pmem0", media(4096), 4096, PFN, files);
        pm.close();
        pm.close();
        assertEquals(0, files.openCount());
        assertErrno("ENODEV", "'pmem0' has been removed", () -> pm.readBytes(0, new byte[1], 0, 1));
    }
}
