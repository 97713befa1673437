package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The accelerated crc32c (the JDK's CRC32C steered to the seed with four forged bytes) equals
 * the kernel's raw table loop for every seed and length, and both give the published check value.
 */
class CrcTest {
    @Test
    void acceleratedEqualsTheTableLoopForAnySeedOffsetAndLength() {
        Random rnd = new Random(0xC5C);
        byte[] data = new byte[9000];
        rnd.nextBytes(data);
        int[] seeds = {0, -1, 0x12345678, 0x80000000, 1};
        for (int round = 0; round < 2000; round++) {
            int seed = round < seeds.length ? seeds[round] : rnd.nextInt();
            int len = round % 3 == 0 ? 4096 : rnd.nextInt(300);
            int off = rnd.nextInt(data.length - len);
            assertEquals(Crc.crc32cTable(seed, data, off, len), Crc.crc32c(seed, data, off, len),
                    "seed " + Integer.toHexString(seed) + ", " + len + " bytes at " + off);
        }
    }

    @Test
    void bothGiveTheStandardCheckValue() {
        byte[] nine = "123456789".getBytes(StandardCharsets.US_ASCII);
        // CRC-32C of "123456789" is 0xE3069283: register from ~0, inverted at the end.
        assertEquals(0xE3069283, ~Crc.crc32cTable(-1, nine, 0, 9));
        byte[] padded = new byte[128];
        System.arraycopy(nine, 0, padded, 0, 9);
        assertEquals(Crc.crc32cTable(-1, padded, 0, 128), Crc.crc32c(-1, padded, 0, 128));
    }
}
