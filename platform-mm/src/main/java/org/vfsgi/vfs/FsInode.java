package org.vfsgi.vfs;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;

/**
 * A file system's inode with its inode operations: the file-system-owned half of the kernel's
 * {@code struct inode} together with {@code i_op}, {@code i_fop} ({@link #fileOperations()})
 * and {@code i_mapping->a_ops} ({@link #addressSpaceOperations()}). File systems implement it;
 * the VFS calls it. The platform keeps its own per-inode state (page cache, reverse map, open
 * count) beside it, keyed by {@link #ino()} within the superblock, so a file system may hand
 * out a new object for the same inode on every lookup.
 *
 * <p>Every method reports errors as {@link MmException} with the kernel's errno and the
 * operation's kernel name as step ({@code "lookup"}, {@code "vfs_mkdir"}, ...). The default
 * methods behave like a missing {@code inode_operations} entry in the kernel: they refuse with
 * the errno the kernel's VFS returns for a {@code NULL} hook. The VFS has already resolved the
 * path, checked that the directory is a directory, that names are valid
 * ({@code 1..NAME_MAX} bytes, no {@code '/'}, not {@code "."} or {@code ".."}) and that the
 * mount is writable before it calls a modifying method.
 *
 * <p>Calls on one superblock are serialised by the VFS (one lock per superblock, the model's
 * {@code s_vfs_rename_mutex} and {@code i_rwsem} in one), so implementations need no locking
 * of their own for these methods. File operations run without that lock.
 */
@ConsumerType
public interface FsInode {
    /** @return the inode number ({@code i_ino}), unique within the superblock and stable */
    long ino();

    /**
     * {@code getattr}: the inode's current attributes.
     *
     * @return the attributes
     */
    InodeAttributes getattr();

    /**
     * {@code setattr}: changes the attributes named by {@code change}. A size change truncates
     * or extends the file (the platform then drops cached pages beyond a smaller size); it is
     * refused with EISDIR on a directory and EINVAL on other non-regular files.
     *
     * @param change the attributes to change
     * @throws MmException EPERM, EISDIR, EINVAL, EFBIG, ENOSPC as the file system decides
     */
    void setattr(SetAttr change);

    /**
     * {@code lookup}: finds a name in this directory.
     *
     * @param name a single component
     * @return the child, or {@code null} if the name does not exist (the kernel's negative dentry)
     * @throws MmException ENOTDIR if this is not a directory, EIO if it cannot be read
     */
    default FsInode lookup(String name) {
        throw new MmException(Errno.ENOTDIR, "lookup", "inode " + ino() + " is not a directory");
    }

    /**
     * {@code readdir} ({@code iterate_shared}): the entries of this directory without
     * {@code "."} and {@code ".."}, which the VFS adds.
     *
     * @return the entries, in the file system's order
     * @throws MmException ENOTDIR if this is not a directory
     */
    default List<DirEntry> readdir() {
        throw new MmException(Errno.ENOTDIR, "iterate_dir", "inode " + ino() + " is not a directory");
    }

    /**
     * {@code create}: a new regular file in this directory.
     *
     * @param name the new name, which does not exist
     * @param mode permission bits
     * @return the new inode
     * @throws MmException EACCES when the file system cannot create files, ENOSPC, EEXIST
     */
    default FsInode create(String name, int mode) {
        throw new MmException(Errno.EACCES, "vfs_create", "file system cannot create files");
    }

    /**
     * {@code mkdir}: a new directory in this directory.
     *
     * @param name the new name, which does not exist
     * @param mode permission bits
     * @return the new directory
     * @throws MmException EPERM when unsupported, ENOSPC, EMLINK, EEXIST
     */
    default FsInode mkdir(String name, int mode) {
        throw new MmException(Errno.EPERM, "vfs_mkdir", "file system cannot create directories");
    }

    /**
     * {@code mknod}: a device node, FIFO or socket. Overlay creates whiteouts as
     * {@code mknod(name, S_IFCHR | 0, 0:0)}.
     *
     * @param name the new name, which does not exist
     * @param mode the full mode, type bits included
     * @param rdev the device number for a device node; ignored for FIFOs and sockets
     * @return the new inode
     * @throws MmException EPERM when unsupported, EINVAL for a regular file or directory mode
     */
    default FsInode mknod(String name, int mode, DeviceNumber rdev) {
        throw new MmException(Errno.EPERM, "vfs_mknod", "file system cannot create device nodes");
    }

    /**
     * {@code symlink}: a symbolic link in this directory.
     *
     * @param name the new name, which does not exist
     * @param target the link's body, stored as is
     * @return the new link
     * @throws MmException EPERM when unsupported, ENAMETOOLONG, ENOSPC
     */
    default FsInode symlink(String name, String target) {
        throw new MmException(Errno.EPERM, "vfs_symlink", "file system cannot create symlinks");
    }

