/**
 * The mm API of vfsgi: VMA flags, the {@code vm_area_desc} descriptor, VM operations and
 * the errnos and signals of memory management.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.vfsgi.mm;
