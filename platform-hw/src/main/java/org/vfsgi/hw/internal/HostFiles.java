package org.vfsgi.hw.internal;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens the host files behind devices and counts how many are open, so that tests (and the
 * shell) can prove that removing a device, or failing to create one, leaves no handle behind.
 */
public final class HostFiles {
    private final AtomicInteger open = new AtomicInteger();

    /**
     * Opens a host file.
     *
     * @throws IOException as {@link FileChannel#open(Path, OpenOption...)} does
     */
    public HostFile open(Path path, OpenOption... options) throws IOException {
        FileChannel channel = FileChannel.open(path, options);
        open.incrementAndGet();
        return new HostFile(path, channel, options.clone());
    }

    /** @return how many files opened here are not closed yet */
    public int openCount() {
        return open.get();
    }

    /**
     * An open host file: its path (for messages) and its channel.
     *
     * <p>A {@link FileChannel} closes itself for every user when a thread is interrupted during
     * I/O on it. A device must not die because some caller's thread was interrupted, so
     * {@link #recoverFromInterrupt} reopens the file and the interrupted operation alone fails.
     */
    public final class HostFile implements AutoCloseable {
        private final Path path;
        private final OpenOption[] options;
        private volatile FileChannel channel;
        private boolean closed;

        private HostFile(Path path, FileChannel channel, OpenOption[] options) {
            this.path = path;
            this.channel = channel;
            this.options = options;
        }

        /** @return the file's path as configured */
        public Path path() {
            return path;
        }

        /** @return the channel for positional I/O */
        public FileChannel channel() {
            return channel;
        }

        /**
         * Called after an operation on {@code broken} failed with {@link ClosedByInterruptException}:
         * reopens the file unless {@link #close()} closed it on purpose.
         *
         * @throws IOException if the file cannot be reopened
         */
        public synchronized void recoverFromInterrupt(FileChannel broken) throws IOException {
            if (!closed && channel == broken && !broken.isOpen()) {
                channel = FileChannel.open(path, options);
            }
        }

        /** @return whether {@link #close()} was called */
        public synchronized boolean isClosed() {
            return closed;
        }

        /** Closes the channel once; later calls do nothing. */
        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
                channel.close();
            }
        }
    }
}
