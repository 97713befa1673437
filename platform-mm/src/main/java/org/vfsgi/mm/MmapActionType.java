package org.vfsgi.mm;

/**
 * What an {@link MmapAction} asks the platform to do once the VMA exists
 * ({@code enum mmap_action_type}).
 */
public enum MmapActionType {
    /** {@code MMAP_NOTHING}: nothing further to do. */
    NOTHING,
    /** {@code MMAP_REMAP_PFN}: map a PFN range. */
    REMAP_PFN,
    /** {@code MMAP_IO_REMAP_PFN}: map an I/O PFN range; rewritten to {@link #REMAP_PFN} during prepare. */
    IO_REMAP_PFN,
    /** {@code MMAP_SIMPLE_IO_REMAP}: map a physical window with range checks; rewritten during prepare. */
    SIMPLE_IO_REMAP,
    /** {@code MMAP_MAP_KERNEL_PAGES}: insert a list of kernel-owned pages. */
    MAP_KERNEL_PAGES,
    /** A driver callback run at action time (the custom action of the original proposal). */
    CUSTOM
}
