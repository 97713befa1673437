package org.vfsgi.mm.core;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.vfsgi.mm.AddressSpace;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.mm.core.page.PageTable;

/**
 * An address space ({@code struct mm_struct}): the VMA tree, the mmap lock, the map count and
 * its limit, and the memory statistics the limits are checked against.
 *
 * <p>The VMA write lock is modelled as the kernel does it: releasing the mmap write lock
 * completely bumps {@link #mmLockSeq()}, which ends every VMA write lock taken under it.
 */
public final class MmStruct implements AddressSpace {
    private final Kernel kernel;
    private final int ownerPid;
    private final VmaTree tree = new VmaTree();
    /** The page table ({@code mm->pgd}); null when the kernel has no physical memory. */
    private final PageTable pageTable;
    private final ReentrantReadWriteLock mmapLock = new ReentrantReadWriteLock();
    private volatile int mmLockSeq;
    private volatile int maxMapCount;
    int mapCount;
    /** Pages mapped ({@code total_vm}). */
    long totalVm;
    /** Pages charged as committed memory for accountable mappings. */
    long committedPages;

    MmStruct(Kernel kernel, int ownerPid) {
        this.kernel = kernel;
        this.ownerPid = ownerPid;
        this.maxMapCount = kernel.config().maxMapCount();
        PageMemory pm = kernel.pageMemory();
        this.pageTable = pm == null ? null : new PageTable(pm.ram());
    }

    /**
     * @return the page table of this address space ({@code mm->pgd}), or null when the kernel was
     *         created without physical memory (then nothing is ever mapped at page level)
     */
    public PageTable pageTable() {
        return pageTable;
    }

    /**
     * Revokes a mapping: clears its page tables and makes every later access to it SIGBUS, while
     * the VMA itself stays (the hot-swap contract's answer to a file system that went away or
     * refused to re-prepare the VMA, so no VMA keeps pointing at stale code or pages). Takes the
     * mmap write lock.
     *
     * @param vma a VMA of this address space
     * @throws MmException EINVAL if {@code vma} is not a live VMA of this address space
     */
    public void revoke(VmArea vma) {
        Objects.requireNonNull(vma, "vma");
        mmapWriteLock();
        try {
            if (!(vma instanceof Vma) || ((Vma) vma).mm != this || ((Vma) vma).isDetached()) {
                throw new MmException(Errno.EINVAL, "revoke", vma + " is not a live VMA of pid " + ownerPid);
            }
            Vma v = (Vma) vma;
            v.startWrite();
            kernel.pageTables().zapPageRange(this, v, v.start, v.end);
            v.setRevoked();
            kernel.trace().emit(ownerPid, v.start, v.end, v.path(), TraceStep.REVOKE, "ok",
                    "page tables cleared; later accesses get SIGBUS");
        } finally {
            mmapWriteUnlock();
        }
    }

    /** @return the kernel */
    public Kernel kernel() {
        return kernel;
    }

    /** @return the VMA tree (hold the mmap lock while using it) */
    public VmaTree tree() {
        return tree;
    }

    @Override
    public int ownerPid() {
        return ownerPid;
    }

    @Override
    public int mapCount() {
        return mapCount;
    }

    @Override
    public int maxMapCount() {
        return maxMapCount;
    }

