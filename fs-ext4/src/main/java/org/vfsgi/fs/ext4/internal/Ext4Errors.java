package org.vfsgi.fs.ext4.internal;

import java.util.function.Supplier;

import org.vfsgi.fs.ext4.disk.Ext4Exception;
import org.vfsgi.hw.HwException;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;

/**
 * Turns the engine's {@link Ext4Exception}s (and a device's {@link HwException}s) into the
 * platform's {@link MmException}s: the errno a system call would see ({@code EFSCORRUPTED} is
 * EUCLEAN, {@code EFSBADCRC} EBADMSG), the VFS step, and the engine's message, never a stack trace.
 */
final class Ext4Errors {
    private Ext4Errors() {
    }

    /**
     * @param e the engine's failure
     * @param step the kernel function the failure is reported from
     * @param what the device, for the message
     * @return the platform's exception
     */
    static MmException toMm(Ext4Exception e, String step, String what) {
        return new MmException(errnoOf(e.kernelErrno()), step, "ext4 on " + what + ": " + e.getMessage(), e);
    }

    static MmException toMm(HwException e, String step, String what) {
        return new MmException(errnoOf(e.errno()), step, "ext4 on " + what + ": device error: " + e.getMessage(), e);
    }

    /** @return the errno named {@code name}, or EIO for a name the platform does not know */
    static Errno errnoOf(String name) {
        try {
            return Errno.valueOf(name);
        } catch (IllegalArgumentException unknown) {
            return Errno.EIO;
        }
    }

    /** Runs an engine call, reporting its failures as {@link MmException}s of {@code step}. */
    static <T> T call(String step, String what, Supplier<T> op) {
        try {
            return op.get();
        } catch (Ext4Exception e) {
            throw toMm(e, step, what);
        } catch (HwException e) {
            throw toMm(e, step, what);
        }
    }

    /** As {@link #call}, for calls without a result. */
    static void run(String step, String what, Runnable op) {
        call(step, what, () -> {
            op.run();
            return null;
        });
    }
}
