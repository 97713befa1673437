package org.vfsgi.mm.core;

import java.util.List;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.MmapAction;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FopFlag;
import org.vfsgi.vfs.File;

/**
 * One mmap call ({@code struct mmap_state}), carried through the phases of contract section 2,
 * each a method named after the kernel function it models:
 * {@link #doMmap} (validation, address, file checks) → {@link #mmapSetup} → {@link #callMmapPrepare}
 * (prepare, action prepare, copy back) → {@link #mmapMergeNewRange} → {@link #mmapNewVma} →
 * {@link #setVmaUserDefinedFields} → {@link #mmapComplete} → {@link #mmapActionComplete}
 * (action, success/error hook, {@code mapped}, rmap unlock) → {@link #callMmapCompleteHook};
 * failures go through {@link #abortMunmap} and {@link #callMmapAbort}.
 *
 * <p>The pairing promise (2.1) is kept by two flags: once {@code mmap_prepare} succeeded,
 * either {@code mmap_complete} was called or {@code mmap_abort} is, exactly once, also when the
 * range merged into a neighbour (then {@code mmap_complete} receives the merged VMA; the merge
 * is traced).
 */
public final class MmapState {
    private final MmStruct mm;
    private final Kernel k;
    private final int pid;
    private final File origFile;
    private final FileOperations fop;
    private File file;
    private final long addr;
    private final long end;
    private long pgoff;
    private final long pglen;
    private VmaFlags flags;
    private PageProt pageProt;

    // What mmap_prepare set (copied back from the descriptor).
    private VmOperations vmOps = VmOperations.DUMMY;
    private Object privateData;
    private Object context;
    private MmapAction action = MmapAction.NOTHING;

    // Bookkeeping.
    private final boolean haveMmapPrepare;
    private final boolean legacyMmap;
    private long charged;
    private boolean accountTransferred;
    private Vma prev;
    private Vma next;
    private List<Vma> replaced = List.of();
    private boolean replacedCleaned;
    private boolean fileDoesntNeedGet;
    private VmAreaDescImpl desc;
    private boolean prepareSucceeded;
    private boolean completeCalled;
    private boolean abortCalled;
    private Vma vma;
    private boolean merged;
    private boolean allocatedNew;
    private boolean established;
    private FileRmap heldRmap;

    private MmapState(MmStruct mm, File file, long addr, long len, long pgoff, VmaFlags flags) {
        this.mm = mm;
        this.k = mm.kernel();
        this.pid = mm.ownerPid();
        this.origFile = file;
        this.file = file;
        this.fop = file == null ? null : file.fileOperations();
        this.addr = addr;
        this.end = addr + len;
        this.pgoff = pgoff;
        this.pglen = len >>> Mman.PAGE_SHIFT;
        this.flags = flags;
        this.pageProt = PageProt.fromFlags(flags);
        this.haveMmapPrepare = fop != null && fop.mmapPrepare() != null;
        this.legacyMmap = fop != null && fop.mmap() != null;
    }

    private static MmException err(Errno e, String step, String detail) {
        return new MmException(e, step, detail);
    }

    private static MmException err(int negative, String step, String detail) {
        return new MmException(Errno.fromReturn(negative), step, detail);
    }

    private String path() {
        return origFile == null ? null : origFile.path();
    }

    private void ev(TraceStep step, String outcome, String detail) {
        k.trace().emit(pid, addr, end, path(), step, outcome, detail);
    }

    /** As {@link #ev(TraceStep, String, String)}, the detail formatted only if read. */
    private void ev(TraceStep step, String outcome, TraceDetail detail) {
        k.trace().emit(pid, addr, end, path(), step, outcome, detail);
    }

    private int inject(InjectionPoint p) {
        return k.faultInjection().check(p);
    }

    // ------------------------------------------------------------------ do_mmap

