package org.vfsgi.fs.overlay;

import java.util.Locale;

/**
 * How an overlay file maps: the {@code mmap=} mount option.
 */
public enum MmapMode {
    /**
     * {@code mmap=legacy} (the default, what Linux's {@code ovl_mmap} does): the overlay's legacy
     * {@code mmap} points the new VMA at the real file ({@code vma_set_file}) and calls
     * {@code vfs_mmap} on it, so a real file with {@code mmap_prepare} runs through
     * {@code compat_vma_mmap}. A legacy mapping never merges with its neighbours at mmap time.
     */
    LEGACY,
    /**
     * {@code mmap=prepare}: the overlay's {@code mmap_prepare} sets the descriptor's
     * {@code vm_file} to the real file and runs the real file's {@code mmap_prepare}, before the
     * merge attempt, so adjacent mappings of the same open file merge.
     */
    PREPARE;

    /** @return the option value naming this mode */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
