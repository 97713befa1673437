package org.vfsgi.fs.ext4.disk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.HwException;

/**
 * File-system blocks over the sector device: a bounded cache of metadata blocks whose dirty
 * blocks stay pinned until {@link #flushDirty()}, and uncached data-block I/O. Every block number is
 * checked against s_blocks_count so a corrupted pointer can never reach past the file system, and
 * nothing is ever written while the volume is read-only.
 */
final class BlockCache {
    private static final int MAX_CLEAN = 2048;

    private final BlockDevice dev;
    final int blockSize;
    private final int sectorsPerBlock;
    final long blocksCount;
    private boolean readOnly;
    private final Map<Long, byte[]> clean = new LinkedHashMap<>(256, 0.75f, true);
    private final TreeMap<Long, byte[]> dirty = new TreeMap<>();
    /**
     * Cached blocks whose checksum was verified since they came from the device: this engine
     * rewrites a block's checksum whenever it changes one, so they need no second check.
     */
    private final java.util.Set<Long> verified = new java.util.HashSet<>();
    private long bytesWritten;

    BlockCache(BlockDevice dev, int blockSize, long blocksCount, boolean readOnly) {
        this.dev = dev;
        this.blockSize = blockSize;
        this.sectorsPerBlock = blockSize / BlockDevice.SECTOR_SIZE;
        this.blocksCount = blocksCount;
        this.readOnly = readOnly;
    }

    void setReadOnly(boolean ro) {
        readOnly = ro;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    void check(long blk, String what) {
        if (blk < 0 || blk >= blocksCount) {
            throw Ext4Exception.corrupted(what + " points at block " + blk + ", outside the file system of "
                    + blocksCount + " blocks");
        }
    }

    /** @return the cached block; callers that change it must call {@link #markDirty}. */
    byte[] meta(long blk, String what) {
        check(blk, what);
        byte[] b = dirty.get(blk);
        if (b != null) {
            return b;
        }
        b = clean.get(blk);
        if (b != null) {
            return b;
        }
        b = new byte[blockSize];
        readRaw(blk, b, 0);
        verified.remove(blk);
        clean.put(blk, b);
        if (clean.size() > MAX_CLEAN) {
            var it = clean.entrySet().iterator();
            verified.remove(it.next().getKey());
            it.remove();
        }
        return b;
    }

    /** A zero-filled block that will replace whatever is on disk (newly allocated metadata). */
    byte[] fresh(long blk, String what) {
        check(blk, what);
        requireWritable();
        byte[] b = new byte[blockSize];
        clean.remove(blk);
        verified.remove(blk);
        dirty.put(blk, b);
        return b;
    }

    void markDirty(long blk, byte[] b) {
        requireWritable();
        clean.remove(blk);
        dirty.put(blk, b);
    }

    /** Forgets a block that was freed, so a stale copy is never written over its next owner. */
    void forget(long blk) {
        clean.remove(blk);
        dirty.remove(blk);
        verified.remove(blk);
    }

    boolean isVerified(long blk) {
        return verified.contains(blk);
    }

    void setVerified(long blk) {
        verified.add(blk);
    }

    /** Reads a data block, seeing any unwritten metadata copy first. */
    void readData(long blk, byte[] dst, int off, String what) {
        check(blk, what);
        byte[] b = dirty.get(blk);
        if (b == null) {
            b = clean.get(blk);
        }
        if (b != null) {
            System.arraycopy(b, 0, dst, off, blockSize);
            return;
        }
        readRaw(blk, dst, off);
    }

    /**
     * Reads {@code count} physically consecutive data blocks with one device request when none
     * of them has a cached copy (which must win), else block by block.
     */
    void readDataRun(long blk, int count, byte[] dst, int off, String what) {
        check(blk, what);
        check(blk + count - 1, what);
        for (int k = 0; k < count; k++) {
            if (dirty.containsKey(blk + k) || clean.containsKey(blk + k)) {
                for (int j = 0; j < count; j++) {
                    readData(blk + j, dst, off + j * blockSize, what);
                }
                return;
            }
        }
        try {
            dev.readSectors(blk * sectorsPerBlock, count * sectorsPerBlock, dst, off);
        } catch (HwException e) {
            throw new Ext4Exception("EIO", "cannot read blocks " + blk + ".." + (blk + count - 1) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Writes a data block straight to the device. */
    void writeData(long blk, byte[] src, int off, String what) {
        check(blk, what);
        requireWritable();
        clean.remove(blk);
        dirty.remove(blk);
        verified.remove(blk);
        writeRaw(blk, src, off);
    }

    void flushDirty() {
        requireWritable();
        for (Map.Entry<Long, byte[]> e : dirty.entrySet()) {
            writeRaw(e.getKey(), e.getValue(), 0);
        }
        for (Map.Entry<Long, byte[]> e : dirty.entrySet()) {
            clean.put(e.getKey(), e.getValue());
        }
        dirty.clear();
    }

    int dirtyCount() {
        return dirty.size();
    }

    /** Writes bytes at a byte offset that is sector aligned (the superblock). */
    void writeBytes(long byteOffset, byte[] src) {
        requireWritable();
        try {
            dev.writeSectors(byteOffset / BlockDevice.SECTOR_SIZE, src.length / BlockDevice.SECTOR_SIZE, src, 0);
            bytesWritten += src.length;
        } catch (HwException e) {
            throw new Ext4Exception("EIO", "cannot write the device at byte " + byteOffset + ": " + e.getMessage(), e);
        }
    }

    void flushDevice() {
        requireWritable();
        try {
            dev.flush();
        } catch (HwException e) {
            throw new Ext4Exception("EIO", "cannot flush the device: " + e.getMessage(), e);
        }
    }

    private void requireWritable() {
        if (readOnly) {
            throw new Ext4Exception("EROFS", "the volume is mounted read-only");
        }
    }

    private void readRaw(long blk, byte[] dst, int off) {
        try {
            dev.readSectors(blk * sectorsPerBlock, sectorsPerBlock, dst, off);
        } catch (HwException e) {
            throw new Ext4Exception("EIO", "cannot read block " + blk + ": " + e.getMessage(), e);
        }
    }

    private void writeRaw(long blk, byte[] src, int off) {
        try {
            dev.writeSectors(blk * sectorsPerBlock, sectorsPerBlock, src, off);
            bytesWritten += blockSize;
        } catch (HwException e) {
            throw new Ext4Exception("EIO", "cannot write block " + blk + ": " + e.getMessage(), e);
        }
    }
}
