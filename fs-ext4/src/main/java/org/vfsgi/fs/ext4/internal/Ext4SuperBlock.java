package org.vfsgi.fs.ext4.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import org.vfsgi.fs.ext4.disk.Ext4Exception;
import org.vfsgi.fs.ext4.disk.Ext4StatFs;
import org.vfsgi.fs.ext4.disk.Ext4Volume;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.SuperBlock;

/**
 * A mounted ext4 file system ({@code struct ext4_sb_info}): the volume, the device it claims
 * until {@link #kill()}, the forced shutdown of {@code EXT4_IOC_SHUTDOWN}, and the delayed
 * allocation reservations ({@code s_dirtyclusters_counter}): blocks that dirty page-cache pages
 * over holes will need at write-back, counted when the page is dirtied so that a full file
 * system refuses the write ({@code ENOSPC}) or the mapping's first write (SIGBUS) instead of
 * losing the data at write-back.
 */
public final class Ext4SuperBlock implements SuperBlock {
    /** {@code EXT4_SUPER_MAGIC}, the {@code f_type} of {@code statfs}. */
    public static final long EXT4_SUPER_MAGIC = 0xEF53L;

    private static final System.Logger LOG = System.getLogger(Ext4SuperBlock.class.getName());

    private final Ext4FileSystemType type;
    private final Ext4Volume volume;
    private final String device;
    private final boolean requestedReadOnly;
    /** The block device's number ({@code s_dev}), or null for an anonymous one. */
    private final DeviceNumber dev;
    /** Reserved logical blocks per inode, not yet allocated on disk; guarded by this. */
    private final Map<Long, NavigableSet<Long>> reserved = new HashMap<>();
    private long reservedTotal;
    /**
     * {@code s_resv_clusters} ({@code ext4_calc_reserved_clusters}): 2% of the blocks, at most
     * 4096, kept back from data reservations so that the extent-tree blocks write-back allocates
     * always find room.
     */
    private final long resvClusters;
    private final AtomicLong pageMkwrites = new AtomicLong();
    /**
     * {@code i_rwsem} for writers, striped by inode number: a write's reserve, copy and
     * {@code i_size} update, and a truncation, happen as one step per inode, so two writers
     * extending a file never shrink it back. Taken before the page cache's lock and the engine's.
     */
    private final Object[] inodeLocks = new Object[64];
    private boolean killed;

    Ext4SuperBlock(Ext4FileSystemType type, Ext4Volume volume, String device, boolean requestedReadOnly,
            DeviceNumber dev) {
        this.type = type;
        this.dev = dev;
        this.volume = volume;
        this.device = device;
        this.requestedReadOnly = requestedReadOnly;
        this.resvClusters = Math.min(volume.blocksCount() / 50, 4096);
        for (int i = 0; i < inodeLocks.length; i++) {
            inodeLocks[i] = new Object();
        }
    }

    /** @return the writers' lock of inode {@code ino} ({@code inode_lock}) */
    Object inodeLock(long ino) {
        return inodeLocks[(int) (ino & (inodeLocks.length - 1))];
    }

    /** @return the on-disk engine */
    Ext4Volume volume() {
        return volume;
    }

    /** @return the block device's name, for messages */
    public String deviceName() {
        return device;
    }

    @Override
    public FsInode root() {
        return new Ext4FsInode(this, Ext4Volume.ROOT_INO);
    }

    /**
     * {@code ext4_statfs}: free blocks are the group descriptors' count minus what dirty pages
     * reserved; available ones also leave out the root-reserved blocks and {@code s_resv_clusters}.
     */
    @Override
    public StatFs statfs() {
        Ext4StatFs s = Ext4Errors.call("ext4_statfs", device, volume::statfs);
        long pending;
        synchronized (this) {
            pending = reservedTotal;
        }
        long rootReserved = s.freeBlocks() - s.availableBlocks();
        long free = Math.max(0, s.freeBlocks() - pending);
        long avail = Math.max(0, free - rootReserved - resvClusters);
        return new StatFs(EXT4_SUPER_MAGIC, s.blockSize(), s.blocks(), free, avail, s.inodes(), s.freeInodes(),
                s.nameMax());
    }

    /**
     * {@code ext4_sync_fs}: the platform has written the dirty pages back; this writes the
     * metadata and the superblock.
     *
     * @throws MmException EIO after a forced shutdown or when the device fails
     */
    @Override
    public void sync() {
        Ext4Errors.run("ext4_sync_fs", device, volume::sync);
    }

