package org.vfsgi.fs.ext4.disk;

import java.time.Instant;

/**
 * The attributes {@link Ext4Volume#setattr} changes: each field left {@code null} stays as it is.
 * Mirrors the kernel's {@code struct iattr} without the size (use {@link Ext4Volume#truncate}).
 *
 * @param mode new permission bits (07777); the file type cannot change
 * @param uid new owner
 * @param gid new group
 * @param atime new access time
 * @param mtime new modification time
 * @param ctime new change time; when {@code null} and anything changed, ctime becomes now
 */
public record SetAttr(Integer mode, Long uid, Long gid, Instant atime, Instant mtime, Instant ctime) {
    /** @return a SetAttr that changes nothing, to start a chain of {@code with...} calls */
    public static SetAttr none() {
        return new SetAttr(null, null, null, null, null, null);
    }

    /** @return a copy with the permission bits set */
    public SetAttr withMode(int m) {
        return new SetAttr(m, uid, gid, atime, mtime, ctime);
    }

    /** @return a copy with owner and group set */
    public SetAttr withOwner(long u, long g) {
        return new SetAttr(mode, u, g, atime, mtime, ctime);
    }

    /** @return a copy with access and modification times set */
    public SetAttr withTimes(Instant a, Instant m) {
        return new SetAttr(mode, uid, gid, a, m, ctime);
    }
}
