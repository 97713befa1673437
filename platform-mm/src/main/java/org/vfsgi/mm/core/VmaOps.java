package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.List;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;

/**
 * The VMA algorithms that change existing mappings: split, munmap (with the gather used by
 * MAP_FIXED replacement), modify-with-merge (mprotect), mremap and fork — contract section 3.
 * Every function requires the mmap write lock of the address space it changes and reports
 * errors as {@link MmException}s naming the kernel function as the step.
 */
final class VmaOps {
    private VmaOps() {
    }

    static final long PAGE_MASK = ~(Mman.PAGE_SIZE - 1);

    /*
     * Flag sets the mmap, munmap and mprotect paths combine with on every call, built once:
     * VmaFlags.set/testAny with flag arguments build a varargs array and a set per call.
     */
    static final VmaFlags SOFTDIRTY = VmaFlags.of(VmaFlag.SOFTDIRTY);
    static final VmaFlags ACCOUNT = VmaFlags.of(VmaFlag.ACCOUNT);
    static final VmaFlags NORESERVE = VmaFlags.of(VmaFlag.NORESERVE);
    static final VmaFlags MAY_RWX = VmaFlags.of(VmaFlag.MAYREAD, VmaFlag.MAYWRITE, VmaFlag.MAYEXEC);
    static final VmaFlags SHARED_MAYSHARE = VmaFlags.of(VmaFlag.SHARED, VmaFlag.MAYSHARE);
    static final VmaFlags WRITE_SHARED = VmaFlags.of(VmaFlag.WRITE, VmaFlag.SHARED);
    static final VmaFlags SHARED_NORESERVE = VmaFlags.of(VmaFlag.SHARED, VmaFlag.NORESERVE);
    /** What makes writable memory not accountable ({@code accountable_mapping}). */
    static final VmaFlags NOT_ACCOUNTABLE = VmaFlags.of(VmaFlag.NORESERVE, VmaFlag.SHARED, VmaFlag.HUGETLB);
    /** {@code calc_vm_prot_bits} of every combination of PROT_READ, PROT_WRITE and PROT_EXEC. */
    private static final VmaFlags[] PROT_BITS = new VmaFlags[8];

    static {
        for (int prot = 0; prot < PROT_BITS.length; prot++) {
            VmaFlags f = VmaFlags.EMPTY;
            if ((prot & Mman.PROT_READ) != 0) {
                f = f.set(VmaFlag.READ);
            }
            if ((prot & Mman.PROT_WRITE) != 0) {
                f = f.set(VmaFlag.WRITE);
            }
            if ((prot & Mman.PROT_EXEC) != 0) {
                f = f.set(VmaFlag.EXEC);
            }
            PROT_BITS[prot] = f;
        }
    }

    static long pageAlign(long len) {
        return (len + Mman.PAGE_SIZE - 1) & PAGE_MASK;
    }

    private static MmException err(Errno e, String step, String detail) {
        return new MmException(e, step, detail);
    }

    private static void failIfInjected(MmStruct mm, InjectionPoint p, String step, String what) {
        int r = mm.kernel().faultInjection().check(p);
        if (r != 0) {
            throw err(Errno.fromReturn(r), step, what + " failed (injected at " + p + ")");
        }
    }

    /**
     * {@code split_vma}: split {@code vma} at {@code addr}. With {@code newBelow} the new VMA is
     * {@code [vma.start, addr)}, else {@code [addr, vma.end)}; {@code open} runs on the new one.
     *
     * @return the new VMA
     */
    static Vma splitVma(MmStruct mm, Vma vma, long addr, boolean newBelow) {
        if (mm.mapCount >= mm.maxMapCount()) {
            throw err(Errno.ENOMEM, "split_vma", "map count " + mm.mapCount + " at its limit " + mm.maxMapCount());
        }
        return splitVmaNoCheck(mm, vma, addr, newBelow);
    }

