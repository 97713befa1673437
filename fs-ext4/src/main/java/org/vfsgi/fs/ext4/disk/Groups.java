package org.vfsgi.fs.ext4.disk;

/**
 * The block groups: descriptors ({@code struct ext4_group_desc}) in the primary group
 * descriptor table, the block and inode bitmaps, and allocation over them. Every change keeps the
 * bitmap checksums, the descriptor checksum and the superblock's free counts right.
 */
final class Groups {
    static final int BG_INODE_UNINIT = 0x1;
    static final int BG_BLOCK_UNINIT = 0x2;
    static final int BG_INODE_ZEROED = 0x4;

    private final Superblock sb;
    private final BlockCache cache;
    private final int csumSeed;
    final long groupCount;
    final long gdtStart;
    final long gdtBlocks;
    final int descSize;
    final int bs;
    final long bpg;
    final long ipg;
    final long firstDataBlock;
    final long blocksCount;
    final int inodeSize;
    final long inodeTableBlocks;
    private final boolean metadataCsum;
    private final boolean gdtCsum;

    Groups(Superblock sb, BlockCache cache, int csumSeed) {
        this.sb = sb;
        this.cache = cache;
        this.csumSeed = csumSeed;
        this.bs = cache.blockSize;
        this.bpg = sb.blocksPerGroup();
        this.ipg = sb.inodesPerGroup();
        this.firstDataBlock = sb.firstDataBlock();
        this.blocksCount = sb.blocksCount();
        this.groupCount = (blocksCount - firstDataBlock + bpg - 1) / bpg;
        this.descSize = sb.descSize();
        this.gdtStart = firstDataBlock + 1;
        this.gdtBlocks = (groupCount * descSize + bs - 1) / bs;
        this.inodeSize = sb.inodeSize();
        this.inodeTableBlocks = (ipg * inodeSize + bs - 1) / bs;
        this.metadataCsum = sb.metadataCsum();
        this.gdtCsum = !metadataCsum && sb.hasRoCompat(Superblock.RO_COMPAT_GDT_CSUM);
    }

    boolean hasGroupCsum() {
        return metadataCsum || gdtCsum;
    }

    // ---- descriptor fields

    private byte[] descBlock(long g) {
        return cache.meta(gdtStart + g * descSize / bs, "the group descriptor table");
    }

    private int descOff(long g) {
        return (int) ((g * descSize) % bs);
    }

    private long lohi32(long g, int lo, int hi) {
        byte[] b = descBlock(g);
        int o = descOff(g);
        long v = Le.u32(b, o + lo);
        return descSize >= 64 ? v | Le.u32(b, o + hi) << 32 : v;
    }

    private long lohi16(long g, int lo, int hi) {
        byte[] b = descBlock(g);
        int o = descOff(g);
        long v = Le.u16(b, o + lo);
        return descSize >= 64 ? v | (long) Le.u16(b, o + hi) << 16 : v;
    }

    private void setLohi16(long g, int lo, int hi, long v) {
        byte[] b = descBlock(g);
        int o = descOff(g);
        Le.put16(b, o + lo, (int) v);
        if (descSize >= 64) {
            Le.put16(b, o + hi, (int) (v >>> 16));
        }
    }

    long blockBitmap(long g) {
        return lohi32(g, 0x0, 0x20);
    }

    long inodeBitmap(long g) {
        return lohi32(g, 0x4, 0x24);
    }

    long inodeTable(long g) {
        return lohi32(g, 0x8, 0x28);
    }

    long freeBlocks(long g) {
        return lohi16(g, 0xC, 0x2C);
    }

    long freeInodes(long g) {
        return lohi16(g, 0xE, 0x2E);
    }

    long usedDirs(long g) {
        return lohi16(g, 0x10, 0x30);
    }

    int flags(long g) {
        return Le.u16(descBlock(g), descOff(g) + 0x12);
    }

