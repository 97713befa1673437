package org.vfsgi.mm.core.shmem;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.LongSupplier;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.SuperBlock;

/**
 * A tmpfs instance ({@code shmem_sb_info}): the inode and block limits and their use. A block
 * is a page; the pages in use are those in the page caches of the instance's live inodes, so
 * the count follows truncation and eviction by itself. Space is charged before a write or
 * fault adds pages, under this object's lock, which is also what serialises writers of one
 * instance against each other (lock order: this, then a page cache's lock).
 */
public final class ShmemSuperBlock implements SuperBlock {
    /** {@code TMPFS_MAGIC}, the {@code f_type} of {@code statfs}. */
    public static final long TMPFS_MAGIC = 0x01021994L;
    /** Bytes of a page, the tmpfs block. */
    static final int PAGE = 4096;

    private final long maxBlocks;
    private final long maxInodes;
    final LongSupplier clock;
    /** Where the page caches' frames come from; the fault gives a reference back here if it cannot hand it over. */
    final org.vfsgi.hw.PhysicalMemory ram;
    private final Set<ShmemInode> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ShmemInode root;
    private long nextIno = 1;
    private boolean killed;

    ShmemSuperBlock(org.vfsgi.hw.PhysicalMemory ram, long maxBlocks, long maxInodes, int rootMode, int uid, int gid,
            LongSupplier clock) {
        this.ram = ram;
        this.maxBlocks = maxBlocks;
        this.maxInodes = maxInodes;
        this.clock = clock;
        this.root = newInode(FileType.DIRECTORY, rootMode, null);
        root.nlink = 2;
        root.uid = uid;
        root.gid = gid;
    }

    @Override
    public FsInode root() {
        return root;
    }

    /** @return the block limit in pages, 0 for none */
    public long maxBlocks() {
        return maxBlocks;
    }

    /** @return the inode limit, 0 for none */
    public long maxInodes() {
        return maxInodes;
    }

    /**
     * {@code shmem_get_inode}: a new inode counted against {@code nr_inodes}, with link count 0
     * (the caller links it).
     */
    synchronized ShmemInode newInode(FileType type, int perm, DeviceNumber rdev) {
        if (killed) {
            throw new MmException(Errno.ENODEV, "shmem_get_inode", "tmpfs instance is unmounted");
        }
        if (maxInodes > 0 && live.size() >= maxInodes) {
            throw new MmException(Errno.ENOSPC, "shmem_reserve_inode", "tmpfs: all " + maxInodes
                    + " inodes (nr_inodes) are in use");
        }
        ShmemInode i = new ShmemInode(this, nextIno++, type, perm, rdev);
        live.add(i);
        return i;
    }

    /** {@code shmem_free_inode}. */
    synchronized void freeInode(ShmemInode i) {
        live.remove(i);
    }

    /** @return the number of inodes in use */
    public synchronized long inodesInUse() {
        return live.size();
    }

    /** @return the pages in use: every live inode's cached pages */
    public synchronized long pagesInUse() {
        long n = 0;
        for (ShmemInode i : live) {
            n += i.cachedPages();
        }
        return n;
    }

    /**
     * {@code shmem_inode_acct_blocks}: refuses {@code pages} more pages beyond {@code size=}.
     * Called with this object's lock held, right before the pages are added.
     */
    void chargePages(long pages, String step) {
        if (maxBlocks > 0 && pages > 0 && pagesInUse() + pages > maxBlocks) {
            throw new MmException(Errno.ENOSPC, step, "tmpfs: size limit of " + maxBlocks + " pages ("
                    + maxBlocks * PAGE + " bytes) reached");
        }
    }

    @Override
    public synchronized StatFs statfs() {
        long used = pagesInUse();
        long blocks = maxBlocks;
        long free = maxBlocks == 0 ? 0 : Math.max(0, maxBlocks - used);
        long files = maxInodes;
        long ffree = maxInodes == 0 ? 0 : Math.max(0, maxInodes - live.size());
        return new StatFs(TMPFS_MAGIC, PAGE, blocks, free, free, files, ffree, 255);
    }

    /** tmpfs has no backing store: its data is the page cache, so there is nothing to make durable. */
    @Override
    public void sync() {
        // Intentionally empty: the kernel's shmem_ops has no sync_fs either.
    }

    /** {@code kill_litter_super}: drops the tree; the platform has already freed the page caches. */
    @Override
    public synchronized void kill() {
        killed = true;
        root.forgetChildren();
        live.clear();
    }

    @Override
    public String toString() {
        return "tmpfs[" + (maxBlocks == 0 ? "unlimited" : maxBlocks + " pages") + ", "
                + (maxInodes == 0 ? "unlimited" : maxInodes + " inodes") + "]";
    }
}
