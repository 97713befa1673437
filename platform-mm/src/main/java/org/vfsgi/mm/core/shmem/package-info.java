/**
 * tmpfs and shmem ({@code mm/shmem.c}): a memory file system whose regular files are the
 * platform's memory-only page caches, with directories, symlinks, device nodes (overlay's
 * whiteouts), extended attributes, timestamps and the {@code size=} / {@code nr_inodes=}
 * limits; its file operations with a kernel-style {@code mmap_prepare} that sets the shmem VM
 * operations, whose {@code fault} supplies the page from the inode's page cache; and
 * {@code shmem_file_setup} / {@code shmem_zero_setup}, the unlinked shmem files behind shared
 * anonymous mappings and the shared mapping of {@code /dev/zero}.
 *
 * <p>It lives in the mm core, as the kernel keeps shmem in {@code mm/}: no OSGi import, no
 * static mutable state (the operation tables are immutable constants).
 */
package org.vfsgi.mm.core.shmem;
