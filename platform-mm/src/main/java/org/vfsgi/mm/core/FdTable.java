package org.vfsgi.mm.core;

import java.util.Map;
import java.util.TreeMap;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.vfs.OpenFile;

/**
 * A process's file descriptor table ({@code struct files_struct} with its {@code fdtable}):
 * small integers naming open files. Each descriptor holds one reference ({@code f_count}) on its
 * {@link OpenFile}; descriptors that share a file (after {@code dup} or {@code fork}) share its
 * position and access mode, as on Linux, and the file is released when the last descriptor and
 * the last mapping drop their references.
 *
 * <p>New descriptors get the lowest free number ({@code alloc_fd}), up to {@link #NR_OPEN}
 * ({@code RLIMIT_NOFILE}'s usual soft limit), after which opening fails with EMFILE.
 */
public final class FdTable {
    /** The most descriptors one table holds, like the default {@code ulimit -n}. */
    public static final int NR_OPEN = 1024;

    private final TreeMap<Integer, OpenFile> fds = new TreeMap<>();

    /** An empty table, as a spawned process starts with. */
    FdTable() {
    }

    /**
     * {@code fd_install} at the lowest free number ({@code alloc_fd}). The table takes over the
     * caller's reference on {@code file}.
     *
     * @param file an open file
     * @param step the system call, for the error
     * @return the new descriptor
     * @throws MmException EMFILE if {@value #NR_OPEN} descriptors are in use
     */
    synchronized int install(OpenFile file, String step) {
        int fd = 0;
        for (int used : fds.keySet()) {
            if (used != fd) {
                break;
            }
            fd++;
        }
        if (fd >= NR_OPEN) {
            throw new MmException(Errno.EMFILE, step, "all " + NR_OPEN + " file descriptors are in use");
        }
        fds.put(fd, file);
        return fd;
    }

    /**
     * {@code fdget}: the file of a descriptor with a reference of the caller's own, so a
     * concurrent {@code close} cannot release the file under a system call; drop it with
     * {@link OpenFile#fput()}.
     *
     * @param fd the descriptor
     * @param step the system call, for the error
     * @return the file, with one more reference
     * @throws MmException EBADF if {@code fd} is not open
     */
    synchronized OpenFile get(int fd, String step) {
        return file(fd, step).getFile();
    }

    private OpenFile file(int fd, String step) {
        OpenFile f = fds.get(fd);
        if (f == null) {
            throw new MmException(Errno.EBADF, step, "fd " + fd + " is not an open file descriptor");
        }
        return f;
    }

    /**
     * {@code dup(fd)}: a second descriptor, the lowest free one, for the same open file.
     *
     * @param fd an open descriptor
     * @param step the system call, for the error
     * @return the new descriptor
     * @throws MmException EBADF, EMFILE
     */
    synchronized int dup(int fd, String step) {
        OpenFile f = file(fd, step);
        int copy = install(f, step);
        f.getFile();
        return copy;
    }

    /**
     * {@code close_fd}: removes the descriptor; the caller drops the reference it held.
     *
     * @param fd the descriptor
     * @param step the system call, for the error
     * @return the file, whose reference now belongs to the caller
     * @throws MmException EBADF if {@code fd} is not open
     */
    synchronized OpenFile remove(int fd, String step) {
        OpenFile f = file(fd, step);
        fds.remove(fd);
        return f;
    }

    /**
     * Removes a descriptor if it is still there, for undoing an install that raced with exit.
     *
     * @param fd the descriptor
     * @return its file, whose reference now belongs to the caller, or null if it was gone
     */
    synchronized OpenFile detach(int fd) {
        return fds.remove(fd);
    }

    /**
     * {@code dup_fd} for {@code fork}: the same numbers for the same open files, each a new
     * reference, as {@code dup} would make.
     *
     * @param child the child's empty table
     */
    synchronized void copyInto(FdTable child) {
        for (Map.Entry<Integer, OpenFile> e : fds.entrySet()) {
            child.put(e.getKey(), e.getValue().getFile());
        }
    }

    private synchronized void put(int fd, OpenFile f) {
        fds.put(fd, f);
    }

    /**
     * Empties the table ({@code close_files} at exit), handing back every descriptor's file.
     *
     * @return the files, in descriptor order, whose references now belong to the caller
     */
    synchronized Map<Integer, OpenFile> removeAll() {
        Map<Integer, OpenFile> all = new TreeMap<>(fds);
        fds.clear();
        return all;
    }

    /** @return the open descriptors and their files, in descriptor order ({@code /proc/PID/fd}) */
    public synchronized Map<Integer, OpenFile> snapshot() {
        return new TreeMap<>(fds);
    }

    /** @return the number of open descriptors */
    public synchronized int size() {
        return fds.size();
    }
}
