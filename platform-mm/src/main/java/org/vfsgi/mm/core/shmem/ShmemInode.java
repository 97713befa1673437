package org.vfsgi.mm.core.shmem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.AddressSpaceOperations;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileMapping;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.SetAttr;

/**
 * A tmpfs inode ({@code shmem_inode_info}): attributes, the entries of a directory, the body
 * of a symlink, the device number of a device node, extended attributes, and, for a regular
 * file, the platform page cache that holds its data ({@code i_mapping}, learnt from the first
 * file operation that touches it). A directory's entries are only changed under the VFS's
 * namespace lock; the attributes are guarded by this object, as writes change the size
 * without that lock.
 */
final class ShmemInode implements FsInode {
    /** {@code BOGO_DIRENT_SIZE}: tmpfs reports a directory's size as 20 bytes per entry. */
    private static final int BOGO_DIRENT_SIZE = 20;
    private static final int XATTR_TOTAL_MAX = 128 * 1024;

    private final ShmemSuperBlock sb;
    private final long ino;
    private final FileType type;
    private int perm;
    int uid;
    int gid;
    int nlink;
    private long size;
    private long atime;
    private long mtime;
    private long ctime;
    private final DeviceNumber rdev;
    private String target;
    private final Map<String, ShmemInode> children;
    private final Map<String, byte[]> xattrs = new TreeMap<>();
    private volatile FileMapping mapping;

    ShmemInode(ShmemSuperBlock sb, long ino, FileType type, int perm, DeviceNumber rdev) {
        this.sb = sb;
        this.ino = ino;
        this.type = type;
        this.perm = perm & FileType.PERMISSION_MASK;
        this.rdev = rdev;
        this.children = type == FileType.DIRECTORY ? new LinkedHashMap<>() : null;
        long now = sb.clock.getAsLong();
        atime = now;
        mtime = now;
        ctime = now;
    }

    ShmemSuperBlock superBlock() {
        return sb;
    }

