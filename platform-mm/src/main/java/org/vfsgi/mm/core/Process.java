package org.vfsgi.mm.core;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.Signal;
import org.vfsgi.mm.SignalException;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.mm.core.page.PageTable;
import org.vfsgi.mm.core.page.UserAccessException;
import org.vfsgi.mm.core.vfs.Kstat;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.File;

/**
 * A process ({@code struct task_struct} reduced to what mm needs): a pid, an address space and
 * a file descriptor table, with the memory and file system calls. Each memory call takes the
 * mmap write lock for its whole duration, as the kernel's syscalls do, and every call reports
 * errors as {@link MmException}s. The file calls need a kernel with RAM (it owns the VFS).
 */
public final class Process {
    private static final System.Logger LOG = System.getLogger(Process.class.getName());

    private final Kernel kernel;
    private final int pid;
    private final MmStruct mm;
    /** {@code current->files}: the open file descriptors. */
    private final FdTable files = new FdTable();
    private volatile boolean exited;
    /** Signals delivered by faulting accesses, most recent last, at most {@link #SIGNALS_KEPT}. */
    private final ArrayDeque<SignalException> signals = new ArrayDeque<>();
    private long signalCount;
    /** How many delivered signals a process remembers; a looping faulter must not grow the heap. */
    public static final int SIGNALS_KEPT = 64;

    Process(Kernel kernel, int pid, MmStruct mm) {
        this.kernel = kernel;
        this.pid = pid;
        this.mm = mm;
    }

    /** @return the process id */
    public int pid() {
        return pid;
    }

    /** @return the address space */
    public MmStruct mm() {
        return mm;
    }

    /** @return the kernel */
    public Kernel kernel() {
        return kernel;
    }

    /** @return whether {@link #exit()} ran */
    public boolean isExited() {
        return exited;
    }

    private void checkAlive(String step) {
        if (exited) {
            throw new MmException(Errno.ESRCH, step, "pid " + pid + " has exited");
        }
    }

    /**
     * {@code mmap(addr, len, prot, flags, file, offset)} ({@code vm_mmap_pgoff}).
     *
     * @param addr hint or fixed address
     * @param len length in bytes
     * @param prot {@code PROT_*}
     * @param flags {@code MAP_*}
     * @param file the file, or null with {@code MAP_ANONYMOUS}
     * @param offset the file offset in bytes, page aligned
     * @return the mapped address
     * @throws MmException with the errno and step of the failure
     */
    public long mmap(long addr, long len, int prot, int flags, File file, long offset) {
        checkAlive("mmap");
        if ((offset & (Mman.PAGE_SIZE - 1)) != 0) {
            throw new MmException(Errno.EINVAL, "ksys_mmap_pgoff", "offset 0x" + Long.toHexString(offset)
                    + " is not page aligned");
        }
        if ((flags & Mman.MAP_ANONYMOUS) != 0) {
            file = null;
        } else if (file == null) {
            throw new MmException(Errno.EBADF, "ksys_mmap_pgoff", "no file and no MAP_ANONYMOUS");
        }
        long mapped;
        mm.mmapWriteLock();
        try {
            mapped = MmapState.doMmap(mm, file, addr, len, prot, flags, offset >>> Mman.PAGE_SHIFT);
        } finally {
            mm.mmapWriteUnlock();
        }
        if (kernel.pageMemory() != null && ((flags & (Mman.MAP_POPULATE | Mman.MAP_NONBLOCK)) == Mman.MAP_POPULATE
                || (flags & Mman.MAP_LOCKED) != 0)) {
            populate(mapped, mapped + VmaOps.pageAlign(len));
        }
        return mapped;
    }

