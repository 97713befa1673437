package org.vfsgi.fs.ext4.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.vfsgi.fs.ext4.disk.Ext4Exception;
import org.vfsgi.fs.ext4.disk.Ext4Inode;
import org.vfsgi.fs.ext4.disk.Ext4Volume;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.AddressSpaceOperations;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.SetAttr;

/**
 * An ext4 inode as the VFS sees it ({@code ext4_dir_inode_operations},
 * {@code ext4_file_inode_operations}, {@code ext4_symlink_inode_operations} in one): a light
 * handle of (superblock, inode number) whose every call goes to the engine, so the VFS may keep
 * or drop handles freely. Engine failures become {@link MmException}s with the kernel errno.
 */
final class Ext4FsInode implements FsInode {
    private static final System.Logger LOG = System.getLogger(Ext4FsInode.class.getName());

    private final Ext4SuperBlock sb;
    private final long ino;

    Ext4FsInode(Ext4SuperBlock sb, long ino) {
        this.sb = sb;
        this.ino = ino;
    }

    Ext4SuperBlock superBlock() {
        return sb;
    }

    private Ext4Volume vol() {
        return sb.volume();
    }

    private <T> T call(String step, java.util.function.Supplier<T> op) {
        return Ext4Errors.call(step, sb.deviceName(), op);
    }

    private void run(String step, Runnable op) {
        Ext4Errors.run(step, sb.deviceName(), op);
    }

    @Override
    public long ino() {
        return ino;
    }

    /** @return the engine's snapshot of the inode */
    Ext4Inode disk(String step) {
        return call(step, () -> vol().inode(ino));
    }

    @Override
    public InodeAttributes getattr() {
        Ext4Inode i = disk("ext4_getattr");
        try {
            FileType.ofMode(i.mode());
        } catch (IllegalArgumentException e) {
            throw new MmException(Errno.EUCLEAN, "ext4_getattr", "ext4 on " + sb.deviceName() + ": inode " + ino
                    + " has no valid file type (mode 0" + Integer.toOctalString(i.mode()) + ")");
        }
        DeviceNumber rdev = i.isDevice() ? new DeviceNumber(i.rdevMajor(), i.rdevMinor()) : null;
        return new InodeAttributes(ino, i.mode(), i.linksCount(), (int) i.uid(), (int) i.gid(), i.size(),
                i.blocks512(), nanos(i.atime()), nanos(i.mtime()), nanos(i.ctime()), rdev);
    }

