package org.vfsgi.mm.core;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmapAction;
import org.vfsgi.mm.MmapActionType;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.vfs.File;

/**
 * The halves of {@code mmap_action} handling that the direct mmap path ({@link MmapState}), the
 * compat layer ({@link CompatMmap}) and a custom action's partial actions
 * ({@code vma_desc_action_prepare} / {@code vma_desc_action_complete}) share, as the kernel's
 * {@code mmap_action_prepare} and {@code mmap_action_complete} serve both its paths:
 * <ul>
 * <li>{@link #prepare}: {@code error_override} validity, the action's range against the
 * descriptor, the type's prepare;</li>
 * <li>{@link #complete}: the action, then {@code success_hook} or {@code error_hook}, then
 * {@code vm_ops->mapped} ({@link #callMapped}).</li>
 * </ul>
 * What differs between the paths — unmapping on failure, {@code error_override}, the rmap lock —
 * stays with the caller. Every hook goes through {@link Kernel#callHook}, every contract
 * violation is counted and traced, and each step is a trace event.
 */
final class MmapActions {
    /**
     * What {@link #prepare} or {@link #complete} ended with.
     *
     * @param errno {@code 0} or the negative errno (after {@code error_hook})
     * @param failedStep the last step that ran: {@code mmap_action_prepare}, or
     *        {@code mmap_action_complete}, {@code success_hook} or {@code mapped}
     * @param detail what happened, for messages
     */
    record Result(int errno, String failedStep, String detail) {
    }

    /*
     * Successful outcomes are shared constants: callers read only the errno of a success, so a
     * success builds no Result and no text per call.
     */

    /** The outcome of a successful {@link #prepare}, by the (possibly rewritten) action type. */
    private static final Result[] PREPARED = new Result[MmapActionType.values().length];

    static {
        for (MmapActionType t : MmapActionType.values()) {
            PREPARED[t.ordinal()] = new Result(0, "mmap_action_prepare", t.name());
        }
    }

    /** The outcome of a successful {@link #complete}: the last step that ran is {@code mapped}. */
    private static final Result COMPLETED = new Result(0, "mapped", "mapped succeeded");

    /** The outcome of a successful {@link #callMmapComplete}. */
    private static final Result COMPLETE_OK = new Result(0, "mmap_complete", "mmap_complete succeeded");

    private MmapActions() {
    }

    /**
     * {@code mmap_action_prepare(desc)}: validates {@code error_override} (a value that is not 0 or
     * a negative errno is a violation and EINVAL), checks that a remap or kernel-page range lies
     * inside the descriptor (a violation and EFAULT), rejects a type the handler does not know (a
     * violation and EINVAL), then runs the type's prepare, which may rewrite the descriptor.
     *
     * @param k the kernel
     * @param desc the descriptor, whose action is checked
     * @param note a word for the trace ({@code ""}, {@code "compat"}, {@code "partial"})
     * @return the outcome
     */
    static Result prepare(Kernel k, VmAreaDescImpl desc, String note) {
        int pid = desc.mm().ownerPid();
        String path = desc.file() == null ? null : desc.file().path();
        MmapAction a = desc.action();
        int override = a.errorOverride();
        int r = 0;
        String why = a.type().name();
        if (override != 0 && (override > 0 || Errno.ofNumber(-override) == null)) {
            k.violations().report(ContractViolation.INVALID_ERROR_OVERRIDE, pid, desc.start(), desc.end(), path,
                    "error_override " + override + " is not a negative errno");
            r = Errno.EINVAL.negative();
            why = "invalid error_override " + override;
        } else if (hasRange(a.type()) && !rangeInside(desc, a.start(), a.size())) {
            why = a.type() + " range [0x" + Long.toHexString(a.start()) + ", +0x" + Long.toHexString(a.size())
                    + ") lies outside the VMA " + desc.rangeString();
            k.violations().report(ContractViolation.ACTION_RANGE_OUTSIDE_VMA, pid, desc.start(), desc.end(), path, why);
            r = Errno.EFAULT.negative();
        } else if (!k.actionHandler().supports(a.type())) {
            why = "no handler for action type " + a.type() + " in this kernel";
            k.violations().report(ContractViolation.UNKNOWN_ACTION, pid, desc.start(), desc.end(), path, why);
            r = Errno.EINVAL.negative();
        } else {
            r = k.faultInjection().check(InjectionPoint.ACTION_PREPARE);
            if (r == 0) {
                MmapActionHandler h = k.actionHandler();
                r = k.callHook("mmap_action_prepare", pid, desc.start(), desc.end(), path,
                        (handler, d, none) -> handler.prepare(d), h, desc, null);
            }
            why = desc.action().type().name();
        }
        k.trace().emit(pid, desc.start(), desc.end(), path, TraceStep.ACTION_PREPARE, Errno.describe(r),
                note.isEmpty() ? why : note + ": " + why);
        if (r == 0) {
            return PREPARED[desc.action().type().ordinal()];
        }
        return new Result(r, "mmap_action_prepare", why);
    }

