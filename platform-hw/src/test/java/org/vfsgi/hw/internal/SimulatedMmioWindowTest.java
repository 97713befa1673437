package org.vfsgi.hw.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vfsgi.hw.HwException;
import org.vfsgi.hw.MmioWindow;

class SimulatedMmioWindowTest {
    private static final long PFN = 0x3f0000;

    private final SimulatedMmioWindow io = new SimulatedMmioWindow("io0", PFN, 2);

    private static void assertErrno(String errno, String messagePart, Runnable r) {
        HwException e = assertThrows(HwException.class, r::run);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    private static byte[] le(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private int readLe(int offset) {
        byte[] b = new byte[4];
        io.read(PFN, offset, b, 0, 4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    @Test
    void statusIsReadyWithNoRings() {
        assertEquals(1, io.readRegister(MmioWindow.REG_STATUS));
        assertEquals(0, io.doorbellCount());
    }

    @Test
    void doorbellWritesThroughTheRegisterApiCountAndLatch() {
        io.writeRegister(MmioWindow.REG_DOORBELL, 0xabcd);
        io.writeRegister(MmioWindow.REG_DOORBELL, 0x1234);
        assertEquals(2, io.doorbellCount());
        assertEquals(0x1234, io.lastDoorbellValue());
        assertEquals(0x1234, io.readRegister(MmioWindow.REG_DOORBELL));
        assertEquals(1 | 2 << 8, io.readRegister(MmioWindow.REG_STATUS));
    }

    @Test
    void statusCarriesTheLow24BitsOfTheRingCount() {
        for (int i = 0; i < 0x1_0003; i++) {
            io.writeRegister(MmioWindow.REG_DOORBELL, i);
        }
        assertEquals(1 | (0x1_0003 << 8), io.readRegister(MmioWindow.REG_STATUS));
    }

    @Test
    void writingStatusThroughTheRegisterApiIsEinval() {
        assertErrno("EINVAL", "(status) of MMIO window 'io0' is read-only",
                () -> io.writeRegister(MmioWindow.REG_STATUS, 5));
        assertErrno("EINVAL", "reserved", () -> io.writeRegister(0x10, 5));
        assertErrno("EINVAL", "not a 4-byte aligned offset", () -> io.readRegister(2));
        assertErrno("EINVAL", "not a 4-byte aligned offset", () -> io.readRegister(4096));
        assertEquals(0, io.ignoredWrites(), "API misuse is an error, not an ignored write");
    }

    @Test
    void scratchIsPlainStorageByEitherPath() {
        io.writeRegister(MmioWindow.REG_SCRATCH, 0x11223344);
        assertEquals(0x11223344, readLe(MmioWindow.REG_SCRATCH));
        io.write(PFN, MmioWindow.REG_SCRATCH + 1, new byte[] {(byte) 0xaa}, 0, 1);
        assertEquals(0x1122aa44, io.readRegister(MmioWindow.REG_SCRATCH));
    }

    @Test
    void anAlignedFourByteStoreToOffsetZeroRingsTheDoorbell() {
        io.write(PFN, 0, le(0xcafe), 0, 4);
        assertEquals(1, io.doorbellCount());
        assertEquals(0xcafe, io.lastDoorbellValue());
        assertEquals(1 | 1 << 8, readLe(MmioWindow.REG_STATUS), "a byte load of status reflects the ring");
    }

    @Test
    void byteStoresToStatusAreIgnoredAndCounted() {
        io.write(PFN, MmioWindow.REG_STATUS, le(0xffffffff), 0, 4);
        io.write(PFN, MmioWindow.REG_STATUS + 2, new byte[] {1}, 0, 1);
        assertEquals(1, io.readRegister(MmioWindow.REG_STATUS));
        assertEquals(2, io.ignoredWrites());
        assertEquals("2", io.details().get("ignored writes"));
    }

    @Test
    void aPartialDoorbellStoreIsIgnoredNotRung() {
        io.write(PFN, 0, new byte[] {1, 2}, 0, 2);
        assertEquals(0, io.doorbellCount());
        assertEquals(1, io.ignoredWrites());
    }

    @Test
    void aWideStoreIsDecodedRegisterByRegister() {
        byte[] twelve = new byte[12];
        System.arraycopy(le(7), 0, twelve, 0, 4);
        System.arraycopy(le(0x55), 0, twelve, 4, 4);
        System.arraycopy(le(0x99), 0, twelve, 8, 4);
        io.write(PFN, 0, twelve, 0, 12);
        assertEquals(1, io.doorbellCount());
        assertEquals(7, io.lastDoorbellValue());
        assertEquals(0x99, io.readRegister(MmioWindow.REG_SCRATCH));
        assertEquals(1, io.ignoredWrites(), "only the status part was dropped");
        byte[] back = new byte[12];
        io.read(PFN, 0, back, 0, 12);
        byte[] expected = new byte[12];
        System.arraycopy(le(7), 0, expected, 0, 4);
        System.arraycopy(le(1 | 1 << 8), 0, expected, 4, 4);
        System.arraycopy(le(0x99), 0, expected, 8, 4);
        assertArrayEquals(expected, back);
    }

    @Test
    void reservedRegisterBytesReadZeroAndIgnoreStores() {
        io.write(PFN, 0x100, new byte[] {1, 2, 3, 4}, 0, 4);
        assertEquals(0, readLe(0x100));
        assertEquals(1, io.ignoredWrites());
    }

    @Test
    void pagesAfterTheRegisterPageArePlainMemory() {
        byte[] data = {1, 2, 3};
        io.write(PFN + 1, 0, data, 0, 3);
        byte[] back = new byte[3];
        io.read(PFN + 1, 0, back, 0, 3);
        assertArrayEquals(data, back);
        byte[] untouched = new byte[2];
        io.read(PFN + 1, 4094, untouched, 0, 2);
        assertArrayEquals(new byte[2], untouched);
        assertEquals(0, io.doorbellCount());
        assertErrno("EINVAL", "PFN 0x3f0002 is outside", () -> io.read(PFN + 2, 0, back, 0, 1));
    }

    @Test
    void detailsShowRegistersAndCounters() {
        io.writeRegister(MmioWindow.REG_DOORBELL, 0x42);
        assertEquals("0x00000042", io.details().get("doorbell (0x0)"));
        assertEquals("0x00000101", io.details().get("status (0x4)"));
        assertEquals("1", io.details().get("doorbell rings"));
    }
}
