package org.vfsgi.fs.ext4.disk;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.HwException;

/**
 * A mounted ext4 file system on a {@link BlockDevice}: the whole on-disk engine behind one lock.
 *
 * <p>{@link #mount} validates the superblock, the group descriptors and the root inode before it
 * writes anything; incompatible features it does not implement refuse the mount, read-only-compatible
 * features it cannot keep right when writing (and an image marked with errors) force a read-only
 * mount, named by {@link #readOnlyReason()}; an image not cleanly unmounted mounts with a warning, as
 * the kernel's does. A read-write mount marks the superblock not-clean and counts the mount, as the
 * kernel does; {@link #unmount()} writes every dirty block, marks it clean again and adds to
 * s_kbytes_written. The journal is never used.
 *
 * <p>Inodes unlinked while in use, and files while a truncate shrinks them, are kept on the on-disk
 * orphan list (s_last_orphan, chained through i_dtime), written to the device as it changes; a
 * mount finds a non-empty list and finishes the work ({@code ext4_orphan_cleanup}).
 *
 * <p>Inodes are addressed by number. Every failure is an {@link Ext4Exception} naming the errno;
 * corrupted metadata fails the one operation that meets it ({@code EFSCORRUPTED}, or
 * {@code EFSBADCRC} for a checksum), never the JVM.
 */