    /**
     * {@code do_mmap}: validate, choose the address, check the file and run the region code.
     * The caller holds the mmap write lock.
     *
     * @param mm the address space
     * @param file the file, or null for anonymous memory
     * @param addr the hint or fixed address
     * @param len the length in bytes
     * @param prot {@code PROT_*}
     * @param flags {@code MAP_*}
     * @param pgoff the file offset in pages
     * @return the mapped address
     * @throws MmException with the errno and step of the first failure
     */
    public static long doMmap(MmStruct mm, File file, long addr, long len, int prot, int flags, long pgoff) {
        mm.assertWriteLocked("do_mmap");
        try {
            return doMmapLocked(mm, file, addr, len, prot, flags, pgoff);
        } catch (MmException e) {
            // One MMAP event per failed call, whichever phase failed (the region code traced its steps).
            mm.kernel().trace().emit(mm.ownerPid(), addr, addr + Math.max(len, 0), file == null ? null : file.path(),
                    TraceStep.MMAP, e.errno().name(), e.step() + ": " + e.detail());
            throw e;
        }
    }

    private static long doMmapLocked(MmStruct mm, File file, long addr, long len, int prot, int flags, long pgoff) {
        KernelConfig cfg = mm.kernel().config();
        String step = "do_mmap";
        if (len == 0) {
            throw err(Errno.EINVAL, step, "zero length");
        }
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0) {
            flags |= Mman.MAP_FIXED;
        }
        if ((flags & Mman.MAP_FIXED) == 0 && addr != 0 && Long.compareUnsigned(addr, cfg.mmapMinAddr()) < 0) {
            addr = cfg.mmapMinAddr(); // round_hint_to_min
        }
        long alen = VmaOps.pageAlign(len);
        if (len < 0 || alen <= 0 || alen > cfg.taskSize()) {
            throw err(Errno.ENOMEM, step, "length 0x" + Long.toHexString(len) + " overflows when page aligned");
        }
        long pages = alen >>> Mman.PAGE_SHIFT;
        if (Long.compareUnsigned(pgoff + pages, pgoff) < 0) {
            throw err(Errno.EOVERFLOW, step, "pgoff 0x" + Long.toHexString(pgoff) + " + " + pages + " pages overflows");
        }
        if (mm.mapCount > mm.maxMapCount()) {
            throw err(Errno.ENOMEM, step, "map count " + mm.mapCount + " over its limit " + mm.maxMapCount());
        }
        int mapType = flags & Mman.MAP_TYPE;
        VmaFlags vmFlags = VmaOps.calcVmProtBits(prot).setMask(calcVmFlagBits(flags)).setMask(VmaOps.MAY_RWX);

