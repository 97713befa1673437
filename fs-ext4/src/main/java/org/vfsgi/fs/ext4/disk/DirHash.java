package org.vfsgi.fs.ext4.disk;

/**
 * The htree (dir_index) name hashes: legacy, half-MD4 and TEA, each in a signed-char and an
 * unsigned-char flavour (the superblock's s_flags say which one the image was made with).
 * Written from the algorithm's description; results are checked against debugfs's dx_hash.
 */
final class DirHash {
    static final int DX_HASH_LEGACY = 0;
    static final int DX_HASH_HALF_MD4 = 1;
    static final int DX_HASH_TEA = 2;
    static final int DX_HASH_LEGACY_UNSIGNED = 3;
    static final int DX_HASH_HALF_MD4_UNSIGNED = 4;
    static final int DX_HASH_TEA_UNSIGNED = 5;
    static final int DX_HASH_SIPHASH = 6;

    private static final int EOF_32 = 0x7FFFFFFF;

    private DirHash() {
    }

    /**
     * @param version a DX_HASH_* value, already adjusted for unsigned-char images
     * @param seed s_hash_seed (all zero means the default MD4 starting words)
     * @return the major hash with its low bit clear (the low bit marks collisions in the index)
     */
    static int hash(int version, int[] seed, byte[] name) {
        int[] buf = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
        if (seed != null && (seed[0] | seed[1] | seed[2] | seed[3]) != 0) {
            buf = seed.clone();
        }
        int h;
        int len = name.length;
        switch (version) {
            case DX_HASH_LEGACY:
                h = legacy(name, true);
                break;
            case DX_HASH_LEGACY_UNSIGNED:
                h = legacy(name, false);
                break;
            case DX_HASH_HALF_MD4:
            case DX_HASH_HALF_MD4_UNSIGNED: {
                int[] in = new int[8];
                for (int p = 0; len > 0; len -= 32, p += 32) {
                    toWords(name, p, len, in, 8, version == DX_HASH_HALF_MD4);
                    halfMd4(buf, in);
                }
                h = buf[1];
                break;
            }
            case DX_HASH_TEA:
            case DX_HASH_TEA_UNSIGNED: {
                int[] in = new int[4];
                for (int p = 0; len > 0; len -= 16, p += 16) {
                    toWords(name, p, len, in, 4, version == DX_HASH_TEA);
                    tea(buf, in);
                }
                h = buf[0];
                break;
            }
            default:
                throw new Ext4Exception("EFSCORRUPTED", "unsupported directory hash version " + version);
        }
        h &= ~1;
        if (h == (EOF_32 << 1)) {
            h = (EOF_32 - 1) << 1;
        }
        return h;
    }

    private static int legacy(byte[] name, boolean signed) {
        int hash0 = 0x12a3fe2d;
        int hash1 = 0x37abe8f9;
        for (byte b : name) {
            int c = signed ? b : b & 0xFF;
            int hash = hash1 + (hash0 ^ (c * 7152373));
            if ((hash & 0x80000000) != 0) {
                hash -= 0x7fffffff;
            }
            hash1 = hash0;
            hash0 = hash;
        }
        return hash0 << 1;
    }

    /** str2hashbuf: packs up to num*4 bytes of the name into words, padded with the length. */
    private static void toWords(byte[] msg, int off, int len, int[] out, int num, boolean signed) {
        int pad = len | (len << 8);
        pad |= pad << 16;
        int val = pad;
        int n = Math.min(len, num * 4);
        int o = 0;
        int left = num;
        for (int i = 0; i < n; i++) {
            int c = signed ? msg[off + i] : msg[off + i] & 0xFF;
            val = c + (val << 8);
            if (i % 4 == 3) {
                out[o++] = val;
                val = pad;
                left--;
            }
        }
        if (--left >= 0) {
            out[o++] = val;
        }
        while (--left >= 0) {
            out[o++] = pad;
        }
    }

    private static int f(int x, int y, int z) {
        return z ^ (x & (y ^ z));
    }

    private static int g(int x, int y, int z) {
        return (x & y) + ((x ^ y) & z);
    }

    private static int h(int x, int y, int z) {
        return x ^ y ^ z;
    }

    private static void halfMd4(int[] buf, int[] in) {
        final int k2 = 013240474631;
        final int k3 = 015666365641;
        int a = buf[0];
        int b = buf[1];
        int c = buf[2];
        int d = buf[3];
        a = Integer.rotateLeft(a + f(b, c, d) + in[0], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[1], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[2], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[3], 19);
        a = Integer.rotateLeft(a + f(b, c, d) + in[4], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[5], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[6], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[7], 19);

        a = Integer.rotateLeft(a + g(b, c, d) + in[1] + k2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[3] + k2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[5] + k2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[7] + k2, 13);
        a = Integer.rotateLeft(a + g(b, c, d) + in[0] + k2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[2] + k2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[4] + k2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[6] + k2, 13);

        a = Integer.rotateLeft(a + h(b, c, d) + in[3] + k3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[7] + k3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[2] + k3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[6] + k3, 15);
        a = Integer.rotateLeft(a + h(b, c, d) + in[1] + k3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[5] + k3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[0] + k3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[4] + k3, 15);

        buf[0] += a;
        buf[1] += b;
        buf[2] += c;
        buf[3] += d;
    }

    private static void tea(int[] buf, int[] in) {
        int sum = 0;
        int b0 = buf[0];
        int b1 = buf[1];
        int a = in[0];
        int b = in[1];
        int c = in[2];
        int d = in[3];
        for (int n = 0; n < 16; n++) {
            sum += 0x9E3779B9;
            b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >>> 5) + b);
            b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >>> 5) + d);
        }
        buf[0] += b0;
        buf[1] += b1;
    }
}
