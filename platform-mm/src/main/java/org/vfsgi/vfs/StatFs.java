package org.vfsgi.vfs;

/**
 * The figures of {@code statfs(2)} for one superblock ({@code struct kstatfs}).
 *
 * @param magic the file system's magic number ({@code f_type}), for example {@code 0x01021994} for tmpfs
 * @param blockSize the block size in bytes
 * @param blocks total blocks; 0 when the file system has no limit
 * @param blocksFree free blocks
 * @param blocksAvailable free blocks available to unprivileged users
 * @param files total inodes; 0 when unlimited
 * @param filesFree free inodes
 * @param nameMax the longest name component
 */
public record StatFs(long magic, long blockSize, long blocks, long blocksFree, long blocksAvailable, long files,
        long filesFree, int nameMax) {
}
