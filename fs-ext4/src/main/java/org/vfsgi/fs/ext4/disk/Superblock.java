package org.vfsgi.fs.ext4.disk;

import java.util.ArrayList;
import java.util.List;

/**
 * The primary superblock: the 1024 bytes at byte offset 1024 of the device, kept raw so that
 * fields this engine does not interpret survive a rewrite unchanged. Field names follow
 * {@code struct ext4_super_block}.
 */
final class Superblock {
    static final int OFFSET = 1024;
    static final int SIZE = 1024;
    static final int EXT4_SUPER_MAGIC = 0xEF53;

    // s_feature_compat
    static final int COMPAT_DIR_PREALLOC = 0x1;
    static final int COMPAT_IMAGIC_INODES = 0x2;
    static final int COMPAT_HAS_JOURNAL = 0x4;
    static final int COMPAT_EXT_ATTR = 0x8;
    static final int COMPAT_RESIZE_INODE = 0x10;
    static final int COMPAT_DIR_INDEX = 0x20;
    static final int COMPAT_SPARSE_SUPER2 = 0x200;
    static final int COMPAT_FAST_COMMIT = 0x400;
    static final int COMPAT_STABLE_INODES = 0x800;
    static final int COMPAT_ORPHAN_FILE = 0x1000;
    // s_feature_incompat
    static final int INCOMPAT_COMPRESSION = 0x1;
    static final int INCOMPAT_FILETYPE = 0x2;
    static final int INCOMPAT_RECOVER = 0x4;
    static final int INCOMPAT_JOURNAL_DEV = 0x8;
    static final int INCOMPAT_META_BG = 0x10;
    static final int INCOMPAT_EXTENTS = 0x40;
    static final int INCOMPAT_64BIT = 0x80;
    static final int INCOMPAT_MMP = 0x100;
    static final int INCOMPAT_FLEX_BG = 0x200;
    static final int INCOMPAT_EA_INODE = 0x400;
    static final int INCOMPAT_DIRDATA = 0x1000;
    static final int INCOMPAT_CSUM_SEED = 0x2000;
    static final int INCOMPAT_LARGEDIR = 0x4000;
    static final int INCOMPAT_INLINE_DATA = 0x8000;
    static final int INCOMPAT_ENCRYPT = 0x10000;
    static final int INCOMPAT_CASEFOLD = 0x20000;
    // s_feature_ro_compat
    static final int RO_COMPAT_SPARSE_SUPER = 0x1;
    static final int RO_COMPAT_LARGE_FILE = 0x2;
    static final int RO_COMPAT_BTREE_DIR = 0x4;
    static final int RO_COMPAT_HUGE_FILE = 0x8;
    static final int RO_COMPAT_GDT_CSUM = 0x10;
    static final int RO_COMPAT_DIR_NLINK = 0x20;
    static final int RO_COMPAT_EXTRA_ISIZE = 0x40;
    static final int RO_COMPAT_HAS_SNAPSHOT = 0x80;
    static final int RO_COMPAT_QUOTA = 0x100;
    static final int RO_COMPAT_BIGALLOC = 0x200;
    static final int RO_COMPAT_METADATA_CSUM = 0x400;
    static final int RO_COMPAT_REPLICA = 0x800;
    static final int RO_COMPAT_READONLY = 0x1000;
    static final int RO_COMPAT_PROJECT = 0x2000;
    static final int RO_COMPAT_SHARED_BLOCKS = 0x4000;
    static final int RO_COMPAT_VERITY = 0x8000;
    static final int RO_COMPAT_ORPHAN_PRESENT = 0x10000;

    /** Incompatible features this engine reads and writes. */
    static final int INCOMPAT_SUPPORTED = INCOMPAT_FILETYPE | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG
            | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR;
    /** Read-only-compatible features this engine keeps right when it writes. */
    static final int RO_COMPAT_WRITABLE = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_HUGE_FILE
            | RO_COMPAT_GDT_CSUM | RO_COMPAT_DIR_NLINK | RO_COMPAT_EXTRA_ISIZE | RO_COMPAT_METADATA_CSUM
            | RO_COMPAT_BTREE_DIR;

    static final int STATE_VALID_FS = 0x1;
    static final int STATE_ERROR_FS = 0x2;
    static final int STATE_ORPHAN_FS = 0x4;

    static final int FLAGS_SIGNED_HASH = 0x1;
    static final int FLAGS_UNSIGNED_HASH = 0x2;

    final byte[] raw;

    Superblock(byte[] raw) {
        this.raw = raw;
    }

    long inodesCount() {
        return Le.u32(raw, 0x0);
    }

    long blocksCount() {
        long lo = Le.u32(raw, 0x4);
        return is64bit() ? lo | Le.u32(raw, 0x150) << 32 : lo;
    }

    long reservedBlocksCount() {
        long lo = Le.u32(raw, 0x8);
        return is64bit() ? lo | Le.u32(raw, 0x154) << 32 : lo;
    }

    long freeBlocksCount() {
        long lo = Le.u32(raw, 0xC);
        return is64bit() ? lo | Le.u32(raw, 0x158) << 32 : lo;
    }

    void setFreeBlocksCount(long v) {
        Le.put32(raw, 0xC, v);
        if (is64bit()) {
            Le.put32(raw, 0x158, v >>> 32);
        }
    }

    long freeInodesCount() {
        return Le.u32(raw, 0x10);
    }

    void setFreeInodesCount(long v) {
        Le.put32(raw, 0x10, v);
    }

    long firstDataBlock() {
        return Le.u32(raw, 0x14);
    }

    long logBlockSize() {
        return Le.u32(raw, 0x18);
    }

    long logClusterSize() {
        return Le.u32(raw, 0x1C);
    }

