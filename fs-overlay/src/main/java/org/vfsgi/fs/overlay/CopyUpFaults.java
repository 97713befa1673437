package org.vfsgi.fs.overlay;

/**
 * Failure injection for copy-up ({@code fail_copy_up}, in the spirit of the kernel's
 * {@code fail_*} knobs): asked before each chunk of data is copied into the work directory, so
 * a test can break a copy-up half-way and check that no partial file becomes visible.
 */
@FunctionalInterface
interface CopyUpFaults {
    /** Never fails: the production setting. */
    CopyUpFaults NONE = (path, offset) -> 0;

    /**
     * @param path the overlay-relative path being copied up
     * @param offset the offset of the chunk about to be copied
     * @return {@code 0} to go on, or a negative errno to fail the copy-up with
     */
    int beforeChunk(String path, long offset);
}
