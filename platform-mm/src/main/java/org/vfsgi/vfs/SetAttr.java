package org.vfsgi.vfs;

/**
 * A change of inode attributes for {@link FsInode#setattr} ({@code struct iattr} with its
 * {@code ia_valid} mask): only the attributes that were set on the builder change. Immutable.
 * A size change is a truncate (shrink or extend with a hole); the platform drops the page
 * cache beyond a smaller size after the file system accepted it.
 */
public final class SetAttr {
    private final Integer mode;
    private final Integer uid;
    private final Integer gid;
    private final Long size;
    private final Long atimeNanos;
    private final Long mtimeNanos;
    private final Long ctimeNanos;

    private SetAttr(Builder b) {
        mode = b.mode;
        uid = b.uid;
        gid = b.gid;
        size = b.size;
        atimeNanos = b.atimeNanos;
        mtimeNanos = b.mtimeNanos;
        ctimeNanos = b.ctimeNanos;
    }

    /** @return a builder that changes nothing yet */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether the permission bits change ({@code ATTR_MODE}) */
    public boolean hasMode() {
        return mode != null;
    }

    /**
     * @return the new permission bits (the type bits are ignored)
     * @throws IllegalStateException if the change does not set it
     */
    public int mode() {
        return get(mode, "mode");
    }

    /** @return whether the owner changes ({@code ATTR_UID}) */
    public boolean hasUid() {
        return uid != null;
    }

    /**
     * @return the new owner
     * @throws IllegalStateException if the change does not set it
     */
    public int uid() {
        return get(uid, "uid");
    }

    /** @return whether the group changes ({@code ATTR_GID}) */
    public boolean hasGid() {
        return gid != null;
    }

    /**
     * @return the new group
     * @throws IllegalStateException if the change does not set it
     */
    public int gid() {
        return get(gid, "gid");
    }

    /** @return whether the size changes ({@code ATTR_SIZE}) */
    public boolean hasSize() {
        return size != null;
    }

    /**
     * @return the new size in bytes
     * @throws IllegalStateException if the change does not set it
     */
    public long size() {
        return get(size, "size");
    }

    /** @return whether the access time changes ({@code ATTR_ATIME}) */
    public boolean hasAtime() {
        return atimeNanos != null;
    }

    /**
     * @return the new access time in ns since the epoch
     * @throws IllegalStateException if the change does not set it
     */
    public long atimeNanos() {
        return get(atimeNanos, "atime");
    }

    /** @return whether the modification time changes ({@code ATTR_MTIME}) */
    public boolean hasMtime() {
        return mtimeNanos != null;
    }

    /**
     * @return the new modification time in ns since the epoch
     * @throws IllegalStateException if the change does not set it
     */
    public long mtimeNanos() {
        return get(mtimeNanos, "mtime");
    }

    /** @return whether the change time is set explicitly ({@code ATTR_CTIME}) */
    public boolean hasCtime() {
        return ctimeNanos != null;
    }

    /**
     * @return the new change time in ns since the epoch
     * @throws IllegalStateException if the change does not set it
     */
    public long ctimeNanos() {
        return get(ctimeNanos, "ctime");
    }

    private static <T> T get(T value, String what) {
        if (value == null) {
            throw new IllegalStateException("SetAttr does not change " + what);
        }
        return value;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SetAttr[");
        if (mode != null) {
            sb.append(" mode=0").append(Integer.toOctalString(mode));
        }
        if (uid != null) {
            sb.append(" uid=").append(uid);
        }
        if (gid != null) {
            sb.append(" gid=").append(gid);
        }
        if (size != null) {
            sb.append(" size=").append(size);
        }
        if (atimeNanos != null) {
            sb.append(" atime=").append(atimeNanos);
        }
        if (mtimeNanos != null) {
            sb.append(" mtime=").append(mtimeNanos);
        }
        if (ctimeNanos != null) {
            sb.append(" ctime=").append(ctimeNanos);
        }
        return sb.append(" ]").toString();
    }

    /** Builds a {@link SetAttr}; each setter marks its attribute valid. */
    public static final class Builder {
        private Integer mode;
        private Integer uid;
        private Integer gid;
        private Long size;
        private Long atimeNanos;
        private Long mtimeNanos;
        private Long ctimeNanos;

        private Builder() {
        }

        /**
         * @param m permission bits, within {@code 07777}
         * @return this
         * @throws IllegalArgumentException if bits outside {@code 07777} are set
         */
        public Builder mode(int m) {
            if ((m & ~FileType.PERMISSION_MASK) != 0) {
                throw new IllegalArgumentException("mode 0" + Integer.toOctalString(m)
                        + " has bits outside the permission mask 07777");
            }
            mode = m;
            return this;
        }

        /**
         * @param u the new owner
         * @return this
         */
        public Builder uid(int u) {
            uid = u;
            return this;
        }

        /**
         * @param g the new group
         * @return this
         */
        public Builder gid(int g) {
            gid = g;
            return this;
        }

        /**
         * @param s the new size in bytes
         * @return this
         * @throws IllegalArgumentException if negative
         */
        public Builder size(long s) {
            if (s < 0) {
                throw new IllegalArgumentException("negative size " + s);
            }
            size = s;
            return this;
        }

        /**
         * @param ns the new access time, ns since the epoch
         * @return this
         */
        public Builder atime(long ns) {
            atimeNanos = ns;
            return this;
        }

        /**
         * @param ns the new modification time, ns since the epoch
         * @return this
         */
        public Builder mtime(long ns) {
            mtimeNanos = ns;
            return this;
        }

        /**
         * @param ns the new change time, ns since the epoch
         * @return this
         */
        public Builder ctime(long ns) {
            ctimeNanos = ns;
            return this;
        }

        /** @return the immutable change */
        public SetAttr build() {
            return new SetAttr(this);
        }
    }
}
