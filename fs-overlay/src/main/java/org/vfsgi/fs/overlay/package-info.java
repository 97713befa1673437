/**
 * The overlay file system ({@code fs/overlayfs}): a merged view of read-only lower layers and
 * an optional writable upper layer, all directories of other mounts, with the on-disk
 * conventions of Linux overlayfs (whiteouts are character devices 0:0, opaque directories
 * carry {@code trusted.overlay.opaque=y}, copy-up goes through the work directory) so an upper
 * layer means the same thing to both. Private to the bundle: the bundle exports nothing and
 * offers the type only as a {@link org.vfsgi.vfs.FileSystemType} service.
 */
package org.vfsgi.fs.overlay;
