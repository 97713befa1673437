package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.HwException;

class FileBlockDeviceTest {
    @TempDir
    Path dir;

    private final HostFiles files = new HostFiles();

    private Path image(int bytes) throws Exception {
        Path p = dir.resolve("disk.img");
        byte[] content = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            content[i] = (byte) (i / BlockDevice.SECTOR_SIZE);
        }
        Files.write(p, content);
        return p;
    }

    private static HwException assertErrno(String errno, String messagePart, Runnable r) {
        HwException e = assertThrows(HwException.class, r::run);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        return e;
    }

    @Test
    void sizeIsTheImageFileSize() throws Exception {
        try (FileBlockDevice dev = FileBlockDevice.open("vda", image(8 * 512), false, files)) {
            assertEquals(8 * 512, dev.size());
            assertEquals(8, dev.sectorCount());
            assertEquals("block", dev.kind().id());
            assertEquals("rw", dev.state());
        }
    }

    @Test
    void readsTheImageAndWritesReachTheFileByFlush() throws Exception {
        Path img = image(8 * 512);
        try (FileBlockDevice dev = FileBlockDevice.open("vda", img, false, files)) {
            byte[] two = new byte[2 * 512 + 3];
            dev.readSectors(5, 2, two, 3);
            assertEquals(5, two[3]);
            assertEquals(6, two[3 + 512 + 511]);

            byte[] data = new byte[512];
            Arrays.fill(data, (byte) 0x77);
            dev.writeSectors(2, 1, data, 0);
            dev.flush();
            byte[] onDisk = Files.readAllBytes(img);
            assertArrayEquals(data, Arrays.copyOfRange(onDisk, 1024, 1536));
            assertEquals(1, onDisk[512], "neighbouring sectors untouched");
            assertEquals(3, onDisk[1536]);

            byte[] back = new byte[512];
            dev.readSectors(2, 1, back, 0);
            assertArrayEquals(data, back);
            assertEquals("1", dev.details().get("flushes"));
            assertEquals("1", dev.details().get("sectors written"));
            assertEquals("3", dev.details().get("sectors read"));
        }
    }

    @Test
    void readOnlyDeviceRefusesWritesWithErofs() throws Exception {
        Path img = image(4 * 512);
        try (FileBlockDevice dev = FileBlockDevice.open("vdb", img, true, files)) {
            assertTrue(dev.readOnly());
            assertEquals("ro", dev.state());
            assertErrno("EROFS", "'vdb' is read-only", () -> dev.writeSectors(0, 1, new byte[512], 0));
            byte[] b = new byte[512];
            dev.readSectors(3, 1, b, 0);
            assertEquals(3, b[0]);
            dev.flush();
        }
        assertEquals(0, Files.readAllBytes(img)[0]);
    }

    @Test
    void rangesOutsideTheDeviceAreEinvalNamingTheSectors() throws Exception {
        try (FileBlockDevice dev = FileBlockDevice.open("vda", image(4 * 512), false, files)) {
            assertErrno("EINVAL", "sectors 3..4 (2) is outside block device 'vda' of 4 sectors",
                    () -> dev.readSectors(3, 2, new byte[1024], 0));
            assertErrno("EINVAL", "sector 4 is outside", () -> dev.writeSectors(4, 1, new byte[512], 0));
            assertErrno("EINVAL", "outside", () -> dev.readSectors(-1, 1, new byte[512], 0));
            assertErrno("EINVAL", "buffer of 512 bytes cannot hold 1024",
                    () -> dev.readSectors(0, 2, new byte[512], 0));
        }
    }

    @Test
    void imageNotAMultipleOfTheSectorSizeIsRefusedNamingTheFile() throws Exception {
        Path img = image(1000);
        HwException e = assertErrno("EINVAL", "not a positive multiple of the 512-byte sector size",
                () -> FileBlockDevice.open("vda", img, false, files));
        assertTrue(e.getMessage().contains(img.toString()), e.getMessage());
        assertEquals(0, files.openCount(), "the refused image is closed again");
    }

    @Test
    void closeReleasesTheFileAndLaterAccessIsEnodev() throws Exception {
        FileBlockDevice dev = FileBlockDevice.open("vda", image(2 * 512), false, files);
        assertEquals(1, files.openCount());
        dev.close();
        dev.close();
        assertEquals(0, files.openCount());
        assertErrno("ENODEV", "'vda' has been removed", () -> dev.readSectors(0, 1, new byte[512], 0));
        assertErrno("ENODEV", "removed", dev::flush);
    }

    @Test
    void anInterruptedCallerFailsAloneAndTheDeviceStaysUsable() throws Exception {
        try (FileBlockDevice dev = FileBlockDevice.open("vda", image(4 * 512), false, files)) {
            byte[] b = new byte[512];
            // An interrupted thread doing FileChannel I/O closes the channel for every thread.
            Thread.currentThread().interrupt();
            try {
                assertErrno("EINTR", "reading sector 1 on block device 'vda' was interrupted",
                        () -> dev.readSectors(1, 1, b, 0));
            } finally {
                Thread.interrupted();
            }
            dev.readSectors(2, 1, b, 0);
            assertEquals(2, b[0]);
            dev.writeSectors(3, 1, b, 0);
            dev.flush();
            assertEquals(1, files.openCount(), "reopened, not leaked");
        }
        assertEquals(0, files.openCount());
    }

    @Test
    void missingImageIsEio() {
        assertErrno("EIO", "absent.img", () -> FileBlockDevice.open("vda", dir.resolve("absent.img"), false, files));
        assertEquals(0, files.openCount());
    }
}
