package org.vfsgi.fs.ext4.disk;

/**
 * The two checksums ext4 uses. ext4 chains crc32c with a caller-supplied seed and stores the raw
 * register (no final inversion), which {@link java.util.zip.CRC32C} cannot express (it always starts
 * from ~0 and inverts at the end), so the register update is done here by table. crc16 is the
 * older group-descriptor checksum (uninit_bg / gdt_csum).
 */
final class Crc {
    private static final int[] CRC32C = new int[256];
    private static final int[] CRC16 = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1; // Castagnoli polynomial, reflected
            }
            CRC32C[i] = c;
            int d = i;
            for (int k = 0; k < 8; k++) {
                d = (d & 1) != 0 ? (d >>> 1) ^ 0xA001 : d >>> 1; // CRC-16/ANSI, reflected
            }
            CRC16[i] = d;
        }
    }

    private Crc() {
    }

    /** Below this many bytes the table loop beats setting up the JDK's accelerated CRC32C. */
    private static final int ACCELERATE_FROM = 64;

    /** Index of each table entry by its top byte, which is unique: undoes one zero-byte step. */
    private static final int[] BY_TOP_BYTE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            BY_TOP_BYTE[CRC32C[i] >>> 24] = i;
        }
    }

    /**
     * The kernel's {@code crc32c(seed, data, len)}: raw register update, no inversions. Inode,
     * block and bitmap checksums run on every metadata read, so long inputs go through
     * {@link java.util.zip.CRC32C} (hardware-accelerated on x86 and arm64), which always starts
     * from {@code 0xFFFFFFFF}: four forged bytes first move its register to {@code seed}.
     */
    static int crc32c(int seed, byte[] b, int off, int len) {
        if (len < ACCELERATE_FROM) {
            return crc32cTable(seed, b, off, len);
        }
        int p = unshiftFourZeroBytes(seed) ^ 0xFFFFFFFF;
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(new byte[] {(byte) p, (byte) (p >>> 8), (byte) (p >>> 16), (byte) (p >>> 24)});
        c.update(b, off, len);
        return ~(int) c.getValue();
    }

    /** The byte-at-a-time table loop, the reference the accelerated path must equal. */
    static int crc32cTable(int seed, byte[] b, int off, int len) {
        int c = seed;
        for (int i = off, end = off + len; i < end; i++) {
            c = CRC32C[(c ^ b[i]) & 0xFF] ^ (c >>> 8);
        }
        return c;
    }

    /**
     * The register {@code x} with {@code F(x) = target}, where {@code F} runs four zero bytes
     * through the register. Four data bytes {@code d} from register {@code r} give
     * {@code F(r ^ d)}, so {@code d = unshift(target) ^ r} lands the register on {@code target}.
     */
    private static int unshiftFourZeroBytes(int target) {
        int c = target;
        for (int k = 0; k < 4; k++) {
            int i = BY_TOP_BYTE[c >>> 24];
            c = ((c ^ CRC32C[i]) << 8) | i;
        }
        return c;
    }

    static int crc32c(int seed, byte[] b) {
        return crc32c(seed, b, 0, b.length);
    }

    /** crc32c of a little-endian 32-bit value, as ext4 feeds inode numbers and group numbers. */
    static int crc32cLe32(int seed, long v) {
        byte[] b = new byte[4];
        Le.put32(b, 0, v);
        return crc32c(seed, b, 0, 4);
    }

    /** The kernel's {@code crc16(crc, data, len)}. */
    static int crc16(int seed, byte[] b, int off, int len) {
        int c = seed & 0xFFFF;
        for (int i = off, end = off + len; i < end; i++) {
            c = (CRC16[(c ^ b[i]) & 0xFF] ^ (c >>> 8)) & 0xFFFF;
        }
        return c;
    }
}