    /**
     * {@code link}: a new name in this directory for an existing inode of the same superblock.
     *
     * @param existing the inode to link, not a directory
     * @param name the new name, which does not exist
     * @throws MmException EPERM when unsupported, EMLINK
     */
    default void link(FsInode existing, String name) {
        throw new MmException(Errno.EPERM, "vfs_link", "file system cannot create hard links");
    }

    /**
     * {@code unlink}: removes a non-directory name from this directory. The inode lives on
     * while the platform holds it open.
     *
     * @param name an existing name of a non-directory
     * @throws MmException EPERM when unsupported
     */
    default void unlink(String name) {
        throw new MmException(Errno.EPERM, "vfs_unlink", "file system cannot remove files");
    }

    /**
     * {@code rmdir}: removes an empty directory from this directory.
     *
     * @param name an existing directory's name
     * @throws MmException ENOTEMPTY if it has entries, EPERM when unsupported
     */
    default void rmdir(String name) {
        throw new MmException(Errno.EPERM, "vfs_rmdir", "file system cannot remove directories");
    }

    /**
     * {@code rename}: moves {@code oldName} of this directory to {@code newName} of
     * {@code newDir} (same superblock), replacing a compatible target. The VFS has checked the
     * types (a directory only replaces an empty directory), that a directory is not moved into
     * itself, and {@link Fcntl#RENAME_NOREPLACE} against an existing target.
     *
     * @param oldName an existing name in this directory
     * @param newDir the target directory, of the same superblock
     * @param newName the target name
     * @param flags {@link Fcntl#RENAME_NOREPLACE}, {@link Fcntl#RENAME_EXCHANGE}, {@link Fcntl#RENAME_WHITEOUT}
     * @throws MmException ENOTEMPTY if the target is a non-empty directory, EINVAL for
     *         unsupported flags, EPERM when unsupported
     */
    default void rename(String oldName, FsInode newDir, String newName, int flags) {
        throw new MmException(Errno.EPERM, "vfs_rename", "file system cannot rename");
    }

    /**
     * {@code get_link}: the body of a symbolic link.
     *
     * @return the target as stored
     * @throws MmException EINVAL if this is not a symlink
     */
    default String readlink() {
        throw new MmException(Errno.EINVAL, "vfs_readlink", "inode " + ino() + " is not a symlink");
    }

    /**
     * {@code listxattr}.
     *
     * @return the names of the extended attributes, with their namespace prefix ({@code "user."},
     *         {@code "trusted."}, ...)
     * @throws MmException EOPNOTSUPP when the file system has no xattrs
     */
    default List<String> listxattr() {
        throw new MmException(Errno.EOPNOTSUPP, "vfs_listxattr", "file system has no extended attributes");
    }

    /**
     * {@code getxattr}.
     *
     * @param name the attribute's full name, for example {@code "trusted.overlay.opaque"}
     * @return a copy of its value
     * @throws MmException ENODATA if it is not set, EOPNOTSUPP when unsupported
     */
    default byte[] getxattr(String name) {
        throw new MmException(Errno.EOPNOTSUPP, "vfs_getxattr", "file system has no extended attributes");
    }

    /**
     * {@code setxattr}.
     *
     * @param name the attribute's full name
     * @param value its value (copied)
     * @param flags 0, {@link Fcntl#XATTR_CREATE} or {@link Fcntl#XATTR_REPLACE}
     * @throws MmException EEXIST / ENODATA for the flags, ENOSPC, ERANGE, EOPNOTSUPP
     */
    default void setxattr(String name, byte[] value, int flags) {
        throw new MmException(Errno.EOPNOTSUPP, "vfs_setxattr", "file system has no extended attributes");
    }

    /**
     * {@code removexattr}.
     *
     * @param name the attribute's full name
     * @throws MmException ENODATA if it is not set, EOPNOTSUPP when unsupported
     */
    default void removexattr(String name) {
        throw new MmException(Errno.EOPNOTSUPP, "vfs_removexattr", "file system has no extended attributes");
    }

    /**
     * {@code i_fop}: the operations of files opened on this inode. The platform's
     * {@link File#fileOperations()} returns exactly this table, so the mmap path sees which
     * hooks the file system provides.
     *
     * @return the table, or {@code null} if the inode cannot be opened as a file (the VFS then
     *         refuses with ENXIO, like a device node without a driver)
     */
    default FileOperations fileOperations() {
        return null;
    }

    /**
     * {@code i_mapping->a_ops}: how the page cache reads and writes this inode's data.
     *
     * @return the operations, or {@code null} for a memory-only page cache (tmpfs, shmem)
     */
    default AddressSpaceOperations addressSpaceOperations() {
        return null;
    }

    /**
     * {@code evict_inode}: the platform dropped its last use of an inode whose link count is
     * zero; the file system frees it now. The page cache is already empty.
     */
    default void evict() {
        // Nothing to free for a file system whose inodes are plain objects: the kernel's NULL hook.
    }
}
