package org.vfsgi.fs.ext4.disk;

import java.time.Instant;

/**
 * A raw on-disk inode being read or changed: the whole s_inode_size bytes, so fields this engine
 * does not interpret (extended attributes in the inode body, i_projid...) survive a rewrite.
 * Accessors are named after {@code struct ext4_inode}'s fields.
 */
final class InodeRec {
    static final int I_BLOCK = 0x28;
    static final int GOOD_OLD_INODE_SIZE = 128;

    final long ino;
    final byte[] raw;

    InodeRec(long ino, byte[] raw) {
        this.ino = ino;
        this.raw = raw;
    }

    int mode() {
        return Le.u16(raw, 0x0);
    }

    void setMode(int m) {
        Le.put16(raw, 0x0, m);
    }

    int type() {
        return mode() & Ext4Inode.S_IFMT;
    }

    boolean isDir() {
        return type() == Ext4Inode.S_IFDIR;
    }

    long uid() {
        return Le.u16(raw, 0x2) | (long) Le.u16(raw, 0x78) << 16;
    }

    void setUid(long v) {
        Le.put16(raw, 0x2, (int) v);
        Le.put16(raw, 0x78, (int) (v >>> 16));
    }

    long gid() {
        return Le.u16(raw, 0x18) | (long) Le.u16(raw, 0x7A) << 16;
    }

    void setGid(long v) {
        Le.put16(raw, 0x18, (int) v);
        Le.put16(raw, 0x7A, (int) (v >>> 16));
    }

    long size() {
        return Le.u32(raw, 0x4) | Le.u32(raw, 0x6C) << 32;
    }

    void setSize(long v) {
        Le.put32(raw, 0x4, v);
        Le.put32(raw, 0x6C, v >>> 32);
    }

    int links() {
        return Le.u16(raw, 0x1A);
    }

    void setLinks(int v) {
        Le.put16(raw, 0x1A, v);
    }

    long dtime() {
        return Le.u32(raw, 0x14);
    }

    void setDtime(long v) {
        Le.put32(raw, 0x14, v);
    }

    int flags() {
        return Le.s32(raw, 0x20);
    }

    void setFlags(int f) {
        Le.put32(raw, 0x20, f & 0xFFFFFFFFL);
    }

    boolean hasFlag(int f) {
        return (flags() & f) != 0;
    }

    long generation() {
        return Le.u32(raw, 0x64);
    }

    void setGeneration(long g) {
        Le.put32(raw, 0x64, g);
    }

    long fileAcl() {
        return Le.u32(raw, 0x68) | (long) Le.u16(raw, 0x76) << 32;
    }

    /** i_blocks in its raw unit (sectors, or fs blocks with EXT4_HUGE_FILE_FL). */
    long blocksRaw() {
        return Le.u32(raw, 0x1C) | (long) Le.u16(raw, 0x74) << 32;
    }

    long blocks512(boolean hugeFileFeature, int bs) {
        long v = blocksRaw();
        return hugeFileFeature && hasFlag(Ext4Inode.EXT4_HUGE_FILE_FL) ? v * (bs / 512) : v;
    }

    /** Stores i_blocks from a count of 512-byte sectors (huge_file lets it pass 2^32 via the high field). */
    void setBlocks512(long sectors) {
        setFlags(flags() & ~Ext4Inode.EXT4_HUGE_FILE_FL);
        Le.put32(raw, 0x1C, sectors);
        Le.put16(raw, 0x74, (int) (sectors >>> 32));
    }

    int extraIsize() {
        return raw.length > GOOD_OLD_INODE_SIZE ? Le.u16(raw, 0x80) : 0;
    }

    /** Whether a field ending at byte {@code end} lies inside 128 + i_extra_isize. */
    boolean fits(int end) {
        return raw.length > GOOD_OLD_INODE_SIZE && end <= GOOD_OLD_INODE_SIZE + extraIsize();
    }

    Instant time(int secOff, int extraOff) {
        long sec = Le.s32(raw, secOff);
        long nanos = 0;
        if (extraOff > 0 && fits(extraOff + 4)) {
            long extra = Le.u32(raw, extraOff);
            sec += (extra & 3) << 32;
            nanos = extra >>> 2;
            if (nanos > 999_999_999L) {
                nanos = 999_999_999L; // a corrupted field must not make Instant throw
            }
        }
        return Instant.ofEpochSecond(sec, nanos);
    }

    void setTime(int secOff, int extraOff, Instant t) {
        long sec = t.getEpochSecond();
        Le.put32(raw, secOff, sec);
        if (extraOff > 0 && fits(extraOff + 4)) {
            long epoch = ((sec - (int) sec) >> 32) & 3;
            Le.put32(raw, extraOff, ((long) t.getNano() << 2) | epoch);
        }
    }

    static final int ATIME = 0x8;
    static final int ATIME_EXTRA = 0x8C;
    static final int CTIME = 0xC;
    static final int CTIME_EXTRA = 0x84;
    static final int MTIME = 0x10;
    static final int MTIME_EXTRA = 0x88;
    static final int CRTIME = 0x90;
    static final int CRTIME_EXTRA = 0x94;

    /** The inode checksum: crc32c over the inode with both checksum fields zeroed, seeded per inode. */
    int computeChecksum(int inodeSeed) {
        byte[] copy = raw.clone();
        Le.put16(copy, 0x7C, 0);
        if (fits(0x84)) {
            Le.put16(copy, 0x82, 0);
        }
        return Crc.crc32c(inodeSeed, copy);
    }

    boolean checksumOk(int inodeSeed) {
        int c = computeChecksum(inodeSeed);
        int stored = Le.u16(raw, 0x7C);
        if (fits(0x84)) {
            stored |= Le.u16(raw, 0x82) << 16;
            return stored == c;
        }
        return stored == (c & 0xFFFF);
    }

    void updateChecksum(int inodeSeed) {
        int c = computeChecksum(inodeSeed);
        Le.put16(raw, 0x7C, c);
        if (fits(0x84)) {
            Le.put16(raw, 0x82, c >>> 16);
        }
    }

    Ext4Inode snapshot(boolean hugeFile, int bs) {
        int major = 0;
        int minor = 0;
        int t = mode() & Ext4Inode.S_IFMT;
        if (t == Ext4Inode.S_IFCHR || t == Ext4Inode.S_IFBLK) {
            // ext4_read_inode: old_decode_dev of i_block[0] when set, else new_decode_dev of i_block[1]
            long old = Le.u32(raw, I_BLOCK);
            long dev = Le.u32(raw, I_BLOCK + 4);
            if (old != 0) {
                major = (int) ((old >> 8) & 0xff);
                minor = (int) (old & 0xff);
            } else {
                major = (int) ((dev & 0xfff00) >> 8);
                minor = (int) ((dev & 0xff) | ((dev >> 12) & 0xfff00));
            }
        }
        return new Ext4Inode(ino, mode(), uid(), gid(), size(), links(), time(ATIME, ATIME_EXTRA),
                time(MTIME, MTIME_EXTRA), time(CTIME, CTIME_EXTRA), fits(CRTIME + 4) ? time(CRTIME, CRTIME_EXTRA) : null,
                dtime(), flags(), generation(), blocks512(hugeFile, bs), major, minor);
    }
}
