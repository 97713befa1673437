package org.vfsgi.fs.ext4.disk;

import java.time.Instant;

/**
 * A snapshot of one on-disk inode ({@code struct ext4_inode}) as it was when read: what a VFS
 * layer copies into its in-memory inode. Times carry the extra nanoseconds and epoch bits when the
 * inode's i_extra_isize covers them.
 */
public final class Ext4Inode {
    /** File-type bits of i_mode. */
    public static final int S_IFMT = 0170000;
    /** Socket. */
    public static final int S_IFSOCK = 0140000;
    /** Symbolic link. */
    public static final int S_IFLNK = 0120000;
    /** Regular file. */
    public static final int S_IFREG = 0100000;
    /** Block device. */
    public static final int S_IFBLK = 0060000;
    /** Directory. */
    public static final int S_IFDIR = 0040000;
    /** Character device. */
    public static final int S_IFCHR = 0020000;
    /** FIFO. */
    public static final int S_IFIFO = 0010000;

    /** i_flags: the inode maps its blocks with an extent tree. */
    public static final int EXT4_EXTENTS_FL = 0x80000;
    /** i_flags: the directory has an htree index. */
    public static final int EXT4_INDEX_FL = 0x1000;
    /** i_flags: i_blocks counts file-system blocks, not 512-byte sectors. */
    public static final int EXT4_HUGE_FILE_FL = 0x40000;
    /** i_flags: the data lives inside the inode. */
    public static final int EXT4_INLINE_DATA_FL = 0x10000000;

    private final long ino;
    private final int mode;
    private final long uid;
    private final long gid;
    private final long size;
    private final int linksCount;
    private final Instant atime;
    private final Instant mtime;
    private final Instant ctime;
    private final Instant crtime;
    private final long dtime;
    private final int flags;
    private final long generation;
    private final long blocks512;
    private final int rdevMajor;
    private final int rdevMinor;

    Ext4Inode(long ino, int mode, long uid, long gid, long size, int linksCount, Instant atime, Instant mtime,
            Instant ctime, Instant crtime, long dtime, int flags, long generation, long blocks512, int rdevMajor,
            int rdevMinor) {
        this.rdevMajor = rdevMajor;
        this.rdevMinor = rdevMinor;
        this.ino = ino;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.size = size;
        this.linksCount = linksCount;
        this.atime = atime;
        this.mtime = mtime;
        this.ctime = ctime;
        this.crtime = crtime;
        this.dtime = dtime;
        this.flags = flags;
        this.generation = generation;
        this.blocks512 = blocks512;
    }

    /** @return the inode number */
    public long ino() {
        return ino;
    }

    /** @return i_mode: file type and permission bits */
    public int mode() {
        return mode;
    }

    /** @return the permission bits of i_mode (including set-id and sticky) */
    public int permissions() {
        return mode & 07777;
    }

    /** @return i_uid with its high 16 bits */
    public long uid() {
        return uid;
    }

    /** @return i_gid with its high 16 bits */
    public long gid() {
        return gid;
    }

    /** @return i_size with i_size_high */
    public long size() {
        return size;
    }

    /** @return i_links_count */
    public int linksCount() {
        return linksCount;
    }

    /** @return last access time */
    public Instant atime() {
        return atime;
    }

    /** @return last data modification time */
    public Instant mtime() {
        return mtime;
    }

    /** @return last inode change time */
    public Instant ctime() {
        return ctime;
    }

    /** @return creation time, or {@code null} if the inode has no room for i_crtime */
    public Instant crtime() {
        return crtime;
    }

    /** @return i_dtime in seconds (non-zero only for deleted inodes) */
    public long dtime() {
        return dtime;
    }

    /** @return i_flags */
    public int flags() {
        return flags;
    }

    /** @return i_generation */
    public long generation() {
        return generation;
    }

    /** @return space used, in 512-byte units as stat(2) reports it */
    public long blocks512() {
        return blocks512;
    }

    /** @return the device's major number for a character or block device inode, else 0 */
    public int rdevMajor() {
        return rdevMajor;
    }

    /** @return the device's minor number for a character or block device inode, else 0 */
    public int rdevMinor() {
        return rdevMinor;
    }

    /** @return whether this is a character or block device */
    public boolean isDevice() {
        int t = mode & S_IFMT;
        return t == S_IFCHR || t == S_IFBLK;
    }

    /** @return whether this is a directory */
    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /** @return whether this is a regular file */
    public boolean isRegular() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** @return whether this is a symbolic link */
    public boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    @Override
    public String toString() {
        return "Ext4Inode[ino=" + ino + ", mode=0" + Integer.toOctalString(mode) + ", size=" + size + ", links="
                + linksCount + "]";
    }
}
