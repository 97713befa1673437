package org.vfsgi.mm.core;

import java.util.Objects;
import org.vfsgi.mm.AddressSpace;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmapAction;
import org.vfsgi.mm.MmapActionType;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;

/**
 * The core's {@link VmAreaDesc}. Hooks only see the interface; the write-only fields
 * ({@code vm_ops}, private data, context) are readable here, by the platform, through
 * {@link #vmOps()}, {@link #privateData()} and {@link #context()}.
 */
public final class VmAreaDescImpl implements VmAreaDesc {
    private final MmStruct mm;
    /** Not final: {@link #vfsMmapPrepare} shows the inner file to the inner hook for the length of its call. */
    private File file;
    private final long start;
    private final long end;
    private long pgoff;
    private File vmFile;
    private VmaFlags flags;
    private PageProt pageProt;
    private VmOperations vmOps = VmOperations.DUMMY;
    private Object privateData;
    private Object context;
    private MmapAction action = MmapAction.NOTHING;

    /**
     * Fills a descriptor for a new mapping (contract 1.2 initial values).
     *
     * @param mm the target address space
     * @param file the file whose {@code mmap_prepare} will run
     * @param start range start
     * @param end range end
     * @param pgoff file offset in pages
     * @param vmFile the file the VMA will reference (initially {@code file})
     * @param flags the computed flags
     * @param pageProt the protection derived from the flags
     */
    public VmAreaDescImpl(MmStruct mm, File file, long start, long end, long pgoff, File vmFile, VmaFlags flags,
            PageProt pageProt) {
        this.mm = mm;
        this.file = file;
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
        this.vmFile = vmFile;
        this.flags = Objects.requireNonNull(flags, "flags");
        this.pageProt = Objects.requireNonNull(pageProt, "pageProt");
    }

    /**
     * {@code compat_set_desc_from_vma}: a descriptor built from an existing VMA for a stacked
     * call: range, pgoff, vm_file, flags, page_prot and vm_ops from the VMA, {@code file} the
     * argument, action NOTHING.
     *
     * @param file the file whose {@code mmap_prepare} will run
     * @param vma the VMA
     * @return the descriptor
     */
    public static VmAreaDescImpl fromVma(File file, Vma vma) {
        VmAreaDescImpl d = new VmAreaDescImpl(vma.mm, file, vma.start, vma.end, vma.pgoff, vma.file, vma.flags,
                vma.pageProt);
        d.vmOps = vma.vmOps;
        return d;
    }

    @Override
    public AddressSpace mm() {
        return mm;
    }

