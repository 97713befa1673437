package org.vfsgi.hw.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

import org.vfsgi.hw.HwException;

/**
 * The host file behind a file-backed device ({@link FileBlockDevice}, {@link FilePersistentMemory}),
 * and whether the device has been removed: opening the file all-or-nothing, positional I/O that
 * moves every byte, and what a device reports when its channel was closed under an operation.
 *
 * <p>Each device still words its own I/O failures (they name sectors or pages); only the messages
 * that do not depend on the operation are made here.
 */
final class DeviceFile {
    /** Makes the device once its file is open; may refuse the file by throwing. */
    @FunctionalInterface
    interface Setup<T> {
        /**
         * @param file the open file, to be owned by the device
         * @param fileSize the file's size in bytes when it was opened
         */
        T create(DeviceFile file, long fileSize);
    }

    private final HostFiles.HostFile file;
    /** The device for messages, such as {@code "block device 'vda'"}. */
    private final String device;
    /** What the file is to the device, for messages: {@code "image"}, {@code "media"}. */
    private final String role;
    private volatile boolean removed;

    private DeviceFile(HostFiles.HostFile file, String device, String role) {
        this.file = file;
        this.device = device;
        this.role = role;
    }

    /**
     * Opens {@code path} and hands it with its size to {@code setup}. If reading the size fails or
     * {@code setup} throws, the file is closed again, so a refused device leaves no handle behind.
     *
     * @param device the device for messages, such as {@code "block device 'vda'"}
     * @param role what the file is to the device, such as {@code "image"}
     * @param sizeFailure the start of the EIO message when the size cannot be read
     * @throws HwException EIO if the file cannot be opened or its size read; whatever {@code setup} throws
     */
    static <T> T open(HostFiles files, Path path, OpenOption[] options, String device, String role,
            String sizeFailure, Setup<T> setup) {
        HostFiles.HostFile file;
        try {
            file = files.open(path, options);
        } catch (IOException e) {
            throw new HwException("EIO", "cannot open " + role + " '" + path + "' of " + device + ": " + e);
        }
        try {
            return setup.create(new DeviceFile(file, device, role), file.channel().size());
        } catch (IOException | RuntimeException e) {
            try {
                file.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new HwException("EIO", sizeFailure + ": " + e);
        }
    }

    /** @return the file's path as configured */
    Path path() {
        return file.path();
    }

    /**
     * @return the channel for positional I/O; pass the same channel to {@link #closedUnder} if an
     *         operation on it fails with {@link java.nio.channels.ClosedChannelException}
     */
    FileChannel channel() {
        return file.channel();
    }

    /**
     * Reads exactly {@code len} bytes at {@code position} into {@code dst[off, off + len)}.
     *
     * @throws HwException EIO if the file ends first
     */
    void readFully(FileChannel ch, long position, byte[] dst, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(dst, off, len);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position() - off);
            if (n < 0) {
                throw new HwException("EIO", role + " '" + path() + "' of " + device + " ended early at byte "
                        + (position + buf.position() - off));
            }
        }
    }

    /** Writes all of {@code src[off, off + len)} at {@code position}. */
    void writeFully(FileChannel ch, long position, byte[] src, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(src, off, len);
        while (buf.hasRemaining()) {
            ch.write(buf, position + buf.position() - off);
        }
    }

    /** @return whether {@link #markRemoved()} was called */
    boolean isRemoved() {
        return removed;
    }

    /** From now on the device is gone: {@link #ensureNotRemoved()} fails with ENODEV. */
    void markRemoved() {
        removed = true;
    }

    /** @throws HwException ENODEV if the device has been removed */
    void ensureNotRemoved() {
        if (removed) {
            throw removed();
        }
    }

    /** @return the ENODEV error of a removed device */
    HwException removed() {
        return new HwException("ENODEV", device + " has been removed");
    }

    /**
     * The channel {@code ch} was closed under an operation: because the device was removed (the
     * device is gone), or because some thread was interrupted during I/O, which closes a
     * {@code FileChannel} for everyone. In the second case the file is reopened and only this
     * operation fails.
     *
     * @param operation the failed operation with its device, such as
     *        {@code "reading sector 3 on block device 'vda'"}
     * @return ENODEV if the device was removed, EINTR if the file was reopened, EIO if it could not be
     */
    HwException closedUnder(FileChannel ch, String operation) {
        if (removed || file.isClosed()) {
            return removed();
        }
        try {
            file.recoverFromInterrupt(ch);
        } catch (IOException e) {
            return new HwException("EIO", operation + " was interrupted and '" + path()
                    + "' could not be reopened: " + e);
        }
        return new HwException("EINTR", operation + " was interrupted; the device remains usable");
    }

    /** Closes the file once; later calls do nothing. Does not mark the device removed. */
    void close() throws IOException {
        file.close();
    }
}
