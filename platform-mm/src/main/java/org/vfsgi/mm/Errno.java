package org.vfsgi.mm;

/**
 * The kernel errnos that the mm and VFS paths of vfsgi can raise, with their Linux
 * (x86-64, asm-generic) numbers.
 *
 * <p>Hooks written by file systems and drivers report errors the kernel way: an {@code int}
 * that is {@code 0} for success or a negative errno ({@code -Errno.ENOMEM.number()}).
 * {@link #negative()} produces that value and {@link #fromReturn(int)} turns it back into a
 * constant.
 */
public enum Errno {
    /** Operation not permitted. */
    EPERM(1),
    /** No such file or directory. */
    ENOENT(2),
    /** No such process. */
    ESRCH(3),
    /** Interrupted system call. */
    EINTR(4),
    /** I/O error. */
    EIO(5),
    /** No such device or address. */
    ENXIO(6),
    /** Argument list too long. */
    E2BIG(7),
    /** Bad file number. */
    EBADF(9),
    /** Try again. */
    EAGAIN(11),
    /** Out of memory. */
    ENOMEM(12),
    /** Permission denied. */
    EACCES(13),
    /** Bad address. */
    EFAULT(14),
    /** Device or resource busy. */
    EBUSY(16),
    /** File exists. */
    EEXIST(17),
    /** Cross-device link. */
    EXDEV(18),
    /** No such device. */
    ENODEV(19),
    /** Not a directory. */
    ENOTDIR(20),
    /** Is a directory. */
    EISDIR(21),
    /** Invalid argument. */
    EINVAL(22),
    /** File table overflow. */
    ENFILE(23),
    /** Too many open files. */
    EMFILE(24),
    /** Text file busy. */
    ETXTBSY(26),
    /** File too large. */
    EFBIG(27),
    /** No space left on device. */
    ENOSPC(28),
    /** Illegal seek. */
    ESPIPE(29),
    /** Read-only file system. */
    EROFS(30),
    /** Too many links. */
    EMLINK(31),
    /** Broken pipe. */
    EPIPE(32),
    /** Math result not representable. */
    ERANGE(34),
    /** Resource deadlock would occur. */
    EDEADLK(35),
    /** File name too long. */
    ENAMETOOLONG(36),
    /** Function not implemented. */
    ENOSYS(38),
    /** Directory not empty. */
    ENOTEMPTY(39),
    /** Too many symbolic links encountered. */
    ELOOP(40),
    /** No data available. */
    ENODATA(61),
    /** Not a data message: ext4's {@code EFSBADCRC}, a metadata checksum that does not match. */
    EBADMSG(74),
    /** Value too large for defined data type. */
    EOVERFLOW(75),
    /** Operation not supported on transport endpoint (the kernel's EOPNOTSUPP alias). */
    EOPNOTSUPP(95),
    /** Stale file handle. */
    ESTALE(116),
    /** Structure needs cleaning: ext4's {@code EFSCORRUPTED}, corrupted metadata. */
    EUCLEAN(117),
    /** Quota exceeded. */
    EDQUOT(122),
    /** Operation canceled. */
    ECANCELED(125);

    /** The largest errno magnitude the kernel encodes in a pointer or address ({@code MAX_ERRNO}). */
    public static final int MAX_ERRNO = 4095;

    private static final Errno[] BY_NUMBER = new Errno[MAX_ERRNO + 1];

    static {
        for (Errno e : values()) {
            BY_NUMBER[e.number] = e;
        }
    }

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** @return the positive Linux errno number, for example 12 for {@link #ENOMEM} */
    public int number() {
        return number;
    }

    /** @return the kernel-style return value of a failing hook: {@code -number()} */
    public int negative() {
        return -number;
    }

    /**
     * Looks up an errno by its positive number.
     *
     * @param number a positive errno number
     * @return the constant, or {@code null} if vfsgi does not know that number
     */
    public static Errno ofNumber(int number) {
        return number > 0 && number <= MAX_ERRNO ? BY_NUMBER[number] : null;
    }

    /**
     * Decodes a kernel-style hook result.
     *
     * @param ret {@code 0} or a negative errno
     * @return {@code null} for {@code 0}, otherwise the errno
     * @throws IllegalArgumentException if {@code ret} is positive or not a known negative errno
     */
    public static Errno fromReturn(int ret) {
        if (ret == 0) {
            return null;
        }
        Errno e = ret < 0 ? ofNumber(-ret) : null;
        if (e == null) {
            throw new IllegalArgumentException("not a negative errno: " + ret);
        }
        return e;
    }

    /**
     * Tells whether a value is a valid kernel error return: negative, and at most
     * {@link #MAX_ERRNO} in magnitude (the kernel's {@code IS_ERR_VALUE}).
     *
     * @param ret the value
     * @return {@code true} for {@code -4095 .. -1}
     */
    public static boolean isErrorValue(long ret) {
        return ret < 0 && ret >= -MAX_ERRNO;
    }

    /**
     * Describes a hook result for messages: {@code "ENOMEM"}, {@code "-9999"} for unknown values.
     *
     * @param ret a kernel-style return value
     * @return a printable name
     */
    public static String describe(int ret) {
        if (ret == 0) {
            return "0";
        }
        Errno e = ret < 0 ? ofNumber(-ret) : null;
        return e != null ? e.name() : Integer.toString(ret);
    }
}
