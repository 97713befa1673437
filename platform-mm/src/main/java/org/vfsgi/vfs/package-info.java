/**
 * The VFS API of vfsgi, as far as memory mapping needs it: open files, inodes and the
 * {@code file_operations} table with its mmap hooks ({@code mmap}, {@code mmap_prepare},
 * {@code mmap_complete}, {@code mmap_abort}, {@code get_unmapped_area}), and
 * {@link org.vfsgi.vfs.CharDevice}, the service a character driver publishes to get a
 * {@code /dev} node.
 *
 * <p>It references {@code org.vfsgi.mm} and is referenced by it, as the kernel's
 * {@code file_operations} and {@code vm_area_desc} reference each other.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.vfsgi.vfs;
