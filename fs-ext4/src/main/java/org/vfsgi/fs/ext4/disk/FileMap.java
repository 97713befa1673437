package org.vfsgi.fs.ext4.disk;

import java.util.ArrayList;
import java.util.List;

/**
 * An inode's logical-to-physical block map, held as a sorted list of extents. It is read from an
 * extent tree ({@code ext4_extent_header} / {@code ext4_extent_idx} / {@code ext4_extent}) of any
 * depth, or from an old-style indirect block map, with every pointer and count checked; it is
 * written back as an extent tree whose index and leaf blocks reuse the old tree's blocks.
 */
final class FileMap {
    static final int EXT4_EXT_MAGIC = 0xF30A;
    static final int EXT_INIT_MAX_LEN = 32768;
    static final int EXT_UNWRITTEN_MAX_LEN = 32767;
    static final int MAX_DEPTH = 5;
    private static final int ROOT_ENTRIES = 4;

    /** One extent: ee_block, ee_len, ee_start, and whether it is unwritten (reads as zeros). */
    static final class Extent {
        long lblk;
        int len;
        long pblk;
        boolean unwritten;

        Extent(long lblk, int len, long pblk, boolean unwritten) {
            this.lblk = lblk;
            this.len = len;
            this.pblk = pblk;
            this.unwritten = unwritten;
        }

        long end() {
            return lblk + len;
        }
    }

    final List<Extent> extents = new ArrayList<>();
    /** Blocks the on-disk tree (or indirect map) itself occupies. */
    final List<Long> treeBlocks = new ArrayList<>();
    boolean extentFormat;
    private long mappedIndirect;

    // ---- reading

    static FileMap load(Ext4Volume vol, InodeRec inode) {
        FileMap m = new FileMap();
        if (inode.hasFlag(Ext4Inode.EXT4_INLINE_DATA_FL)) {
            throw new Ext4Exception("EOPNOTSUPP", "inode " + inode.ino + " keeps its data inline (inline_data)");
        }
        if (inode.type() == Ext4Inode.S_IFLNK && !inode.hasFlag(Ext4Inode.EXT4_EXTENTS_FL) && inode.size() < 60
                && inode.blocksRaw() == 0) {
            return m; // a fast symlink: i_block holds the target, not block numbers
        }
        if (inode.hasFlag(Ext4Inode.EXT4_EXTENTS_FL)) {
            m.extentFormat = true;
            byte[] root = new byte[60];
            System.arraycopy(inode.raw, InodeRec.I_BLOCK, root, 0, 60);
            m.walk(vol, inode, root, 0, ROOT_ENTRIES, -1, 0, Long.MAX_VALUE, "the inode's i_block");
        } else {
            m.loadIndirect(vol, inode);
        }
        return m;
    }

    private void walk(Ext4Volume vol, InodeRec inode, byte[] b, int off, int maxCapacity, int wantDepth,
            long lo, long hi, String where) {
        int magic = Le.u16(b, off);
        int entries = Le.u16(b, off + 2);
        int max = Le.u16(b, off + 4);
        int depth = Le.u16(b, off + 6);
        String who = "inode " + inode.ino + ": extent node in " + where;
        if (magic != EXT4_EXT_MAGIC) {
            throw Ext4Exception.corrupted(who + " has bad magic 0x" + Integer.toHexString(magic));
        }
        if (max > maxCapacity || max == 0 || entries > max) {
            throw Ext4Exception.corrupted(who + " has " + entries + " entries of max " + max + " (room for "
                    + maxCapacity + ")");
        }
        if (depth > MAX_DEPTH || (wantDepth >= 0 && depth != wantDepth)) {
            throw Ext4Exception.corrupted(who + " has depth " + depth
                    + (wantDepth >= 0 ? ", expected " + wantDepth : ", more than " + MAX_DEPTH));
        }
        long prev = -1;
        for (int i = 0; i < entries; i++) {
            int e = off + 12 + 12 * i;
            long first = Le.u32(b, e);
            if (first <= prev && i > 0 || first < lo || first >= hi) {
                throw Ext4Exception.corrupted(who + ": entry " + i + " starts at logical block " + first
                        + ", out of order or outside [" + lo + ", " + hi + ")");
            }
            prev = first;
            if (depth == 0) {
                int rawLen = Le.u16(b, e + 4);
                boolean unwritten = rawLen > EXT_INIT_MAX_LEN;
                int len = unwritten ? rawLen - EXT_INIT_MAX_LEN : rawLen;
                long start = Le.u32(b, e + 8) | (long) Le.u16(b, e + 6) << 32;
                if (len == 0) {
                    throw Ext4Exception.corrupted(who + ": extent " + i + " has zero length");
                }
                if (first + len > 0x1_0000_0000L || first + len > hi) {
                    throw Ext4Exception.corrupted(who + ": extent " + i + " runs past its parent's range");
                }
                vol.checkDataRange(start, len, "inode " + inode.ino + "'s extent at logical block " + first);
                if (!extents.isEmpty() && extents.get(extents.size() - 1).end() > first) {
                    throw Ext4Exception.corrupted(who + ": extent at logical block " + first + " overlaps the previous");
                }
                extents.add(new Extent(first, len, start, unwritten));
            } else {
                long leaf = Le.u32(b, e + 4) | (long) Le.u16(b, e + 8) << 32;
                long nextFirst = i + 1 < entries ? Le.u32(b, e + 12) : hi;
                vol.checkDataRange(leaf, 1, "inode " + inode.ino + "'s extent index");
                if (treeBlocks.size() > vol.blocksCount()) {
                    throw Ext4Exception.corrupted(who + ": more tree blocks than the file system has");
                }
                treeBlocks.add(leaf);
                byte[] child = vol.cache().meta(leaf, "an extent index of inode " + inode.ino);
                vol.verifyExtentBlock(inode, child, leaf);
                walk(vol, inode, child, 0, (vol.blockSize() - 12) / 12, depth - 1, first, nextFirst,
                        "block " + leaf);
            }
        }
    }

