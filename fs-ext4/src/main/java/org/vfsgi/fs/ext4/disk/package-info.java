/**
 * The ext4 on-disk engine: plain Java over a {@link org.vfsgi.hw.BlockDevice}, with no OSGi and no
 * VFS types, so a file-system type adapter can wrap it directly and plain JUnit can drive it.
 *
 * <p>{@link org.vfsgi.fs.ext4.disk.Ext4Volume} is the whole API: mount, inode access by number,
 * data by byte range or 4096-byte page, directories (linear and htree), symlinks, and the write
 * side (create, mkdir, unlink, rmdir, rename, symlink, link, write, truncate, setattr) with every
 * checksum kept right; inodes unlinked while in use, and files while a truncate shrinks them, are on
 * the on-disk orphan list, which a mount after a crash finishes. Failures are {@link org.vfsgi.fs.ext4.disk.Ext4Exception}s naming an errno.
 * Structure and field names follow the kernel's {@code fs/ext4} so an ext4 reader finds their way.
 */
package org.vfsgi.fs.ext4.disk;