    /**
     * {@code mm_populate} after {@code MAP_POPULATE} or {@code MAP_LOCKED}: fault every page of
     * the range in, under the mmap read lock taken after the mapping's write lock was dropped, as
     * the kernel does. Private writable memory is faulted for writing, so copy-on-write is broken
     * up front ({@code populate_vma_page_range}); I/O and PFN mappings and inaccessible ones are
     * skipped; the first failing fault ends the populate silently, since mmap itself succeeded.
     */
    private void populate(long start, long end) {
        mm.mmapReadLock();
        try {
            FaultHandler.Access acc = new FaultHandler.Access();
            long a = start;
            while (a < end) {
                Vma v = mm.tree().find(a);
                if (v == null || v.start >= end) {
                    return;
                }
                a = Math.max(a, v.start);
                long stop = Math.min(end, v.end);
                boolean skip = v.flags.testAny(VmaFlag.IO, VmaFlag.PFNMAP)
                        || !FaultHandler.accessAllowed(v.flags, false);
                boolean write = v.flags.test(VmaFlag.WRITE) && !v.flags.test(VmaFlag.SHARED);
                for (; !skip && a < stop; a += Mman.PAGE_SIZE) {
                    if (FaultHandler.handle(mm, a, write, acc).isError()) {
                        return;
                    }
                }
                a = stop;
            }
        } finally {
            mm.mmapReadUnlock();
        }
    }

    /**
     * {@code munmap(addr, len)}.
     *
     * @param addr page-aligned start
     * @param len length in bytes
     * @throws MmException EINVAL, ENOMEM, EPERM
     */
    public void munmap(long addr, long len) {
        checkAlive("munmap");
        mm.mmapWriteLock();
        try {
            VmaOps.doMunmap(mm, addr, len);
        } finally {
            mm.mmapWriteUnlock();
        }
    }

    /**
     * {@code mprotect(addr, len, prot)}.
     *
     * @param addr page-aligned start
     * @param len length in bytes
     * @param prot {@code PROT_*}
     * @throws MmException EINVAL, ENOMEM (hole or split limit), EACCES, EPERM
     */
    public void mprotect(long addr, long len, int prot) {
        checkAlive("mprotect");
        mm.mmapWriteLock();
        try {
            VmaOps.mprotect(mm, addr, len, prot);
        } finally {
            mm.mmapWriteUnlock();
        }
    }

