package org.vfsgi.fs.ext4.disk;

/**
 * statfs(2)-style figures of a mounted volume.
 *
 * @param blockSize the file-system block size in bytes
 * @param blocks s_blocks_count
 * @param freeBlocks free blocks (s_free_blocks_count as kept by the group descriptors)
 * @param availableBlocks free blocks an unprivileged user may use (free minus s_r_blocks_count)
 * @param inodes s_inodes_count
 * @param freeInodes free inodes
 * @param nameMax the longest name a directory entry holds (255)
 */
public record Ext4StatFs(int blockSize, long blocks, long freeBlocks, long availableBlocks, long inodes,
        long freeInodes, int nameMax) {
}
