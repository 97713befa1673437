package org.vfsgi.fs.ext4.disk;

/**
 * A failed ext4 operation, named by the errno the kernel would return ({@code "EIO"},
 * {@code "EFSCORRUPTED"}, {@code "EFSBADCRC"}, {@code "ENOENT"}, {@code "ENOSPC"}, {@code "EROFS"},
 * {@code "ENOTDIR"}, {@code "EISDIR"}, {@code "ENOTEMPTY"}, {@code "EEXIST"}, {@code "EINVAL"},
 * {@code "ENAMETOOLONG"}, {@code "EFBIG"}, {@code "EMLINK"}, {@code "ELOOP"}). As in the kernel,
 * {@code EFSCORRUPTED} and {@code EFSBADCRC} are ext4's names for {@code EUCLEAN} and {@code EBADMSG};
 * {@link #kernelErrno()} gives the errno a system call would see.
 */
public class Ext4Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errno;

    /**
     * @param errno the errno name, for example {@code "ENOENT"}
     * @param message what failed, for a person
     */
    public Ext4Exception(String errno, String message) {
        super(errno + ": " + message);
        this.errno = errno;
    }

    /**
     * @param errno the errno name
     * @param message what failed, for a person
     * @param cause the lower-level failure
     */
    public Ext4Exception(String errno, String message, Throwable cause) {
        super(errno + ": " + message, cause);
        this.errno = errno;
    }

    /** @return the errno name as ext4 uses it, for example {@code "EFSCORRUPTED"} */
    public String errno() {
        return errno;
    }

    /**
     * @return the errno a system call returns: {@code EFSCORRUPTED} is {@code EUCLEAN} and
     *         {@code EFSBADCRC} is {@code EBADMSG}, as in the kernel's ext4.h; others unchanged
     */
    public String kernelErrno() {
        switch (errno) {
            case "EFSCORRUPTED":
                return "EUCLEAN";
            case "EFSBADCRC":
                return "EBADMSG";
            default:
                return errno;
        }
    }

    static Ext4Exception corrupted(String message) {
        return new Ext4Exception("EFSCORRUPTED", message);
    }

    static Ext4Exception badCrc(String message) {
        return new Ext4Exception("EFSBADCRC", message);
    }
}