    /** Types whose {@code start}/{@code size} name a user range (the others have none or are checked by their prepare). */
    private static boolean hasRange(MmapActionType t) {
        return t == MmapActionType.REMAP_PFN || t == MmapActionType.IO_REMAP_PFN
                || t == MmapActionType.MAP_KERNEL_PAGES;
    }

    /** {@code range_in_vma_desc} without overflow. */
    private static boolean rangeInside(VmAreaDescImpl d, long start, long size) {
        return size >= 0 && start >= d.start() && start <= d.end() && size <= d.end() - start;
    }

    /**
     * The action part of {@code mmap_action_complete} and what follows it: the action, then
     * {@code success_hook} (after success) or {@code error_hook} (after failure; returning
     * success is the violation {@link ContractViolation#ERROR_HOOK_CLEARED_ERROR} and the
     * original error stands), then, if all went well, {@code vm_ops->mapped} with the VMA's
     * {@code vm_file}.
     *
     * @param k the kernel
     * @param vma the VMA (inserted and write-locked, or, in the compat layer, not yet inserted)
     * @param action the prepared action
     * @param note a word for the trace
     * @return the outcome
     */
    static Result complete(Kernel k, Vma vma, MmapAction action, String note) {
        int pid = vma.mm.ownerPid();
        String path = vma.path();
        long s = vma.start;
        long e = vma.end;
        String failedStep = "mmap_action_complete";
        int r = k.faultInjection().check(InjectionPoint.ACTION_COMPLETE);
        if (r == 0) {
            MmapActionHandler h = k.actionHandler();
            r = k.callHook("mmap_action_complete", pid, s, e, path, MmapActionHandler::complete, h, vma, action);
        }
        k.trace().emit(pid, s, e, path, TraceStep.ACTION, Errno.describe(r), withNote(note, action.type().name()));
        if (r == 0 && action.successHook() != null) {
            MmapAction.SuccessHook sh = action.successHook();
            r = k.callHook("success_hook", pid, s, e, path, () -> sh.onSuccess(vma));
            k.trace().emit(pid, s, e, path, TraceStep.SUCCESS_HOOK, Errno.describe(r), note);
            failedStep = "success_hook";
        } else if (r != 0 && action.errorHook() != null) {
            int orig = r;
            MmapAction.ErrorHook eh = action.errorHook();
            int filtered = k.callHook("error_hook", pid, s, e, path, () -> eh.onError(orig));
            if (filtered == 0) {
                k.violations().report(ContractViolation.ERROR_HOOK_CLEARED_ERROR, pid, s, e, path,
                        "error_hook turned " + Errno.describe(orig) + " into success; the error stands");
            } else {
                r = filtered;
            }
            k.trace().emit(pid, s, e, path, TraceStep.ERROR_HOOK, Errno.describe(r),
                    withNote(note, "from " + Errno.describe(orig)));
        }
        if (r == 0) {
            failedStep = "mapped";
            r = callMapped(k, vma, vma.file, note);
        }
        if (r == 0) {
            return COMPLETED;
        }
        return new Result(r, failedStep, failedStep + " failed with " + Errno.describe(r));
    }

