package org.vfsgi.mm.core;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.page.PageCache;

/**
 * {@code msync(2)} as {@code mm/msync.c} does it: validate, walk the VMAs of the range, and for
 * {@code MS_SYNC} write back the dirty pages of every shared file mapping through the page
 * cache ({@code vfs_fsync_range}), reporting a write-back error as EIO. {@code MS_ASYNC} and
 * {@code MS_INVALIDATE} start nothing, as on Linux since 2.6.19: dirty pages are tracked
 * already (the page cache hears of every first write through {@code page_mkwrite}-style write
 * faults), and the write-back thread would write them later.
 */
final class Msync {
    private Msync() {
    }

    /** One {@code vfs_fsync_range} to do once the mmap lock is dropped. */
    private record SyncRange(PageCache cache, long fromIndex, long toIndex, Vma vma, long start, long end) {
    }

    /**
     * @throws MmException EINVAL (unknown flags, unaligned start, MS_ASYNC with MS_SYNC), ENOMEM
     *         (part of the range unmapped; the mapped parts are still synced unless only
     *         MS_ASYNC was asked for), EBUSY (MS_INVALIDATE on a locked VMA), EIO (write-back
     *         failed since the last report)
     */
    static void msync(MmStruct mm, long start, long len, int flags) {
        String step = "msync";
        if ((flags & ~(Mman.MS_ASYNC | Mman.MS_INVALIDATE | Mman.MS_SYNC)) != 0) {
            throw new MmException(Errno.EINVAL, step, "unknown flags 0x" + Integer.toHexString(flags));
        }
        if ((start & (Mman.PAGE_SIZE - 1)) != 0) {
            throw new MmException(Errno.EINVAL, step, "unaligned start 0x" + Long.toHexString(start));
        }
        if ((flags & Mman.MS_ASYNC) != 0 && (flags & Mman.MS_SYNC) != 0) {
            throw new MmException(Errno.EINVAL, step, "MS_ASYNC and MS_SYNC together");
        }
        if (len < 0) {
            throw new MmException(Errno.ENOMEM, step, "negative length");
        }
        long end = start + VmaOps.pageAlign(len);
        if (end < start) {
            throw new MmException(Errno.ENOMEM, step, "range overflows");
        }
        if (end == start) {
            return;
        }
        Kernel k = mm.kernel();
        PageMemory pm = k.pageMemory();
        List<SyncRange> syncs = new ArrayList<>();
        boolean unmapped = false;
        mm.mmapReadLock();
        try {
            long cur = start;
            while (true) {
                Vma v = mm.tree().find(cur);
                if (v == null || v.start >= end) {
                    // Nothing (more) mapped in the range.
                    if (v == null || cur < end) {
                        unmapped = true;
                    }
                    break;
                }
                if (cur < v.start) {
                    if (flags == Mman.MS_ASYNC) {
                        throw new MmException(Errno.ENOMEM, step, "0x" + Long.toHexString(cur) + " is not mapped");
                    }
                    unmapped = true;
                    cur = v.start;
                }
                if ((flags & Mman.MS_INVALIDATE) != 0 && v.flags.test(VmaFlag.LOCKED)) {
                    throw new MmException(Errno.EBUSY, step, "MS_INVALIDATE on locked mapping " + v);
                }
                long segEnd = Math.min(end, v.end);
                if ((flags & Mman.MS_SYNC) != 0 && v.file != null && v.flags.test(VmaFlag.SHARED) && pm != null
                        && v.file.inode() != null) {
                    PageCache cache = pm.existingPageCache(v.file.inode());
                    if (cache != null) {
                        long from = v.pgoff + ((cur - v.start) >>> Mman.PAGE_SHIFT);
                        long to = v.pgoff + ((segEnd - v.start) >>> Mman.PAGE_SHIFT);
                        syncs.add(new SyncRange(cache, from, to, v, cur, segEnd));
                    }
                }
                cur = segEnd;
                if (cur >= end) {
                    break;
                }
            }
        } finally {
            mm.mmapReadUnlock();
        }
        // vfs_fsync_range runs without the mmap lock, as in the kernel: write-back may sleep, and
        // its mkclean walk takes the rmap and page-table locks of every address space mapping the file.
        for (SyncRange s : syncs) {
            long written = s.cache().writeback(s.fromIndex(), s.toIndex());
            try {
                s.cache().checkAndClearError();
            } catch (IOException e) {
                k.trace().emit(mm.ownerPid(), s.start(), s.end(), s.vma().path(), TraceStep.MSYNC, "EIO",
                        e.getMessage());
                throw new MmException(Errno.EIO, "vfs_fsync_range", "write-back of " + s.vma().path() + " failed: "
                        + e.getMessage());
            }
            k.trace().emit(mm.ownerPid(), s.start(), s.end(), s.vma().path(), TraceStep.MSYNC, "ok",
                    written + " page(s) written back");
        }
        if (unmapped) {
            throw new MmException(Errno.ENOMEM, step, "part of [0x" + Long.toHexString(start) + ", 0x"
                    + Long.toHexString(end) + ") is not mapped");
        }
    }
}
