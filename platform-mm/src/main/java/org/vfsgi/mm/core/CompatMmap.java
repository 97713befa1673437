package org.vfsgi.mm.core;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;

/**
 * The compat layer for stacked files (contract section 4, the kernel's {@code mm/util.c}
 * helpers): a legacy {@code f_op->mmap} hook maps the file underneath it, whose file system may
 * use {@code mmap_prepare}. Reached through {@link org.vfsgi.mm.VmArea#vfsMmap} and its
 * siblings, which {@link Vma} delegates here.
 *
 * <p>Differences from the direct path ({@link MmapState}), as in the kernel: the VMA is
 * allocated but not yet in the tree or the reverse map, so {@code hide_from_rmap_until_complete}
 * is forced off; the merge was already ruled out (legacy mappings never merge at mmap time);
 * nothing is unmapped here and {@code error_override} does not apply — the raw error goes back to
 * the outer legacy hook, whose failure path clears what was populated and drops the VMA without
 * {@code close}. The pairing promise holds here too: after a successful {@code mmap_prepare},
 * exactly one of {@code mmap_complete} and {@code mmap_abort} runs, the abort before the outer
 * path's teardown (which happens after the legacy hook returned).
 *
 * <p>Each call is traced: the inner steps as usual (with the note {@code compat}), and a
 * {@link TraceStep#COMPAT_MMAP} event with the errno handed back.
 */
final class CompatMmap {
    private static final String NOTE = "compat";

    private CompatMmap() {
    }

    /** {@code vfs_mmap(file, vma)}. */
    static int vfsMmap(Vma vma, File file) {
        String entry = "vfs_mmap";
        int r = checkEntry(vma, file, entry);
        if (r == 0) {
            FileOperations fop = file.fileOperations();
            if (fop.mmapPrepare() != null) {
                return compatVmaMmap(vma, file);
            }
            Kernel k = vma.mm.kernel();
            FileOperations.Mmap hook = fop.mmap();
            r = k.callHook("mmap", vma.mm.ownerPid(), vma.start, vma.end, file.path(), () -> hook.mmap(file, vma));
            k.trace().emit(vma.mm.ownerPid(), vma.start, vma.end, file.path(), TraceStep.LEGACY_MMAP,
                    Errno.describe(r), NOTE + ": " + fop.name());
        }
        return traced(vma, file, entry, r, "");
    }

    /** {@code compat_vma_mmap(file, vma)}. */
    static int compatVmaMmap(Vma vma, File file) {
        String entry = "compat_vma_mmap";
        int r = checkEntry(vma, file, entry);
        if (r != 0) {
            return traced(vma, file, entry, r, "");
        }
        FileOperations fop = file.fileOperations();
        if (fop.mmapPrepare() == null) {
            return traced(vma, file, entry, Errno.ENODEV.negative(), fop.name() + " has no mmap_prepare");
        }
        Kernel k = vma.mm.kernel();
        VmAreaDescImpl desc = VmAreaDescImpl.fromVma(file, vma);
        r = k.faultInjection().check(InjectionPoint.BEFORE_PREPARE);
        if (r == 0) {
            FileOperations.MmapPrepare hook = fop.mmapPrepare();
            r = k.callHook("mmap_prepare", vma.mm.ownerPid(), vma.start, vma.end, file.path(),
                    () -> hook.mmapPrepare(desc));
        }
        k.trace().emit(vma.mm.ownerPid(), vma.start, vma.end, file.path(), TraceStep.PREPARE, Errno.describe(r),
                NOTE + ": " + fop.name());
        if (r != 0) {
            return traced(vma, file, entry, r, "mmap_prepare failed; no mmap_abort, as prepare itself failed");
        }
        // Being invoked from .mmap, the VMA is in no reverse map yet: nothing to hide it from.
        desc.replaceAction(desc.action().withHideFromRmapUntilComplete(false));
        return prepared(vma, desc, entry);
    }