    /**
     * {@code ext4_put_super}: frees inodes unlinked while in use, writes everything back, marks
     * the file system cleanly unmounted (so {@code e2fsck -fn} passes) and releases the device for
     * the next mount. After a forced shutdown nothing more is written. Idempotent.
     */
    @Override
    public void kill() {
        synchronized (this) {
            if (killed) {
                return;
            }
            killed = true;
            reserved.clear();
            reservedTotal = 0;
        }
        try {
            volume.unmount();
        } catch (Ext4Exception e) {
            LOG.log(System.Logger.Level.WARNING, "ext4 on {0}: unmount failed: {1}", device, e.getMessage());
        } finally {
            type.release(device, this);
        }
        LOG.log(System.Logger.Level.DEBUG, "ext4 on {0}: unmounted", device);
    }

    /** @return whether the superblock was killed (unmounted) */
    public synchronized boolean isKilled() {
        return killed;
    }

    /** The engine mounted read-only although read-write was asked: read-only device, features, or an unclean image. */
    /** {@code s_dev}: the block device's number, so maps and stat show it as for a kernel's ext4. */
    @Override
    public DeviceNumber device() {
        return dev;
    }

    @Override
    public boolean forcedReadOnly() {
        return volume.readOnly() && !requestedReadOnly;
    }

    /** @return why the file system is read-only, or {@code null} */
    public String readOnlyReason() {
        return volume.readOnlyReason();
    }

    /** @return whether the file system is mounted read-only */
    public boolean readOnly() {
        return volume.readOnly();
    }

    /**
     * {@code EXT4_IOC_SHUTDOWN} ({@code EXT4_GOING_FLAGS_DEFAULT}): syncs, then every later
     * operation fails with EIO — open, read, write, {@code mmap} ({@code ext4_file_mmap_prepare}),
     * write faults (SIGBUS) — and nothing more reaches the device, as after a crash.
     *
     * @throws MmException EINVAL if already unmounted
     */
    public void shutdown() {
        Ext4Errors.run("ext4_shutdown", device, volume::shutdown);
    }

    /** @return {@code ext4_forced_shutdown} */
    public boolean isShutdown() {
        return volume.isShutdown();
    }

    /** @return how many times {@code ext4_page_mkwrite} allowed a page to become writable */
    public long pageMkwriteCount() {
        return pageMkwrites.get();
    }

    void countPageMkwrite() {
        pageMkwrites.incrementAndGet();
    }

    /** @return the blocks kept back for write-back's metadata ({@code s_resv_clusters}) */
    public long reservedForMetadata() {
        return resvClusters;
    }

    /** @return blocks reserved for dirty pages over holes, not yet allocated */
    public synchronized long reservedBlocks() {
        return reservedTotal;
    }

    /**
     * {@code ext4_da_reserve_space}: reserves the hole blocks of {@code [pos, pos + len)} of an
     * inode that are not reserved yet.
     *
     * @throws MmException ENOSPC if the free blocks minus what is reserved do not cover them,
     *         EIO after a shutdown
     */
    void reserve(long ino, long pos, long len, String step) {
        if (len <= 0) {
            return;
        }
        long[] holes = Ext4Errors.call(step, device, () -> volume.holes(ino, pos, len));
        if (holes.length == 0) {
            return;
        }
        long free = Ext4Errors.call(step, device, volume::statfs).freeBlocks();
        synchronized (this) {
            NavigableSet<Long> mine = reserved.computeIfAbsent(ino, k -> new TreeSet<>());
            long needed = 0;
            for (long b : holes) {
                if (!mine.contains(b)) {
                    needed++;
                }
            }
            if (needed > free - reservedTotal - resvClusters) {
                if (mine.isEmpty()) {
                    reserved.remove(ino);
                }
                throw new MmException(Errno.ENOSPC, step, "ext4 on " + device + ": no space for " + needed
                        + " more block(s): " + free + " free, " + reservedTotal + " reserved for dirty pages, "
                        + resvClusters + " kept for metadata");
            }
            for (long b : holes) {
                if (mine.add(b)) {
                    reservedTotal++;
                }
            }
        }
    }

    /** Write-back allocated (or gave up) the blocks of {@code [pos, pos + len)}: their reservation ends. */
    synchronized void unreserve(long ino, long pos, long len) {
        NavigableSet<Long> mine = reserved.get(ino);
        if (mine == null || len <= 0) {
            return;
        }
        int bs = volume.blockSize();
        NavigableSet<Long> range = mine.subSet(pos / bs, true, (pos + len - 1) / bs, true);
        reservedTotal -= range.size();
        range.clear();
        if (mine.isEmpty()) {
            reserved.remove(ino);
        }
    }

    /** Truncation or eviction dropped the pages from {@code pos} on: so go their reservations. */
    synchronized void unreserveFrom(long ino, long pos) {
        unreserve(ino, pos, Long.MAX_VALUE - pos);
    }

    @Override
    public String toString() {
        return "ext4[" + device + (readOnly() ? ", ro" : ", rw") + (isShutdown() ? ", shut down" : "") + "]";
    }
}