    /** {@code __split_vma}: the split without the map-count check (the caller checked). */
    static Vma splitVmaNoCheck(MmStruct mm, Vma vma, long addr, boolean newBelow) {
        if (addr <= vma.start || addr >= vma.end || (addr & ~PAGE_MASK) != 0) {
            throw new IllegalArgumentException("split address 0x" + Long.toHexString(addr) + " not inside " + vma);
        }
        Kernel k = mm.kernel();
        if (vma.vmOps != null && vma.vmOps.maySplit() != null) {
            var hook = vma.vmOps.maySplit();
            int r = k.callHook("vm_ops->may_split", mm.ownerPid(), vma.start, vma.end, vma.path(),
                    () -> hook.maySplit(vma, addr));
            if (r != 0) {
                k.trace().emit(mm.ownerPid(), vma.start, vma.end, vma.path(), TraceStep.SPLIT, Errno.describe(r),
                        "may_split vetoed a split at 0x" + Long.toHexString(addr));
                throw err(Errno.fromReturn(r), "may_split",
                        "vm_ops->may_split refused a split of " + vma + " at 0x" + Long.toHexString(addr));
            }
        }
        failIfInjected(mm, InjectionPoint.SPLIT, "__split_vma", "split");
        failIfInjected(mm, InjectionPoint.VMA_ALLOC, "vm_area_dup", "VMA allocation");
        failIfInjected(mm, InjectionPoint.TREE_PREALLOC, "__split_vma", "tree preallocation");
        Vma nv = vma.dup(mm);
        vma.startWrite();
        long delta = (addr - vma.start) >>> Mman.PAGE_SHIFT;
        FileRmap rmap = mm.rmapLockWrite(vma.file);
        try {
            if (newBelow) {
                nv.end = addr;
                vma.start = addr;
                vma.pgoff += delta;
                mm.tree().adjusted(vma);
            } else {
                nv.start = addr;
                nv.pgoff = vma.pgoff + delta;
                vma.end = addr;
                mm.tree().adjusted(vma);
            }
            // Linked under the same lock: a walker sees both halves or the old whole, never a gap.
            mm.linkFile(nv, false);
        } finally {
            MmStruct.rmapUnlockWrite(rmap);
        }
        mm.vmaOpen(nv);
        nv.startWrite();
        mm.insertVma(nv);
        k.trace().emit(mm.ownerPid(), nv.start, nv.end, nv.path(), TraceStep.SPLIT, "ok",
                TraceDetails.split(addr, nv, vma));
        return nv;
    }

    /**
     * {@code vms_gather_munmap_vmas} + detach: split the VMAs at the range edges and take the
     * covered VMAs out of the tree, without closing them yet. On failure nothing is detached.
     *
     * @return the detached VMAs in address order (possibly empty)
     */
    static List<Vma> gatherAndDetach(MmStruct mm, long start, long end, String step) {
        VmaTree tree = mm.tree();
        Vma first = tree.findIntersection(start, end);
        if (first == null) {
            return List.of();
        }
        for (Vma v = first; v != null && v.start < end; v = tree.next(v)) {
            if (v.flags.test(VmaFlag.SEALED)) {
                throw err(Errno.EPERM, step, "VMA " + v + " is sealed");
            }
        }
        if (start > first.start) {
            if (end < first.end && mm.mapCount >= mm.maxMapCount()) {
                throw err(Errno.ENOMEM, step, "unmapping the middle of " + first + " needs one more VMA than the limit "
                        + mm.maxMapCount() + " allows");
            }
            // The lower piece survives and gets open(); the original becomes the part to remove.
            splitVmaNoCheck(mm, first, start, true);
        }
        Vma last = tree.lookup(end - 1);
        if (last != null && end < last.end) {
            // The upper piece survives and gets open(); the original [.., end) is removed.
            splitVmaNoCheck(mm, last, end, false);
        }
        failIfInjected(mm, InjectionPoint.TREE_PREALLOC, step, "clearing the tree range");
        // Collected before removing: removal reshapes the tree the walk follows. Most unmaps
        // detach one or two VMAs, hence the small list.
        List<Vma> detach = new ArrayList<>(2);
        for (Vma v = tree.find(start); v != null && v.start < end; v = tree.next(v)) {
            detach.add(v);
        }
        for (Vma v : detach) {
            v.startWrite();
            mm.tree().remove(v);
        }
        return detach;
    }

