/**
 * ext4 for vfsgi: the real on-disk format over a platform-hw block device. Private to the
 * bundle: file-system bundles export nothing, so swapping one refreshes only it.
 */
package org.vfsgi.fs.ext4;