    long blocksPerGroup() {
        return Le.u32(raw, 0x20);
    }

    long clustersPerGroup() {
        return Le.u32(raw, 0x24);
    }

    long inodesPerGroup() {
        return Le.u32(raw, 0x28);
    }

    void setMtime(long seconds) {
        Le.put32(raw, 0x2C, seconds);
        Le.put8(raw, 0x275, (int) ((seconds >>> 32) & 0xFF)); // s_mtime_hi
    }

    void setWtime(long seconds) {
        Le.put32(raw, 0x30, seconds);
        Le.put8(raw, 0x274, (int) ((seconds >>> 32) & 0xFF)); // s_wtime_hi
    }

    int mntCount() {
        return Le.u16(raw, 0x34);
    }

    void setMntCount(int v) {
        Le.put16(raw, 0x34, v);
    }

    int magic() {
        return Le.u16(raw, 0x38);
    }

    int state() {
        return Le.u16(raw, 0x3A);
    }

    void setState(int v) {
        Le.put16(raw, 0x3A, v);
    }

    long revLevel() {
        return Le.u32(raw, 0x4C);
    }

    long firstIno() {
        return revLevel() == 0 ? 11 : Le.u32(raw, 0x54);
    }

    int inodeSize() {
        return revLevel() == 0 ? 128 : Le.u16(raw, 0x58);
    }

    int featureCompat() {
        return Le.s32(raw, 0x5C);
    }

    int featureIncompat() {
        return Le.s32(raw, 0x60);
    }

    int featureRoCompat() {
        return Le.s32(raw, 0x64);
    }

    byte[] uuid() {
        byte[] u = new byte[16];
        System.arraycopy(raw, 0x68, u, 0, 16);
        return u;
    }

    String volumeName() {
        int n = 0;
        while (n < 16 && raw[0x78 + n] != 0) {
            n++;
        }
        return new String(raw, 0x78, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    int reservedGdtBlocks() {
        return Le.u16(raw, 0xCE);
    }

    long journalInum() {
        return Le.u32(raw, 0xE0);
    }

    /** s_last_orphan: the head of the on-disk orphan list, each inode's i_dtime naming the next (0 ends it). */
    long lastOrphan() {
        return Le.u32(raw, 0xE8);
    }

    void setLastOrphan(long ino) {
        Le.put32(raw, 0xE8, ino);
    }

    int[] hashSeed() {
        int[] s = new int[4];
        for (int i = 0; i < 4; i++) {
            s[i] = Le.s32(raw, 0xEC + 4 * i);
        }
        return s;
    }

    int defHashVersion() {
        return Le.u8(raw, 0xFC);
    }

    int descSize() {
        return is64bit() ? Le.u16(raw, 0xFE) : 32;
    }

    long firstMetaBg() {
        return Le.u32(raw, 0x104);
    }

    int minExtraIsize() {
        return Le.u16(raw, 0x15C);
    }

    int wantExtraIsize() {
        return Le.u16(raw, 0x15E);
    }

    int flags() {
        return Le.s32(raw, 0x160);
    }

    int logGroupsPerFlex() {
        return Le.u8(raw, 0x174);
    }

    int checksumType() {
        return Le.u8(raw, 0x175);
    }

    long kbytesWritten() {
        return Le.u64(raw, 0x178);
    }

    void setKbytesWritten(long v) {
        Le.put64(raw, 0x178, v);
    }

    int checksumSeed() {
        return Le.s32(raw, 0x270);
    }

    int checksum() {
        return Le.s32(raw, 0x3FC);
    }

    boolean is64bit() {
        return (featureIncompat() & INCOMPAT_64BIT) != 0;
    }

    boolean hasIncompat(int f) {
        return (featureIncompat() & f) != 0;
    }

    boolean hasRoCompat(int f) {
        return (featureRoCompat() & f) != 0;
    }

    boolean hasCompat(int f) {
        return (featureCompat() & f) != 0;
    }

    boolean metadataCsum() {
        return hasRoCompat(RO_COMPAT_METADATA_CSUM);
    }

    /** ext4_superblock_csum: crc32c over everything before s_checksum, seeded with ~0 (not the fs seed). */
    int computeChecksum() {
        return Crc.crc32c(~0, raw, 0, 0x3FC);
    }

    void updateChecksum() {
        if (metadataCsum()) {
            Le.put32(raw, 0x3FC, computeChecksum() & 0xFFFFFFFFL);
        }
    }

    static List<String> compatNames(int bits) {
        return names(bits, new String[] {"dir_prealloc", "imagic_inodes", "has_journal", "ext_attr", "resize_inode",
            "dir_index", "lazy_bg", "exclude_inode", "exclude_bitmap", "sparse_super2", "fast_commit",
            "stable_inodes", "orphan_file"});
    }

    static List<String> incompatNames(int bits) {
        return names(bits, new String[] {"compression", "filetype", "needs_recovery", "journal_dev", "meta_bg", null,
            "extent", "64bit", "mmp", "flex_bg", "ea_inode", null, "dirdata", "metadata_csum_seed", "large_dir",
            "inline_data", "encrypt", "casefold"});
    }

    static List<String> roCompatNames(int bits) {
        return names(bits, new String[] {"sparse_super", "large_file", "btree_dir", "huge_file", "uninit_bg",
            "dir_nlink", "extra_isize", "snapshot", "quota", "bigalloc", "metadata_csum", "replica", "read-only",
            "project", "shared_blocks", "verity", "orphan_present"});
    }

    private static List<String> names(int bits, String[] table) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(i < table.length && table[i] != null ? table[i] : "FEATURE_" + Integer.toHexString(1 << i));
            }
        }
        return out;
    }
}