    long itableUnused(long g) {
        return lohi16(g, 0x1C, 0x32);
    }

    int storedChecksum(long g) {
        return Le.u16(descBlock(g), descOff(g) + 0x1E);
    }

    /** Blocks of group g that lie inside the file system (the last group may be short). */
    long blocksInGroup(long g) {
        long start = groupFirstBlock(g);
        return Math.min(bpg, blocksCount - start);
    }

    long groupFirstBlock(long g) {
        return firstDataBlock + g * bpg;
    }

    /** ext4_group_desc_csum: crc32c (low 16 bits) with metadata_csum, crc16 with uninit_bg/gdt_csum. */
    int computeChecksum(long g) {
        byte[] b = descBlock(g);
        int o = descOff(g);
        if (metadataCsum) {
            int c = Crc.crc32cLe32(csumSeed, g);
            c = Crc.crc32c(c, b, o, 0x1E);
            c = Crc.crc32c(c, new byte[2], 0, 2);
            if (descSize > 0x20) {
                c = Crc.crc32c(c, b, o + 0x20, descSize - 0x20);
            }
            return c & 0xFFFF;
        }
        if (gdtCsum) {
            byte[] u = sb.uuid();
            int c = Crc.crc16(~0, u, 0, 16);
            byte[] gb = new byte[4];
            Le.put32(gb, 0, g);
            c = Crc.crc16(c, gb, 0, 4);
            c = Crc.crc16(c, b, o, 0x1E);
            if (descSize > 0x20) {
                c = Crc.crc16(c, b, o + 0x20, descSize - 0x20);
            }
            return c & 0xFFFF;
        }
        return 0;
    }

    private void descChanged(long g) {
        byte[] b = descBlock(g);
        if (hasGroupCsum()) {
            Le.put16(b, descOff(g) + 0x1E, computeChecksum(g));
        }
        cache.markDirty(gdtStart + g * descSize / bs, b);
    }

    /** Checks what ext4_check_descriptors checks, plus the descriptor checksums. */
    void validate() {
        long itb = inodeTableBlocks;
        boolean flex = sb.hasIncompat(Superblock.INCOMPAT_FLEX_BG);
        long metaEnd = gdtStart + gdtBlocks;
        for (long g = 0; g < groupCount; g++) {
            if (hasGroupCsum() && computeChecksum(g) != storedChecksum(g)) {
                throw Ext4Exception.badCrc("checksum of group descriptor " + g + " is wrong (stored 0x"
                        + Integer.toHexString(storedChecksum(g)) + ", computed 0x"
                        + Integer.toHexString(computeChecksum(g)) + ")");
            }
            long lo = flex ? firstDataBlock : groupFirstBlock(g);
            long hi = flex ? blocksCount : groupFirstBlock(g) + blocksInGroup(g);
            checkIn(g, "block bitmap", blockBitmap(g), 1, lo, hi, metaEnd);
            checkIn(g, "inode bitmap", inodeBitmap(g), 1, lo, hi, metaEnd);
            checkIn(g, "inode table", inodeTable(g), itb, lo, hi, metaEnd);
            if (freeBlocks(g) > bpg) {
                throw Ext4Exception.corrupted("group " + g + " claims " + freeBlocks(g) + " free blocks, more than its "
                        + bpg);
            }
            if (freeInodes(g) > ipg || itableUnused(g) > ipg) {
                throw Ext4Exception.corrupted("group " + g + " claims " + freeInodes(g) + " free inodes and "
                        + itableUnused(g) + " unused inode-table entries, more than its " + ipg);
            }
        }
    }

    private void checkIn(long g, String what, long blk, long len, long lo, long hi, long metaEnd) {
        if (blk < lo || blk + len > hi || blk < metaEnd) {
            throw Ext4Exception.corrupted("group " + g + "'s " + what + " at block " + blk + " (" + len
                    + " blocks) is not inside " + (lo == firstDataBlock ? "the file system" : "its group")
                    + " or overlaps the superblock and descriptors");
        }
    }

