/**
 * The VFS core of vfsgi: registered file-system types, the mount table, path lookup across
 * mounts ({@code path_lookupat}, {@code follow_dotdot}, symlinks with the 40-hop limit), open
 * files, and the per-inode page cache that the platform owns ({@code i_mapping}), created
 * lazily from the file system's {@link org.vfsgi.vfs.AddressSpaceOperations} or memory-only.
 *
 * <p>Character devices: {@link org.vfsgi.mm.core.vfs.CharDevices} is the table of drivers by
 * device number that {@code open} consults for every {@code S_IFCHR} inode ({@code chrdev_open}),
 * and {@link org.vfsgi.mm.core.vfs.Devtmpfs} registers a driver and makes its {@code /dev} node.
 *
 * <p>Like the rest of the mm core it has no OSGi import and no static mutable state: a
 * {@link org.vfsgi.mm.core.vfs.Vfs} is an object, and the OSGi whiteboard adapter calls its
 * {@code registerFileSystem} / {@code unregisterFileSystem} as file-system services come and go.
 *
 * <p><b>Locking.</b> One namespace lock per {@link org.vfsgi.mm.core.vfs.Vfs} serialises path
 * walks, the mount table and every inode operation (the model's {@code namespace_sem},
 * {@code rename_lock} and directory {@code i_rwsem} in one), so file systems need no locking
 * for {@link org.vfsgi.vfs.FsInode} directory methods. Reads, writes and faults run without it
 * and take only the page cache's lock and the file system's own.
 */
package org.vfsgi.mm.core.vfs;