    /**
     * Changes this address space's map-count limit (the per-mm view of {@code vm.max_map_count}).
     *
     * @param limit the new limit, at least 1
     * @throws IllegalArgumentException if below 1
     */
    public void setMaxMapCount(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("max map count must be >= 1, was " + limit);
        }
        maxMapCount = limit;
    }

    /** @return pages mapped ({@code total_vm}) */
    public long totalVm() {
        return totalVm;
    }

    /** @return pages charged as committed memory */
    public long committedPages() {
        return committedPages;
    }

    @Override
    public VmArea findVma(long addr) {
        return tree.find(addr);
    }

    @Override
    public VmArea vmaLookup(long addr) {
        return tree.lookup(addr);
    }

    @Override
    public void mmapWriteLock() {
        mmapLock.writeLock().lock();
    }

    @Override
    public void mmapWriteUnlock() {
        if (mmapLock.getWriteHoldCount() == 1) {
            // vma_end_write_all(): the last release ends every VMA write lock taken under it.
            mmLockSeq++;
        }
        mmapLock.writeLock().unlock();
    }

    @Override
    public void mmapReadLock() {
        mmapLock.readLock().lock();
    }

    @Override
    public void mmapReadUnlock() {
        mmapLock.readLock().unlock();
    }

    @Override
    public boolean isMmapWriteLocked() {
        return mmapLock.isWriteLockedByCurrentThread();
    }

    int mmapWriteHoldCount() {
        return mmapLock.getWriteHoldCount();
    }

    int mmLockSeq() {
        return mmLockSeq;
    }

    void assertWriteLocked(String step) {
        if (!isMmapWriteLocked()) {
            throw new IllegalStateException(step + " requires the mmap write lock of pid " + ownerPid);
        }
    }

    /**
     * {@code may_expand_vm}: would {@code npages} more pages stay within the address-space limit?
     */
    boolean mayExpandVm(VmaFlags flags, long npages) {
        long limitPages = kernel.config().addressSpaceLimit() >>> Mman.PAGE_SHIFT;
        return totalVm + npages <= limitPages;
    }

    /** Charges committed memory; false if over the commit limit. */
    boolean charge(long pages) {
        if (pages <= 0) {
            return true;
        }
        if (committedPages + pages > kernel.config().commitLimitPages()) {
            return false;
        }
        committedPages += pages;
        return true;
    }

    void uncharge(long pages) {
        committedPages = Math.max(0, committedPages - pages);
    }

    /** Puts a VMA into the tree and counts it. */
    void insertVma(Vma vma) {
        tree.insert(vma);
        mapCount++;
    }

    /** {@code vma_link_file}. */
    void linkFile(Vma vma, boolean holdLock) {
        if (vma.file != null) {
            kernel.rmapOf(vma.file).link(vma, holdLock);
        }
    }

    /**
     * {@code i_mmap_lock_write} around a change of a file VMA's start, end or pgoff (as the
     * kernel's {@code vma_prepare} does), so that an rmap walker (the page cache's mkclean,
     * truncation) never reads a half-updated range.
     *
     * @param file the VMA's file, or null for anonymous memory (then nothing is locked)
     * @return the locked rmap to hand to {@link #rmapUnlockWrite}, or null
     */
    FileRmap rmapLockWrite(org.vfsgi.vfs.File file) {
        if (file == null) {
            return null;
        }
        FileRmap rmap = kernel.rmapOf(file);
        rmap.lockWrite();
        return rmap;
    }

    static void rmapUnlockWrite(FileRmap rmap) {
        if (rmap != null) {
            rmap.unlockWrite();
        }
    }

    void unlinkFile(Vma vma) {
        if (vma.file != null) {
            kernel.rmapOf(vma.file).unlink(vma);
        }
    }

    /** {@code vma_close}: calls {@code close} and installs the dummy ops so no further hook runs. */
    void vmaClose(Vma vma) {
        if (vma.vmOps != null && vma.vmOps.close() != null) {
            kernel.trace().emit(ownerPid, vma.start, vma.end, vma.path(), TraceStep.CLOSE, "ok", vma.vmOps.label());
            VmOperations.Close close = vma.vmOps.close();
            kernel.callVoidHook("vm_ops->close", ownerPid, vma.start, vma.end, vma.path(), () -> close.close(vma));
            vma.vmOps = VmOperations.DUMMY;
        }
    }

    /** {@code vm_ops->open} on a duplicated VMA. */
    void vmaOpen(Vma vma) {
        if (vma.vmOps != null && vma.vmOps.open() != null) {
            kernel.trace().emit(ownerPid, vma.start, vma.end, vma.path(), TraceStep.OPEN, "ok", vma.vmOps.label());
            VmOperations.Open open = vma.vmOps.open();
            kernel.callVoidHook("vm_ops->open", ownerPid, vma.start, vma.end, vma.path(), () -> open.open(vma));
        }
    }

    /** Accounting released when a VMA goes away for good. */
    void unaccountRemoved(Vma vma) {
        long pages = vma.pages();
        totalVm -= pages;
        if (vma.flags.test(VmaFlag.ACCOUNT)) {
            uncharge(pages);
        }
    }

    @Override
    public String toString() {
        return "mm of pid " + ownerPid + " (" + mapCount + " VMAs)";
    }
}