    FileType type() {
        return type;
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public synchronized InodeAttributes getattr() {
        long bytes = type == FileType.DIRECTORY ? (long) children.size() * BOGO_DIRENT_SIZE : size;
        return new InodeAttributes(ino, type.mode(perm), nlink, uid, gid, bytes, cachedPages() * 8, atime, mtime, ctime,
                rdev);
    }

    /** @return {@code i_size} */
    synchronized long size() {
        return size;
    }

    /** A write reached {@code end}: grow {@code i_size} and stamp the data as modified. */
    synchronized void written(long end) {
        if (end > size) {
            size = end;
        }
        long now = sb.clock.getAsLong();
        mtime = now;
        ctime = now;
    }

    /** {@code file_accessed}. */
    synchronized void accessed() {
        atime = sb.clock.getAsLong();
    }

    /** Remembers the page cache the platform made for this inode (the kernel's {@code i_mapping}). */
    void attach(FileMapping m) {
        if (mapping == null) {
            mapping = m;
        }
    }

    FileMapping mapping() {
        return mapping;
    }

    long cachedPages() {
        FileMapping m = mapping;
        return m == null ? 0 : m.cachedPages();
    }

    @Override
    public synchronized void setattr(SetAttr change) {
        if (change.hasSize()) {
            if (type == FileType.DIRECTORY) {
                throw new MmException(Errno.EISDIR, "shmem_setattr", "inode " + ino + " is a directory");
            }
            if (type != FileType.REGULAR) {
                throw new MmException(Errno.EINVAL, "shmem_setattr", "inode " + ino + " is not a regular file");
            }
            // Shrinking frees pages: the platform truncates the page cache right after this returns.
            size = change.size();
        }
        if (change.hasMode()) {
            perm = change.mode();
        }
        if (change.hasUid()) {
            uid = change.uid();
        }
        if (change.hasGid()) {
            gid = change.gid();
        }
        if (change.hasAtime()) {
            atime = change.atimeNanos();
        }
        if (change.hasMtime()) {
            mtime = change.mtimeNanos();
        }
        ctime = change.hasCtime() ? change.ctimeNanos() : sb.clock.getAsLong();
    }

    // ---------------------------------------------------------------- directories

    private void requireDir(String step) {
        if (children == null) {
            throw new MmException(Errno.ENOTDIR, step, "tmpfs inode " + ino + " is not a directory");
        }
    }

    private void requireAbsent(String name, String step) {
        requireDir(step);
        if (children.containsKey(name)) {
            throw new MmException(Errno.EEXIST, step, name + " exists");
        }
    }

    private ShmemInode requirePresent(String name, String step) {
        requireDir(step);
        ShmemInode c = children.get(name);
        if (c == null) {
            throw new MmException(Errno.ENOENT, step, name + " does not exist");
        }
        return c;
    }

    private synchronized void dirChanged() {
        long now = sb.clock.getAsLong();
        mtime = now;
        ctime = now;
    }

    private synchronized void linkCount(int delta) {
        nlink += delta;
        ctime = sb.clock.getAsLong();
    }

    @Override
    public FsInode lookup(String name) {
        requireDir("shmem_lookup");
        return children.get(name);
    }

    @Override
    public List<DirEntry> readdir() {
        requireDir("dcache_readdir");
        List<DirEntry> out = new ArrayList<>(children.size());
        for (Map.Entry<String, ShmemInode> e : children.entrySet()) {
            out.add(new DirEntry(e.getKey(), e.getValue().ino, e.getValue().type));
        }
        accessed();
        return out;
    }

    /** {@code shmem_mknod}: every creating operation ends here. */
    private ShmemInode make(String name, FileType t, int permBits, DeviceNumber dev, String step) {
        requireAbsent(name, step);
        ShmemInode i = sb.newInode(t, permBits, dev);
        i.nlink = t == FileType.DIRECTORY ? 2 : 1;
        children.put(name, i);
        if (t == FileType.DIRECTORY) {
            linkCount(1); // the child's ".."
        }
        dirChanged();
        return i;
    }

    @Override
    public FsInode create(String name, int mode) {
        return make(name, FileType.REGULAR, mode, null, "shmem_create");
    }

    @Override
    public FsInode mkdir(String name, int mode) {
        return make(name, FileType.DIRECTORY, mode, null, "shmem_mkdir");
    }

    @Override
    public FsInode mknod(String name, int mode, DeviceNumber dev) {
        FileType t;
        try {
            t = FileType.ofMode(mode);
        } catch (IllegalArgumentException e) {
            throw new MmException(Errno.EINVAL, "shmem_mknod", e.getMessage(), e);
        }
        if (t == FileType.DIRECTORY || t == FileType.SYMLINK) {
            throw new MmException(Errno.EINVAL, "shmem_mknod", "mknod cannot make a " + t);
        }
        boolean device = t == FileType.CHAR_DEVICE || t == FileType.BLOCK_DEVICE;
        if (device && dev == null) {
            throw new MmException(Errno.EINVAL, "shmem_mknod", "device node " + name + " needs a device number");
        }
        return make(name, t, mode, device ? dev : null, "shmem_mknod");
    }

    @Override
    public FsInode symlink(String name, String body) {
        if (body == null || body.isEmpty()) {
            throw new MmException(Errno.ENOENT, "shmem_symlink", "empty symlink target");
        }
        if (body.length() >= Fcntl.PATH_MAX) {
            throw new MmException(Errno.ENAMETOOLONG, "shmem_symlink", "symlink target reaches PATH_MAX");
        }
        ShmemInode i = make(name, FileType.SYMLINK, 0777, null, "shmem_symlink");
        synchronized (i) {
            i.target = body;
            i.size = body.length();
        }
        return i;
    }

    @Override
    public void link(FsInode existing, String name) {
        if (!(existing instanceof ShmemInode) || ((ShmemInode) existing).sb != sb) {
            throw new MmException(Errno.EXDEV, "shmem_link", "inode is not of this tmpfs instance");
        }
        ShmemInode i = (ShmemInode) existing;
        if (i.type == FileType.DIRECTORY) {
            throw new MmException(Errno.EPERM, "shmem_link", "cannot hard-link a directory");
        }
        requireAbsent(name, "shmem_link");
        children.put(name, i);
        i.linkCount(1);
        dirChanged();
    }

    @Override
    public void unlink(String name) {
        ShmemInode c = requirePresent(name, "shmem_unlink");
        if (c.type == FileType.DIRECTORY) {
            throw new MmException(Errno.EISDIR, "shmem_unlink", name + " is a directory");
        }
        children.remove(name);
        c.linkCount(-1);
        dirChanged();
    }

    @Override
    public void rmdir(String name) {
        ShmemInode c = requirePresent(name, "shmem_rmdir");
        if (c.type != FileType.DIRECTORY) {
            throw new MmException(Errno.ENOTDIR, "shmem_rmdir", name + " is not a directory");
        }
        if (!c.children.isEmpty()) {
            throw new MmException(Errno.ENOTEMPTY, "simple_rmdir", name + " is not empty (" + c.children.size()
                    + " entries)");
        }
        children.remove(name);
        c.linkCount(-2); // its name and its "."
        linkCount(-1); // its ".."
        dirChanged();
    }

    @Override
    public void rename(String oldName, FsInode newDirInode, String newName, int flags) {
        if (!(newDirInode instanceof ShmemInode) || ((ShmemInode) newDirInode).sb != sb) {
            throw new MmException(Errno.EXDEV, "shmem_rename2", "target directory is not of this tmpfs instance");
        }
        ShmemInode newDir = (ShmemInode) newDirInode;
        newDir.requireDir("shmem_rename2");
        ShmemInode src = requirePresent(oldName, "shmem_rename2");
        ShmemInode dst = newDir.children.get(newName);
        if (src == dst) {
            return;
        }
        if ((flags & Fcntl.RENAME_EXCHANGE) != 0) {
            if (dst == null) {
                throw new MmException(Errno.ENOENT, "shmem_exchange", newName + " does not exist");
            }
            children.put(oldName, dst);
            newDir.children.put(newName, src);
            if (newDir != this && src.type == FileType.DIRECTORY && dst.type != FileType.DIRECTORY) {
                linkCount(-1);
                newDir.linkCount(1);
            } else if (newDir != this && dst.type == FileType.DIRECTORY && src.type != FileType.DIRECTORY) {
                linkCount(1);
                newDir.linkCount(-1);
            }
            dirChanged();
            newDir.dirChanged();
            return;
        }
        if (dst != null) {
            if ((flags & Fcntl.RENAME_NOREPLACE) != 0) {
                throw new MmException(Errno.EEXIST, "shmem_rename2", newName + " exists (RENAME_NOREPLACE)");
            }
            if (src.type == FileType.DIRECTORY && dst.type != FileType.DIRECTORY) {
                throw new MmException(Errno.ENOTDIR, "shmem_rename2", newName + " is not a directory");
            }
            if (src.type != FileType.DIRECTORY && dst.type == FileType.DIRECTORY) {
                throw new MmException(Errno.EISDIR, "shmem_rename2", newName + " is a directory");
            }
            if (dst.type == FileType.DIRECTORY && !dst.children.isEmpty()) {
                throw new MmException(Errno.ENOTEMPTY, "shmem_rename2", newName + " is not empty");
            }
        }
        ShmemInode whiteout = null;
        if ((flags & Fcntl.RENAME_WHITEOUT) != 0) {
            // Charged before anything moves, so ENOSPC leaves both names as they were.
            whiteout = sb.newInode(FileType.CHAR_DEVICE, 0, DeviceNumber.WHITEOUT);
            whiteout.nlink = 1;
        }
        children.remove(oldName);
        if (dst != null) {
            dst.linkCount(dst.type == FileType.DIRECTORY ? -2 : -1);
            if (dst.type == FileType.DIRECTORY) {
                newDir.linkCount(-1);
            }
        }
        newDir.children.put(newName, src);
        if (src.type == FileType.DIRECTORY && newDir != this) {
            linkCount(-1);
            newDir.linkCount(1);
        }
        if (whiteout != null) {
            children.put(oldName, whiteout);
        }
        src.linkCount(0); // ctime
        dirChanged();
        newDir.dirChanged();
    }

    /** {@code kill_litter_super}: unlinks the whole subtree so nothing keeps it reachable. */
    void forgetChildren() {
        if (children != null) {
            for (ShmemInode c : children.values()) {
                if (c.children != null && c != this) {
                    c.forgetChildren();
                }
            }
            children.clear();
        }
    }

    @Override
    public synchronized String readlink() {
        if (type != FileType.SYMLINK) {
            throw new MmException(Errno.EINVAL, "shmem_get_link", "tmpfs inode " + ino + " is not a symlink");
        }
        return target;
    }

    // ---------------------------------------------------------------- xattrs

    private static void checkNamespace(String name, String step) {
        // tmpfs keeps trusted.*, security.* and user.* (overlay needs trusted.overlay.*);
        // system.* are POSIX ACLs, which this model does not implement.
        if (!(name.startsWith("trusted.") || name.startsWith("security.") || name.startsWith("user."))) {
            throw new MmException(Errno.EOPNOTSUPP, step, "tmpfs does not store xattr " + name);
        }
    }

    @Override
    public synchronized List<String> listxattr() {
        return new ArrayList<>(xattrs.keySet());
    }

    @Override
    public synchronized byte[] getxattr(String name) {
        checkNamespace(name, "shmem_xattr_handler_get");
        byte[] v = xattrs.get(name);
        if (v == null) {
            throw new MmException(Errno.ENODATA, "shmem_xattr_handler_get", "no xattr " + name + " on inode " + ino);
        }
        return v.clone();
    }

    @Override
    public synchronized void setxattr(String name, byte[] value, int flags) {
        checkNamespace(name, "shmem_xattr_handler_set");
        boolean exists = xattrs.containsKey(name);
        if ((flags & Fcntl.XATTR_CREATE) != 0 && exists) {
            throw new MmException(Errno.EEXIST, "simple_xattr_set", "xattr " + name + " exists (XATTR_CREATE)");
        }
        if ((flags & Fcntl.XATTR_REPLACE) != 0 && !exists) {
            throw new MmException(Errno.ENODATA, "simple_xattr_set", "no xattr " + name + " (XATTR_REPLACE)");
        }
        long total = value.length + name.length();
        for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
            if (!e.getKey().equals(name)) {
                total += e.getKey().length() + e.getValue().length;
            }
        }
        if (total > XATTR_TOTAL_MAX) {
            throw new MmException(Errno.ENOSPC, "simple_xattr_set", "xattrs of inode " + ino + " would exceed "
                    + XATTR_TOTAL_MAX + " bytes");
        }
        xattrs.put(name, value.clone());
        ctime = sb.clock.getAsLong();
    }

    @Override
    public synchronized void removexattr(String name) {
        checkNamespace(name, "shmem_xattr_handler_set");
        if (xattrs.remove(name) == null) {
            throw new MmException(Errno.ENODATA, "simple_xattr_set", "no xattr " + name + " on inode " + ino);
        }
        ctime = sb.clock.getAsLong();
    }

    // ---------------------------------------------------------------- operations

    @Override
    public FileOperations fileOperations() {
        return type == FileType.REGULAR ? ShmemFile.FILE_OPERATIONS : null;
    }

    /** Memory-only: the page cache is the data, there is nothing to read from or write to. */
    @Override
    public AddressSpaceOperations addressSpaceOperations() {
        return null;
    }

    @Override
    public void evict() {
        sb.freeInode(this);
    }

    @Override
    public String toString() {
        return "ShmemInode[" + ino + " " + type + "]";
    }
}