    /**
     * {@code call_vma_mapped} / {@code __compat_vma_mapped}: {@code vm_ops->mapped(start, end,
     * pgoff, file, &private_data)} if the VMA's ops have it; a changed private-data slot is stored
     * into the VMA only on success. The failure-injection point {@link InjectionPoint#MAPPED}
     * fires before it.
     *
     * @param k the kernel
     * @param vma the VMA
     * @param file the file handed to the hook
     * @param note a word for the trace
     * @return {@code 0} or a negative errno
     */
    static int callMapped(Kernel k, Vma vma, File file, String note) {
        int pid = vma.mm.ownerPid();
        int r = k.faultInjection().check(InjectionPoint.MAPPED);
        VmOperations ops = vma.vmOps;
        if (r != 0) {
            k.trace().emit(pid, vma.start, vma.end, vma.path(), TraceStep.MAPPED, Errno.describe(r),
                    withNote(note, "failure injected before vm_ops->mapped"));
            return r;
        }
        if (ops == null || ops.mapped() == null) {
            return 0;
        }
        VmOperations.Mapped mh = ops.mapped();
        VmOperations.PrivateData slot = new VmOperations.PrivateData(vma.privateData);
        long s = vma.start;
        long e = vma.end;
        long pg = vma.pgoff;
        r = k.callHook("vm_ops->mapped", pid, s, e, vma.path(), () -> mh.mapped(s, e, pg, file, slot));
        if (r == 0 && slot.get() != vma.privateData) {
            vma.privateData = slot.get();
        }
        k.trace().emit(pid, s, e, vma.path(), TraceStep.MAPPED, Errno.describe(r), withNote(note, ops.label()));
        return r;
    }

    private static String withNote(String note, String detail) {
        return note.isEmpty() ? detail : note + ": " + detail;
    }

    /**
     * {@code mmap_complete(file, vma, context)} with the mmap write lock (and, on the direct path,
     * the VMA write lock) held; afterwards asserts that the hook released neither. A release is
     * the violation {@link ContractViolation#MMAP_LOCK_RELEASED} or
     * {@link ContractViolation#VMA_LOCK_RELEASED} and ends as EINVAL; the caller gets its mmap
     * lock holds back either way. Traced as {@link TraceStep#COMPLETE}.
     *
     * @param k the kernel
     * @param fop the operations whose {@code mmap_complete} runs
     * @param file the file handed to the hook
     * @param v the VMA
     * @param context what {@code mmap_prepare} set
     * @param checkVmaLock whether the VMA is write-locked and must stay so (not in the compat layer,
     *        whose VMA is not inserted yet)
     * @param detail the trace detail of the call, formatted only if read
     * @return the outcome; step {@code mmap_complete}
     */
    static Result callMmapComplete(Kernel k, org.vfsgi.vfs.FileOperations fop, File file, Vma v, Object context,
            boolean checkVmaLock, TraceDetail detail) {
        MmStruct mm = v.mm;
        int pid = mm.ownerPid();
        String path = file == null ? null : file.path();
        org.vfsgi.vfs.FileOperations.MmapComplete hook = fop.mmapComplete();
        int holdBefore = mm.mmapWriteHoldCount();
        int r = k.callHook("mmap_complete", pid, v.start, v.end, path, () -> hook.mmapComplete(file, v, context));
        boolean mmapLockKept = mm.mmapWriteHoldCount() >= holdBefore;
        boolean vmaLockKept = !checkVmaLock || mmapLockKept && v.isWriteLocked();
        while (mm.mmapWriteHoldCount() < holdBefore) {
            mm.mmapWriteLock(); // give the caller back the lock it holds
        }
        if (!mmapLockKept || !vmaLockKept) {
            ContractViolation kind = !mmapLockKept ? ContractViolation.MMAP_LOCK_RELEASED
                    : ContractViolation.VMA_LOCK_RELEASED;
            String what = fop.name() + ".mmap_complete released the " + (!mmapLockKept ? "mmap" : "VMA")
                    + " write lock";
            k.violations().report(kind, pid, v.start, v.end, path, what);
            k.trace().emit(pid, v.start, v.end, path, TraceStep.COMPLETE, "EINVAL", "lock released by the hook: " + kind);
            return new Result(Errno.EINVAL.negative(), "mmap_complete", what);
        }
        k.trace().emit(pid, v.start, v.end, path, TraceStep.COMPLETE, Errno.describe(r), detail);
        if (r == 0) {
            return COMPLETE_OK;
        }
        return new Result(r, "mmap_complete", fop.name() + ".mmap_complete failed with " + Errno.describe(r));
    }
}