        addr = unmappedArea(mm, file, addr, alen, pgoff, flags);
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0 && mm.tree().findIntersection(addr, addr + alen) != null) {
            throw err(Errno.EEXIST, step, "MAP_FIXED_NOREPLACE over an existing mapping at 0x" + Long.toHexString(addr));
        }

        if (file != null) {
            FileOperations fop = file.fileOperations();
            switch (mapType) {
                case Mman.MAP_SHARED:
                case Mman.MAP_SHARED_VALIDATE:
                    if (mapType == Mman.MAP_SHARED_VALIDATE) {
                        int unknown = flags & ~(Mman.LEGACY_MAP_MASK | Mman.MAP_SYNC | Mman.MAP_FIXED_NOREPLACE);
                        if (unknown != 0) {
                            throw err(Errno.EOPNOTSUPP, step, "MAP_SHARED_VALIDATE with unknown flags 0x"
                                    + Integer.toHexString(unknown));
                        }
                        if ((flags & Mman.MAP_SYNC) != 0 && !fop.hasFlag(FopFlag.MMAP_SYNC)) {
                            throw err(Errno.EOPNOTSUPP, step, "MAP_SYNC on " + file.path()
                                    + ", whose file operations lack FOP_MMAP_SYNC");
                        }
                    }
                    if ((prot & Mman.PROT_WRITE) != 0 && !file.canWrite()) {
                        throw err(Errno.EACCES, step, "shared writable mapping of " + file.path()
                                + ", which is not open for writing");
                    }
                    vmFlags = vmFlags.setMask(VmaOps.SHARED_MAYSHARE);
                    if (!file.canWrite()) {
                        vmFlags = vmFlags.clear(VmaFlag.MAYWRITE, VmaFlag.SHARED);
                    }
                    checkPrivate(mm, file, fop, step);
                    break;
                case Mman.MAP_PRIVATE:
                    checkPrivate(mm, file, fop, step);
                    break;
                default:
                    throw err(Errno.EINVAL, step, "bad map type 0x" + Integer.toHexString(mapType));
            }
        } else {
            switch (mapType) {
                case Mman.MAP_SHARED:
                case Mman.MAP_SHARED_VALIDATE:
                    if (vmFlags.test(VmaFlag.GROWSDOWN)) {
                        throw err(Errno.EINVAL, step, "MAP_GROWSDOWN on a shared anonymous mapping");
                    }
                    pgoff = 0;
                    vmFlags = vmFlags.setMask(VmaOps.SHARED_MAYSHARE);
                    break;
                case Mman.MAP_PRIVATE:
                    pgoff = addr >>> Mman.PAGE_SHIFT;
                    break;
                default:
                    throw err(Errno.EINVAL, step, "bad map type 0x" + Integer.toHexString(mapType));
            }
        }
        if ((flags & Mman.MAP_NORESERVE) != 0) {
            vmFlags = vmFlags.setMask(VmaOps.NORESERVE);
        }
        if (file != null) {
            checkRmap(mm, file);
        }
        return new MmapState(mm, file, addr, alen, pgoff, vmFlags).mmapRegion();
    }

    /** The MAP_PRIVATE file checks, which shared mappings also pass through, plus the hook rules of contract 1.1. */
    private static void checkPrivate(MmStruct mm, File file, FileOperations fop, String step) {
        if (!file.canRead()) {
            throw err(Errno.EACCES, step, file.path() + " is not open for reading");
        }
        checkMmapHooks(mm, file, fop, step);
    }

    /** The reverse map must be the platform's before anything touches the address space. */
    private static void checkRmap(MmStruct mm, File file) {
        mm.kernel().rmapOf(file);
    }

    /**
     * {@code can_mmap_file} and the mmap_complete/mmap_abort presence rules (contract 1.1); each
     * broken rule is also a counted contract violation of the file system.
     *
     * @throws MmException ENODEV (neither or both of mmap and mmap_prepare) or EINVAL
     */
    static void checkMmapHooks(MmStruct mm, File file, FileOperations fop, String step) {
        boolean hasMmap = fop.mmap() != null;
        boolean hasPrepare = fop.mmapPrepare() != null;
        if (hasMmap && hasPrepare) {
            String what = fop.name() + " of " + file.path() + " has both mmap and mmap_prepare (they are mutually exclusive)";
            mm.kernel().violations().report(ContractViolation.BOTH_MMAP_HOOKS, mm.ownerPid(), 0, 0, file.path(), what);
            throw err(Errno.ENODEV, step, what);
        }
        if (!hasMmap && !hasPrepare) {
            throw err(Errno.ENODEV, step, fop.name() + " of " + file.path() + " has neither mmap nor mmap_prepare");
        }
        if (fop.mmapComplete() != null && !hasPrepare) {
            String what = fop.name() + " of " + file.path() + " has mmap_complete without mmap_prepare";
            mm.kernel().violations().report(ContractViolation.MMAP_COMPLETE_WITHOUT_PREPARE, mm.ownerPid(), 0, 0,
                    file.path(), what);
            throw err(Errno.EINVAL, step, what);
        }
        if (fop.mmapAbort() != null && !(hasPrepare && fop.mmapComplete() != null)) {
            String what = fop.name() + " of " + file.path()
                    + " has mmap_abort without both mmap_prepare and mmap_complete";
            mm.kernel().violations().report(ContractViolation.MMAP_ABORT_WITHOUT_PARTNERS, mm.ownerPid(), 0, 0,
                    file.path(), what);
            throw err(Errno.EINVAL, step, what);
        }
    }

    /** {@code calc_vm_flag_bits}. */
    private static VmaFlags calcVmFlagBits(int flags) {
        VmaFlags f = VmaFlags.EMPTY;
        if ((flags & Mman.MAP_GROWSDOWN) != 0) {
            f = f.set(VmaFlag.GROWSDOWN);
        }
        if ((flags & Mman.MAP_LOCKED) != 0) {
            f = f.set(VmaFlag.LOCKED);
        }
        if ((flags & Mman.MAP_TYPE) == Mman.MAP_SHARED_VALIDATE && (flags & Mman.MAP_SYNC) != 0) {
            f = f.set(VmaFlag.SYNC);
        }
        if ((flags & Mman.MAP_STACK) != 0) {
            f = f.set(VmaFlag.NOHUGEPAGE);
        }
        return f;
    }

    /**
     * {@code __get_unmapped_area}: the file's {@code get_unmapped_area} if it has one, else the
     * generic allocator (MAP_FIXED as is; a free hint; top-down below {@code mmapBase} falling
     * back to bottom-up, or bottom-up from {@code unmappedBase}).
     */
    static long unmappedArea(MmStruct mm, File file, long addr, long len, long pgoff, int flags) {
        KernelConfig cfg = mm.kernel().config();
        String step = "get_unmapped_area";
        if (len > cfg.taskSize()) {
            throw err(Errno.ENOMEM, step, "length larger than the user address space");
        }
        long ret;
        FileOperations.GetUnmappedArea hook = file == null ? null : file.fileOperations().getUnmappedArea();
        if (hook != null) {
            try {
                ret = hook.getUnmappedArea(file, addr, len, pgoff, flags);
            } catch (MmException e) {
                throw e;
            } catch (RuntimeException e) {
                mm.kernel().violations().report(ContractViolation.HOOK_THREW, mm.ownerPid(), addr, addr + len,
                        file.path(), "get_unmapped_area threw " + e);
                throw err(Errno.EINVAL, step, file.path() + ": get_unmapped_area failed: " + e.getMessage());
            }
            if (Errno.isErrorValue(ret)) {
                Errno e = Errno.ofNumber((int) -ret);
                throw err(e == null ? Errno.EINVAL : e, step, file.path() + ": get_unmapped_area returned " + ret);
            }
        } else {
            ret = genericUnmappedArea(mm, addr, len, flags);
        }
        if (ret < 0 || ret > cfg.taskSize() - len) {
            throw err(Errno.ENOMEM, step, "address 0x" + Long.toHexString(ret) + " + length beyond the user address space");
        }
        if ((ret & ~VmaOps.PAGE_MASK) != 0) {
            throw err(Errno.EINVAL, step, "unaligned address 0x" + Long.toHexString(ret));
        }
        if (ret < cfg.mmapMinAddr()) {
            throw err(Errno.EPERM, step, "address 0x" + Long.toHexString(ret) + " below mmap_min_addr 0x"
                    + Long.toHexString(cfg.mmapMinAddr()));
        }
        mm.kernel().trace().emit(mm.ownerPid(), ret, ret + len, file == null ? null : file.path(),
                TraceStep.GET_UNMAPPED_AREA, "ok", hook != null ? "from the file's get_unmapped_area" : "");
        return ret;
    }

    private static long genericUnmappedArea(MmStruct mm, long addr, long len, int flags) {
        KernelConfig cfg = mm.kernel().config();
        if ((flags & Mman.MAP_FIXED) != 0) {
            return addr;
        }
        if (addr != 0) {
            addr = VmaOps.pageAlign(addr);
            if (addr >= cfg.mmapMinAddr() && addr <= cfg.taskSize() - len
                    && mm.tree().findIntersection(addr, addr + len) == null) {
                return addr;
            }
        }
        long r = -1;
        if (cfg.topDown()) {
            r = topDownGap(mm, Math.max(Mman.PAGE_SIZE, cfg.mmapMinAddr()), cfg.mmapBase(), len);
        }
        if (r < 0) {
            r = bottomUpGap(mm, cfg.unmappedBase(), cfg.taskSize(), len);
        }
        if (r < 0) {
            throw err(Errno.ENOMEM, "get_unmapped_area", "no free area of 0x" + Long.toHexString(len) + " bytes");
        }
        return r;
    }

    /** {@code unmapped_area}: lowest gap of {@code len} bytes in {@code [low, high)}, or -1. */
    static long bottomUpGap(MmStruct mm, long low, long high, long len) {
        return mm.tree().unmappedArea(low, high, len);
    }

    /** {@code unmapped_area_topdown}: highest gap of {@code len} bytes in {@code [low, high)}, or -1. */
    static long topDownGap(MmStruct mm, long low, long high, long len) {
        return mm.tree().unmappedAreaTopDown(low, high, len);
    }

    // ------------------------------------------------------------------ __mmap_region

    /** {@code __mmap_region}: the phases in order; see the class comment. */
    private long mmapRegion() {
        try {
            mmapSetup();
            if (haveMmapPrepare) {
                callMmapPrepare();
            }
            if (!legacyMmap && (prev != null || next != null)) {
                mmapMergeNewRange();
            }
            if (vma == null) {
                mmapNewVma();
            } else if (fileDoesntNeedGet) {
                // Merged into a VMA that holds its own reference on the file: the one
                // mmap_prepare handed over has no owner.
                fileDoesntNeedGet = false;
                file.fput();
            }
            established = true;
            if (haveMmapPrepare) {
                setVmaUserDefinedFields();
            }
            mmapComplete();
            if (haveMmapPrepare && allocatedNew) {
                mmapActionComplete();
            }
            if (haveMmapPrepare && fop.mmapComplete() != null) {
                callMmapCompleteHook();
            }
            ev(TraceStep.MMAP, "ok", TraceDetails.vma(merged ? "merged into " : "new ", vma, ""));
            return addr;
        } catch (MmException e) {
            if (!established) {
                abortMunmap();
            }
            releaseRmapIfHeld();
            if (fileDoesntNeedGet && !allocatedNew) {
                file.fput(); // no VMA took the reference mmap_prepare handed over with its file
            }
            if (prepareSucceeded && !completeCalled) {
                callMmapAbort();
            }
            throw e;
        }
    }

    /**
     * {@code __mmap_setup}: gather the VMAs a MAP_FIXED mapping replaces, check limits, account
     * committed memory, then close the replaced VMAs (before any hook of the new file runs).
     */
    private void mmapSetup() {
        String step = "__mmap_setup";
        if (mm.tree().findIntersection(addr, end) != null) {
            replaced = VmaOps.gatherAndDetach(mm, addr, end, step);
        }
        prev = mm.tree().before(addr);
        next = mm.tree().find(addr);
        long replacedPages = 0;
        long replacedAccounted = 0;
        for (Vma v : replaced) {
            replacedPages += v.pages();
            if (v.flags.test(VmaFlag.ACCOUNT)) {
                replacedAccounted += v.pages();
            }
        }
        if (!mm.mayExpandVm(flags, pglen - replacedPages)) {
            ev(TraceStep.SETUP, "ENOMEM", "may_expand_vm: address-space limit");
            throw err(Errno.ENOMEM, "may_expand_vm", "mapping " + pglen + " pages exceeds the address-space limit");
        }
        if (isAccountable()) {
            long need = pglen - replacedAccounted;
            if (need > 0 && !mm.charge(need)) {
                ev(TraceStep.SETUP, "ENOMEM", "commit limit");
                throw err(Errno.ENOMEM, "security_vm_enough_memory", "commit limit reached charging " + need + " pages");
            }
            charged = Math.max(need, 0);
            accountTransferred = true;
            flags = flags.setMask(VmaOps.ACCOUNT);
        }
        ev(TraceStep.SETUP, "ok", replaced.isEmpty() ? "" : "replacing " + replaced.size() + " VMA(s)");
        if (!replaced.isEmpty()) {
            // vms_clean_up_area: close() of replaced mappings precedes every hook of the new file.
            VmaOps.cleanUp(mm, replaced, TraceStep.CLOSE_REPLACED, "replaced by a MAP_FIXED mapping");
            replacedCleaned = true;
        }
    }

    /** {@code accountable_mapping}: private writable memory that reserves swap. */
    private boolean isAccountable() {
        return flags.test(VmaFlag.WRITE) && !flags.testAnyMask(VmaOps.NOT_ACCOUNTABLE);
    }

    /**
     * {@code call_mmap_prepare}: fill the descriptor, call {@code mmap_prepare}, then action
     * prepare, then copy the descriptor back into this state.
     */
    private void callMmapPrepare() {
        desc = new VmAreaDescImpl(mm, origFile, addr, end, pgoff, origFile, flags, pageProt);
        FileOperations.MmapPrepare hook = fop.mmapPrepare();
        int r = inject(InjectionPoint.BEFORE_PREPARE);
        if (r == 0) {
            r = k.callHook("mmap_prepare", pid, addr, end, path(), (h, d, none) -> h.mmapPrepare(d), hook, desc, null);
        }
        ev(TraceStep.PREPARE, Errno.describe(r), fop.name());
        if (r != 0) {
            throw err(r, "mmap_prepare", fop.name() + ".mmap_prepare failed for " + path());
        }
        prepareSucceeded = true;
        if (desc.vmFile() != origFile) {
            // The hook supplied the file the VMA references with a reference of its own (the
            // kernel's file_doesnt_need_get). Taken over at once, so that any failure from here
            // on drops that reference instead of leaking it.
            fileDoesntNeedGet = true;
            file = desc.vmFile();
            checkRmap(mm, file);
        }
        r = inject(InjectionPoint.AFTER_PREPARE);
        if (r != 0) {
            throw err(r, "call_mmap_prepare", "failure injected after mmap_prepare");
        }
        mmapActionPrepare();
        // Copy back.
        pgoff = desc.pgoff();
        flags = desc.flags();
        pageProt = desc.pageProt();
        vmOps = desc.vmOps();
        privateData = desc.privateData();
        context = desc.context();
        action = desc.action();
    }

    /** {@code mmap_action_prepare}: validate {@code error_override} and the range, then the type's prepare. */
    private void mmapActionPrepare() {
        MmapActions.Result res = MmapActions.prepare(k, desc, "");
        if (res.errno() != 0) {
            throw err(res.errno(), res.failedStep(), "action rejected: " + res.detail());
        }
    }

    /** {@code vma_merge_new_range} for the new mapping. */
    private void mmapMergeNewRange() {
        VmaMergeStruct vmg = new VmaMergeStruct(mm, addr, end, pgoff, flags, file);
        vmg.prev = prev;
        vmg.next = next;
        Vma m = vmg.mergeNewRange();
        if (vmg.state() == VmaMergeStruct.State.ERROR_NOMEM) {
            ev(TraceStep.MERGE, "ENOMEM", "merge preallocation failed");
            throw err(Errno.ENOMEM, "vma_merge_new_range", "tree preallocation failed");
        }
        if (m != null) {
            vma = m;
            merged = true;
            ev(TraceStep.MERGE, "merged", TraceDetails.vma("new range merged into ", m,
                    mergeNote(vmg.removed > 0, haveMmapPrepare && fop.mmapComplete() != null)));
        } else {
            ev(TraceStep.MERGE, "nomerge", "");
        }
    }

    private static final String NO_ACTION = "; no new VMA, so the action and vm_ops->mapped do not run";
    private static final String ABSORBED = ", absorbing its next";
    private static final String COMPLETE_GETS_MERGED = "; mmap_complete receives the merged VMA";

    /** The text after the merged VMA in the MERGE event: constants only, nothing built per call. */
    private static String mergeNote(boolean absorbedNext, boolean completeGetsMerged) {
        if (absorbedNext) {
            return completeGetsMerged ? ABSORBED + NO_ACTION + COMPLETE_GETS_MERGED : ABSORBED + NO_ACTION;
        }
        return completeGetsMerged ? NO_ACTION + COMPLETE_GETS_MERGED : NO_ACTION;
    }

    private static final String HIDDEN = " (hidden from rmap until complete)";
    private static final String SUBSTITUTED = " (vm_file substituted by mmap_prepare)";

    /** {@code __mmap_new_vma}: allocate, (legacy mmap), write-lock, insert, link into the reverse map. */
    private void mmapNewVma() {
        int r = inject(InjectionPoint.VMA_ALLOC);
        if (r != 0) {
            ev(TraceStep.NEW_VMA, Errno.describe(r), "vm_area_alloc failed (injected)");
            throw err(r, "vm_area_alloc", "VMA allocation failed");
        }
        Vma v = new Vma(mm, addr, end, pgoff, flags, pageProt);
        r = inject(InjectionPoint.TREE_PREALLOC);
        if (r != 0) {
            ev(TraceStep.NEW_VMA, Errno.describe(r), "tree preallocation failed (injected)");
            throw err(r, "vma_iter_prealloc", "tree preallocation failed");
        }
        if (file != null) {
            // get_file for vm_file, unless mmap_prepare substituted a file whose reference it
            // handed over (file_doesnt_need_get).
            v.file = fileDoesntNeedGet ? file : file.getFile();
            if (legacyMmap) {
                try {
                    callLegacyMmap(v);
                } catch (MmException e) {
                    v.file.fput(); // the VMA never existed: drop its reference (free_iter_vma)
                    throw e;
                }
            }
        } else if (flags.test(VmaFlag.SHARED)) {
            r = k.sharedAnonymous().shmemZeroSetup(v);
            if (r != 0) {
                throw err(r, "shmem_zero_setup", "shared anonymous backing failed");
            }
        } else {
            v.vmOps = null; // vma_set_anonymous
        }
        // Resolve the reverse map first: nothing may fail once the VMA is in the tree.
        FileRmap rmap = v.file == null ? null : k.rmapOf(v.file);
        v.startWrite();
        mm.insertVma(v);
        boolean hold = action.hideFromRmapUntilComplete() && rmap != null;
        if (rmap != null) {
            rmap.link(v, hold);
        }
        if (hold) {
            heldRmap = rmap;
        }
        vma = v;
        allocatedNew = true;
        ev(TraceStep.NEW_VMA, "ok", TraceDetails.vma("", v, hold
                ? (fileDoesntNeedGet ? HIDDEN + SUBSTITUTED : HIDDEN)
                : (fileDoesntNeedGet ? SUBSTITUTED : "")));
    }

    /** {@code mmap_file}: the legacy hook on the allocated, not yet inserted VMA (contract 2.2). */
    private void callLegacyMmap(Vma v) {
        long startBefore = v.start;
        boolean mayWriteBefore = v.flags.test(VmaFlag.MAYWRITE);
        FileOperations.Mmap hook = fop.mmap();
        File f = file;
        int r = k.callHook("mmap", pid, addr, end, path(), () -> hook.mmap(f, v));
        ev(TraceStep.LEGACY_MMAP, Errno.describe(r), fop.name());
        if (r != 0) {
            // No close() for a mapping that never existed; clear what the driver populated.
            v.vmOps = VmOperations.DUMMY;
            k.pageTables().zapPageRange(mm, v, v.start, v.end);
            throw err(r, "mmap", fop.name() + ".mmap failed for " + path());
        }
        if (v.start != startBefore || v.end != end) {
            k.violations().report(ContractViolation.LEGACY_MMAP_MOVED_START, pid, addr, end, path(),
                    "legacy mmap changed the range to " + v);
            v.start = startBefore;
            v.end = end;
            mm.vmaClose(v);
            k.pageTables().zapPageRange(mm, v, v.start, v.end);
            throw err(Errno.EINVAL, "mmap", fop.name() + ".mmap moved the VMA, which drivers must not do");
        }
        if (!mayWriteBefore && v.flags.test(VmaFlag.MAYWRITE)) {
            k.violations().report(ContractViolation.LEGACY_MMAP_GRANTED_MAYWRITE, pid, addr, end, path(),
                    "legacy mmap granted MAYWRITE on a mapping that did not have it");
        }
        flags = v.flags;
        file = v.file;
    }

    /** {@code set_vma_user_defined_fields}: also on a merged VMA; no ops means anonymous. */
    private void setVmaUserDefinedFields() {
        vma.startWrite();
        vma.vmOps = vmOps;
        vma.privateData = privateData;
        ev(TraceStep.USER_FIELDS, "ok", vmOps == null ? "anonymous (no vm_ops)" : vmOps.label());
    }

    /**
     * {@code __mmap_complete}: forget the replaced VMAs, account, set SOFTDIRTY, recompute the
     * page protection.
     */
    private void mmapComplete() {
        if (!replaced.isEmpty()) {
            for (Vma v : replaced) {
                mm.mapCount--;
                mm.totalVm -= v.pages();
                if (!accountTransferred && v.flags.test(VmaFlag.ACCOUNT)) {
                    mm.uncharge(v.pages());
                }
            }
        }
        charged = 0; // now owned by the VMA's ACCOUNT flag
        mm.totalVm += pglen;
        vma.startWrite();
        vma.flags = k.intern(vma.flags.setMask(VmaOps.SOFTDIRTY));
        vma.pageProt = VmaOps.pageProtFor(vma);
        ev(TraceStep.MMAP_COMPLETE, "ok", TraceDetails.vma("", vma, ""));
    }

    /**
     * {@code mmap_action_complete} on the new VMA: the action, then {@code success_hook} or
     * {@code error_hook}, then {@code vm_ops->mapped}, then the rmap unlock. Any error unmaps
     * the VMA ({@code close} runs) and fails with {@code error_override} if set.
     */
    private void mmapActionComplete() {
        MmapActions.Result res = MmapActions.complete(k, vma, action, "");
        int r = res.errno();
        String failedStep = res.failedStep();
        releaseRmapIfHeld();
        if (r != 0) {
            int ret = action.errorOverride() != 0 ? action.errorOverride() : r;
            unmapEstablished(res.detail());
            throw err(ret, failedStep, res.detail()
                    + (ret != r ? ", reported as " + Errno.describe(ret) + " (error_override)" : "")
                    + "; the new VMA was unmapped");
        }
    }

    private void releaseRmapIfHeld() {
        if (heldRmap != null) {
            heldRmap.unlockHeld();
            heldRmap = null;
            ev(TraceStep.RMAP_UNLOCK, "ok", "VMA visible to rmap walkers");
        }
    }

    /**
     * {@code mmap_complete(file, vma, context)} with both locks held; afterwards assert that the
     * hook released neither (a release is a contract violation: warn, unmap, EINVAL).
     */
    private void callMmapCompleteHook() {
        int r = inject(InjectionPoint.BEFORE_COMPLETE);
        if (r != 0) {
            unmapEstablished("failure injected before mmap_complete");
            throw err(r, "mmap_complete", "failure injected before mmap_complete");
        }
        completeCalled = true;
        Vma v = vma;
        MmapActions.Result res = MmapActions.callMmapComplete(k, fop, origFile, v, context, true,
                TraceDetails.vma(merged ? "on the merged VMA " : "", v, ""));
        r = res.errno();
        if (r != 0) {
            unmapEstablished(res.detail());
            throw err(r, "mmap_complete", res.detail() + "; the mapping was removed");
        }
        r = inject(InjectionPoint.AFTER_COMPLETE);
        if (r != 0) {
            unmapEstablished("failure injected after mmap_complete");
            throw err(r, "mmap_complete", "failure injected after mmap_complete");
        }
    }

    /** Unmaps the range this call established (the new VMA, or the merged-in part). */
    private void unmapEstablished(String why) {
        ev(TraceStep.UNMAP, "ok", why);
        VmaOps.doMunmap(mm, addr, end - addr);
    }

    /**
     * {@code abort_munmap}: failure before the mapping was established. Replaced VMAs come
     * back if they were not closed yet, else their range stays a hole.
     */
    private void abortMunmap() {
        if (charged > 0) {
            mm.uncharge(charged);
            charged = 0;
        }
        if (replaced.isEmpty()) {
            return;
        }
        if (!replacedCleaned) {
            VmaOps.reattach(mm, replaced);
        } else {
            VmaOps.finish(mm, replaced);
            ev(TraceStep.UNMAP, "hole", "replaced VMAs were already closed; their range stays unmapped");
        }
        replaced = List.of();
    }

    /** {@code mmap_abort(file, private_data, context)}: exactly once, after teardown. */
    private void callMmapAbort() {
        if (abortCalled) {
            return;
        }
        abortCalled = true;
        FileOperations.MmapAbort hook = fop.mmapAbort();
        if (hook == null) {
            ev(TraceStep.ABORT, "none", fop.name() + " has no mmap_abort");
            return;
        }
        Object pd = desc.privateData();
        Object ctx = desc.context();
        ev(TraceStep.ABORT, "ok", fop.name());
        k.callVoidHook("mmap_abort", pid, addr, end, path(), () -> hook.mmapAbort(origFile, pd, ctx));
    }
}