    /**
     * {@code __compat_vma_mmap(desc, vma)}.
     *
     * @throws IllegalArgumentException never: a foreign descriptor is EINVAL
     */
    static int compatVmaMmapPrepared(Vma vma, VmAreaDesc d) {
        String entry = "__compat_vma_mmap";
        VmAreaDescImpl desc = own(vma, d);
        if (desc == null) {
            return traced(vma, null, entry, Errno.EINVAL.negative(),
                    "the descriptor was not made by compatSetDescFromVma for this VMA");
        }
        int r = checkEntry(vma, desc.file(), entry);
        if (r != 0) {
            return traced(vma, desc.file(), entry, r, "");
        }
        return prepared(vma, desc, entry);
    }

    /**
     * The body of {@code __compat_vma_mmap}, after a successful {@code mmap_prepare} of
     * {@code desc.file()}: from here on, exactly one of its {@code mmap_complete} and
     * {@code mmap_abort} runs.
     */
    private static int prepared(Vma vma, VmAreaDescImpl desc, String entry) {
        Kernel k = vma.mm.kernel();
        File file = desc.file();
        FileOperations fop = file.fileOperations();
        File vmFileBefore = vma.file;
        int r = k.faultInjection().check(InjectionPoint.AFTER_PREPARE);
        String failed = "failure injected after mmap_prepare";
        if (r == 0) {
            MmapActions.Result res = MmapActions.prepare(k, desc, NOTE);
            r = res.errno();
            failed = res.detail();
        }
        if (r != 0) {
            if (desc.vmFile() != vmFileBefore && desc.vmFile() != null) {
                desc.vmFile().fput(); // the reference a substituted vm_file handed over has no taker
            }
            return abort(vma, desc, entry, r, failed);
        }
        setVmaFromDesc(vma, desc);
        MmapActions.Result res = MmapActions.complete(k, vma, desc.action(), NOTE);
        if (res.errno() != 0) {
            return abort(vma, desc, entry, res.errno(), res.detail());
        }
        if (fop.mmapComplete() != null) {
            r = k.faultInjection().check(InjectionPoint.BEFORE_COMPLETE);
            if (r != 0) {
                return abort(vma, desc, entry, r, "failure injected before mmap_complete");
            }
            res = MmapActions.callMmapComplete(k, fop, file, vma, desc.context(), false,
                    TraceDetails.vma(NOTE + ": ", vma, ""));
            if (res.errno() != 0) {
                return traced(vma, file, entry, res.errno(), res.detail());
            }
            r = k.faultInjection().check(InjectionPoint.AFTER_COMPLETE);
            if (r != 0) {
                return traced(vma, file, entry, r, "failure injected after mmap_complete");
            }
        }
        return traced(vma, file, entry, 0, vma.toString());
    }

    /**
     * {@code compat_set_vma_from_desc}: pgoff; a substituted {@code vm_file} (whose reference the
     * hook handed over, as on the direct path); flags; page protection; vm_ops and private data
     * unconditionally (no null-means-anonymous conversion here: null ops simply are anonymous).
     */
    private static void setVmaFromDesc(Vma vma, VmAreaDescImpl desc) {
        vma.pgoff = desc.pgoff();
        if (desc.vmFile() != vma.file) {
            File old = vma.file;
            vma.file = desc.vmFile();
            if (old != null) {
                old.fput();
            }
        }
        vma.flags = desc.flags();
        vma.pageProt = desc.pageProt();
        vma.vmOps = desc.vmOps();
        vma.privateData = desc.privateData();
    }

    /** {@code mmap_abort(file, private_data, context)} of {@code desc.file()}, once, then the error. */
    private static int abort(Vma vma, VmAreaDescImpl desc, String entry, int r, String why) {
        Kernel k = vma.mm.kernel();
        File file = desc.file();
        FileOperations fop = file.fileOperations();
        FileOperations.MmapAbort hook = fop.mmapAbort();
        int pid = vma.mm.ownerPid();
        if (hook == null) {
            k.trace().emit(pid, vma.start, vma.end, file.path(), TraceStep.ABORT, "none",
                    NOTE + ": " + fop.name() + " has no mmap_abort");
        } else {
            Object pd = desc.privateData();
            Object ctx = desc.context();
            k.trace().emit(pid, vma.start, vma.end, file.path(), TraceStep.ABORT, "ok", NOTE + ": " + fop.name());
            k.callVoidHook("mmap_abort", pid, vma.start, vma.end, file.path(), () -> hook.mmapAbort(file, pd, ctx));
        }
        return traced(vma, file, entry, r, why);
    }