public final class Ext4Volume implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Ext4Volume.class.getName());

    /** The root directory's inode number. */
    public static final long ROOT_INO = 2;
    /** The longest name a directory entry holds. */
    public static final int NAME_MAX = 255;
    private static final int FAST_SYMLINK_MAX = 59;
    private static final int MAX_LINKS = 65000;
    private static final int MAX_CACHED_MAPS = 64;

    private final BlockDevice dev;
    private final Superblock sb;
    private final BlockCache cache;
    private final Groups groups;
    private final int bs;
    private final int csumSeed;
    private final boolean csum;
    private final boolean readOnly;
    private final String readOnlyReason;
    private final long kbytesAtMount;
    private final Map<Long, FileMap> maps = new LinkedHashMap<>(64, 0.75f, true);
    private boolean mounted = true;
    private boolean errorsSeen;
    /**
     * Keep an inode whose last link goes until {@link #evict} (the kernel keeps it on the orphan
     * list while a file is open); off by default, when the last link frees the inode at once.
     */
    private boolean deferRelease;
    /**
     * The on-disk orphan list in memory, head first ({@code s_orphan}): the head is s_last_orphan
     * and each inode's i_dtime names the next. It holds inodes unlinked while in use until
     * {@link #evict}, and a file being truncated for the length of the truncate.
     */
    private final List<Long> orphans = new ArrayList<>();
    /**
     * How the orphan list changed in memory since it was last written: the operation that changed it
     * writes it (and everything else dirty) when it ends, a consistent point to be caught by a crash.
     */
    private int listWrite = LIST_WRITTEN;
    private static final int LIST_WRITTEN = 0;
    private static final int LIST_ADDED = 1;
    private static final int LIST_REMOVED = 2;
    /** {@code EXT4_FLAGS_SHUTDOWN}: every operation fails with EIO and nothing more reaches the device. */
    private boolean shutdown;

    private Ext4Volume(BlockDevice dev, Superblock sb, BlockCache cache, Groups groups, int csumSeed,
            boolean readOnly, String readOnlyReason) {
        this.dev = dev;
        this.sb = sb;
        this.cache = cache;
        this.groups = groups;
        this.bs = cache.blockSize;
        this.csumSeed = csumSeed;
        this.csum = sb.metadataCsum();
        this.readOnly = readOnly;
        this.readOnlyReason = readOnlyReason;
        this.kbytesAtMount = sb.kbytesWritten();
    }

    // =====================================================================================
    // mount / unmount

    /**
     * Mounts the ext4 file system on a block device.
     *
     * @param dev the device holding the image
     * @param readOnly mount read-only; a read-write request may still end read-only, see
     *        {@link #readOnlyReason()}
     * @return the mounted volume
     * @throws Ext4Exception EINVAL for something that is not ext4 or has impossible geometry,
     *         EFSCORRUPTED/EFSBADCRC for corrupted metadata, EOPNOTSUPP naming unsupported incompatible
     *         features, EIO when the device cannot be read; nothing has been written then
     */
    public static Ext4Volume mount(BlockDevice dev, boolean readOnly) {
        long devBytes;
        try {
            devBytes = dev.sectorCount() * BlockDevice.SECTOR_SIZE;
        } catch (HwException e) {
            throw new Ext4Exception("EIO", "cannot size the device: " + e.getMessage(), e);
        }
        if (devBytes < Superblock.OFFSET + Superblock.SIZE) {
            throw new Ext4Exception("EINVAL", "device of " + devBytes + " bytes is too small to hold an ext4 superblock");
        }
        Superblock sb = readSuperblock(dev);
        checkSuperblock(sb, devBytes);
        List<String> roReasons = new ArrayList<>();
        if (readOnly) {
            roReasons.add("read-only requested");
        }
        if (dev.readOnly() && !readOnly) {
            roReasons.add("the device is read-only");
        }
        List<String> unwritable = unwritableFeatures(sb);
        roReasons.addAll(unwritable);
        boolean errorFs = (sb.state() & Superblock.STATE_ERROR_FS) != 0;
        if (errorFs) {
            roReasons.add("the file system has errors; run e2fsck");
        }
        boolean ro = !roReasons.isEmpty();
        Ext4Volume vol = open(dev, sb, ro, ro ? String.join("; ", roReasons) : null);
        if (!readOnly && ro) {
            LOG.log(System.Logger.Level.WARNING, "ext4 on {0}: mounted read-only: {1}", dev.name(), vol.readOnlyReason);
        }
        if (!ro && (sb.state() & Superblock.STATE_VALID_FS) == 0) {
            // ext4_setup_super mounts an unchecked file system all the same, with this warning
            LOG.log(System.Logger.Level.WARNING,
                    "ext4 on {0}: mounting a file system that was not cleanly unmounted; running e2fsck is recommended",
                    dev.name());
        }
        if (sb.lastOrphan() != 0) {
            // ext4_orphan_cleanup's conditions: it runs on a read-only mount too, unless it cannot write
            String skip = dev.readOnly() ? "write access unavailable"
                    : !unwritable.isEmpty() ? String.join("; ", unwritable)
                    : errorFs ? "the file system has errors" : null;
            if (skip != null) {
                LOG.log(System.Logger.Level.INFO, "ext4: {0}: skipping orphan cleanup: {1}", dev.name(), skip);
            } else {
                vol = vol.orphanCleanup(ro);
            }
        }
        if (!ro) {
            vol.cache.setReadOnly(false);
            sb.setState(sb.state() & ~Superblock.STATE_VALID_FS);
            sb.setMntCount(sb.mntCount() + 1);
            sb.setMtime(Instant.now().getEpochSecond());
            vol.persist(true); // with what an orphan cleanup changed, the superblock first
        }
        LOG.log(System.Logger.Level.DEBUG, "ext4 on {0}: mounted {1}, {2} blocks of {3} bytes, {4} groups",
                dev.name(), ro ? "read-only" : "read-write", sb.blocksCount(), vol.bs, vol.groups.groupCount);
        return vol;
    }

    private static Superblock readSuperblock(BlockDevice dev) {
        byte[] raw = new byte[Superblock.SIZE];
        try {
            dev.readSectors(Superblock.OFFSET / BlockDevice.SECTOR_SIZE, Superblock.SIZE / BlockDevice.SECTOR_SIZE,
                    raw, 0);
        } catch (HwException e) {
            throw new Ext4Exception("EIO", "cannot read the superblock: " + e.getMessage(), e);
        }
        return new Superblock(raw);
    }

    /** @return why this engine cannot write the file system (features it cannot keep right), empty if it can */
    private static List<String> unwritableFeatures(Superblock sb) {
        List<String> out = new ArrayList<>();
        int roUnsupported = sb.featureRoCompat() & ~Superblock.RO_COMPAT_WRITABLE;
        if (roUnsupported != 0) {
            out.add("read-only-compatible features not supported for writing: "
                    + String.join(", ", Superblock.roCompatNames(roUnsupported)));
        }
        if (sb.hasCompat(Superblock.COMPAT_SPARSE_SUPER2)) {
            out.add("sparse_super2 not supported for writing");
        }
        if (!sb.hasIncompat(Superblock.INCOMPAT_EXTENTS)) {
            out.add("writing needs the extent feature");
        }
        return out;
    }

    /** Builds the volume over a checked superblock: group descriptors validated, root inode checked; writes nothing. */
    private static Ext4Volume open(BlockDevice dev, Superblock sb, boolean ro, String roReason) {
        int bs = 1024 << sb.logBlockSize();
        int seed;
        if (sb.hasIncompat(Superblock.INCOMPAT_CSUM_SEED)) {
            seed = sb.checksumSeed();
        } else {
            seed = Crc.crc32c(~0, sb.uuid());
        }
        BlockCache cache = new BlockCache(dev, bs, sb.blocksCount(), true);
        Groups groups = new Groups(sb, cache, seed);
        groups.validate();
        Ext4Volume vol = new Ext4Volume(dev, sb, cache, groups, seed, ro, roReason);
        Ext4Inode root = vol.inode(ROOT_INO);
        if (!root.isDirectory() || root.linksCount() == 0) {
            throw Ext4Exception.corrupted("the root inode is not a live directory (mode 0"
                    + Integer.toOctalString(root.mode()) + ", links " + root.linksCount() + ")");
        }
        // the kernel trusts the group descriptors' free counts over the superblock's
        sb.setFreeBlocksCount(groups.totalFreeBlocks());
        sb.setFreeInodesCount(groups.totalFreeInodes());
        return vol;
    }

    private static void checkSuperblock(Superblock sb, long devBytes) {
        if (sb.magic() != Superblock.EXT4_SUPER_MAGIC) {
            throw new Ext4Exception("EINVAL", "no ext4 superblock: magic is 0x" + Integer.toHexString(sb.magic())
                    + ", not 0xef53");
        }
        if (sb.metadataCsum()) {
            if (sb.checksumType() != 1) {
                throw Ext4Exception.corrupted("unknown checksum type " + sb.checksumType() + " (only crc32c)");
            }
            if (sb.computeChecksum() != sb.checksum()) {
                throw Ext4Exception.badCrc("superblock checksum is wrong (stored 0x" + Integer.toHexString(sb.checksum())
                        + ", computed 0x" + Integer.toHexString(sb.computeChecksum()) + ")");
            }
        }
        if (sb.revLevel() > 1) {
            throw new Ext4Exception("EINVAL", "unknown revision level " + sb.revLevel());
        }
        int unsupported = sb.featureIncompat() & ~Superblock.INCOMPAT_SUPPORTED;
        if (unsupported != 0) {
            throw new Ext4Exception("EOPNOTSUPP", "unsupported incompatible features: "
                    + String.join(", ", Superblock.incompatNames(unsupported)));
        }
        if (sb.logBlockSize() > 6) {
            throw new Ext4Exception("EINVAL", "block size 1024 << " + sb.logBlockSize() + " is not supported");
        }
        int bs = 1024 << sb.logBlockSize();
        if (sb.logClusterSize() != sb.logBlockSize() && !sb.hasRoCompat(Superblock.RO_COMPAT_BIGALLOC)) {
            throw Ext4Exception.corrupted("cluster size differs from block size without bigalloc");
        }
        long blocks = sb.blocksCount();
        long fdb = sb.firstDataBlock();
        if (fdb != (bs == 1024 ? 1 : 0)) {
            throw Ext4Exception.corrupted("s_first_data_block is " + fdb + " for a block size of " + bs);
        }
        if (blocks <= fdb + 1 || blocks > devBytes / bs) {
            throw new Ext4Exception("EINVAL", "bad geometry: block count " + blocks + " does not fit the device of "
                    + devBytes / bs + " blocks (truncated image?)");
        }
        long bpg = sb.blocksPerGroup();
        long cpg = sb.clustersPerGroup();
        if (bpg == 0 || bpg > 8L * bs || cpg == 0 || cpg > 8L * bs || bpg % 8 != 0 || cpg % 8 != 0) {
            throw Ext4Exception.corrupted("s_blocks_per_group " + bpg + " / s_clusters_per_group " + cpg
                    + " impossible for block size " + bs);
        }
        int isz = sb.inodeSize();
        if (isz < 128 || isz > bs || Integer.bitCount(isz) != 1) {
            throw Ext4Exception.corrupted("s_inode_size " + isz + " is not a power of two in [128, " + bs + "]");
        }
        long ipg = sb.inodesPerGroup();
        if (ipg < bs / isz || ipg > 8L * bs || ipg % 8 != 0) {
            throw Ext4Exception.corrupted("s_inodes_per_group " + ipg + " impossible for block size " + bs);
        }
        long groupCount = (blocks - fdb + bpg - 1) / bpg;
        if (sb.inodesCount() != groupCount * ipg) {
            throw Ext4Exception.corrupted("s_inodes_count " + sb.inodesCount() + " is not " + groupCount
                    + " groups x " + ipg + " inodes");
        }
        if (sb.firstIno() < 11 || sb.firstIno() >= sb.inodesCount()) {
            throw Ext4Exception.corrupted("s_first_ino " + sb.firstIno() + " out of range");
        }
        if (sb.is64bit()) {
            int ds = sb.descSize();
            if (ds < 64 || ds > 1024 || Integer.bitCount(ds) != 1) {
                throw Ext4Exception.corrupted("s_desc_size " + ds + " is not a power of two in [64, 1024]");
            }
        }
        long gdtBlocks = (groupCount * sb.descSize() + bs - 1) / bs;
        if (fdb + 1 + gdtBlocks >= blocks) {
            throw Ext4Exception.corrupted("group descriptor table of " + gdtBlocks + " blocks does not fit");
        }
        if (isz > 128) {
            int min = sb.minExtraIsize();
            if (min > isz - 128 || sb.wantExtraIsize() > isz - 128) {
                throw Ext4Exception.corrupted("s_min_extra_isize/s_want_extra_isize exceed the inode size");
            }
        }
    }

    /**
     * Writes every dirty block and the superblock, then flushes the device; the volume stays mounted
     * (and marked not-clean). A no-op when read-only.
     *
     * @throws Ext4Exception EIO when the device fails
     */
    public synchronized void sync() {
        requireMounted();
        if (readOnly) {
            return;
        }
        persist(false);
    }

    /**
     * Writes everything back, marks the superblock cleanly unmounted (s_state valid, s_wtime,
     * s_kbytes_written) and detaches from the device. Later calls fail with EINVAL.
     *
     * @throws Ext4Exception EIO when the device fails
     */
    public synchronized void unmount() {
        if (!mounted) {
            return;
        }
        try {
            if (!readOnly && !shutdown) {
                releaseOrphans();
                cache.flushDirty();
                int state = sb.state() | Superblock.STATE_VALID_FS;
                if (errorsSeen) {
                    state |= Superblock.STATE_ERROR_FS;
                }
                sb.setState(state);
                writeSuper();
                cache.flushDevice();
            }
        } finally {
            mounted = false;
            maps.clear();
            LOG.log(System.Logger.Level.DEBUG, "ext4 on {0}: unmounted", dev.name());
        }
    }

    /** Same as {@link #unmount()}. */
    @Override
    public void close() {
        unmount();
    }

    /**
     * Makes the last unlink of an inode keep it (with no links) until {@link #evict}, so that a
     * file still open or mapped can be read and written back, as the kernel keeps such an inode
     * on its orphan list. Inodes still kept at {@link #unmount()} are freed then.
     *
     * @param defer whether to defer freeing
     */
    public synchronized void setDeferRelease(boolean defer) {
        deferRelease = defer;
    }

    /**
     * Frees an inode whose last link went while {@link #setDeferRelease deferred} ({@code evict_inode}):
     * takes it off the on-disk orphan list, frees its blocks and the inode, and writes that to the
     * device at once; does nothing for an inode that still has links or was never kept.
     *
     * @param ino the inode number
     * @return whether the inode was freed
     * @throws Ext4Exception EROFS on a read-only volume, EIO when the device fails
     */
    public synchronized boolean evict(long ino) {
        if (!orphans.contains(ino)) {
            return false;
        }
        return writeOp(ino, () -> processOrphan(readInode(ino)));
    }

    /** @return how many inodes are on the orphan list: unlinked ones kept for their users */
    public synchronized int orphanCount() {
        return orphans.size();
    }

    /** At unmount nobody uses an unlinked inode any more: free every one still kept. */
    private void releaseOrphans() {
        if (orphans.isEmpty()) {
            return;
        }
        while (!orphans.isEmpty()) {
            processOrphan(readInode(orphans.get(0)));
        }
        persist(true);
    }

    /**
     * {@code ext4_orphan_add}: puts r at the head of the on-disk list (its i_dtime names the old head,
     * s_last_orphan names r), to be written by {@link #writeList()}. Does nothing if r is on it.
     */
    private void orphanAdd(InodeRec r) {
        if (orphans.contains(r.ino)) {
            return;
        }
        r.setDtime(sb.lastOrphan());
        writeInode(r);
        sb.setLastOrphan(r.ino);
        orphans.add(0, r.ino);
        listWrite |= LIST_ADDED;
    }

    /**
     * Writes a changed orphan list to the device at once, with everything else dirty: an addition
     * the inode before the superblock (which then never names an inode that does not point on), a
     * removal the superblock first (which then never names an inode already freed).
     */
    private void writeList() {
        if (listWrite != LIST_WRITTEN) {
            persist(listWrite == LIST_REMOVED);
        }
    }

    /**
     * {@code ext4_orphan_del}: unlinks r from the list, pointing its predecessor (the superblock or the
     * inode before it) at r's successor, and clears r's i_dtime; the caller writes r, and
     * {@link #writeList()} the list.
     */
    private void orphanDel(InodeRec r) {
        int i = orphans.indexOf(r.ino);
        if (i < 0) {
            return;
        }
        long next = r.dtime();
        if (i == 0) {
            sb.setLastOrphan(next);
        } else {
            InodeRec prev = readInode(orphans.get(i - 1));
            prev.setDtime(next);
            writeInode(prev);
        }
        orphans.remove(i);
        r.setDtime(0);
        listWrite |= LIST_REMOVED;
    }

    /**
     * {@code ext4_process_orphan}: takes r off the list, then frees it if no link is left, else frees
     * the blocks of a regular file past i_size (the rest of an interrupted truncate).
     *
     * @return whether the inode was freed
     */
    private boolean processOrphan(InodeRec r) {
        orphanDel(r);
        if (r.links() == 0) {
            release(r);
            return true;
        }
        if (r.type() == Ext4Inode.S_IFREG) {
            freeBlocksFrom(r, (r.size() + bs - 1) / bs);
        }
        writeInode(r);
        return false;
    }

    /** Writes every dirty block and the superblock (first too, if asked) and flushes the device. */
    private void persist(boolean superFirst) {
        listWrite = LIST_WRITTEN;
        if (superFirst && cache.dirtyCount() > 0) {
            writeSuper();
        }
        cache.flushDirty();
        writeSuper();
        cache.flushDevice();
    }

    /**
     * {@code ext4_orphan_cleanup} at mount: walks the whole list first without writing (so a broken
     * list changes nothing), then deletes the inodes with no links, truncates the others to i_size,
     * empties the list and writes the result. It runs on a read-only mount too, as the kernel's does.
     *
     * @param ro whether the volume stays read-only afterwards
     * @return the volume to use: this one, or for a read-only mount whose cleanup failed a fresh
     *         one over the untouched device
     * @throws Ext4Exception EFSCORRUPTED (or EFSBADCRC) naming what is wrong with the list, on a
     *         read-write mount; nothing has been written then
     */
    private Ext4Volume orphanCleanup(boolean ro) {
        long head = sb.lastOrphan();
        int deleted = 0;
        int truncated = 0;
        try {
            List<InodeRec> chain = guard(this::orphanChain);
            cache.setReadOnly(false);
            for (InodeRec r : chain) {
                orphans.add(r.ino);
            }
            for (InodeRec r : chain) {
                if (guard(() -> processOrphan(r))) {
                    deleted++;
                } else {
                    truncated++;
                }
            }
            if (ro) {
                persist(true);
                cache.setReadOnly(true);
            }
        } catch (Ext4Exception e) {
            if (!ro) {
                throw new Ext4Exception(e.errno(), "orphan list (s_last_orphan " + head + "): " + e.getMessage()
                        + "; run e2fsck, or mount read-only, which leaves the list alone", e);
            }
            LOG.log(System.Logger.Level.WARNING, "ext4: {0}: orphan cleanup skipped, list left alone: {1}",
                    dev.name(), e.getMessage());
            return open(dev, readSuperblock(dev), true, readOnlyReason);
        }
        LOG.log(System.Logger.Level.INFO, "ext4: {0}: orphan cleanup{1}: {2} inodes deleted, {3} truncated",
                dev.name(), ro ? " on a read-only file system" : "", deleted, truncated);
        return this;
    }

    /**
     * Reads the orphan list from s_last_orphan on, as {@code ext4_orphan_get} checks each entry: a
     * number in [s_first_ino, s_inodes_count], in use in the inode bitmap, with a mode; never the
     * same inode twice, which also bounds the walk by s_inodes_count.
     */
    private List<InodeRec> orphanChain() {
        List<InodeRec> chain = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        long ino = sb.lastOrphan();
        while (ino != 0) {
            String where = chain.isEmpty() ? "s_last_orphan"
                    : "the i_dtime of orphan inode " + chain.get(chain.size() - 1).ino;
            if (ino < sb.firstIno() || ino > sb.inodesCount()) {
                throw Ext4Exception.corrupted(where + " names inode " + ino + ", outside [" + sb.firstIno() + ", "
                        + sb.inodesCount() + "]");
            }
            if (!seen.add(ino)) {
                throw Ext4Exception.corrupted(where + " names inode " + ino + " again: the list loops");
            }
            if (!groups.inodeInUse(ino)) {
                throw Ext4Exception.corrupted(where + " names inode " + ino + ", which the inode bitmap says is free");
            }
            InodeRec r = readInode(ino);
            if (r.mode() == 0) {
                throw Ext4Exception.corrupted(where + " names inode " + ino + ", which has no mode (deleted)");
            }
            chain.add(r);
            ino = r.dtime();
        }
        return chain;
    }

    private void writeSuper() {
        sb.setFreeBlocksCount(groups.totalFreeBlocks());
        sb.setFreeInodesCount(groups.totalFreeInodes());
        sb.setWtime(Instant.now().getEpochSecond());
        sb.setKbytesWritten(kbytesAtMount + (cache.bytesWritten() + Superblock.SIZE + 1023) / 1024);
        sb.updateChecksum();
        cache.writeBytes(Superblock.OFFSET, sb.raw);
    }

    private void requireAttached() {
        if (!mounted) {
            throw new Ext4Exception("EINVAL", "the volume is unmounted");
        }
    }

    private void requireMounted() {
        if (!mounted) {
            throw new Ext4Exception("EINVAL", "the volume is unmounted");
        }
        if (shutdown) {
            throw new Ext4Exception("EIO", "the file system on " + dev.name() + " was shut down");
        }
    }

    /**
     * {@code EXT4_IOC_SHUTDOWN} with {@code EXT4_GOING_FLAGS_DEFAULT}: writes what is dirty (the
     * kernel freezes the device first, which syncs), then refuses every later operation with EIO
     * and writes nothing more, not even at {@link #unmount()}. The image stays marked as not
     * cleanly unmounted, as after a crash. Idempotent.
     *
     * @throws Ext4Exception EINVAL if unmounted, EIO if the final write fails (the volume is
     *         shut down all the same)
     */
    public synchronized void shutdown() {
        if (!mounted) {
            throw new Ext4Exception("EINVAL", "the volume is unmounted");
        }
        if (shutdown) {
            return;
        }
        try {
            if (!readOnly) {
                cache.flushDirty();
                writeSuper();
                cache.flushDevice();
            }
        } finally {
            shutdown = true;
            LOG.log(System.Logger.Level.INFO, "ext4 on {0}: shut down", dev.name());
        }
    }

    /** @return whether {@link #shutdown()} ran ({@code ext4_forced_shutdown}) */
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    private void requireWritable() {
        requireMounted();
        if (readOnly) {
            throw new Ext4Exception("EROFS", "the volume is read-only"
                    + (readOnlyReason != null ? " (" + readOnlyReason + ")" : ""));
        }
    }

    // =====================================================================================
    // figures

    /** @return whether the volume is mounted read-only */
    public boolean readOnly() {
        return readOnly;
    }

    /** @return why the volume is read-only, or {@code null} for a read-write mount */
    public String readOnlyReason() {
        return readOnlyReason;
    }

    /** @return the block size in bytes */
    public int blockSize() {
        return bs;
    }

    /** @return s_blocks_count */
    public long blocksCount() {
        return cache.blocksCount;
    }

    /** @return s_inodes_count */
    public long inodesCount() {
        return sb.inodesCount();
    }

    /** @return the file system's UUID as text */
    public String uuid() {
        byte[] u = sb.uuid();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                s.append('-');
            }
            s.append(String.format("%02x", u[i] & 0xFF));
        }
        return s.toString();
    }

    /** @return s_volume_name */
    public String volumeName() {
        return sb.volumeName();
    }

    /** @return every feature flag set in the superblock, by the names e2fsprogs uses */
    public List<String> features() {
        List<String> f = new ArrayList<>(Superblock.compatNames(sb.featureCompat()));
        f.addAll(Superblock.incompatNames(sb.featureIncompat()));
        f.addAll(Superblock.roCompatNames(sb.featureRoCompat()));
        return Collections.unmodifiableList(f);
    }

    /** @return s_mnt_count as it is now on disk (or will be written) */
    public int mountCount() {
        return sb.mntCount();
    }

    /** @return statfs figures */
    public synchronized Ext4StatFs statfs() {
        requireAttached(); // in-memory counts: statfs works after a shutdown too
        long free = groups.totalFreeBlocks();
        return new Ext4StatFs(bs, cache.blocksCount, free, Math.max(0, free - sb.reservedBlocksCount()),
                sb.inodesCount(), groups.totalFreeInodes(), NAME_MAX);
    }

    /** @return the largest file size the extent format allows at this block size */
    public long maxFileSize() {
        return ((1L << 32) - 1) * bs;
    }

    BlockCache cache() {
        return cache;
    }

    /** Physical blocks an inode's map and tree occupy (tree blocks first): lets tests aim at metadata. */
    synchronized List<Long> blocksOf(long ino, int maxData) {
        InodeRec r = readInode(ino);
        FileMap m = FileMap.load(this, r);
        List<Long> out = new ArrayList<>(m.treeBlocks);
        for (FileMap.Extent e : m.extents) {
            for (int i = 0; i < e.len && out.size() < maxData + m.treeBlocks.size(); i++) {
                out.add(e.pblk + i);
            }
        }
        return out;
    }

    /** @return {inode table block, byte offset} of an inode, for tests that corrupt it */
    long[] inodeLocation(long ino) {
        return groups.inodeLocation(ino);
    }

    /** @return the group descriptor table's first block and length, and group 0's bitmaps and inode table */
    long[] metadataLayout() {
        return new long[] {groups.gdtStart, groups.gdtBlocks, groups.blockBitmap(0), groups.inodeBitmap(0),
            groups.inodeTable(0), groups.inodeTableBlocks};
    }

    /** eh_depth of an inode's extent tree (-1 without one): lets tests prove a tree grew index levels. */
    synchronized int extentDepth(long ino) {
        InodeRec r = readInode(ino);
        return r.hasFlag(Ext4Inode.EXT4_EXTENTS_FL) ? Le.u16(r.raw, InodeRec.I_BLOCK + 6) : -1;
    }

    // =====================================================================================
    // checks used by the on-disk structures

    void checkDataRange(long start, long len, String what) {
        long metaEnd = groups.gdtStart + groups.gdtBlocks;
        if (start < metaEnd || len < 0 || start + len > cache.blocksCount) {
            throw Ext4Exception.corrupted(what + " points at blocks [" + start + ", " + (start + len)
                    + "), outside the data area [" + metaEnd + ", " + cache.blocksCount + ")");
        }
    }

    private int inodeSeed(InodeRec inode) {
        int c = Crc.crc32cLe32(csumSeed, inode.ino);
        return Crc.crc32cLe32(c, inode.generation());
    }

    void verifyExtentBlock(InodeRec inode, byte[] b, long blk) {
        int max = Le.u16(b, 4);
        if (Le.u16(b, 0) != FileMap.EXT4_EXT_MAGIC || max > (bs - 12) / 12) {
            throw Ext4Exception.corrupted("inode " + inode.ino + ": extent block " + blk + " has a bad header");
        }
        if (csum) {
            int tail = 12 + 12 * max;
            int c = Crc.crc32c(inodeSeed(inode), b, 0, tail);
            if (c != Le.s32(b, tail)) {
                throw Ext4Exception.badCrc("inode " + inode.ino + ": extent block " + blk + " fails its checksum");
            }
        }
    }

    void setExtentTail(InodeRec inode, byte[] b) {
        if (csum) {
            int tail = 12 + 12 * Le.u16(b, 4);
            Le.put32(b, tail, Crc.crc32c(inodeSeed(inode), b, 0, tail) & 0xFFFFFFFFL);
        }
    }

    // =====================================================================================
    // inodes

    private InodeRec readInode(long ino) {
        if (ino < 1 || ino > sb.inodesCount()) {
            throw Ext4Exception.corrupted("inode number " + ino + " is outside [1, " + sb.inodesCount() + "]");
        }
        long[] loc = groups.inodeLocation(ino);
        byte[] b = cache.meta(loc[0], "the inode table");
        byte[] raw = new byte[groups.inodeSize];
        System.arraycopy(b, (int) loc[1], raw, 0, raw.length);
        InodeRec r = new InodeRec(ino, raw);
        if (raw.length > InodeRec.GOOD_OLD_INODE_SIZE) {
            int extra = r.extraIsize();
            if (extra % 4 != 0 || InodeRec.GOOD_OLD_INODE_SIZE + extra > raw.length) {
                throw Ext4Exception.corrupted("inode " + ino + " has i_extra_isize " + extra);
            }
        }
        if (csum && !r.checksumOk(inodeSeed(r))) {
            throw Ext4Exception.badCrc("inode " + ino + " fails its checksum");
        }
        return r;
    }

    /** Reads an inode that a directory entry or the caller says is in use. */
    private InodeRec liveInode(long ino) {
        InodeRec r = readInode(ino);
        if ((r.links() == 0 && !orphans.contains(ino)) || r.mode() == 0) {
            throw Ext4Exception.corrupted("inode " + ino + " is referenced but deleted (links " + r.links() + ", mode 0"
                    + Integer.toOctalString(r.mode()) + ")");
        }
        return r;
    }

    private void writeInode(InodeRec r) {
        if (csum) {
            r.updateChecksum(inodeSeed(r));
        }
        long[] loc = groups.inodeLocation(r.ino);
        byte[] b = cache.meta(loc[0], "the inode table");
        System.arraycopy(r.raw, 0, b, (int) loc[1], r.raw.length);
        cache.markDirty(loc[0], b);
    }

    /**
     * Reads an inode.
     *
     * @param ino the inode number
     * @return a snapshot of the inode
     * @throws Ext4Exception EFSCORRUPTED for a number outside s_inodes_count or a bad i_extra_isize,
     *         EFSBADCRC for a bad checksum
     */
    public synchronized Ext4Inode inode(long ino) {
        requireAttached(); // stat still works after a shutdown, as the kernel's in-memory inodes do
        return guard(() -> readInode(ino).snapshot(sb.hasRoCompat(Superblock.RO_COMPAT_HUGE_FILE), bs));
    }

    private FileMap fileMap(InodeRec r) {
        FileMap m = maps.get(r.ino);
        if (m == null) {
            m = FileMap.load(this, r);
            maps.put(r.ino, m);
            if (maps.size() > MAX_CACHED_MAPS) {
                var it = maps.entrySet().iterator();
                it.next();
                it.remove();
            }
        }
        return m;
    }

    private interface Op<T> {
        T run();
    }

    /** Runs one operation; corruption found while writing is remembered for the superblock's state. */
    private <T> T guard(Op<T> op) {
        try {
            return op.run();
        } catch (Ext4Exception e) {
            if (!readOnly && (e.errno().equals("EFSCORRUPTED") || e.errno().equals("EFSBADCRC"))) {
                errorsSeen = true;
            }
            throw e;
        } catch (RuntimeException e) {
            // no JVM exception may escape for a corrupted image: report it as corruption
            throw Ext4Exception.corrupted("inconsistent metadata: " + e);
        }
    }

    // =====================================================================================
    // reading files

    /**
     * Reads file data; holes and unwritten extents read as zeros.
     *
     * @param ino a regular file (or a symlink)
     * @param pos byte offset
     * @param buf destination
     * @param off offset in buf
     * @param len bytes wanted
     * @return bytes read, 0 at or past end of file
     * @throws Ext4Exception EISDIR for a directory, EINVAL for a negative position or bad buffer range,
     *         EFSCORRUPTED/EFSBADCRC for a broken block map
     */
    public synchronized int read(long ino, long pos, byte[] buf, int off, int len) {
        requireMounted();
        if (pos < 0 || off < 0 || len < 0 || off + len > buf.length || off + len < 0) {
            throw new Ext4Exception("EINVAL", "bad read range: pos " + pos + ", off " + off + ", len " + len);
        }
        return guard(() -> {
            InodeRec r = liveInode(ino);
            if (r.isDir()) {
                throw new Ext4Exception("EISDIR", "inode " + ino + " is a directory");
            }
            return readData(r, pos, buf, off, len);
        });
    }

    /**
     * Reads a whole file into memory (for small files and tests).
     *
     * @param ino a regular file
     * @return its bytes
     * @throws Ext4Exception EFBIG if the file is larger than 1 GiB, and as {@link #read}
     */
    public synchronized byte[] readAll(long ino) {
        requireMounted();
        long size = inode(ino).size();
        if (size > (1 << 30)) {
            throw new Ext4Exception("EFBIG", "inode " + ino + " has " + size + " bytes, too many to read at once");
        }
        byte[] b = new byte[(int) size];
        int n = read(ino, 0, b, 0, b.length);
        return n == b.length ? b : java.util.Arrays.copyOf(b, n);
    }

    /** Most blocks one data read asks the device for at once (1 MiB of 4 KiB blocks). */
    private static final int MAX_READ_RUN = 256;

    /**
     * Reads {@code count} consecutive pages of a regular file ({@code ext4_readahead}): holes and
     * the part past end of file read as zeros; runs of blocks that lie together on the device
     * are read with one request each.
     *
     * @param ino a regular file
     * @param index the first page
     * @param count the number of pages
     * @param buf {@code count * 4096} bytes
     * @throws Ext4Exception as {@link #read}
     */
    public synchronized void readPages(long ino, long index, int count, byte[] buf) {
        if (count < 1 || buf.length < count * 4096L || index < 0) {
            throw new Ext4Exception("EINVAL", "readPages wants count >= 1 pages at a non-negative index, a buffer of"
                    + " count pages");
        }
        int n = read(ino, index * 4096, buf, 0, count * 4096);
        java.util.Arrays.fill(buf, n, count * 4096, (byte) 0);
    }

    /**
     * Reads one 4096-byte page of a file, zero-filled past end of file (what a page-cache fill needs).
     *
     * @param ino a regular file
     * @param index page index
     * @param page destination of 4096 bytes
     * @return the number of bytes inside the file (0 if the page is wholly past end of file)
     * @throws Ext4Exception as {@link #read}, EINVAL for a page that is not 4096 bytes
     */
    public synchronized int readPage(long ino, long index, byte[] page) {
        if (page.length != 4096 || index < 0) {
            throw new Ext4Exception("EINVAL", "a page is 4096 bytes at a non-negative index");
        }
        java.util.Arrays.fill(page, (byte) 0);
        return read(ino, index * 4096, page, 0, 4096);
    }

    /**
     * Lists the logical blocks of {@code [pos, pos + len)} of a regular file that are holes: what
     * writing that range must allocate (the space {@code ext4_page_mkwrite} and a delayed-allocation
     * write reserve before a page may be dirtied).
     *
     * @param ino a regular file
     * @param pos first byte
     * @param len bytes
     * @return the unallocated logical block numbers, ascending
     * @throws Ext4Exception EINVAL for a negative range, EISDIR, EFSCORRUPTED for a broken map
     */
    public synchronized long[] holes(long ino, long pos, long len) {
        requireMounted();
        if (pos < 0 || len < 0 || pos + len < 0) {
            throw new Ext4Exception("EINVAL", "bad range: pos " + pos + ", len " + len);
        }
        return guard(() -> {
            InodeRec r = regularFile(ino);
            if (len == 0) {
                return new long[0];
            }
            FileMap m = fileMap(r);
            long first = pos / bs;
            long last = (pos + len - 1) / bs;
            long[] out = new long[(int) Math.min(last - first + 1, Integer.MAX_VALUE - 8)];
            int n = 0;
            for (long b = first; b <= last && n < out.length; b++) {
                if (b >= 0x1_0000_0000L || m.map(b) == 0) {
                    out[n++] = b;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        });
    }

    private int readData(InodeRec r, long pos, byte[] buf, int off, int len) {
        long size = r.size();
        if (pos >= size || len == 0) {
            return 0;
        }
        int n = (int) Math.min(len, size - pos);
        FileMap m = fileMap(r);
        byte[] blk = null;
        int done = 0;
        while (done < n) {
            long p = pos + done;
            long lblk = p / bs;
            int inBlk = (int) (p % bs);
            int chunk = Math.min(bs - inBlk, n - done);
            long pblk = lblk < 0x1_0000_0000L ? m.map(lblk) : 0;
            if (pblk == 0) {
                java.util.Arrays.fill(buf, off + done, off + done + chunk, (byte) 0);
            } else if (inBlk == 0 && chunk == bs) {
                // Whole blocks: extend over the blocks that follow on the device too (one extent,
                // usually), so a readahead window is one device request, as mpage_readahead's bio.
                int run = 1;
                long maxRun = Math.min((n - done) / bs, MAX_READ_RUN);
                while (run < maxRun && lblk + run < 0x1_0000_0000L && m.map(lblk + run) == pblk + run) {
                    run++;
                }
                cache.readDataRun(pblk, run, buf, off + done, "inode " + r.ino + "'s data");
                chunk = run * bs;
            } else {
                if (blk == null) {
                    blk = new byte[bs];
                }
                cache.readData(pblk, blk, 0, "inode " + r.ino + "'s data");
                System.arraycopy(blk, inBlk, buf, off + done, chunk);
            }
            done += chunk;
        }
        return n;
    }

    /**
     * Reads a symbolic link's target (fast symlinks keep it in i_block, slow ones in a data block).
     *
     * @param ino a symlink
     * @return the target
     * @throws Ext4Exception EINVAL if ino is not a symlink, EFSCORRUPTED for an impossible length
     */
    public synchronized String readlink(long ino) {
        requireMounted();
        return guard(() -> {
            InodeRec r = liveInode(ino);
            if (r.type() != Ext4Inode.S_IFLNK) {
                throw new Ext4Exception("EINVAL", "inode " + ino + " is not a symbolic link");
            }
            long size = r.size();
            if (size <= 0 || size >= bs) {
                throw Ext4Exception.corrupted("symlink inode " + ino + " has length " + size);
            }
            long eaBlocks = r.fileAcl() != 0 ? bs / 512 : 0;
            boolean fast = !r.hasFlag(Ext4Inode.EXT4_EXTENTS_FL)
                    && r.blocks512(sb.hasRoCompat(Superblock.RO_COMPAT_HUGE_FILE), bs) - eaBlocks == 0;
            byte[] target = new byte[(int) size];
            if (fast) {
                if (size > 60) {
                    throw Ext4Exception.corrupted("fast symlink inode " + ino + " claims " + size + " bytes");
                }
                System.arraycopy(r.raw, InodeRec.I_BLOCK, target, 0, (int) size);
            } else {
                readData(r, 0, target, 0, (int) size);
            }
            return new String(target, StandardCharsets.UTF_8);
        });
    }

    // =====================================================================================
    // directories

    private static int recLen(int nameLen) {
        return (nameLen + 8 + 3) & ~3;
    }

    private int decodeRecLen(int v) {
        if (bs < 65536) {
            return v;
        }
        return v == 65535 || v == 0 ? bs : (v & 65532) | ((v & 3) << 16);
    }

    private int encodeRecLen(int len) {
        if (bs < 65536) {
            return len;
        }
        return len == bs ? 65535 : (len & 65532) | ((len >> 16) & 3);
    }

    private boolean hasDirentTail(byte[] b) {
        int t = bs - 12;
        return Le.u32(b, t) == 0 && Le.u16(b, t + 4) == 12 && Le.u8(b, t + 6) == 0 && Le.u8(b, t + 7) == 0xDE;
    }

    private boolean isDxNode(long lblk, byte[] b) {
        return lblk == 0 || (Le.u32(b, 0) == 0 && decodeRecLen(Le.u16(b, 4)) == bs);
    }

    private boolean indexed(InodeRec dir) {
        return dir.hasFlag(Ext4Inode.EXT4_INDEX_FL) && sb.hasCompat(Superblock.COMPAT_DIR_INDEX);
    }

    private long dirBlocks(InodeRec dir) {
        long size = dir.size();
        if (size % bs != 0 || size / bs > 0x1_0000_0000L) {
            throw Ext4Exception.corrupted("directory inode " + dir.ino + " has size " + size
                    + ", not a whole number of blocks");
        }
        return size / bs;
    }

    /** Reads directory block lblk and checks its checksum (dirent tail or dx tail). */
    private byte[] dirBlock(InodeRec dir, FileMap m, long lblk) {
        long pblk = m.map(lblk);
        if (pblk == 0) {
            throw Ext4Exception.corrupted("directory inode " + dir.ino + " has a hole at block " + lblk);
        }
        byte[] b = cache.meta(pblk, "directory inode " + dir.ino);
        if (csum && !cache.isVerified(pblk)) {
            if (hasDirentTail(b)) {
                int c = Crc.crc32c(inodeSeed(dir), b, 0, bs - 12);
                if (c != Le.s32(b, bs - 4)) {
                    throw Ext4Exception.badCrc("directory inode " + dir.ino + " block " + lblk + " fails its checksum");
                }
            } else if (indexed(dir) && isDxNode(lblk, b)) {
                verifyDx(dir, lblk, b);
            } else {
                throw Ext4Exception.corrupted("directory inode " + dir.ino + " block " + lblk
                        + " has no checksum tail");
            }
            cache.setVerified(pblk);
        }
        return b;
    }

    private int dxCountOffset(long lblk) {
        return lblk == 0 ? 0x20 : 0x8;
    }

    private int dxLimit(long lblk) {
        return (bs - dxCountOffset(lblk) - (csum ? 8 : 0)) / 8;
    }

    private void verifyDx(InodeRec dir, long lblk, byte[] b) {
        int co = dxCountOffset(lblk);
        int limit = Le.u16(b, co);
        int count = Le.u16(b, co + 2);
        if (limit != dxLimit(lblk) || count > limit) {
            throw Ext4Exception.corrupted("directory inode " + dir.ino + " htree block " + lblk + " has count " + count
                    + " limit " + limit);
        }
        int tail = co + limit * 8;
        int c = Crc.crc32c(inodeSeed(dir), b, 0, co + count * 8);
        c = Crc.crc32c(c, b, tail, 4);
        c = Crc.crc32c(c, new byte[4], 0, 4);
        if (c != Le.s32(b, tail + 4)) {
            throw Ext4Exception.badCrc("directory inode " + dir.ino + " htree block " + lblk + " fails its checksum");
        }
    }

    private void setDirTail(InodeRec dir, byte[] b) {
        if (csum) {
            int t = bs - 12;
            Le.put32(b, t, 0);
            Le.put16(b, t + 4, 12);
            Le.put8(b, t + 6, 0);
            Le.put8(b, t + 7, 0xDE);
            Le.put32(b, t + 8, Crc.crc32c(inodeSeed(dir), b, 0, t) & 0xFFFFFFFFL);
        }
    }

    /** Entries of one block: each {offset, recLen, ino, nameLen, fileType}; checks what ext4_check_dir_entry checks. */
    private List<int[]> parseBlock(InodeRec dir, long lblk, byte[] b) {
        List<int[]> out = new ArrayList<>();
        int off = 0;
        while (off < bs) {
            if (off + 8 > bs) {
                throw Ext4Exception.corrupted("directory inode " + dir.ino + " block " + lblk + ": entry header at "
                        + off + " crosses the block end");
            }
            long ino = Le.u32(b, off);
            int rl = decodeRecLen(Le.u16(b, off + 4));
            int nl = Le.u8(b, off + 6);
            int ft = Le.u8(b, off + 7);
            if (rl < 12 || rl % 4 != 0 || rl < recLen(nl) || off + rl > bs
                    || ino > sb.inodesCount()) {
                throw Ext4Exception.corrupted("directory inode " + dir.ino + " block " + lblk + ": bad entry at offset "
                        + off + " (rec_len " + rl + ", name_len " + nl + ", inode " + ino + ")");
            }
            out.add(new int[] {off, rl, (int) ino, nl, ft});
            off += rl;
        }
        return out;
    }

    private InodeRec dirInode(long dirIno) {
        InodeRec d = liveInode(dirIno);
        if (!d.isDir()) {
            throw new Ext4Exception("ENOTDIR", "inode " + dirIno + " is not a directory");
        }
        return d;
    }

    /**
     * Lists a directory, including "." and "..", in on-disk order.
     *
     * @param dirIno a directory
     * @return its entries
     * @throws Ext4Exception ENOTDIR, EFSCORRUPTED/EFSBADCRC for broken directory blocks
     */
    public synchronized List<DirEntry> readdir(long dirIno) {
        requireMounted();
        return guard(() -> {
            InodeRec d = dirInode(dirIno);
            FileMap m = fileMap(d);
            List<DirEntry> out = new ArrayList<>();
            long n = dirBlocks(d);
            for (long lblk = 0; lblk < n; lblk++) {
                byte[] b = dirBlock(d, m, lblk);
                for (int[] e : parseBlock(d, lblk, b)) {
                    if (e[2] != 0 && e[3] > 0) {
                        out.add(new DirEntry(new String(b, e[0] + 8, e[3], StandardCharsets.UTF_8),
                                e[2] & 0xFFFFFFFFL, e[4]));
                    }
                }
            }
            return out;
        });
    }

    /** Where a name was found: its block, offset, the previous entry's offset in the block (-1 if first). */
    private static final class Found {
        long lblk;
        int off;
        int prevOff;
        long ino;
    }

    private static byte[] nameBytes(String name) {
        if (name == null || name.isEmpty()) {
            throw new Ext4Exception("ENOENT", "empty name");
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > NAME_MAX) {
            throw new Ext4Exception("ENAMETOOLONG", "name of " + n.length + " bytes is longer than " + NAME_MAX);
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new Ext4Exception("EINVAL", "name '" + name + "' contains '/' or NUL");
        }
        return n;
    }

    private Found findIn(InodeRec d, FileMap m, long lblk, byte[] name) {
        byte[] b = dirBlock(d, m, lblk);
        int prev = -1;
        for (int[] e : parseBlock(d, lblk, b)) {
            if (e[2] != 0 && e[3] == name.length
                    && java.util.Arrays.equals(b, e[0] + 8, e[0] + 8 + e[3], name, 0, name.length)) {
                Found f = new Found();
                f.lblk = lblk;
                f.off = e[0];
                f.prevOff = prev;
                f.ino = e[2] & 0xFFFFFFFFL;
                return f;
            }
            prev = e[0];
        }
        return null;
    }

    private Found find(InodeRec d, byte[] name) {
        FileMap m = fileMap(d);
        long n = dirBlocks(d);
        if (n > 0 && isDot(name)) {
            // "." and ".." are the first two entries of block 0, which in an htree is the dx_root
            return findIn(d, m, 0, name);
        }
        if (indexed(d)) {
            DxPath p = dxFind(d, m, name);
            if (p != null) {
                for (long lblk : p.candidates) {
                    if (lblk >= n) {
                        throw Ext4Exception.corrupted("directory inode " + d.ino + ": htree points at block " + lblk
                                + " past its end");
                    }
                    Found f = findIn(d, m, lblk, name);
                    if (f != null) {
                        return f;
                    }
                }
                return null;
            }
        }
        for (long lblk = 0; lblk < n; lblk++) {
            Found f = findIn(d, m, lblk, name);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static boolean isDot(byte[] name) {
        return name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.';
    }

    /** The htree walk's result: the leaf to search first and any collision continuations. */
    private static final class DxPath {
        final List<Long> candidates = new ArrayList<>();
        /** The index node holding the leaf's entry, and that entry's position in it. */
        long parentLblk;
        int parentAt;
        int hashVersion;
    }

    private int dxHashVersion(int rootVersion) {
        int v = rootVersion;
        if (v <= DirHash.DX_HASH_TEA && (sb.flags() & Superblock.FLAGS_UNSIGNED_HASH) != 0) {
            v += 3;
        }
        return v;
    }

    /** @return the htree path for a name, or null if the index cannot be used (unknown hash) */
    private DxPath dxFind(InodeRec d, FileMap m, byte[] name) {
        byte[] root = dirBlock(d, m, 0);
        if (Le.u32(root, 0x18) != 0 || Le.u8(root, 0x1D) != 8) {
            throw Ext4Exception.corrupted("directory inode " + d.ino + " has a bad dx_root_info");
        }
        int version = Le.u8(root, 0x1C);
        if (version > DirHash.DX_HASH_TEA_UNSIGNED) {
            return null;
        }
        int levels = Le.u8(root, 0x1E);
        int maxLevels = sb.hasIncompat(Superblock.INCOMPAT_LARGEDIR) ? 3 : 2;
        if (levels >= maxLevels) {
            throw Ext4Exception.corrupted("directory inode " + d.ino + " has " + levels + " htree levels");
        }
        int hash = DirHash.hash(dxHashVersion(version), sb.hashSeed(), name);
        long hashU = hash & 0xFFFFFFFFL;
        byte[] node = root;
        long nodeLblk = 0;
        DxPath path = new DxPath();
        long nBlocks = dirBlocks(d);
        for (int level = 0; level <= levels; level++) {
            int co = dxCountOffset(nodeLblk);
            int limit = Le.u16(node, co);
            int count = Le.u16(node, co + 2);
            if (count == 0 || count > limit || co + limit * 8 > bs) {
                throw Ext4Exception.corrupted("directory inode " + d.ino + " htree node " + nodeLblk + " has count "
                        + count + " limit " + limit);
            }
            int at = 0;
            for (int i = 1; i < count; i++) {
                if ((Le.u32(node, co + 8 * i) & 0xFFFFFFFEL) <= hashU) {
                    at = i;
                } else {
                    break;
                }
            }
            long child = Le.u32(node, co + 8 * at + 4) & 0x0FFFFFFFL;
            if (child >= nBlocks || child == 0) {
                throw Ext4Exception.corrupted("directory inode " + d.ino + " htree points at block " + child);
            }
            if (level == levels) {
                path.parentLblk = nodeLblk;
                path.parentAt = at;
                path.hashVersion = dxHashVersion(version);
                path.candidates.add(child);
                // names with the same hash may continue in the next leaves, marked by the low bit
                for (int i = at + 1; i < count; i++) {
                    long h = Le.u32(node, co + 8 * i);
                    if ((h & 1) == 0 || (h & ~1L) != hashU) {
                        break;
                    }
                    path.candidates.add(Le.u32(node, co + 8 * i + 4) & 0x0FFFFFFFL);
                }
            } else {
                node = dirBlock(d, m, child);
                if (!isDxNode(child, node)) {
                    throw Ext4Exception.corrupted("directory inode " + d.ino + " htree block " + child
                            + " is not an index node");
                }
                nodeLblk = child;
            }
        }
        return path;
    }

    /**
     * Looks a name up in a directory (through the htree index when the directory has one).
     *
     * @param dirIno a directory
     * @param name the entry's name
     * @return the inode number the entry points at
     * @throws Ext4Exception ENOENT if absent, ENOTDIR, ENAMETOOLONG, EFSCORRUPTED/EFSBADCRC
     */
    public synchronized long lookup(long dirIno, String name) {
        requireMounted();
        byte[] n = nameBytes(name);
        return guard(() -> {
            InodeRec d = dirInode(dirIno);
            Found f = find(d, n);
            if (f == null) {
                throw new Ext4Exception("ENOENT", "no entry '" + name + "' in directory inode " + dirIno);
            }
            return f.ino;
        });
    }

    /**
     * Resolves an absolute path without following symbolic links.
     *
     * @param path for example {@code "/a/b"}
     * @return the inode number
     * @throws Ext4Exception ENOENT, ENOTDIR, EINVAL for a relative path
     */
    public synchronized long resolve(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new Ext4Exception("EINVAL", "path '" + path + "' is not absolute");
        }
        long ino = ROOT_INO;
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                ino = lookup(ino, part);
            }
        }
        return ino;
    }

    // =====================================================================================
    // write side: helpers

    private Instant now() {
        return Instant.now();
    }

    private long goalFor(InodeRec r, FileMap m, long lblk) {
        int i = m.find(lblk);
        int before = i >= 0 ? i : -(i + 1) - 1;
        if (before >= 0 && before < m.extents.size()) {
            FileMap.Extent e = m.extents.get(before);
            return e.pblk + (lblk - e.lblk);
        }
        long g = (r.ino - 1) / groups.ipg;
        return groups.groupFirstBlock(g);
    }

    /** Rewrites r's extent tree from its map, growing or shrinking the set of tree blocks, and i_blocks. */
    private void commitMap(InodeRec r, FileMap m) {
        int perBlock = (bs - 12) / 12;
        int need = m.treeBlocksNeeded(perBlock);
        List<Long> blocks = new ArrayList<>(m.treeBlocks);
        List<Long> fresh = new ArrayList<>();
        try {
            while (blocks.size() < need) {
                long goal = m.extents.isEmpty() ? groups.groupFirstBlock((r.ino - 1) / groups.ipg)
                        : m.extents.get(0).pblk;
                long[] got = groups.allocBlocks(goal, 1);
                fresh.add(got[0]);
                blocks.add(got[0]);
            }
        } catch (Ext4Exception e) {
            for (long b : fresh) {
                groups.freeBlocks(b, 1);
            }
            throw e;
        }
        while (blocks.size() > need) {
            long b = blocks.remove(blocks.size() - 1);
            groups.freeBlocks(b, 1);
        }
        m.store(this, r, blocks);
        long extra = r.fileAcl() != 0 ? 1 : 0;
        r.setBlocks512((m.dataBlocks() + blocks.size() + extra) * (bs / 512));
    }

    private FileMap copyOf(FileMap m) {
        FileMap c = new FileMap();
        for (FileMap.Extent e : m.extents) {
            c.extents.add(new FileMap.Extent(e.lblk, e.len, e.pblk, e.unwritten));
        }
        c.treeBlocks.addAll(m.treeBlocks);
        c.extentFormat = m.extentFormat;
        return c;
    }

    private static void restore(FileMap m, FileMap before) {
        m.extents.clear();
        m.extents.addAll(before.extents);
        m.treeBlocks.clear();
        m.treeBlocks.addAll(before.treeBlocks);
    }

    /** A file past 2 GiB needs the large_file feature, as ext4_update_inode sets it. */
    private void noteSize(long size) {
        if (size > 0x7FFFFFFFL && !sb.hasRoCompat(Superblock.RO_COMPAT_LARGE_FILE)) {
            Le.put32(sb.raw, 0x64, (sb.featureRoCompat() | Superblock.RO_COMPAT_LARGE_FILE) & 0xFFFFFFFFL);
        }
    }

    private <T> T writeOp(long ino, Op<T> op) {
        requireWritable();
        try {
            return guard(() -> {
                T result = op.run();
                writeList();
                return result;
            });
        } catch (RuntimeException e) {
            maps.clear(); // a failed operation may have left a cached map ahead of the disk
            throw e;
        }
    }

    /**
     * Writes data blocks for [pos, pos+len) of r, allocating holes; stops early on ENOSPC.
     *
     * @return bytes written
     */
    private int writeData(InodeRec r, long pos, byte[] data, int off, int len) {
        FileMap m = fileMap(r);
        byte[] blk = new byte[bs];
        int done = 0;
        while (done < len) {
            long p = pos + done;
            long lblk = p / bs;
            int inBlk = (int) (p % bs);
            int chunk = Math.min(bs - inBlk, len - done);
            int idx = m.find(lblk);
            if (idx >= 0 && m.extents.get(idx).unwritten) {
                // preallocated (unwritten) block: write it in place, then mark it written in the map
                FileMap.Extent e = m.extents.get(idx);
                long target = e.pblk + (lblk - e.lblk);
                java.util.Arrays.fill(blk, (byte) 0);
                System.arraycopy(data, off + done, blk, inBlk, chunk);
                FileMap before = copyOf(m);
                m.set(lblk, target);
                try {
                    commitMap(r, m);
                } catch (Ext4Exception x) {
                    restore(m, before);
                    if (x.errno().equals("ENOSPC") && done > 0) {
                        break;
                    }
                    throw x;
                }
                cache.writeData(target, blk, 0, "inode " + r.ino + "'s data");
                done += chunk;
                continue;
            }
            long pblk = idx >= 0 ? m.map(lblk) : 0;
            if (pblk != 0) {
                if (chunk < bs) {
                    cache.readData(pblk, blk, 0, "inode " + r.ino + "'s data");
                }
                System.arraycopy(data, off + done, blk, inBlk, chunk);
                cache.writeData(pblk, blk, 0, "inode " + r.ino + "'s data");
                done += chunk;
                continue;
            }
            // a hole (or unwritten): allocate a run for as many following unmapped blocks as we will write
            long lastLblk = (pos + len - 1) / bs;
            long run = 1;
            if (idx < 0) {
                int next = -(idx + 1);
                long limit = next < m.extents.size() ? m.extents.get(next).lblk - 1 : Long.MAX_VALUE;
                run = Math.min(lastLblk, limit) - lblk + 1;
            }
            FileMap before = copyOf(m);
            long[] got;
            try {
                got = groups.allocBlocks(goalFor(r, m, lblk), Math.min(run, FileMap.EXT_INIT_MAX_LEN));
            } catch (Ext4Exception e) {
                if (e.errno().equals("ENOSPC") && done > 0) {
                    break;
                }
                throw e;
            }
            for (long i = 0; i < got[1]; i++) {
                m.set(lblk + i, got[0] + i);
            }
            try {
                commitMap(r, m);
            } catch (Ext4Exception e) {
                if (!e.errno().equals("ENOSPC")) {
                    throw e;
                }
                groups.freeBlocks(got[0], got[1]);
                restore(m, before);
                if (done > 0) {
                    break;
                }
                throw e;
            }
            for (long i = 0; i < got[1] && done < len; i++) {
                long q = pos + done;
                int ib = (int) (q % bs);
                int c = Math.min(bs - ib, len - done);
                // a new block (or a formerly unwritten one) reads as zeros around the data written
                java.util.Arrays.fill(blk, (byte) 0);
                System.arraycopy(data, off + done, blk, ib, c);
                cache.writeData(got[0] + i, blk, 0, "inode " + r.ino + "'s data");
                done += c;
            }
        }
        return done;
    }

    private void touch(InodeRec r, boolean mtime) {
        Instant t = now();
        r.setTime(InodeRec.CTIME, InodeRec.CTIME_EXTRA, t);
        if (mtime) {
            r.setTime(InodeRec.MTIME, InodeRec.MTIME_EXTRA, t);
        }
    }

    // =====================================================================================
    // write side: file data

    /**
     * Writes bytes into a regular file, allocating blocks for holes and growing i_size.
     *
     * @param ino a regular file
     * @param pos byte offset
     * @param data source
     * @param off offset in data
     * @param len bytes to write
     * @return bytes written (short only when the device filled up part-way)
     * @throws Ext4Exception EROFS, EISDIR, EINVAL, EFBIG past the largest file, ENOSPC when not a byte fits
     */
    public synchronized int write(long ino, long pos, byte[] data, int off, int len) {
        if (pos < 0 || off < 0 || len < 0 || off + len > data.length || off + len < 0) {
            throw new Ext4Exception("EINVAL", "bad write range: pos " + pos + ", off " + off + ", len " + len);
        }
        return writeOp(ino, () -> {
            InodeRec r = regularFile(ino);
            if (pos + len > maxFileSize() || pos + len < 0) {
                throw new Ext4Exception("EFBIG", "writing to byte " + (pos + len) + " passes the largest file size "
                        + maxFileSize());
            }
            if (len == 0) {
                return 0;
            }
            zeroTailPastEof(r, pos);
            int n = writeData(r, pos, data, off, len);
            if (pos + n > r.size()) {
                r.setSize(pos + n);
                noteSize(pos + n);
            }
            touch(r, true);
            writeInode(r);
            return n;
        });
    }

    /**
     * Writes one 4096-byte page of a file back (the page-cache writeback path): only the part below
     * i_size is written; i_size and the times do not change.
     *
     * @param ino a regular file
     * @param index page index
     * @param page 4096 bytes
     * @return bytes written
     * @throws Ext4Exception as {@link #write}
     */
    public synchronized int writePage(long ino, long index, byte[] page) {
        if (page.length != 4096 || index < 0) {
            throw new Ext4Exception("EINVAL", "a page is 4096 bytes at a non-negative index");
        }
        return writeOp(ino, () -> {
            InodeRec r = regularFile(ino);
            long pos = index * 4096;
            if (pos >= r.size()) {
                return 0;
            }
            int len = (int) Math.min(4096, r.size() - pos);
            int n = writeData(r, pos, page, 0, len);
            // no touch: the times changed when the page was dirtied (write, page_mkwrite), not now
            writeInode(r);
            return n;
        });
    }

    private InodeRec regularFile(long ino) {
        InodeRec r = liveInode(ino);
        if (r.isDir()) {
            throw new Ext4Exception("EISDIR", "inode " + ino + " is a directory");
        }
        if (r.type() != Ext4Inode.S_IFREG) {
            throw new Ext4Exception("EINVAL", "inode " + ino + " is not a regular file");
        }
        return r;
    }

    /** Past EOF a block must read as zeros once the file grows over it: clear the old last block's tail. */
    private void zeroTailPastEof(InodeRec r, long newEndOrPos) {
        long size = r.size();
        if (newEndOrPos <= size || size % bs == 0) {
            return;
        }
        FileMap m = fileMap(r);
        long pblk = m.map(size / bs);
        if (pblk == 0) {
            return;
        }
        byte[] blk = new byte[bs];
        cache.readData(pblk, blk, 0, "inode " + r.ino + "'s data");
        java.util.Arrays.fill(blk, (int) (size % bs), bs, (byte) 0);
        cache.writeData(pblk, blk, 0, "inode " + r.ino + "'s data");
    }

    /**
     * Sets a regular file's size: shrinking frees the blocks past the new end (and zeroes the rest of
     * the new last block), growing leaves a hole.
     *
     * @param ino a regular file
     * @param size the new size
     * @throws Ext4Exception EROFS, EISDIR, EINVAL for a negative size, EFBIG past the largest file
     */
    public synchronized void truncate(long ino, long size) {
        writeOp(ino, () -> {
            if (size < 0) {
                throw new Ext4Exception("EINVAL", "negative size " + size);
            }
            if (size > maxFileSize()) {
                throw new Ext4Exception("EFBIG", "size " + size + " passes the largest file size " + maxFileSize());
            }
            InodeRec r = regularFile(ino);
            long old = r.size();
            if (size < old) {
                // ext4_setattr: on the orphan list with its new i_size before a block goes, so that a
                // crash half-way is finished by the next mount's orphan cleanup
                boolean listed = orphans.contains(ino);
                r.setSize(size);
                orphanAdd(r);
                writeList();
                FileMap m = freeBlocksFrom(r, (size + bs - 1) / bs);
                if (!listed) {
                    orphanDel(r); // written with the rest when the truncate ends
                }
                if (size % bs != 0) {
                    long pblk = m.map(size / bs);
                    if (pblk != 0) {
                        byte[] blk = new byte[bs];
                        cache.readData(pblk, blk, 0, "inode " + ino + "'s data");
                        java.util.Arrays.fill(blk, (int) (size % bs), bs, (byte) 0);
                        cache.writeData(pblk, blk, 0, "inode " + ino + "'s data");
                    }
                }
            } else if (size > old) {
                zeroTailPastEof(r, size);
            }
            r.setSize(size);
            noteSize(size);
            touch(r, true);
            writeInode(r);
            return null;
        });
    }

    /**
     * Changes attributes.
     *
     * @param ino any inode in use
     * @param attr what to change
     * @return the inode afterwards
     * @throws Ext4Exception EROFS, EINVAL for mode bits outside 07777
     */
    public synchronized Ext4Inode setattr(long ino, SetAttr attr) {
        return writeOp(ino, () -> {
            InodeRec r = liveInode(ino);
            boolean changed = false;
            if (attr.mode() != null) {
                if ((attr.mode() & ~07777) != 0) {
                    throw new Ext4Exception("EINVAL", "mode 0" + Integer.toOctalString(attr.mode())
                            + " has bits outside 07777; the file type cannot change");
                }
                r.setMode((r.mode() & Ext4Inode.S_IFMT) | attr.mode());
                changed = true;
            }
            if (attr.uid() != null) {
                r.setUid(attr.uid());
                changed = true;
            }
            if (attr.gid() != null) {
                r.setGid(attr.gid());
                changed = true;
            }
            if (attr.atime() != null) {
                r.setTime(InodeRec.ATIME, InodeRec.ATIME_EXTRA, attr.atime());
                changed = true;
            }
            if (attr.mtime() != null) {
                r.setTime(InodeRec.MTIME, InodeRec.MTIME_EXTRA, attr.mtime());
                changed = true;
            }
            if (attr.ctime() != null) {
                r.setTime(InodeRec.CTIME, InodeRec.CTIME_EXTRA, attr.ctime());
            } else if (changed) {
                touch(r, false);
            }
            writeInode(r);
            return r.snapshot(sb.hasRoCompat(Superblock.RO_COMPAT_HUGE_FILE), bs);
        });
    }

    // =====================================================================================
    // write side: namespace

    private InodeRec newInode(long parentIno, int mode) {
        boolean dir = (mode & Ext4Inode.S_IFMT) == Ext4Inode.S_IFDIR;
        long ino = groups.allocInode(parentIno, dir);
        byte[] raw = new byte[groups.inodeSize];
        InodeRec r = new InodeRec(ino, raw);
        if (raw.length > InodeRec.GOOD_OLD_INODE_SIZE) {
            int extra = Math.max(32, sb.wantExtraIsize());
            extra = Math.min(extra, raw.length - InodeRec.GOOD_OLD_INODE_SIZE) & ~3;
            Le.put16(raw, 0x80, extra);
        }
        r.setMode(mode);
        r.setLinks(1);
        r.setGeneration(new java.util.Random().nextInt() & 0xFFFFFFFFL);
        Instant t = now();
        r.setTime(InodeRec.ATIME, InodeRec.ATIME_EXTRA, t);
        r.setTime(InodeRec.CTIME, InodeRec.CTIME_EXTRA, t);
        r.setTime(InodeRec.MTIME, InodeRec.MTIME_EXTRA, t);
        if (r.fits(InodeRec.CRTIME + 4)) {
            r.setTime(InodeRec.CRTIME, InodeRec.CRTIME_EXTRA, t);
        }
        maps.remove(ino);
        return r;
    }

    private void emptyExtentRoot(InodeRec r) {
        FileMap m = new FileMap();
        m.store(this, r, List.of());
        maps.put(r.ino, m);
    }

    private static void checkNewName(String name) {
        if (name.equals(".") || name.equals("..")) {
            throw new Ext4Exception("EEXIST", "'" + name + "' always exists");
        }
    }

    /**
     * Creates a regular file.
     *
     * @param dirIno the parent directory
     * @param name the new entry's name
     * @param mode permission bits (a file type other than regular is refused)
     * @return the new inode number
     * @throws Ext4Exception EROFS, ENOTDIR, EEXIST, ENAMETOOLONG, EINVAL, ENOSPC
     */
    public synchronized long create(long dirIno, String name, int mode) {
        byte[] n = nameBytes(name);
        int type = mode & Ext4Inode.S_IFMT;
        if (type != 0 && type != Ext4Inode.S_IFREG) {
            throw new Ext4Exception("EINVAL", "create makes regular files; mode 0" + Integer.toOctalString(mode));
        }
        return writeOp(dirIno, () -> {
            checkNewName(name);
            InodeRec d = dirInode(dirIno);
            if (find(d, n) != null) {
                throw new Ext4Exception("EEXIST", "'" + name + "' exists in directory inode " + dirIno);
            }
            InodeRec r = newInode(dirIno, Ext4Inode.S_IFREG | (mode & 07777));
            emptyExtentRoot(r);
            r.setBlocks512(0);
            try {
                addEntry(d, n, r.ino, DirEntry.EXT4_FT_REG_FILE);
            } catch (Ext4Exception e) {
                groups.freeInode(r.ino, false);
                throw e;
            }
            writeInode(r);
            touch(d, true);
            writeInode(d);
            return r.ino;
        });
    }

    /**
     * Creates a directory holding "." and "..".
     *
     * @param dirIno the parent directory
     * @param name the new directory's name
     * @param mode permission bits
     * @return the new inode number
     * @throws Ext4Exception EROFS, ENOTDIR, EEXIST, ENAMETOOLONG, EMLINK, ENOSPC
     */
    public synchronized long mkdir(long dirIno, String name, int mode) {
        byte[] n = nameBytes(name);
        return writeOp(dirIno, () -> {
            checkNewName(name);
            InodeRec d = dirInode(dirIno);
            if (find(d, n) != null) {
                throw new Ext4Exception("EEXIST", "'" + name + "' exists in directory inode " + dirIno);
            }
            boolean nlinkOverflow = d.links() >= MAX_LINKS;
            if (nlinkOverflow && !sb.hasRoCompat(Superblock.RO_COMPAT_DIR_NLINK)) {
                throw new Ext4Exception("EMLINK", "directory inode " + dirIno + " has too many subdirectories");
            }
            InodeRec r = newInode(dirIno, Ext4Inode.S_IFDIR | (mode & 07777));
            long[] got;
            try {
                got = groups.allocBlocks(groups.groupFirstBlock((r.ino - 1) / groups.ipg), 1);
            } catch (Ext4Exception e) {
                groups.freeInode(r.ino, true);
                throw e;
            }
            byte[] b = cache.fresh(got[0], "a new directory block");
            Le.put32(b, 0, r.ino);
            Le.put16(b, 4, encodeRecLen(12));
            Le.put8(b, 6, 1);
            Le.put8(b, 7, ftype(DirEntry.EXT4_FT_DIR));
            b[8] = '.';
            Le.put32(b, 12, dirIno);
            Le.put16(b, 16, encodeRecLen(bs - 12 - (csum ? 12 : 0)));
            Le.put8(b, 18, 2);
            Le.put8(b, 19, ftype(DirEntry.EXT4_FT_DIR));
            b[20] = '.';
            b[21] = '.';
            FileMap m = new FileMap();
            m.set(0, got[0]);
            maps.put(r.ino, m);
            commitMap(r, m);
            r.setSize(bs);
            r.setLinks(2);
            setDirTail(r, b);
            try {
                addEntry(d, n, r.ino, DirEntry.EXT4_FT_DIR);
            } catch (Ext4Exception e) {
                groups.freeBlocks(got[0], 1);
                groups.freeInode(r.ino, true);
                maps.remove(r.ino);
                throw e;
            }
            writeInode(r);
            d.setLinks(nlinkOverflow || d.links() == 1 && sb.hasRoCompat(Superblock.RO_COMPAT_DIR_NLINK)
                    ? 1 : d.links() + 1);
            touch(d, true);
            writeInode(d);
            return r.ino;
        });
    }

    private int ftype(int ft) {
        return sb.hasIncompat(Superblock.INCOMPAT_FILETYPE) ? ft : 0;
    }

    /**
     * Creates a symbolic link: targets shorter than 60 bytes live in i_block (fast), longer ones in a
     * data block.
     *
     * @param dirIno the parent directory
     * @param name the link's name
     * @param target what it points at
     * @return the new inode number
     * @throws Ext4Exception EROFS, ENOTDIR, EEXIST, ENAMETOOLONG (also for a target of a block or more), ENOSPC
     */
    public synchronized long symlink(long dirIno, String name, String target) {
        byte[] n = nameBytes(name);
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        if (t.length == 0) {
            throw new Ext4Exception("ENOENT", "empty symlink target");
        }
        if (t.length >= bs) {
            throw new Ext4Exception("ENAMETOOLONG", "symlink target of " + t.length + " bytes does not fit a block");
        }
        return writeOp(dirIno, () -> {
            checkNewName(name);
            InodeRec d = dirInode(dirIno);
            if (find(d, n) != null) {
                throw new Ext4Exception("EEXIST", "'" + name + "' exists in directory inode " + dirIno);
            }
            InodeRec r = newInode(dirIno, Ext4Inode.S_IFLNK | 0777);
            long[] got = null;
            if (t.length <= FAST_SYMLINK_MAX) {
                System.arraycopy(t, 0, r.raw, InodeRec.I_BLOCK, t.length);
                r.setBlocks512(0);
            } else {
                try {
                    got = groups.allocBlocks(groups.groupFirstBlock((r.ino - 1) / groups.ipg), 1);
                } catch (Ext4Exception e) {
                    groups.freeInode(r.ino, false);
                    throw e;
                }
                byte[] b = new byte[bs];
                System.arraycopy(t, 0, b, 0, t.length);
                cache.writeData(got[0], b, 0, "a symlink block");
                FileMap m = new FileMap();
                m.set(0, got[0]);
                maps.put(r.ino, m);
                commitMap(r, m);
            }
            r.setSize(t.length);
            try {
                addEntry(d, n, r.ino, DirEntry.EXT4_FT_SYMLINK);
            } catch (Ext4Exception e) {
                if (got != null) {
                    groups.freeBlocks(got[0], 1);
                }
                groups.freeInode(r.ino, false);
                maps.remove(r.ino);
                throw e;
            }
            writeInode(r);
            touch(d, true);
            writeInode(d);
            return r.ino;
        });
    }

    /**
     * Adds a hard link to an existing non-directory inode.
     *
     * @param ino the inode to link
     * @param dirIno the directory to link it into
     * @param name the new name
     * @throws Ext4Exception EROFS, EPERM for a directory, EMLINK, EEXIST, ENOTDIR, ENOSPC
     */
    public synchronized void link(long ino, long dirIno, String name) {
        byte[] n = nameBytes(name);
        writeOp(dirIno, () -> {
            checkNewName(name);
            InodeRec r = liveInode(ino);
            if (r.isDir()) {
                throw new Ext4Exception("EPERM", "cannot hard-link directory inode " + ino);
            }
            if (r.links() == 0) {
                // vfs_link: an inode unlinked while open stays gone (it is on the orphan list)
                throw new Ext4Exception("ENOENT", "inode " + ino + " has no links left");
            }
            if (r.links() >= MAX_LINKS) {
                throw new Ext4Exception("EMLINK", "inode " + ino + " has " + r.links() + " links");
            }
            InodeRec d = dirInode(dirIno);
            if (find(d, n) != null) {
                throw new Ext4Exception("EEXIST", "'" + name + "' exists in directory inode " + dirIno);
            }
            addEntry(d, n, ino, DirEntry.fileTypeOf(r.mode()));
            r.setLinks(r.links() + 1);
            touch(r, false);
            writeInode(r);
            touch(d, true);
            writeInode(d);
            return null;
        });
    }

    /**
     * Removes a non-directory entry; the inode and its blocks are freed with its last link.
     *
     * @param dirIno the directory
     * @param name the entry
     * @throws Ext4Exception EROFS, ENOENT, EISDIR for a directory, ENOTDIR
     */
    public synchronized void unlink(long dirIno, String name) {
        byte[] n = nameBytes(name);
        writeOp(dirIno, () -> {
            InodeRec d = dirInode(dirIno);
            Found f = find(d, n);
            if (f == null) {
                throw new Ext4Exception("ENOENT", "no entry '" + name + "' in directory inode " + dirIno);
            }
            InodeRec r = liveInode(f.ino);
            if (r.isDir()) {
                throw new Ext4Exception("EISDIR", "'" + name + "' is a directory; use rmdir");
            }
            removeEntry(d, f);
            dropLink(r);
            touch(d, true);
            writeInode(d);
            return null;
        });
    }

    /**
     * Removes an empty directory.
     *
     * @param dirIno the parent
     * @param name the directory's name
     * @throws Ext4Exception EROFS, ENOENT, ENOTDIR, ENOTEMPTY, EINVAL for "."
     */
    public synchronized void rmdir(long dirIno, String name) {
        byte[] n = nameBytes(name);
        writeOp(dirIno, () -> {
            if (name.equals(".")) {
                throw new Ext4Exception("EINVAL", "cannot remove '.'");
            }
            if (name.equals("..")) {
                throw new Ext4Exception("ENOTEMPTY", "cannot remove '..'");
            }
            InodeRec d = dirInode(dirIno);
            Found f = find(d, n);
            if (f == null) {
                throw new Ext4Exception("ENOENT", "no entry '" + name + "' in directory inode " + dirIno);
            }
            InodeRec r = liveInode(f.ino);
            if (!r.isDir()) {
                throw new Ext4Exception("ENOTDIR", "'" + name + "' is not a directory");
            }
            requireEmpty(r);
            removeEntry(d, f);
            releaseDir(r, d);
            touch(d, true);
            writeInode(d);
            return null;
        });
    }

    private void requireEmpty(InodeRec dir) {
        FileMap m = fileMap(dir);
        long n = dirBlocks(dir);
        for (long lblk = 0; lblk < n; lblk++) {
            byte[] b = dirBlock(dir, m, lblk);
            for (int[] e : parseBlock(dir, lblk, b)) {
                if (e[2] == 0) {
                    continue;
                }
                boolean dot = e[3] == 1 && b[e[0] + 8] == '.';
                boolean dotdot = e[3] == 2 && b[e[0] + 8] == '.' && b[e[0] + 9] == '.';
                if (!dot && !dotdot) {
                    throw new Ext4Exception("ENOTEMPTY", "directory inode " + dir.ino + " is not empty");
                }
            }
        }
    }

    /** Frees a removed directory and gives its parent back the link ".." held. */
    private void releaseDir(InodeRec r, InodeRec parent) {
        r.setLinks(0);
        release(r);
        if (parent.links() > 2 || parent.links() == 2 && !sb.hasRoCompat(Superblock.RO_COMPAT_DIR_NLINK)) {
            parent.setLinks(parent.links() - 1);
        } else if (parent.links() > 1) {
            parent.setLinks(parent.links() - 1);
        }
    }

    private void dropLink(InodeRec r) {
        if (r.links() <= 1 && deferRelease) {
            // an open or mapped file outlives its last name on the orphan list: freed when its user evicts it
            r.setLinks(0);
            touch(r, false);
            orphanAdd(r);
        } else if (r.links() <= 1) {
            r.setLinks(0);
            release(r);
        } else {
            r.setLinks(r.links() - 1);
            touch(r, false);
            writeInode(r);
        }
    }

    /** Frees r's data blocks from logical block {@code first} on and rewrites its extent tree and i_blocks. */
    private FileMap freeBlocksFrom(InodeRec r, long first) {
        FileMap m = fileMap(r);
        List<long[]> freed = m.truncate(first);
        commitMap(r, m);
        for (long[] f : freed) {
            groups.freeBlocks(f[0], f[1]);
        }
        return m;
    }

    /** Frees an inode with no links left: its blocks, its tree, its bitmap bit; sets i_dtime. */
    private void release(InodeRec r) {
        boolean fastLink = r.type() == Ext4Inode.S_IFLNK && !r.hasFlag(Ext4Inode.EXT4_EXTENTS_FL);
        if (!fastLink) {
            FileMap m = fileMap(r);
            List<long[]> freed = m.truncate(0);
            for (long[] f : freed) {
                groups.freeBlocks(f[0], f[1]);
            }
            for (long b : m.treeBlocks) {
                groups.freeBlocks(b, 1);
            }
        }
        maps.remove(r.ino);
        boolean dir = r.isDir();
        r.setLinks(0);
        r.setSize(0);
        r.setBlocks512(0);
        java.util.Arrays.fill(r.raw, InodeRec.I_BLOCK, InodeRec.I_BLOCK + 60, (byte) 0);
        r.setFlags(0);
        r.setDtime(now().getEpochSecond());
        touch(r, true);
        writeInode(r);
        groups.freeInode(r.ino, dir);
    }

    /**
     * Renames an entry, replacing a target that exists (a directory only by an empty directory).
     *
     * @param oldDirIno the source directory
     * @param oldName the source name
     * @param newDirIno the target directory
     * @param newName the target name
     * @throws Ext4Exception EROFS, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL when moving a directory
     *         into itself, ENOSPC
     */
    public synchronized void rename(long oldDirIno, String oldName, long newDirIno, String newName) {
        byte[] on = nameBytes(oldName);
        byte[] nn = nameBytes(newName);
        writeOp(oldDirIno, () -> {
            if (oldName.equals(".") || oldName.equals("..") || newName.equals(".") || newName.equals("..")) {
                throw new Ext4Exception("EINVAL", "cannot rename '.' or '..'");
            }
            InodeRec od = dirInode(oldDirIno);
            Found src = find(od, on);
            if (src == null) {
                throw new Ext4Exception("ENOENT", "no entry '" + oldName + "' in directory inode " + oldDirIno);
            }
            InodeRec r = liveInode(src.ino);
            InodeRec nd = newDirIno == oldDirIno ? od : dirInode(newDirIno);
            boolean isDir = r.isDir();
            if (isDir && newDirIno != oldDirIno) {
                checkNotAncestor(r.ino, newDirIno);
            }
            Found dst = find(nd, nn);
            if (dst != null && dst.ino == r.ino) {
                return null; // both names are links to the same inode: nothing to do
            }
            if (dst != null) {
                InodeRec victim = liveInode(dst.ino);
                if (isDir && !victim.isDir()) {
                    throw new Ext4Exception("ENOTDIR", "'" + newName + "' is not a directory");
                }
                if (!isDir && victim.isDir()) {
                    throw new Ext4Exception("EISDIR", "'" + newName + "' is a directory");
                }
                if (victim.isDir()) {
                    requireEmpty(victim);
                }
                setEntryInode(nd, dst, r.ino, DirEntry.fileTypeOf(r.mode()));
                if (victim.isDir()) {
                    releaseDir(victim, nd);
                } else {
                    dropLink(victim);
                }
            } else {
                addEntry(nd, nn, r.ino, DirEntry.fileTypeOf(r.mode()));
            }
            // the source entry may have moved if both live in the same directory: find it again
            Found again = find(od, on);
            if (again == null || again.ino != r.ino) {
                throw Ext4Exception.corrupted("rename lost the source entry '" + oldName + "'");
            }
            removeEntry(od, again);
            if (isDir && newDirIno != oldDirIno) {
                setDotDot(r, newDirIno);
                if (od.links() > 2) {
                    od.setLinks(od.links() - 1);
                }
                if (nd.links() >= MAX_LINKS || nd.links() == 1) {
                    nd.setLinks(1);
                } else {
                    nd.setLinks(nd.links() + 1);
                }
            }
            touch(r, false);
            writeInode(r);
            touch(od, true);
            writeInode(od);
            if (nd != od) {
                touch(nd, true);
                writeInode(nd);
            }
            return null;
        });
    }

    private void checkNotAncestor(long movingDir, long newParent) {
        long cur = newParent;
        for (long steps = 0; cur != ROOT_INO; steps++) {
            if (cur == movingDir) {
                throw new Ext4Exception("EINVAL", "cannot move directory inode " + movingDir + " into itself");
            }
            if (steps > sb.inodesCount()) {
                throw Ext4Exception.corrupted("directory loop above inode " + newParent);
            }
            InodeRec d = dirInode(cur);
            Found f = find(d, new byte[] {'.', '.'});
            if (f == null) {
                throw Ext4Exception.corrupted("directory inode " + cur + " has no '..'");
            }
            cur = f.ino;
        }
        if (movingDir == ROOT_INO) {
            throw new Ext4Exception("EINVAL", "cannot move the root directory");
        }
    }

    private void setDotDot(InodeRec dir, long parent) {
        FileMap m = fileMap(dir);
        byte[] b = dirBlock(dir, m, 0);
        List<int[]> es = parseBlock(dir, 0, b);
        if (es.size() < 2 || es.get(1)[3] != 2 || b[es.get(1)[0] + 8] != '.' || b[es.get(1)[0] + 9] != '.') {
            throw Ext4Exception.corrupted("directory inode " + dir.ino + " has no '..' as its second entry");
        }
        Le.put32(b, es.get(1)[0], parent);
        dirBlockChanged(dir, m, 0, b);
    }

    private void dirBlockChanged(InodeRec dir, FileMap m, long lblk, byte[] b) {
        if (indexed(dir) && isDxNode(lblk, b) && !hasDirentTail(b)) {
            setDxTail(dir, lblk, b);
        } else {
            setDirTail(dir, b);
        }
        cache.markDirty(m.map(lblk), b);
    }

    private void setDxTail(InodeRec dir, long lblk, byte[] b) {
        if (!csum) {
            return;
        }
        int co = dxCountOffset(lblk);
        int limit = Le.u16(b, co);
        int count = Le.u16(b, co + 2);
        int tail = co + limit * 8;
        int c = Crc.crc32c(inodeSeed(dir), b, 0, co + count * 8);
        c = Crc.crc32c(c, b, tail, 4);
        c = Crc.crc32c(c, new byte[4], 0, 4);
        Le.put32(b, tail + 4, c & 0xFFFFFFFFL);
    }

    private void setEntryInode(InodeRec d, Found f, long ino, int ft) {
        FileMap m = fileMap(d);
        byte[] b = dirBlock(d, m, f.lblk);
        Le.put32(b, f.off, ino);
        Le.put8(b, f.off + 7, ftype(ft));
        dirBlockChanged(d, m, f.lblk, b);
    }

    private void removeEntry(InodeRec d, Found f) {
        FileMap m = fileMap(d);
        byte[] b = dirBlock(d, m, f.lblk);
        if (f.prevOff >= 0) {
            int prl = decodeRecLen(Le.u16(b, f.prevOff + 4));
            int rl = decodeRecLen(Le.u16(b, f.off + 4));
            Le.put16(b, f.prevOff + 4, encodeRecLen(prl + rl));
        } else {
            Le.put32(b, f.off, 0);
        }
        dirBlockChanged(d, m, f.lblk, b);
    }

    /** Adds an entry: into the htree leaf its hash selects, or the first block with room, or a new block. */
    private void addEntry(InodeRec d, byte[] name, long ino, int ft) {
        FileMap m = fileMap(d);
        long n = dirBlocks(d);
        if (indexed(d)) {
            DxPath p = dxFind(d, m, name);
            if (p != null && insertInBlock(d, m, p.candidates.get(0), name, ino, ft)) {
                return;
            }
            if (p != null && splitLeaf(d, m, p)) {
                DxPath q = dxFind(d, m, name);
                if (insertInBlock(d, m, q.candidates.get(0), name, ino, ft)) {
                    return;
                }
            }
            // no room to split (index node full, or one hash fills the leaf): drop the index and
            // carry on as a linear directory, which e2fsck accepts
            n = dirBlocks(d);
            convertToLinear(d, m, n);
        }
        for (long lblk = 0; lblk < n; lblk++) {
            if (insertInBlock(d, m, lblk, name, ino, ft)) {
                return;
            }
        }
        if (n >= 0x1_0000_0000L - 1) {
            throw new Ext4Exception("ENOSPC", "directory inode " + d.ino + " cannot grow further");
        }
        long[] got = groups.allocBlocks(goalFor(d, m, n), 1);
        FileMap before = copyOf(m);
        m.set(n, got[0]);
        try {
            commitMap(d, m);
        } catch (Ext4Exception e) {
            groups.freeBlocks(got[0], 1);
            restore(m, before);
            throw e;
        }
        byte[] b = cache.fresh(got[0], "a new directory block");
        Le.put32(b, 0, ino);
        Le.put16(b, 4, encodeRecLen(bs - (csum ? 12 : 0)));
        Le.put8(b, 6, name.length);
        Le.put8(b, 7, ftype(ft));
        System.arraycopy(name, 0, b, 8, name.length);
        setDirTail(d, b);
        d.setSize(d.size() + bs);
        writeInode(d);
    }

    private boolean insertInBlock(InodeRec d, FileMap m, long lblk, byte[] name, long ino, int ft) {
        byte[] b = dirBlock(d, m, lblk);
        if (indexed(d) && isDxNode(lblk, b) && !hasDirentTail(b)) {
            return false;
        }
        int need = recLen(name.length);
        int end = bs - (csum ? 12 : 0);
        for (int[] e : parseBlock(d, lblk, b)) {
            if (e[0] >= end) {
                break;
            }
            int used = e[2] != 0 ? recLen(e[3]) : 0;
            int rl = Math.min(e[1], end - e[0]);
            if (rl - used < need) {
                continue;
            }
            int at = e[0] + used;
            if (used > 0) {
                Le.put16(b, e[0] + 4, encodeRecLen(used));
            }
            Le.put32(b, at, ino);
            Le.put16(b, at + 4, encodeRecLen(e[1] - used));
            Le.put8(b, at + 6, name.length);
            Le.put8(b, at + 7, ftype(ft));
            System.arraycopy(name, 0, b, at + 8, name.length);
            java.util.Arrays.fill(b, at + 8 + name.length, at + recLen(name.length), (byte) 0);
            dirBlockChanged(d, m, lblk, b);
            return true;
        }
        return false;
    }

    /**
     * Splits a full htree leaf at a hash boundary into itself and a new block appended to the
     * directory, and adds the new block to the index node above it.
     *
     * @return false when the index node has no room or every name in the leaf has the same hash
     */
    private boolean splitLeaf(InodeRec d, FileMap m, DxPath p) {
        long leaf = p.candidates.get(0);
        byte[] parent = dirBlock(d, m, p.parentLblk);
        int co = dxCountOffset(p.parentLblk);
        int limit = Le.u16(parent, co);
        int count = Le.u16(parent, co + 2);
        if (count >= limit) {
            return false;
        }
        byte[] b = dirBlock(d, m, leaf);
        List<long[]> live = new ArrayList<>(); // {hash, offset}
        int[] seed = sb.hashSeed();
        for (int[] e : parseBlock(d, leaf, b)) {
            if (e[2] != 0 && e[3] > 0) {
                byte[] nm = java.util.Arrays.copyOfRange(b, e[0] + 8, e[0] + 8 + e[3]);
                live.add(new long[] {DirHash.hash(p.hashVersion, seed, nm) & 0xFFFFFFFFL, e[0]});
            }
        }
        live.sort((x, y) -> Long.compare(x[0], y[0]));
        int nLive = live.size();
        int mid = nLive / 2;
        while (mid < nLive && mid > 0 && live.get(mid)[0] == live.get(mid - 1)[0]) {
            mid++;
        }
        if (mid >= nLive) {
            mid = nLive / 2;
            while (mid > 0 && live.get(mid)[0] == live.get(mid - 1)[0]) {
                mid--;
            }
        }
        if (mid <= 0) {
            return false;
        }
        long splitHash = live.get(mid)[0];
        long newLblk = dirBlocks(d);
        long[] got = groups.allocBlocks(goalFor(d, m, newLblk), 1);
        FileMap before = copyOf(m);
        m.set(newLblk, got[0]);
        try {
            commitMap(d, m);
        } catch (Ext4Exception e) {
            groups.freeBlocks(got[0], 1);
            restore(m, before);
            throw e;
        }
        d.setSize(d.size() + bs);
        byte[] low = new byte[bs];
        byte[] high = cache.fresh(got[0], "a split htree leaf");
        pack(b, live.subList(0, mid), low);
        pack(b, live.subList(mid, nLive), high);
        System.arraycopy(low, 0, b, 0, bs);
        setDirTail(d, b);
        cache.markDirty(m.map(leaf), b);
        setDirTail(d, high);
        // the new block's index entry goes right after the split leaf's
        int at = p.parentAt + 1;
        int from = co + 8 * at;
        System.arraycopy(parent, from, parent, from + 8, 8 * (count - at));
        Le.put32(parent, from, splitHash);
        Le.put32(parent, from + 4, newLblk);
        Le.put16(parent, co + 2, count + 1);
        setDxTail(d, p.parentLblk, parent);
        cache.markDirty(m.map(p.parentLblk), parent);
        writeInode(d);
        return true;
    }

    /** Lays entries of {@code src} (given by offset) one after another into {@code dst}; the last takes the rest. */
    private void pack(byte[] src, List<long[]> entries, byte[] dst) {
        int end = bs - (csum ? 12 : 0);
        int at = 0;
        for (int i = 0; i < entries.size(); i++) {
            int off = (int) entries.get(i)[1];
            int nl = Le.u8(src, off + 6);
            int len = recLen(nl);
            System.arraycopy(src, off, dst, at, 8 + nl);
            Le.put16(dst, at + 4, encodeRecLen(i == entries.size() - 1 ? end - at : len));
            at += len;
        }
    }

    /** Clears EXT4_INDEX_FL and turns every htree node into an ordinary (empty) directory block. */
    private void convertToLinear(InodeRec d, FileMap m, long n) {
        for (long lblk = 0; lblk < n; lblk++) {
            byte[] b = dirBlock(d, m, lblk);
            if (hasDirentTail(b) && lblk != 0 || !isDxNode(lblk, b)) {
                continue;
            }
            int end = bs - (csum ? 12 : 0);
            if (lblk == 0) {
                // keep "." (12 bytes) and let ".." cover the rest of the block
                java.util.Arrays.fill(b, 24, bs, (byte) 0);
                Le.put16(b, 16, encodeRecLen(end - 12));
            } else {
                java.util.Arrays.fill(b, 0, bs, (byte) 0);
                Le.put16(b, 4, encodeRecLen(end));
            }
            setDirTail(d, b);
            cache.markDirty(m.map(lblk), b);
        }
        d.setFlags(d.flags() & ~Ext4Inode.EXT4_INDEX_FL);
        writeInode(d);
    }
}