    @Override
    public File file() {
        return file;
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long end() {
        return end;
    }

    @Override
    public long pgoff() {
        return pgoff;
    }

    @Override
    public void setPgoff(long p) {
        if (p < 0) {
            throw new IllegalArgumentException("pgoff must not be negative, was " + p);
        }
        pgoff = p;
    }

    @Override
    public File vmFile() {
        return vmFile;
    }

    @Override
    public void setVmFile(File f) {
        if (f == null) {
            throw new IllegalArgumentException("vm_file must not be null (use setAnonymous() for anonymous memory)");
        }
        vmFile = f;
    }

    @Override
    public VmaFlags flags() {
        return flags;
    }

    @Override
    public void setFlags(VmaFlags f) {
        flags = Objects.requireNonNull(f, "flags");
    }

    @Override
    public PageProt pageProt() {
        return pageProt;
    }

    @Override
    public void setPageProt(PageProt prot) {
        pageProt = Objects.requireNonNull(prot, "pageProt");
    }

    @Override
    public void setVmOps(VmOperations ops) {
        vmOps = ops;
    }

    /**
     * {@code shmem_zero_setup_desc} through the kernel's shmem; ENOMEM for a kernel without RAM,
     * which has none.
     */
    @Override
    public int shmemZeroSetup() {
        try {
            return mm.kernel().shmem().zeroSetupDesc(this);
        } catch (IllegalStateException noShmem) {
            return org.vfsgi.mm.Errno.ENOMEM.negative();
        }
    }

    @Override
    public int vfsMmapPrepare(File inner) {
        Objects.requireNonNull(inner, "file");
        FileOperations fop = inner.fileOperations();
        FileOperations.MmapPrepare hook = fop == null ? null : fop.mmapPrepare();
        Kernel k = mm.kernel();
        if (hook == null) {
            k.trace().emit(mm.ownerPid(), start, end, inner.path(), TraceStep.PREPARE, "ENODEV",
                    "vfs_mmap_prepare: " + (fop == null ? "no file operations" : fop.name() + " has no mmap_prepare"));
            return Errno.ENODEV.negative();
        }
        File outer = file;
        file = inner;
        int r;
        try {
            r = hook.mmapPrepare(this);
        } finally {
            file = outer;
        }
        k.trace().emit(mm.ownerPid(), start, end, inner.path(), TraceStep.PREPARE, Errno.describe(r),
                "vfs_mmap_prepare: " + fop.name() + " for " + (outer == null ? "?" : outer.path()));
        return r;
    }

    @Override
    public void setPrivateData(Object data) {
        privateData = data;
    }

    @Override
    public void setContext(Object ctx) {
        context = ctx;
    }

    /** @return the vm_ops the hook set (platform side of a write-only field); null means anonymous */
    public VmOperations vmOps() {
        return vmOps;
    }

    /** @return the private data the hook set */
    public Object privateData() {
        return privateData;
    }

    /** @return the context the hook set for {@code mmap_complete} / {@code mmap_abort} */
    public Object context() {
        return context;
    }

    @Override
    public MmapAction action() {
        return action;
    }

    /**
     * Replaces the action (for action handlers rewriting it during prepare).
     *
     * @param a the new action, not null
     */
    public void replaceAction(MmapAction a) {
        action = Objects.requireNonNull(a, "action");
    }

    private void setAction(MmapActionType type, long s, long pfn, long size, PageProt prot, long phys, long[] pages,
            long pg, MmapAction.CustomAction custom) {
        action = new MmapAction(type, s, pfn, size, prot, phys, pages, pg, custom, action.successHook(),
                action.errorHook(), action.errorOverride(), action.hideFromRmapUntilComplete());
    }

    @Override
    public void actionRemap(long s, long pfn, long size) {
        setAction(MmapActionType.REMAP_PFN, s, pfn, size, pageProt, 0, null, 0, null);
    }

    @Override
    public void actionIoremap(long s, long pfn, long size) {
        setAction(MmapActionType.IO_REMAP_PFN, s, pfn, size, pageProt, 0, null, 0, null);
    }

    @Override
    public void actionSimpleIoremap(long physAddr, long size) {
        setAction(MmapActionType.SIMPLE_IO_REMAP, 0, 0, size, null, physAddr, null, 0, null);
    }

    @Override
    public void actionMapKernelPages(long s, long[] pfns) {
        Objects.requireNonNull(pfns, "pfns");
        setAction(MmapActionType.MAP_KERNEL_PAGES, s, 0, (long) pfns.length << 12, null, 0, pfns, pgoff, null);
    }

    @Override
    public void actionCustom(MmapAction.CustomAction callback) {
        setAction(MmapActionType.CUSTOM, start, 0, end - start, null, 0, null, 0,
                Objects.requireNonNull(callback, "callback"));
    }

    @Override
    public void actionSuccessHook(MmapAction.SuccessHook hook) {
        action = action.withHooks(hook, action.errorHook(), action.errorOverride());
    }

    @Override
    public void actionErrorHook(MmapAction.ErrorHook hook) {
        action = action.withHooks(action.successHook(), hook, action.errorOverride());
    }

    @Override
    public void actionErrorOverride(int negativeErrno) {
        action = action.withHooks(action.successHook(), action.errorHook(), negativeErrno);
    }

    @Override
    public void actionHideFromRmapUntilComplete(boolean hide) {
        action = action.withHideFromRmapUntilComplete(hide);
    }

    /** @return the range as {@code [start,end)} in hex, for messages */
    String rangeString() {
        return "[" + Long.toHexString(start) + "," + Long.toHexString(end) + ")";
    }

    @Override
    public String toString() {
        return "vm_area_desc[" + Long.toHexString(start) + "," + Long.toHexString(end) + ") pgoff 0x"
                + Long.toHexString(pgoff) + " " + flags + " " + action;
    }
}
