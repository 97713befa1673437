package org.vfsgi.mm;

/**
 * An error a caller of the mm or VFS platform can cause: a kernel errno, the step of the
 * operation that raised it, and what failed.
 *
 * <p>{@link #getMessage()} reads {@code errno ENOMEM: <step>: <what failed>}, so a person
 * sees at once which errno, which phase (for example {@code mmap_prepare} or
 * {@code do_mmap}) and why. Errors a hook returned carry the hook's errno unchanged.
 */
public class MmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The errno the caller sees. */
    private final Errno errno;
    /** The step that raised it. */
    private final String step;
    /** What failed. */
    private final String detail;

    /**
     * @param errno the errno the caller sees
     * @param step the step that raised it, named like the kernel function ({@code do_mmap})
     * @param detail what failed, for a person
     * @throws NullPointerException if {@code errno} or {@code step} is null
     */
    public MmException(Errno errno, String step, String detail) {
        super(format(errno, step, detail));
        this.errno = errno;
        this.step = step;
        this.detail = detail;
    }

    /**
     * @param errno the errno the caller sees
     * @param step the step that raised it
     * @param detail what failed
     * @param cause the underlying error, for example a {@code HwException}
     */
    public MmException(Errno errno, String step, String detail, Throwable cause) {
        super(format(errno, step, detail), cause);
        this.errno = errno;
        this.step = step;
        this.detail = detail;
    }

    private static String format(Errno errno, String step, String detail) {
        if (errno == null || step == null) {
            throw new NullPointerException("errno and step are required");
        }
        return "errno " + errno.name() + ": " + step + ": " + detail;
    }

    /** @return the errno */
    public Errno errno() {
        return errno;
    }

    /** @return the kernel-style return value, {@code -errno().number()} */
    public int negative() {
        return errno.negative();
    }

    /** @return the step that raised the error */
    public String step() {
        return step;
    }

    /** @return what failed, without the errno and step prefix */
    public String detail() {
        return detail;
    }
}