    /**
     * {@code mremap(old, oldLen, newLen, flags, newAddr)}.
     *
     * @param oldAddr page-aligned old address
     * @param oldLen old length
     * @param newLen new length
     * @param flags {@code MREMAP_*}
     * @param newAddr the target with {@code MREMAP_FIXED}, else ignored
     * @return the new address
     * @throws MmException EINVAL, EFAULT, ENOMEM, EPERM
     */
    public long mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        checkAlive("mremap");
        mm.mmapWriteLock();
        try {
            return VmaOps.mremap(mm, oldAddr, oldLen, newLen, flags, newAddr);
        } finally {
            mm.mmapWriteUnlock();
        }
    }

    /**
     * Changes the flags of a range through the kernel's {@code vma_modify_flags}: merge with
     * the neighbours if possible, else split, even when the flags do not change (unlike
     * {@link #mprotect}, which returns early then). Exposed for tests and tools that exercise
     * the merge/split machinery directly, as the kernel's VMA tests do.
     *
     * @param addr page-aligned start inside one VMA
     * @param len length, the range must lie inside that VMA
     * @param flags the new flags
     * @throws MmException EINVAL if the range is not inside one VMA; ENOMEM; a may_split error
     */
    public void modifyFlags(long addr, long len, VmaFlags flags) {
        checkAlive("vma_modify_flags");
        mm.mmapWriteLock();
        try {
            Vma v = mm.tree().lookup(addr);
            long end = addr + VmaOps.pageAlign(len);
            if (v == null || end > v.end || (addr & (Mman.PAGE_SIZE - 1)) != 0 || len <= 0) {
                throw new MmException(Errno.EINVAL, "vma_modify_flags", "range is not inside one VMA");
            }
            VmaOps.applyFlags(mm, VmaOps.vmaModifyFlags(mm, v, addr, end, flags), flags);
        } finally {
            mm.mmapWriteUnlock();
        }
    }

    /**
     * {@code fork}: a child with a copy of this address space (DONTCOPY VMAs skipped, {@code open}
     * on each copy, anonymous memory marked as fork child) and of its file descriptor table (the
     * same numbers for the same open files, each a new reference, as {@code dup} makes). On failure the partial child is torn
     * down and nothing of it remains.
     *
     * @return the child
     * @throws MmException ENOMEM or a page-table copy error
     */
    public Process fork() {
        checkAlive("fork");
        int childPid = kernel.allocatePid();
        MmStruct childMm = new MmStruct(kernel, childPid);
        childMm.setMaxMapCount(mm.maxMapCount());
        mm.mmapWriteLock();
        childMm.mmapWriteLock();
        try {
            VmaOps.dupMmap(mm, childMm);
        } catch (MmException e) {
            VmaOps.exitMmap(childMm);
            throw e;
        } finally {
            childMm.mmapWriteUnlock();
            mm.mmapWriteUnlock();
        }
        Process child = kernel.forkedProcess(childMm);
        files.copyInto(child.files);
        LOG.log(System.Logger.Level.DEBUG, "pid {0} forked pid {1}", pid, childPid);
        return child;
    }

    /**
     * {@code exit}: unmaps everything ({@code close} runs on every VMA), then closes every file
     * descriptor ({@code exit_mm} before {@code exit_files}, as {@code do_exit} orders them), and
     * leaves the process table. Calling it twice does nothing the second time.
     */
    public void exit() {
        if (exited) {
            return;
        }
        mm.mmapWriteLock();
        try {
            VmaOps.exitMmap(mm);
            exited = true;
        } finally {
            mm.mmapWriteUnlock();
        }
        for (OpenFile f : files.removeAll().values()) {
            f.fput();
        }
        kernel.exited(this);
        kernel.trace().emit(pid, 0, 0, null, TraceStep.EXIT, "ok", "");
        LOG.log(System.Logger.Level.DEBUG, "pid {0} exited", pid);
    }

    /**
     * Reads user memory as the process would ({@code copy_from_user}): page by page through its
     * page table, faulting pages in as needed (contract section 5).
     *
     * @param addr the first user address
     * @param len the number of bytes, at least 0
     * @return the bytes
     * @throws SignalException SIGSEGV (no mapping, or the mapping does not allow reading), SIGBUS
     *         (beyond end of file, revoked, unpopulated PFN map, I/O error), SIGKILL (out of
     *         memory); the signal is also recorded on the process ({@link #signals()})
     * @throws MmException ESRCH if the process has exited
     * @throws IllegalArgumentException if {@code len} is negative
     * @throws IllegalStateException if the kernel has no physical memory
     */
    public byte[] readMemory(long addr, int len) {
        if (len < 0) {
            throw new IllegalArgumentException("negative length " + len);
        }
        byte[] buf = new byte[len];
        access(addr, buf, false);
        return buf;
    }

    /**
     * Writes user memory as the process would ({@code copy_to_user}), faulting pages in, breaking
     * copy-on-write and calling {@code page_mkwrite} as needed (contract section 5).
     *
     * @param addr the first user address
     * @param bytes the bytes to write
     * @throws SignalException SIGSEGV (no mapping, or no PROT_WRITE), SIGBUS (beyond end of file,
     *         revoked, unpopulated PFN map, a {@code page_mkwrite} veto), SIGKILL (out of memory);
     *         bytes before the faulting page were written; the signal is also recorded on the process
     * @throws MmException ESRCH if the process has exited
     * @throws IllegalStateException if the kernel has no physical memory
     */
    public void writeMemory(long addr, byte[] bytes) {
        access(addr, bytes, true);
    }

    private void access(long addr, byte[] buf, boolean write) {
        checkAlive(write ? "copy_to_user" : "copy_from_user");
        PageMemory pm = kernel.pageMemory();
        PageTable pt = mm.pageTable();
        if (pm == null || pt == null) {
            throw new IllegalStateException("kernel has no physical memory: create it with Kernel(KernelConfig, PhysicalMemory)"
                    + " to access user memory");
        }
        FaultHandler.Access acc = new FaultHandler.Access();
        mm.mmapReadLock();
        try {
            if (write) {
                pm.userMemory().writeUser(pt, addr, buf, 0, buf.length, (a, w) -> FaultHandler.handle(mm, a, w, acc));
            } else {
                pm.userMemory().readUser(pt, addr, buf, 0, buf.length, (a, w) -> FaultHandler.handle(mm, a, w, acc));
            }
        } catch (UserAccessException e) {
            // No reason means the fault handler was never asked: the entry was present but its
            // frame belongs to no memory or device (UserMemory's bus error).
            String reason = acc.reason != null ? acc.reason : "the mapped page frame belongs to no memory or device";
            SignalException s = new SignalException(Signal.valueOf(e.signal()), pid, e.address(),
                    (write ? "write: " : "read: ") + reason + " (" + e.transferred() + " bytes transferred)");
            long page = e.address() & VmaOps.PAGE_MASK;
            kernel.trace().emit(pid, page, page + Mman.PAGE_SIZE, acc.path, TraceStep.SIGNAL, e.signal(), s.getMessage());
            record(s);
            throw s;
        } finally {
            mm.mmapReadUnlock();
        }
    }

    private synchronized void record(SignalException s) {
        if (signals.size() == SIGNALS_KEPT) {
            signals.removeFirst();
        }
        signals.addLast(s);
        signalCount++;
    }

    /** @return the signals delivered to this process by faulting accesses, oldest first (the last {@value #SIGNALS_KEPT}) */
    public synchronized List<SignalException> signals() {
        return new ArrayList<>(signals);
    }

    /** @return how many signals faulting accesses delivered over the process's life */
    public synchronized long signalCount() {
        return signalCount;
    }

    /**
     * {@code msync(addr, len, flags)}: with {@link Mman#MS_SYNC}, writes the dirty pages of every
     * shared file mapping in the range back through the page cache and waits; {@link Mman#MS_ASYNC}
     * and {@link Mman#MS_INVALIDATE} start nothing, as on Linux.
     *
     * @param addr page-aligned start
     * @param len length in bytes
     * @param flags {@code MS_*}
     * @throws MmException EINVAL (unknown flags, unaligned address, MS_ASYNC with MS_SYNC), ENOMEM
     *         (part of the range unmapped), EBUSY (MS_INVALIDATE on a locked mapping), EIO (write-back
     *         failed), ESRCH (exited)
     */
    public void msync(long addr, long len, int flags) {
        checkAlive("msync");
        Msync.msync(mm, addr, len, flags);
    }

    // ---------------------------------------------------------------- file descriptors

    /**
     * {@code mmap(addr, len, prot, flags, fd, offset)}: as {@link #mmap(long, long, int, int, File, long)}
     * with the file of descriptor {@code fd}. With {@code MAP_ANONYMOUS} the descriptor is ignored,
     * as Linux ignores it. The mapping takes its own reference on the file, so closing the
     * descriptor afterwards leaves the mapping working.
     *
     * @param addr hint or fixed address
     * @param len length in bytes
     * @param prot {@code PROT_*}
     * @param flags {@code MAP_*}
     * @param fd an open descriptor, or anything with {@code MAP_ANONYMOUS}
     * @param offset the file offset in bytes, page aligned
     * @return the mapped address
     * @throws MmException EBADF for a descriptor that is not open, and every error of mmap
     */
    public long mmap(long addr, long len, int prot, int flags, int fd, long offset) {
        checkAlive("mmap");
        if ((flags & Mman.MAP_ANONYMOUS) != 0) {
            return mmap(addr, len, prot, flags, (File) null, offset);
        }
        return onFile(fd, "ksys_mmap_pgoff", f -> mmap(addr, len, prot, flags, f, offset));
    }

    /**
     * {@code open(path, flags, mode)}: opens a file through the kernel's VFS and installs it at
     * the lowest free descriptor.
     *
     * @param path an absolute path
     * @param flags {@code O_*} flags of {@link org.vfsgi.vfs.Fcntl}
     * @param mode permission bits for a created file
     * @return the descriptor
     * @throws MmException every errno of {@code Vfs.open}, EMFILE when the table is full, ESRCH
     *         if the process has exited
     * @throws IllegalStateException if the kernel has no RAM and so no VFS
     */
    public int open(String path, int flags, int mode) {
        checkAlive("do_sys_open");
        OpenFile f = kernel.vfs().open(path, flags, mode);
        int fd;
        try {
            fd = files.install(f, "do_sys_open");
        } catch (MmException e) {
            f.fput();
            throw e;
        }
        if (exited) {
            // exit emptied the table while the open ran: nothing may stay installed behind it
            OpenFile left = files.detach(fd);
            if (left != null) {
                left.fput();
            }
            checkAlive("do_sys_open");
        }
        return fd;
    }

    /**
     * {@code close(fd)}: removes the descriptor and drops its reference; the file is released
     * when no descriptor and no mapping holds it any more.
     *
     * @param fd the descriptor
     * @throws MmException EBADF if it is not open, ESRCH if the process has exited
     */
    public void close(int fd) {
        checkAlive("close_fd");
        files.remove(fd, "close_fd").fput();
    }

    /**
     * {@code dup(fd)}: a second descriptor for the same open file (same position, same mode).
     *
     * @param fd an open descriptor
     * @return the lowest free descriptor, now naming the same file
     * @throws MmException EBADF, EMFILE, ESRCH
     */
    public int dup(int fd) {
        checkAlive("dup");
        return files.dup(fd, "dup");
    }

    /**
     * {@code read(fd, buf, count)}: reads at the file position and advances it.
     *
     * @param fd an open descriptor
     * @param count the most bytes to read
     * @return the bytes read, fewer than {@code count} at end of file, none at or past it
     * @throws MmException EBADF (not open, or not open for reading), EISDIR, EINVAL (negative
     *         count), the file system's errno, ESRCH
     */
    public byte[] read(int fd, int count) {
        return transferIn(fd, count, -1, "ksys_read");
    }

    /**
     * {@code pread(fd, buf, count, pos)}: reads at {@code pos}; the file position stays.
     *
     * @param fd an open descriptor
     * @param count the most bytes to read
     * @param pos the file offset
     * @return the bytes read
     * @throws MmException as {@link #read(int, int)}, and EINVAL for a negative offset
     */
    public byte[] pread(int fd, int count, long pos) {
        if (pos < 0) {
            throw new MmException(Errno.EINVAL, "ksys_pread64", "negative offset " + pos);
        }
        return transferIn(fd, count, pos, "ksys_pread64");
    }

    private byte[] transferIn(int fd, int count, long pos, String step) {
        checkAlive(step);
        if (count < 0) {
            throw new MmException(Errno.EINVAL, step, "negative count " + count);
        }
        return onFile(fd, step, f -> {
            ByteBuffer dst = ByteBuffer.allocate(count);
            long n = pos < 0 ? kernel.vfs().read(f, dst) : kernel.vfs().pread(f, dst, pos);
            return Arrays.copyOf(dst.array(), (int) n);
        });
    }

    /**
     * {@code write(fd, buf, count)}: writes at the file position (at the end with
     * {@code O_APPEND}) and advances it.
     *
     * @param fd an open descriptor
     * @param data the bytes
     * @return the bytes written
     * @throws MmException EBADF (not open, or not open for writing), EISDIR, EFBIG, ENOSPC, the
     *         file system's errno, ESRCH
     */
    public long write(int fd, byte[] data) {
        return transferOut(fd, data, -1, "ksys_write");
    }

    /**
     * {@code pwrite(fd, buf, count, pos)}: writes at {@code pos}; the file position stays.
     *
     * @param fd an open descriptor
     * @param data the bytes
     * @param pos the file offset
     * @return the bytes written
     * @throws MmException as {@link #write(int, byte[])}, and EINVAL for a negative offset
     */
    public long pwrite(int fd, byte[] data, long pos) {
        if (pos < 0) {
            throw new MmException(Errno.EINVAL, "ksys_pwrite64", "negative offset " + pos);
        }
        return transferOut(fd, data, pos, "ksys_pwrite64");
    }

    private long transferOut(int fd, byte[] data, long pos, String step) {
        return onFile(fd, step, f -> {
            ByteBuffer src = ByteBuffer.wrap(data);
            return pos < 0 ? kernel.vfs().write(f, src) : kernel.vfs().pwrite(f, src, pos);
        });
    }

    /**
     * {@code lseek(fd, offset, whence)}.
     *
     * @param fd an open descriptor
     * @param offset the offset, relative to {@code whence}
     * @param whence {@code SEEK_SET}, {@code SEEK_CUR} or {@code SEEK_END}
     * @return the new position
     * @throws MmException EBADF, EINVAL (bad whence or a negative result), ESRCH
     */
    public long lseek(int fd, long offset, int whence) {
        return onFile(fd, "ksys_lseek", f -> kernel.vfs().lseek(f, offset, whence));
    }

    /**
     * {@code ftruncate(fd, length)}: mapped pages beyond the new end are unmapped.
     *
     * @param fd a descriptor open for writing
     * @param length the new size
     * @throws MmException EBADF, EINVAL (not open for writing, not a regular file, negative),
     *         EFBIG, ESRCH
     */
    public void ftruncate(int fd, long length) {
        onFile(fd, "do_ftruncate", f -> {
            kernel.vfs().ftruncate(f, length);
            return null;
        });
    }

    /**
     * {@code fsync(fd)}: writes the file's dirty pages back and syncs it.
     *
     * @param fd an open descriptor
     * @throws MmException EBADF, EIO, the file system's errno, ESRCH
     */
    public void fsync(int fd) {
        onFile(fd, "vfs_fsync", f -> {
            kernel.vfs().fsync(f);
            return null;
        });
    }

    /**
     * {@code fstat(fd)}.
     *
     * @param fd an open descriptor
     * @return the file's attributes and device
     * @throws MmException EBADF, ESRCH
     */
    public Kstat fstat(int fd) {
        return onFile(fd, "vfs_fstat", f -> kernel.vfs().fstat(f));
    }

    /**
     * {@code fdget}/{@code fdput} around one call: the file is held by a reference of the call's
     * own, so a concurrent {@code close} of the descriptor cannot release it mid-call.
     */
    private <T> T onFile(int fd, String step, Function<OpenFile, T> call) {
        checkAlive(step);
        OpenFile f = files.get(fd, step);
        try {
            return call.apply(f);
        } finally {
            f.fput();
        }
    }

    /** @return the open descriptors and their files, in descriptor order ({@code /proc/PID/fd}) */
    public Map<Integer, OpenFile> fds() {
        return files.snapshot();
    }

    /** @return this process's {@code /proc/PID/smaps} text (the fields the model supports) */
    public String smaps() {
        return SmapsRenderer.render(mm);
    }

    /** @return the smaps figures of every VMA, in address order */
    public List<SmapsRenderer.Entry> smapsStats() {
        return SmapsRenderer.gather(mm);
    }

    /** @return this process's {@code /proc/PID/maps} text */
    public String maps() {
        return MapsRenderer.render(mm);
    }

    @Override
    public String toString() {
        return "pid " + pid;
    }
}