    /**
     * The second half of unmapping detached VMAs ({@code vms_clear_ptes} + {@code remove_vma}):
     * clear page tables, unlink from the file's reverse map, {@code close}.
     */
    static void cleanUp(MmStruct mm, List<Vma> detached, TraceStep step, String why) {
        Kernel k = mm.kernel();
        for (Vma v : detached) {
            k.pageTables().zapPageRange(mm, v, v.start, v.end);
            mm.unlinkFile(v);
            k.trace().emit(mm.ownerPid(), v.start, v.end, v.path(), step, "ok", why);
            mm.vmaClose(v);
            // remove_vma: the VMA's reference on vm_file goes last, after close, so an unlinked
            // file (and its inode and page cache) is freed once nothing maps or opens it.
            if (v.file != null) {
                v.file.fput();
            }
        }
    }

    /** Forget detached, cleaned-up VMAs for good ({@code vms_complete_munmap_vmas}). */
    static void finish(MmStruct mm, List<Vma> detached) {
        for (Vma v : detached) {
            mm.mapCount--;
            mm.unaccountRemoved(v);
        }
    }

    /** Put detached VMAs that were not cleaned up back ({@code vms_abort_munmap_vmas}). */
    static void reattach(MmStruct mm, List<Vma> detached) {
        for (Vma v : detached) {
            mm.tree().insert(v);
            mm.kernel().trace().emit(mm.ownerPid(), v.start, v.end, v.path(), TraceStep.RESTORE, "ok",
                    "replaced VMA restored: the mapping failed before it was closed");
        }
    }

    /**
     * {@code do_munmap}.
     *
     * @throws MmException EINVAL for an unaligned start, a range outside the user space or a zero length;
     *         ENOMEM when a split hits the map-count limit; EPERM for sealed VMAs
     */
    static void doMunmap(MmStruct mm, long start, long len) {
        mm.assertWriteLocked("do_munmap");
        long taskSize = mm.kernel().config().taskSize();
        if ((start & ~PAGE_MASK) != 0 || start < 0 || start > taskSize || len < 0 || len > taskSize - start) {
            throw err(Errno.EINVAL, "do_munmap", "bad range start 0x" + Long.toHexString(start) + " length 0x"
                    + Long.toHexString(len));
        }
        long end = start + pageAlign(len);
        if (end == start) {
            throw err(Errno.EINVAL, "do_munmap", "zero length");
        }
        List<Vma> detached = gatherAndDetach(mm, start, end, "do_munmap");
        if (detached.isEmpty()) {
            return;
        }
        cleanUp(mm, detached, TraceStep.UNMAP, "munmap");
        finish(mm, detached);
    }

    /**
     * {@code vma_modify_flags}: make {@code [start, end)} of {@code vma} a VMA of its own with
     * {@code newFlags}, merging with neighbours when the rules allow, else splitting.
     *
     * @return the VMA that covers exactly {@code [start, end)} (flags not yet changed if split)
     */
    static Vma vmaModifyFlags(MmStruct mm, Vma vma, long start, long end, VmaFlags newFlags) {
        VmaTree tree = mm.tree();
        VmaMergeStruct vmg = new VmaMergeStruct(mm, start, end,
                vma.pgoff + ((start - vma.start) >>> Mman.PAGE_SHIFT), newFlags, vma.file);
        vmg.middle = vma;
        vmg.prev = tree.prev(vma);
        vmg.next = tree.next(vma);
        vmg.anonVma = vma.anonVma;
        vmg.anonForkChild = vma.isForkChild();
        Vma merged = vmg.mergeExistingRange();
        if (vmg.state == VmaMergeStruct.State.ERROR_NOMEM) {
            throw err(Errno.ENOMEM, "vma_modify", "merge preallocation failed");
        }
        if (merged != null) {
            mm.kernel().trace().emit(mm.ownerPid(), merged.start, merged.end, merged.path(), TraceStep.MERGE, "merged",
                    TraceDetails.rangeMerged(start, end, merged));
            return merged;
        }
        if (vma.start < start) {
            splitVma(mm, vma, start, true);
        }
        if (vma.end > end) {
            splitVma(mm, vma, end, false);
        }
        return vma;
    }

