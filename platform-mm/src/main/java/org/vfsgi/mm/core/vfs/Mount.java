package org.vfsgi.mm.core.vfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.SuperBlock;

/**
 * A mount ({@code struct mount} with its {@code super_block}): the file system's superblock,
 * where it is attached (parent mount and the inode number of the mount point in it), its
 * device number, read-only flag, and the platform's inode cache for it (the inodes the VFS
 * holds state for: page cache, reverse map, open count). Fields are guarded by the VFS's
 * namespace lock.
 */
public final class Mount {
    final int id;
    final String type;
    final String source;
    final String options;
    final SuperBlock sb;
    final FsInode root;
    final long rootIno;
    final DeviceNumber dev;
    final boolean anonDev;
    final boolean readOnly;
    /** Whether {@link #source} names a block device ({@code FS_REQUIRES_DEV}). */
    boolean onDevice;
    /** The mount this one is attached to, or null for the root mount and internal mounts. */
    Mount parent;
    /** The inode number of the mount point in {@link #parent}. */
    long mountpointIno;
    /** The absolute path of the mount point, for messages and the mount list. */
    String mountpoint;
    /** Mounts attached to directories of this one. */
    final List<Mount> children = new ArrayList<>();
    /** The inodes the platform holds state for ({@code s_inodes}). */
    final Map<Long, VfsInode> icache = new HashMap<>();
    /** Open files on this mount. */
    int openFiles;
    /** Detached from the namespace (lazy umount); killed when the last file closes. */
    boolean detached;
    /** {@code kill_sb} done. */
    boolean killed;
    /** A kernel-internal mount ({@code kern_mount}), not in the namespace. */
    final boolean internal;

    Mount(int id, String type, String source, String options, SuperBlock sb, DeviceNumber dev, boolean anonDev,
            boolean readOnly, boolean internal) {
        this.id = id;
        this.type = type;
        this.source = source;
        this.options = options;
        this.sb = sb;
        this.root = sb.root();
        if (root == null) {
            throw new IllegalStateException("file system type " + type + " returned a superblock without a root inode");
        }
        this.rootIno = root.ino();
        this.dev = dev;
        this.anonDev = anonDev;
        this.readOnly = readOnly;
        this.internal = internal;
    }

    /** @return the mount's id, unique within its VFS, in mount order ({@code mnt_id}) */
    public int id() {
        return id;
    }

    /** @return the file-system type's name */
    public String type() {
        return type;
    }

    /** @return the mount source */
    public String source() {
        return source;
    }

    /** @return the superblock's device number ({@code s_dev}) */
    public DeviceNumber device() {
        return dev;
    }

    /** @return whether the mount is read-only */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** @return the mount point's absolute path, or the pseudo path of an internal mount */
    public String mountpoint() {
        return mountpoint;
    }

    /** @return the superblock */
    public SuperBlock superBlock() {
        return sb;
    }

    /** @return the number of files open on this mount */
    public int openFiles() {
        return openFiles;
    }

    @Override
    public String toString() {
        return source + " on " + mountpoint + " type " + type + " (" + (readOnly ? "ro" : "rw")
                + (options.isEmpty() ? "" : "," + options) + ") dev " + dev;
    }
}
