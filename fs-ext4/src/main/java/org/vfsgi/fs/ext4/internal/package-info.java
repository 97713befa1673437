/**
 * ext4 as vfsgi's VFS sees it: the {@code ext4} {@link org.vfsgi.vfs.FileSystemType} (a
 * Declarative Services component), its superblock, inodes, file and VM operations and page-cache
 * I/O, all over the on-disk engine {@link org.vfsgi.fs.ext4.disk.Ext4Volume}. Names follow the
 * kernel's {@code fs/ext4} ({@code ext4_fill_super}, {@code ext4_file_mmap_prepare},
 * {@code ext4_page_mkwrite}, {@code EXT4_IOC_SHUTDOWN}). Private to the bundle.
 */
package org.vfsgi.fs.ext4.internal;