    /** {@code vma_set_page_prot}: recompute access bits, keep caching attributes, write-protect for write notify. */
    static PageProt pageProtFor(Vma vma) {
        PageProt base = PageProt.fromFlags(vma.flags);
        PageProt old = vma.pageProt;
        if (old != null) {
            base = base.withCacheMode(old.cacheMode());
            if (old.decrypted()) {
                base = base.withDecrypted();
            }
        }
        boolean writeNotify = vma.flags.testAllMask(WRITE_SHARED) && vma.vmOps != null
                && vma.vmOps.needsWriteNotify();
        return writeNotify ? base.withWrite(false) : base;
    }

    /**
     * {@code do_mprotect_pkey}.
     */
    static void mprotect(MmStruct mm, long start, long len, int prot) {
        mm.assertWriteLocked("mprotect");
        if ((start & ~PAGE_MASK) != 0) {
            throw err(Errno.EINVAL, "do_mprotect_pkey", "unaligned start 0x" + Long.toHexString(start));
        }
        if ((prot & ~(Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC)) != 0) {
            throw err(Errno.EINVAL, "do_mprotect_pkey", "unknown prot bits 0x" + Integer.toHexString(prot));
        }
        if (len == 0) {
            return;
        }
        long alen = pageAlign(len);
        long end = start + alen;
        if (alen <= 0 || end <= start) {
            throw err(Errno.ENOMEM, "do_mprotect_pkey", "range overflows");
        }
        VmaFlags access = calcVmProtBits(prot);
        // Validate the whole range first so a failure changes nothing (holes, MAY* bits, seals).
        long cur = start;
        while (cur < end) {
            Vma v = mm.tree().lookup(cur);
            if (v == null) {
                throw err(Errno.ENOMEM, "do_mprotect_pkey", "address 0x" + Long.toHexString(cur) + " is not mapped");
            }
            if (v.flags.test(VmaFlag.SEALED)) {
                throw err(Errno.EPERM, "do_mprotect_pkey", "VMA " + v + " is sealed");
            }
            if ((access.test(VmaFlag.READ) && !v.flags.test(VmaFlag.MAYREAD))
                    || (access.test(VmaFlag.WRITE) && !v.flags.test(VmaFlag.MAYWRITE))
                    || (access.test(VmaFlag.EXEC) && !v.flags.test(VmaFlag.MAYEXEC))) {
                throw err(Errno.EACCES, "do_mprotect_pkey", "VMA " + v + " may not get " + access);
            }
            cur = v.end;
        }
        cur = start;
        while (cur < end) {
            Vma v = mm.tree().lookup(cur);
            long tmpEnd = Math.min(v.end, end);
            mprotectFixup(mm, v, cur, tmpEnd, v.flags.clearMask(VmaFlags.ACCESS).setMask(access));
            cur = tmpEnd;
        }
    }