    /** {@code __compat_vma_mapped(file, vma)}. */
    static int compatVmaMapped(Vma vma, File file) {
        return MmapActions.callMapped(vma.mm.kernel(), vma, file, NOTE);
    }

    /**
     * The preconditions of every entry: a file; a VMA being set up by a legacy hook (not in the
     * tree yet) under the mmap write lock of this thread; the hook rules of contract 1.1.
     */
    private static int checkEntry(Vma vma, File file, String entry) {
        if (file == null) {
            return Errno.EINVAL.negative();
        }
        if (!vma.isDetached() || !vma.mm.isMmapWriteLocked()) {
            return Errno.EINVAL.negative();
        }
        try {
            MmapState.checkMmapHooks(vma.mm, file, file.fileOperations(), entry);
            return 0;
        } catch (MmException e) {
            return e.negative();
        }
    }

    private static int traced(Vma vma, File file, String entry, int r, String detail) {
        String why = detail;
        if (r != 0 && detail.isEmpty()) {
            why = file == null ? "no file" : !vma.isDetached() || !vma.mm.isMmapWriteLocked()
                    ? "only valid inside a legacy mmap hook, on the VMA it is setting up" : "hook rules of " + file.path();
        }
        vma.mm.kernel().trace().emit(vma.mm.ownerPid(), vma.start, vma.end, file == null ? vma.path() : file.path(),
                TraceStep.COMPAT_MMAP, Errno.describe(r), entry + (why.isEmpty() ? "" : ": " + why));
        return r;
    }

    /** The platform's descriptor for this VMA, or null. */
    static VmAreaDescImpl own(Vma vma, VmAreaDesc d) {
        if (d instanceof VmAreaDescImpl) {
            VmAreaDescImpl desc = (VmAreaDescImpl) d;
            if (desc.mm() == vma.mm && desc.start() == vma.start && desc.end() == vma.end) {
                return desc;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ vma_desc_action_*

    /** {@code vma_desc_action_prepare(desc)} for a custom action's part. */
    static int descActionPrepare(Vma vma, VmAreaDesc d) {
        VmAreaDescImpl desc = own(vma, d);
        if (desc == null) {
            return Errno.EINVAL.negative();
        }
        return MmapActions.prepare(vma.mm.kernel(), desc, "partial").errno();
    }

    /** {@code vma_desc_action_complete(vma, desc)}: take over flags and pgoff, then populate. */
    static int descActionComplete(Vma vma, VmAreaDesc d) {
        VmAreaDescImpl desc = own(vma, d);
        if (desc == null) {
            return Errno.EINVAL.negative();
        }
        if (!vma.isDetached() && !vma.isWriteLocked()) {
            throw new IllegalStateException("vma_desc_action_complete on " + vma
                    + ", which is not write-locked (call it from a custom action)");
        }
        Kernel k = vma.mm.kernel();
        vma.flags = k.intern(desc.flags());
        vma.pgoff = desc.pgoff();
        int r = k.faultInjection().check(InjectionPoint.ACTION_COMPLETE);
        if (r == 0) {
            MmapActionHandler h = k.actionHandler();
            r = k.callHook("vma_desc_action_complete", vma.mm.ownerPid(), vma.start, vma.end, vma.path(),
                    () -> h.complete(vma, desc.action()));
        }
        org.vfsgi.mm.MmapAction a = desc.action();
        k.trace().emit(vma.mm.ownerPid(), a.start(), a.start() + a.size(), vma.path(), TraceStep.DESC_ACTION,
                Errno.describe(r), a.type() + " pfn 0x" + Long.toHexString(a.pfn()));
        return r;
    }
}
