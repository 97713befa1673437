package org.vfsgi.fs.overlay;

import org.vfsgi.mm.AddressSpace;
import org.vfsgi.mm.MmapAction;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.File;

/**
 * {@code vfs_mmap_prepare(realfile, desc)} for the {@code mmap=prepare} mode: the same
 * descriptor as the real file's {@code mmap_prepare} must see it, with {@link #file()} the real
 * file (the file whose hook is running, as contract 1.2 defines it) and every other field —
 * range, pgoff, {@code vm_file}, flags, protection, ops, private data, context, action — read
 * and written straight through to the platform's descriptor. It holds no state of its own, so
 * the real hook stays as stateless as the contract asks.
 */
final class BackingDesc implements VmAreaDesc {
    private final VmAreaDesc desc;
    private final File realFile;

    BackingDesc(VmAreaDesc desc, File realFile) {
        this.desc = desc;
        this.realFile = realFile;
    }

    @Override
    public AddressSpace mm() {
        return desc.mm();
    }

    @Override
    public File file() {
        return realFile;
    }

    @Override
    public long start() {
        return desc.start();
    }

    @Override
    public long end() {
        return desc.end();
    }

    @Override
    public long pgoff() {
        return desc.pgoff();
    }

    @Override
    public void setPgoff(long pgoff) {
        desc.setPgoff(pgoff);
    }

    @Override
    public File vmFile() {
        return desc.vmFile();
    }

    @Override
    public void setVmFile(File file) {
        desc.setVmFile(file);
    }

    @Override
    public VmaFlags flags() {
        return desc.flags();
    }

    @Override
    public void setFlags(VmaFlags flags) {
        desc.setFlags(flags);
    }

    @Override
    public PageProt pageProt() {
        return desc.pageProt();
    }

    @Override
    public void setPageProt(PageProt prot) {
        desc.setPageProt(prot);
    }

    @Override
    public void setVmOps(VmOperations ops) {
        desc.setVmOps(ops);
    }

    @Override
    public int shmemZeroSetup() {
        return desc.shmemZeroSetup();
    }

    @Override
    public void setPrivateData(Object data) {
        desc.setPrivateData(data);
    }

    @Override
    public void setContext(Object context) {
        desc.setContext(context);
    }

    @Override
    public MmapAction action() {
        return desc.action();
    }

    @Override
    public void actionRemap(long start, long pfn, long size) {
        desc.actionRemap(start, pfn, size);
    }

    @Override
    public void actionIoremap(long start, long pfn, long size) {
        desc.actionIoremap(start, pfn, size);
    }

    @Override
    public void actionSimpleIoremap(long physAddr, long size) {
        desc.actionSimpleIoremap(physAddr, size);
    }

    @Override
    public void actionMapKernelPages(long start, long[] pfns) {
        desc.actionMapKernelPages(start, pfns);
    }

    @Override
    public void actionCustom(MmapAction.CustomAction callback) {
        desc.actionCustom(callback);
    }

    @Override
    public void actionSuccessHook(MmapAction.SuccessHook hook) {
        desc.actionSuccessHook(hook);
    }

    @Override
    public void actionErrorHook(MmapAction.ErrorHook hook) {
        desc.actionErrorHook(hook);
    }

    @Override
    public void actionErrorOverride(int negativeErrno) {
        desc.actionErrorOverride(negativeErrno);
    }

    @Override
    public void actionHideFromRmapUntilComplete(boolean hide) {
        desc.actionHideFromRmapUntilComplete(hide);
    }

    @Override
    public String toString() {
        return "BackingDesc[" + realFile.path() + " for " + desc + "]";
    }
}