    private void loadIndirect(Ext4Volume vol, InodeRec inode) {
        long size = inode.size();
        int bs = vol.blockSize();
        long perBlock = bs / 4;
        long nBlocks = (size + bs - 1) / bs;
        long limit = 12 + perBlock + perBlock * perBlock + perBlock * perBlock * perBlock;
        if (nBlocks > limit) {
            throw Ext4Exception.corrupted("inode " + inode.ino + " is larger than an indirect block map can hold");
        }
        for (int i = 0; i < 12 && i < nBlocks; i++) {
            addMapped(vol, inode, i, Le.u32(inode.raw, InodeRec.I_BLOCK + 4 * i));
        }
        long base = 12;
        long span = perBlock;
        for (int level = 1; level <= 3 && base < nBlocks; level++) {
            long ptr = Le.u32(inode.raw, InodeRec.I_BLOCK + 4 * (11 + level));
            indirect(vol, inode, ptr, level, base, nBlocks);
            base += span;
            span *= perBlock;
        }
    }

    private void indirect(Ext4Volume vol, InodeRec inode, long ptr, int level, long base, long nBlocks) {
        if (ptr == 0) {
            return;
        }
        vol.checkDataRange(ptr, 1, "inode " + inode.ino + "'s indirect block");
        if (treeBlocks.size() >= vol.blocksCount()) {
            // a block referenced over and over: without this a crafted map could take 2^30 steps
            throw Ext4Exception.corrupted("inode " + inode.ino + " has more indirect blocks than the file system");
        }
        treeBlocks.add(ptr);
        byte[] b = vol.cache().meta(ptr, "an indirect block of inode " + inode.ino);
        int perBlock = vol.blockSize() / 4;
        long childSpan = 1;
        for (int l = 1; l < level; l++) {
            childSpan *= perBlock;
        }
        for (int i = 0; i < perBlock; i++) {
            long lb = base + i * childSpan;
            if (lb >= nBlocks) {
                break;
            }
            long p = Le.u32(b, 4 * i);
            if (level == 1) {
                addMapped(vol, inode, lb, p);
            } else {
                indirect(vol, inode, p, level - 1, lb, nBlocks);
            }
        }
    }

    private void addMapped(Ext4Volume vol, InodeRec inode, long lblk, long pblk) {
        if (pblk == 0) {
            return;
        }
        vol.checkDataRange(pblk, 1, "inode " + inode.ino + "'s block map");
        if (++mappedIndirect > vol.blocksCount()) {
            throw Ext4Exception.corrupted("inode " + inode.ino + " maps more blocks than the file system has");
        }
        if (!extents.isEmpty()) {
            Extent last = extents.get(extents.size() - 1);
            if (last.end() == lblk && last.pblk + last.len == pblk && last.len < EXT_INIT_MAX_LEN) {
                last.len++;
                return;
            }
        }
        extents.add(new Extent(lblk, 1, pblk, false));
    }

    // ---- lookups