    /** {@code mprotect_fixup}. */
    static void mprotectFixup(MmStruct mm, Vma vma, long start, long end, VmaFlags newFlags) {
        if (newFlags.equals(vma.flags)) {
            // The kernel returns early: same flags change nothing, not even a split.
            return;
        }
        long charged = 0;
        if (newFlags.test(VmaFlag.WRITE) && !newFlags.testAnyMask(SHARED_NORESERVE)
                && !vma.flags.test(VmaFlag.ACCOUNT)) {
            charged = (end - start) >>> Mman.PAGE_SHIFT;
            if (!mm.charge(charged)) {
                throw err(Errno.ENOMEM, "mprotect_fixup", "commit limit reached");
            }
            newFlags = newFlags.setMask(ACCOUNT);
        }
        Vma v;
        try {
            v = vmaModifyFlags(mm, vma, start, end, newFlags);
        } catch (MmException e) {
            mm.uncharge(charged);
            throw e;
        }
        applyFlags(mm, v, newFlags);
        mm.kernel().pageTables().changeProtection(mm, v, start, end, v.pageProt);
        mm.kernel().trace().emit(mm.ownerPid(), start, end, v.path(), TraceStep.MPROTECT, "ok",
                TraceDetails.flags("now ", v.flags));
    }

    /** {@code vm_flags_reset} + {@code vma_set_page_prot}: new flags (keeping the VMA's sticky ones), new protection. */
    static void applyFlags(MmStruct mm, Vma v, VmaFlags newFlags) {
        v.startWrite();
        v.flags = mm.kernel().intern(VmaMergeStruct.withStickyOf(newFlags, v.flags));
        v.pageProt = pageProtFor(v);
    }

    /** {@code calc_vm_prot_bits}: bits other than PROT_READ, PROT_WRITE and PROT_EXEC are ignored. */
    static VmaFlags calcVmProtBits(int prot) {
        return PROT_BITS[prot & (Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC)];
    }