    long totalFreeBlocks() {
        long n = 0;
        for (long g = 0; g < groupCount; g++) {
            n += freeBlocks(g);
        }
        return n;
    }

    long totalFreeInodes() {
        long n = 0;
        for (long g = 0; g < groupCount; g++) {
            n += freeInodes(g);
        }
        return n;
    }

    // ---- bitmaps

    private static boolean bit(byte[] b, long i) {
        return (b[(int) (i >>> 3)] & (1 << (i & 7))) != 0;
    }

    private static void setBit(byte[] b, long i, boolean v) {
        if (v) {
            b[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
        } else {
            b[(int) (i >>> 3)] &= (byte) ~(1 << (i & 7));
        }
    }

    boolean hasSuper(long g) {
        if (g == 0 || !sb.hasRoCompat(Superblock.RO_COMPAT_SPARSE_SUPER)) {
            return true;
        }
        if (g == 1) {
            return true;
        }
        return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
    }

    private static boolean isPower(long g, int base) {
        long n = base;
        while (n < g) {
            n *= base;
        }
        return n == g;
    }

    /** ext4_init_block_bitmap: the bitmap a BLOCK_UNINIT group implies. */
    private void initBlockBitmap(long g, byte[] bm) {
        java.util.Arrays.fill(bm, (byte) 0);
        long start = groupFirstBlock(g);
        if (hasSuper(g)) {
            long n = 1 + gdtBlocks + sb.reservedGdtBlocks();
            for (long i = 0; i < n && i < bpg; i++) {
                setBit(bm, i, true);
            }
        }
        for (long h = 0; h < groupCount; h++) {
            markIfInside(bm, start, blockBitmap(h), 1);
            markIfInside(bm, start, inodeBitmap(h), 1);
            markIfInside(bm, start, inodeTable(h), inodeTableBlocks);
        }
        for (long i = blocksInGroup(g); i < (long) bs * 8; i++) {
            setBit(bm, i, true);
        }
    }

    private void markIfInside(byte[] bm, long start, long blk, long len) {
        for (long b = blk; b < blk + len; b++) {
            if (b >= start && b < start + bpg) {
                setBit(bm, b - start, true);
            }
        }
    }

    private byte[] blockBitmapBlock(long g) {
        long blk = blockBitmap(g);
        if ((flags(g) & BG_BLOCK_UNINIT) != 0 && hasGroupCsum()) {
            byte[] bm = cache.fresh(blk, "group " + g + "'s block bitmap");
            initBlockBitmap(g, bm);
            clearFlag(g, BG_BLOCK_UNINIT);
            blockBitmapChanged(g, bm);
            return bm;
        }
        byte[] bm = cache.meta(blk, "group " + g + "'s block bitmap");
        verifyBlockBitmap(g, bm);
        return bm;
    }

    private void verifyBlockBitmap(long g, byte[] bm) {
        if (!metadataCsum) {
            return;
        }
        int c = Crc.crc32c(csumSeed, bm, 0, (int) (sb.clustersPerGroup() / 8));
        byte[] d = descBlock(g);
        int o = descOff(g);
        long stored = Le.u16(d, o + 0x18) | (descSize >= 64 ? (long) Le.u16(d, o + 0x38) << 16 : 0);
        long want = descSize >= 64 ? c & 0xFFFFFFFFL : c & 0xFFFF;
        if (stored != want) {
            throw Ext4Exception.badCrc("block bitmap of group " + g + " fails its checksum");
        }
    }

    private void blockBitmapChanged(long g, byte[] bm) {
        if (metadataCsum) {
            int c = Crc.crc32c(csumSeed, bm, 0, (int) (sb.clustersPerGroup() / 8));
            byte[] d = descBlock(g);
            int o = descOff(g);
            Le.put16(d, o + 0x18, c);
            if (descSize >= 64) {
                Le.put16(d, o + 0x38, c >>> 16);
            }
        }
        cache.markDirty(blockBitmap(g), bm);
        descChanged(g);
    }

    private byte[] inodeBitmapBlock(long g) {
        long blk = inodeBitmap(g);
        if ((flags(g) & BG_INODE_UNINIT) != 0 && hasGroupCsum()) {
            byte[] bm = cache.fresh(blk, "group " + g + "'s inode bitmap");
            for (long i = ipg; i < (long) bs * 8; i++) {
                setBit(bm, i, true);
            }
            clearFlag(g, BG_INODE_UNINIT);
            inodeBitmapChanged(g, bm);
            return bm;
        }
        byte[] bm = cache.meta(blk, "group " + g + "'s inode bitmap");
        if (metadataCsum) {
            int c = Crc.crc32c(csumSeed, bm, 0, (int) (ipg / 8));
            byte[] d = descBlock(g);
            int o = descOff(g);
            long stored = Le.u16(d, o + 0x1A) | (descSize >= 64 ? (long) Le.u16(d, o + 0x3A) << 16 : 0);
            long want = descSize >= 64 ? c & 0xFFFFFFFFL : c & 0xFFFF;
            if (stored != want) {
                throw Ext4Exception.badCrc("inode bitmap of group " + g + " fails its checksum");
            }
        }
        return bm;
    }

    private void inodeBitmapChanged(long g, byte[] bm) {
        if (metadataCsum) {
            int c = Crc.crc32c(csumSeed, bm, 0, (int) (ipg / 8));
            byte[] d = descBlock(g);
            int o = descOff(g);
            Le.put16(d, o + 0x1A, c);
            if (descSize >= 64) {
                Le.put16(d, o + 0x3A, c >>> 16);
            }
        }
        cache.markDirty(inodeBitmap(g), bm);
        descChanged(g);
    }

    private void clearFlag(long g, int flag) {
        byte[] b = descBlock(g);
        int o = descOff(g);
        Le.put16(b, o + 0x12, Le.u16(b, o + 0x12) & ~flag);
        descChanged(g);
    }

    // ---- allocation

    /**
     * Allocates up to {@code max} contiguous blocks, preferring {@code goal}.
     *
     * @return {start, count}
     * @throws Ext4Exception ENOSPC when no block is free
     */
    long[] allocBlocks(long goal, long max) {
        if (goal < firstDataBlock || goal >= blocksCount) {
            goal = firstDataBlock;
        }
        long g0 = (goal - firstDataBlock) / bpg;
        for (long k = 0; k <= groupCount; k++) {
            long g = (g0 + k) % groupCount;
            if (freeBlocks(g) == 0) {
                continue;
            }
            byte[] bm = blockBitmapBlock(g);
            long n = blocksInGroup(g);
            long from = k == 0 ? goal - groupFirstBlock(g) : 0;
            long found = findZero(bm, from, n);
            if (found < 0 && from > 0) {
                found = findZero(bm, 0, from);
            }
            if (found < 0) {
                throw Ext4Exception.corrupted("group " + g + " claims " + freeBlocks(g)
                        + " free blocks but its bitmap has none");
            }
            long len = 0;
            while (len < max && found + len < n && !bit(bm, found + len)) {
                setBit(bm, found + len, true);
                len++;
            }
            setLohi16(g, 0xC, 0x2C, freeBlocks(g) - len);
            blockBitmapChanged(g, bm);
            sb.setFreeBlocksCount(sb.freeBlocksCount() - len);
            return new long[] {groupFirstBlock(g) + found, len};
        }
        throw new Ext4Exception("ENOSPC", "no free block left on the file system");
    }

    private static long findZero(byte[] bm, long from, long to) {
        for (long i = from; i < to; i++) {
            if ((i & 7) == 0 && i + 8 <= to && bm[(int) (i >>> 3)] == (byte) 0xFF) {
                i += 7;
                continue;
            }
            if (!bit(bm, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Frees a run of blocks; a block already free means the image is corrupt. */
    void freeBlocks(long start, long count) {
        long b = start;
        long left = count;
        while (left > 0) {
            cache.check(b, "a freed extent");
            long g = (b - firstDataBlock) / bpg;
            byte[] bm = blockBitmapBlock(g);
            long off = b - groupFirstBlock(g);
            long n = Math.min(left, bpg - off);
            for (long i = 0; i < n; i++) {
                if (!bit(bm, off + i)) {
                    throw Ext4Exception.corrupted("block " + (b + i) + " is freed but already free in the bitmap");
                }
                setBit(bm, off + i, false);
                cache.forget(b + i);
            }
            setLohi16(g, 0xC, 0x2C, freeBlocks(g) + n);
            blockBitmapChanged(g, bm);
            sb.setFreeBlocksCount(sb.freeBlocksCount() + n);
            b += n;
            left -= n;
        }
    }

    /** @return a newly allocated inode number, searching from the parent's group */
    long allocInode(long parentIno, boolean dir) {
        long g0 = (parentIno - 1) / ipg;
        long firstIno = sb.firstIno();
        for (long k = 0; k < groupCount; k++) {
            long g = (g0 + k) % groupCount;
            if (freeInodes(g) == 0) {
                continue;
            }
            byte[] bm = inodeBitmapBlock(g);
            long idx = -1;
            for (long i = 0; i < ipg; i++) {
                long ino = g * ipg + i + 1;
                if (ino < firstIno) {
                    continue;
                }
                if (!bit(bm, i)) {
                    idx = i;
                    break;
                }
            }
            if (idx < 0) {
                continue;
            }
            setBit(bm, idx, true);
            setLohi16(g, 0xE, 0x2E, freeInodes(g) - 1);
            if (dir) {
                setLohi16(g, 0x10, 0x30, usedDirs(g) + 1);
            }
            if (hasGroupCsum()) {
                long unused = itableUnused(g);
                if (idx >= ipg - unused) {
                    setLohi16(g, 0x1C, 0x32, ipg - idx - 1);
                }
            }
            inodeBitmapChanged(g, bm);
            sb.setFreeInodesCount(sb.freeInodesCount() - 1);
            return g * ipg + idx + 1;
        }
        throw new Ext4Exception("ENOSPC", "no free inode left on the file system");
    }

    void freeInode(long ino, boolean dir) {
        long g = (ino - 1) / ipg;
        long idx = (ino - 1) % ipg;
        byte[] bm = inodeBitmapBlock(g);
        if (!bit(bm, idx)) {
            throw Ext4Exception.corrupted("inode " + ino + " is freed but already free in the bitmap");
        }
        setBit(bm, idx, false);
        setLohi16(g, 0xE, 0x2E, freeInodes(g) + 1);
        if (dir && usedDirs(g) > 0) {
            setLohi16(g, 0x10, 0x30, usedDirs(g) - 1);
        }
        inodeBitmapChanged(g, bm);
        sb.setFreeInodesCount(sb.freeInodesCount() + 1);
    }

    /** @return whether inode ino is marked in use in its group's bitmap */
    boolean inodeInUse(long ino) {
        long g = (ino - 1) / ipg;
        if ((flags(g) & BG_INODE_UNINIT) != 0 && hasGroupCsum()) {
            return false;
        }
        return bit(inodeBitmapBlock(g), (ino - 1) % ipg);
    }

    /** @return {block, offset in block} of inode ino in the inode table */
    long[] inodeLocation(long ino) {
        long g = (ino - 1) / ipg;
        long idx = (ino - 1) % ipg;
        long byteOff = idx * inodeSize;
        return new long[] {inodeTable(g) + byteOff / bs, byteOff % bs};
    }
}