    /** @return index of the extent containing lblk, or -(insertion point) - 1 */
    int find(long lblk) {
        int lo = 0;
        int hi = extents.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Extent e = extents.get(mid);
            if (lblk < e.lblk) {
                hi = mid - 1;
            } else if (lblk >= e.end()) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** @return the physical block of lblk, 0 for a hole or an unwritten block */
    long map(long lblk) {
        int i = find(lblk);
        if (i < 0) {
            return 0;
        }
        Extent e = extents.get(i);
        return e.unwritten ? 0 : e.pblk + (lblk - e.lblk);
    }

    /** @return the number of blocks mapped (data, including unwritten) */
    long dataBlocks() {
        long n = 0;
        for (Extent e : extents) {
            n += e.len;
        }
        return n;
    }

    // ---- changes

    /** Maps lblk to pblk as written data (lblk must be a hole or inside an unwritten extent). */
    void set(long lblk, long pblk) {
        int i = find(lblk);
        if (i >= 0) {
            Extent e = extents.get(i);
            // split the unwritten extent around lblk
            extents.remove(i);
            int at = i;
            if (lblk > e.lblk) {
                extents.add(at++, new Extent(e.lblk, (int) (lblk - e.lblk), e.pblk, true));
            }
            extents.add(at, new Extent(lblk, 1, pblk, false));
            if (e.end() > lblk + 1) {
                extents.add(at + 1, new Extent(lblk + 1, (int) (e.end() - lblk - 1), e.pblk + (lblk - e.lblk) + 1,
                        true));
            }
            mergeAround(at);
            return;
        }
        int at = -(i + 1);
        extents.add(at, new Extent(lblk, 1, pblk, false));
        mergeAround(at);
    }

    private void mergeAround(int i) {
        if (i + 1 < extents.size() && mergeable(extents.get(i), extents.get(i + 1))) {
            Extent a = extents.get(i);
            a.len += extents.remove(i + 1).len;
        }
        if (i > 0 && mergeable(extents.get(i - 1), extents.get(i))) {
            Extent a = extents.get(i - 1);
            a.len += extents.remove(i).len;
        }
    }

    private static boolean mergeable(Extent a, Extent b) {
        int max = a.unwritten ? EXT_UNWRITTEN_MAX_LEN : EXT_INIT_MAX_LEN;
        return a.unwritten == b.unwritten && a.end() == b.lblk && a.pblk + a.len == b.pblk
                && (long) a.len + b.len <= max;
    }

    /**
     * Drops every mapping at or past {@code fromLblk}.
     *
     * @return freed physical runs as {start, count} pairs
     */
    List<long[]> truncate(long fromLblk) {
        List<long[]> freed = new ArrayList<>();
        for (int i = extents.size() - 1; i >= 0; i--) {
            Extent e = extents.get(i);
            if (e.end() <= fromLblk) {
                break;
            }
            if (e.lblk >= fromLblk) {
                freed.add(new long[] {e.pblk, e.len});
                extents.remove(i);
            } else {
                int keep = (int) (fromLblk - e.lblk);
                freed.add(new long[] {e.pblk + keep, e.len - keep});
                e.len = keep;
            }
        }
        return freed;
    }

    // ---- writing the tree back

    /** Number of tree blocks the current extent list needs. */
    int treeBlocksNeeded(int perBlock) {
        int n = extents.size();
        if (n <= ROOT_ENTRIES) {
            return 0;
        }
        int total = 0;
        int level = n;
        while (level > ROOT_ENTRIES) {
            level = (level + perBlock - 1) / perBlock;
            total += level;
        }
        return total;
    }

    /**
     * Writes the extent list into the inode's i_block and the given tree blocks (exactly
     * {@link #treeBlocksNeeded} of them), leaves first.
     */
    void store(Ext4Volume vol, InodeRec inode, List<Long> blocks) {
        int bs = vol.blockSize();
        int perBlock = (bs - 12) / 12;
        // the entries of the current level: {first lblk, payload...} encoded per entry
        List<long[]> level = new ArrayList<>();
        for (Extent e : extents) {
            level.add(new long[] {e.lblk, e.len + (e.unwritten ? EXT_INIT_MAX_LEN : 0), e.pblk});
        }
        int depth = 0;
        int next = 0;
        while (level.size() > ROOT_ENTRIES) {
            List<long[]> parent = new ArrayList<>();
            for (int i = 0; i < level.size(); i += perBlock) {
                long blk = blocks.get(next++);
                byte[] b = vol.cache().fresh(blk, "an extent block of inode " + inode.ino);
                int n = Math.min(perBlock, level.size() - i);
                writeNode(b, 0, level.subList(i, i + n), perBlock, depth);
                vol.setExtentTail(inode, b);
                parent.add(new long[] {level.get(i)[0], blk});
            }
            level = parent;
            depth++;
        }
        byte[] root = new byte[60];
        writeNode(root, 0, level, ROOT_ENTRIES, depth);
        System.arraycopy(root, 0, inode.raw, InodeRec.I_BLOCK, 60);
        inode.setFlags(inode.flags() | Ext4Inode.EXT4_EXTENTS_FL);
        treeBlocks.clear();
        treeBlocks.addAll(blocks);
        extentFormat = true;
    }

    private static void writeNode(byte[] b, int off, List<long[]> entries, int max, int depth) {
        Le.put16(b, off, EXT4_EXT_MAGIC);
        Le.put16(b, off + 2, entries.size());
        Le.put16(b, off + 4, max);
        Le.put16(b, off + 6, depth);
        Le.put32(b, off + 8, 0);
        for (int i = 0; i < entries.size(); i++) {
            long[] x = entries.get(i);
            int e = off + 12 + 12 * i;
            Le.put32(b, e, x[0]);
            if (depth == 0) {
                Le.put16(b, e + 4, (int) x[1]);
                Le.put16(b, e + 6, (int) (x[2] >>> 32));
                Le.put32(b, e + 8, x[2]);
            } else {
                Le.put32(b, e + 4, x[1]);
                Le.put16(b, e + 8, (int) (x[1] >>> 32));
                Le.put16(b, e + 10, 0);
            }
        }
    }
}