    private static long nanos(Instant t) {
        try {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (ArithmeticException e) {
            return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /**
     * {@code ext4_setattr}: a size change truncates through the engine (blocks past the new end
     * freed, their reservations dropped); mode, owner and times as given.
     */
    @Override
    public void setattr(SetAttr change) {
        if (change.hasSize()) {
            long size = change.size();
            synchronized (sb.inodeLock(ino)) {
                run("ext4_setattr", () -> vol().truncate(ino, size));
                int bs = vol().blockSize();
                sb.unreserveFrom(ino, (size + bs - 1) / bs * bs);
            }
        }
        Integer mode = change.hasMode() ? change.mode() : null;
        Long uid = change.hasUid() ? Integer.toUnsignedLong(change.uid()) : null;
        Long gid = change.hasGid() ? Integer.toUnsignedLong(change.gid()) : null;
        Instant atime = change.hasAtime() ? instant(change.atimeNanos()) : null;
        Instant mtime = change.hasMtime() ? instant(change.mtimeNanos()) : null;
        Instant ctime = change.hasCtime() ? instant(change.ctimeNanos()) : null;
        if (mode != null || uid != null || gid != null || atime != null || mtime != null || ctime != null) {
            org.vfsgi.fs.ext4.disk.SetAttr a = new org.vfsgi.fs.ext4.disk.SetAttr(mode, uid, gid, atime, mtime, ctime);
            run("ext4_setattr", () -> vol().setattr(ino, a));
        }
    }

    /**
     * {@code file_accessed} with {@code relatime}: the access time moves only when it is not newer
     * than the modification or change time, or is a day old, so reading does not write the inode
     * each time. Nothing on a read-only or shut-down file system; a failure is not the reader's.
     */
    void fileAccessed() {
        if (vol().readOnly() || vol().isShutdown()) {
            return;
        }
        try {
            Ext4Inode i = vol().inode(ino);
            Instant now = Instant.now();
            Instant a = i.atime();
            if (!a.isAfter(i.mtime()) || !a.isAfter(i.ctime()) || Duration.between(a, now).toHours() >= 24) {
                vol().setattr(ino, new org.vfsgi.fs.ext4.disk.SetAttr(null, null, null, now, null, i.ctime()));
            }
        } catch (Ext4Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "ext4 on {0}: atime of inode {1} not updated: {2}", sb.deviceName(), ino,
                    e.getMessage());
        }
    }

    /** {@code file_update_time}: mtime and ctime become now. */
    void fileUpdateTime(String step) {
        Instant now = Instant.now();
        run(step, () -> vol().setattr(ino, new org.vfsgi.fs.ext4.disk.SetAttr(null, null, null, null, now, now)));
    }

    @Override
    public FsInode lookup(String name) {
        try {
            long child = vol().lookup(ino, name);
            return new Ext4FsInode(sb, child);
        } catch (Ext4Exception e) {
            if (e.errno().equals("ENOENT")) {
                return null;
            }
            throw Ext4Errors.toMm(e, "ext4_lookup", sb.deviceName());
        }
    }

    @Override
    public List<DirEntry> readdir() {
        List<org.vfsgi.fs.ext4.disk.DirEntry> raw = call("ext4_readdir", () -> vol().readdir(ino));
        List<DirEntry> out = new ArrayList<>(raw.size());
        for (org.vfsgi.fs.ext4.disk.DirEntry e : raw) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            FileType t = typeOf(e.fileType());
            if (t == null) {
                t = new Ext4FsInode(sb, e.ino()).getattr().type(); // no filetype feature: ask the inode
            }
            out.add(new DirEntry(e.name(), e.ino(), t));
        }
        return out;
    }

    /** The VFS's type of each {@code EXT4_FT_*} value (its index); 0 is unknown. */
    private static final FileType[] BY_EXT4_FT = {null, FileType.REGULAR, FileType.DIRECTORY, FileType.CHAR_DEVICE,
        FileType.BLOCK_DEVICE, FileType.FIFO, FileType.SOCKET, FileType.SYMLINK};

    private static FileType typeOf(int ft) {
        return ft > 0 && ft < BY_EXT4_FT.length ? BY_EXT4_FT[ft] : null;
    }

    /** A new inode the engine made in this directory, as the VFS's handle. */
    private FsInode made(String step, java.util.function.Supplier<Long> op) {
        return new Ext4FsInode(sb, call(step, op));
    }

    @Override
    public FsInode create(String name, int mode) {
        return made("ext4_create", () -> vol().create(ino, name, mode & FileType.PERMISSION_MASK));
    }

    @Override
    public FsInode mkdir(String name, int mode) {
        return made("ext4_mkdir", () -> vol().mkdir(ino, name, mode & FileType.PERMISSION_MASK));
    }

    @Override
    public FsInode symlink(String name, String target) {
        return made("ext4_symlink", () -> vol().symlink(ino, name, target));
    }

    @Override
    public void link(FsInode existing, String name) {
        if (!(existing instanceof Ext4FsInode) || ((Ext4FsInode) existing).sb != sb) {
            throw new MmException(Errno.EXDEV, "ext4_link", "ext4 on " + sb.deviceName() + ": inode " + existing.ino()
                    + " is not of this file system");
        }
        run("ext4_link", () -> vol().link(existing.ino(), ino, name));
    }

    @Override
    public void unlink(String name) {
        run("ext4_unlink", () -> vol().unlink(ino, name));
    }

    @Override
    public void rmdir(String name) {
        run("ext4_rmdir", () -> vol().rmdir(ino, name));
    }

    /** {@code ext4_rename2}: {@code RENAME_NOREPLACE} was checked by the VFS; exchange and whiteout are not supported. */
    @Override
    public void rename(String oldName, FsInode newDir, String newName, int flags) {
        if ((flags & ~Fcntl.RENAME_NOREPLACE) != 0) {
            throw new MmException(Errno.EINVAL, "ext4_rename2", "ext4 on " + sb.deviceName() + ": rename flags " + flags
                    + " not supported (only RENAME_NOREPLACE)");
        }
        if (!(newDir instanceof Ext4FsInode) || ((Ext4FsInode) newDir).sb != sb) {
            throw new MmException(Errno.EXDEV, "ext4_rename2", "ext4 on " + sb.deviceName()
                    + ": target directory is not of this file system");
        }
        run("ext4_rename2", () -> vol().rename(ino, oldName, newDir.ino(), newName));
    }

    @Override
    public String readlink() {
        return call("ext4_get_link", () -> vol().readlink(ino));
    }

    /** Regular files get {@code ext4_file_operations}; directories the VFS's own; others none. */
    @Override
    public FileOperations fileOperations() {
        return disk("ext4_file_open").isRegular() ? Ext4File.FILE_OPERATIONS : null;
    }

    /** Regular files read and write their pages through the engine; nothing else has a page cache. */
    @Override
    public AddressSpaceOperations addressSpaceOperations() {
        return disk("ext4_set_aops").isRegular() ? new Ext4AddressSpace(sb, ino) : null;
    }

    /** {@code ext4_evict_inode}: an inode unlinked while in use is freed now, with its reservations. */
    @Override
    public void evict() {
        sb.unreserveFrom(ino, 0);
        try {
            vol().evict(ino);
        } catch (Ext4Exception e) {
            LOG.log(System.Logger.Level.WARNING, "ext4 on {0}: cannot free unlinked inode {1}: {2}", sb.deviceName(), ino,
                    e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ext4FsInode && ((Ext4FsInode) o).sb == sb && ((Ext4FsInode) o).ino == ino;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(ino) * 31 + System.identityHashCode(sb);
    }

    @Override
    public String toString() {
        return "ext4 inode " + ino + " on " + sb.deviceName();
    }
}