    /**
     * {@code mremap}: shrink, grow in place, or move.
     *
     * @return the new address
     */
    static long mremap(MmStruct mm, long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        mm.assertWriteLocked("mremap");
        String step = "mremap";
        if ((flags & ~(Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED)) != 0) {
            throw err(Errno.EINVAL, step, "unknown flags 0x" + Integer.toHexString(flags));
        }
        if ((flags & Mman.MREMAP_FIXED) != 0 && (flags & Mman.MREMAP_MAYMOVE) == 0) {
            throw err(Errno.EINVAL, step, "MREMAP_FIXED requires MREMAP_MAYMOVE");
        }
        if ((oldAddr & ~PAGE_MASK) != 0) {
            throw err(Errno.EINVAL, step, "unaligned old address 0x" + Long.toHexString(oldAddr));
        }
        oldLen = pageAlign(oldLen);
        newLen = pageAlign(newLen);
        if (newLen <= 0) {
            throw err(Errno.EINVAL, step, "zero new length");
        }
        if (oldLen == 0) {
            throw err(Errno.EINVAL, step, "zero old length (duplicating shared mappings is not supported)");
        }
        long taskSize = mm.kernel().config().taskSize();
        if ((flags & Mman.MREMAP_FIXED) != 0) {
            // check_mremap_params: the target is validated before the source VMA is looked up.
            if ((newAddr & ~PAGE_MASK) != 0 || newAddr < 0 || newLen > taskSize || newAddr > taskSize - newLen) {
                throw err(Errno.EINVAL, step, "bad new address 0x" + Long.toHexString(newAddr));
            }
            if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) {
                throw err(Errno.EINVAL, step, "old and new ranges overlap");
            }
        }
        Vma vma = mm.tree().lookup(oldAddr);
        if (vma == null || oldAddr + oldLen > vma.end) {
            throw err(Errno.EFAULT, step, "[" + Long.toHexString(oldAddr) + "," + Long.toHexString(oldAddr + oldLen)
                    + ") is not inside one VMA");
        }
        if (vma.flags.test(VmaFlag.SEALED)) {
            throw err(Errno.EPERM, step, "VMA " + vma + " is sealed");
        }
        if ((flags & Mman.MREMAP_FIXED) != 0) {
            doMunmap(mm, newAddr, newLen);
            if (oldLen > newLen) {
                doMunmap(mm, oldAddr + newLen, oldLen - newLen);
                oldLen = newLen;
            }
            vma = mm.tree().lookup(oldAddr);
            return moveVma(mm, vma, oldAddr, oldLen, newLen, newAddr);
        }
        if (newLen <= oldLen) {
            if (newLen < oldLen) {
                doMunmap(mm, oldAddr + newLen, oldLen - newLen);
            }
            mm.kernel().trace().emit(mm.ownerPid(), oldAddr, oldAddr + newLen, vma.path(), TraceStep.MREMAP, "ok",
                    "shrunk in place");
            return oldAddr;
        }
        if (vma.flags.testAny(VmaFlag.DONTEXPAND, VmaFlag.PFNMAP)) {
            throw err(Errno.EFAULT, step, "VMA " + vma + " cannot be expanded (DONTEXPAND or PFNMAP)");
        }
        long delta = newLen - oldLen;
        if (!mm.mayExpandVm(vma.flags, delta >>> Mman.PAGE_SHIFT)) {
            throw err(Errno.ENOMEM, step, "address-space limit");
        }
        if (oldAddr + oldLen == vma.end) {
            Vma next = mm.tree().next(vma);
            long newEnd = vma.end + delta;
            if (newEnd <= taskSize && (next == null || next.start >= newEnd)) {
                long pages = delta >>> Mman.PAGE_SHIFT;
                if (vma.flags.test(VmaFlag.ACCOUNT) && !mm.charge(pages)) {
                    throw err(Errno.ENOMEM, step, "commit limit reached");
                }
                vma.startWrite();
                FileRmap rmap = mm.rmapLockWrite(vma.file);
                try {
                    vma.end = newEnd;
                    mm.tree().adjusted(vma);
                } finally {
                    MmStruct.rmapUnlockWrite(rmap);
                }
                mm.totalVm += pages;
                mm.kernel().trace().emit(mm.ownerPid(), vma.start, vma.end, vma.path(), TraceStep.MREMAP, "ok",
                        "grown in place");
                return oldAddr;
            }
        }
        if ((flags & Mman.MREMAP_MAYMOVE) == 0) {
            throw err(Errno.ENOMEM, step, "cannot grow in place and MREMAP_MAYMOVE not given");
        }
        long pgoff = vma.pgoff + ((oldAddr - vma.start) >>> Mman.PAGE_SHIFT);
        long dest = MmapState.unmappedArea(mm, vma.file, 0, newLen, pgoff,
                vma.flags.test(VmaFlag.MAYSHARE) ? Mman.MAP_SHARED : Mman.MAP_PRIVATE);
        return moveVma(mm, vma, oldAddr, oldLen, newLen, dest);
    }

    /** {@code move_vma}: copy the VMA to {@code newAddr} ({@code open} on the copy), then unmap the old range. */
    static long moveVma(MmStruct mm, Vma vma, long oldAddr, long oldLen, long newLen, long newAddr) {
        if (mm.mapCount >= mm.maxMapCount() - 3) {
            throw err(Errno.ENOMEM, "move_vma", "map count " + mm.mapCount + " too close to the limit");
        }
        long pgoff = vma.pgoff + ((oldAddr - vma.start) >>> Mman.PAGE_SHIFT);
        long pages = newLen >>> Mman.PAGE_SHIFT;
        if (vma.flags.test(VmaFlag.ACCOUNT) && !mm.charge(pages)) {
            throw err(Errno.ENOMEM, "move_vma", "commit limit reached");
        }
        Vma copy;
        try {
            copy = copyVma(mm, vma, newAddr, newLen, pgoff);
        } catch (MmException e) {
            if (vma.flags.test(VmaFlag.ACCOUNT)) {
                mm.uncharge(pages);
            }
            throw e;
        }
        mm.totalVm += pages;
        mm.kernel().pageTables().movePageRange(mm, vma, oldAddr, copy, newAddr, Math.min(oldLen, newLen));
        doMunmap(mm, oldAddr, oldLen);
        mm.kernel().trace().emit(mm.ownerPid(), newAddr, newAddr + newLen, copy.path(), TraceStep.MREMAP, "ok",
                "moved from 0x" + Long.toHexString(oldAddr));
        return newAddr;
    }

    /** {@code copy_vma}: merge the copied range into a neighbour, or duplicate the VMA ({@code open} runs). */
    static Vma copyVma(MmStruct mm, Vma vma, long addr, long len, long pgoff) {
        if (vma.anonVma == null && vma.file == null) {
            // Unfaulted anonymous memory takes the offset of its new address, so it can merge there.
            pgoff = addr >>> Mman.PAGE_SHIFT;
        }
        VmaMergeStruct vmg = new VmaMergeStruct(mm, addr, addr + len, pgoff, vma.flags, vma.file);
        vmg.prev = mm.tree().before(addr);
        vmg.next = mm.tree().find(addr);
        vmg.anonVma = vma.anonVma;
        vmg.anonForkChild = vma.isForkChild();
        Vma merged = vmg.mergeNewRange();
        if (vmg.state == VmaMergeStruct.State.ERROR_NOMEM) {
            throw err(Errno.ENOMEM, "copy_vma", "merge preallocation failed");
        }
        if (merged != null) {
            mm.kernel().trace().emit(mm.ownerPid(), merged.start, merged.end, merged.path(), TraceStep.MERGE, "merged",
                    TraceDetails.vma("mremap copy merged into ", merged, ""));
            return merged;
        }
        failIfInjected(mm, InjectionPoint.VMA_ALLOC, "copy_vma", "VMA allocation");
        Vma nv = vma.dup(mm);
        nv.start = addr;
        nv.end = addr + len;
        nv.pgoff = pgoff;
        mm.linkFile(nv, false);
        mm.vmaOpen(nv);
        nv.startWrite();
        mm.insertVma(nv);
        return nv;
    }

    /**
     * {@code dup_mmap}: copy every VMA of {@code parent} except DONTCOPY ones into {@code child};
     * {@code open} runs on each copy; copies of anonymous memory become fork children.
     */
    static void dupMmap(MmStruct parent, MmStruct child) {
        Kernel k = parent.kernel();
        // One detail per fork, not a string per VMA: the text is built only if someone reads it.
        int parentPid = parent.ownerPid();
        TraceDetail copied = () -> "copied from pid " + parentPid;
        TraceDetail wiped = () -> "copied from pid " + parentPid + " (wiped on fork)";
        for (Vma v : parent.tree().toList()) {
            if (v.flags.test(VmaFlag.DONTCOPY)) {
                continue;
            }
            if (v.flags.test(VmaFlag.ACCOUNT) && !child.charge(v.pages())) {
                throw err(Errno.ENOMEM, "dup_mmap", "commit limit reached copying " + v);
            }
            failIfInjected(parent, InjectionPoint.VMA_ALLOC, "dup_mmap", "VMA allocation");
            Vma c = v.dup(child);
            c.flags = c.flags.clear(VmaFlag.LOCKED, VmaFlag.LOCKONFAULT);
            boolean wipe = v.flags.test(VmaFlag.WIPEONFORK);
            if (wipe) {
                c.anonVma = null;
                c.setForkChild(false);
            } else if (v.anonVma != null) {
                c.anonVma = new AnonVma(v.anonVma);
                c.setForkChild(true);
            }
            c.startWrite();
            child.insertVma(c);
            child.totalVm += c.pages();
            child.linkFile(c, false);
            child.vmaOpen(c);
            k.trace().emit(child.ownerPid(), c.start, c.end, c.path(), TraceStep.FORK, "ok", wipe ? wiped : copied);
            if (!wipe) {
                int r = k.pageTables().copyPageRange(child, c, v);
                if (r != 0) {
                    throw err(Errno.fromReturn(r), "copy_page_range", "copying page tables of " + v);
                }
            }
        }
    }

    /** {@code exit_mmap}: unmap everything; {@code close} runs on every VMA. */
    static void exitMmap(MmStruct mm) {
        List<Vma> all = mm.tree().toList();
        for (Vma v : all) {
            mm.tree().remove(v);
        }
        cleanUp(mm, all, TraceStep.UNMAP, "exit");
        finish(mm, all);
    }
}
