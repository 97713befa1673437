/**
 * The simulated hardware of vfsgi: physical memory made of 4 KiB page frames addressed by
 * page frame number (PFN), block devices backed by image files, persistent-memory regions
 * backed by host files, and MMIO windows whose registers have side effects.
 *
 * <p>Every device that occupies physical address space is a {@link org.vfsgi.hw.PhysicalRange};
 * {@link org.vfsgi.hw.PhysicalAddressSpace} resolves any PFN to the range that owns it, which
 * is how the mm platform later reaches a frame through a PFN remap. Errors a caller can cause
 * are {@link org.vfsgi.hw.HwException}s naming a kernel errno.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vfsgi.hw;
