package org.vfsgi.mm.core;

import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmFault;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.mm.core.page.FaultMapping;
import org.vfsgi.mm.core.page.FaultResult;
import org.vfsgi.mm.core.page.PageTable;
import org.vfsgi.mm.core.page.Pte;

/**
 * The VMA half of the page-fault handler ({@code handle_mm_fault} and its callers), contract
 * section 5: find the VMA, check the access against its flags (SIGSEGV), call the VMA's
 * {@code fault} hook for a missing page if it has one, and let the page level
 * ({@link org.vfsgi.mm.core.page.FaultCore}) install the entry. The caller holds the mmap read
 * lock.
 */
final class FaultHandler {
    private static final long PAGE_MASK = ~(Mman.PAGE_SIZE - 1);

    private FaultHandler() {
    }

    /** Why the last fault of one access failed, for the signal's message. */
    static final class Access {
        String reason;
        String path;
        /** The page a driver last asked to retry, and how often in a row. */
        long retryPage = -1;
        int retries;
    }

    /** Retries of one page a driver's {@code fault} may ask for before the access gets SIGBUS. */
    static final int MAX_DRIVER_RETRIES = 3;

    /** {@code access_error}: a write needs WRITE; any other access needs one of READ, WRITE, EXEC. */
    static boolean accessAllowed(VmaFlags f, boolean write) {
        return write ? f.test(VmaFlag.WRITE) : f.testAny(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.EXEC);
    }

    /**
     * Handles a fault at {@code addr} of {@code mm}.
     *
     * @param mm the address space, mmap read lock held
     * @param addr the faulting address
     * @param write whether the access is a write
     * @param acc receives the reason of a failure
     * @return the result; an error result names the signal
     */
    static FaultResult handle(MmStruct mm, long addr, boolean write, Access acc) {
        PageMemory pm = mm.kernel().pageMemory();
        Vma v = mm.tree().lookup(addr);
        if (v == null) {
            acc.reason = "no mapping at this address";
            acc.path = null;
            return FaultResult.SIGSEGV;
        }
        acc.path = v.path();
        if (!accessAllowed(v.flags, write)) {
            acc.reason = (write ? "write to" : "access to") + " a mapping without "
                    + (write ? "PROT_WRITE" : "access rights") + " " + v;
            return FaultResult.SIGSEGV;
        }
        PageTable pt = mm.pageTable();
        long page = addr & PAGE_MASK;
        VmOperations ops = v.vmOps;
        FaultResult r = null;
        boolean missing = pt.get(page) == Pte.NONE;
        boolean aroundable = !write && missing && ops != null && ops.mapPages() != null && !v.isRevoked();
        if (!v.isRevoked() && ops != null && ops.fault() != null && ops.fault() != VmOperations.FILEMAP_FAULT
                && missing) {
            if (aroundable) {
                r = faultAroundSupplied(pm, pt, v, page);
                if (r == FaultResult.OOM) {
                    acc.reason = "out of memory (no frame for the page table of fault-around)";
                }
            }
            if (r == null) {
                r = driverFault(pm, pt, v, page, addr, write, acc);
            }
        } else {
            FaultMapping m = pm.mappingOf(v, true);
            if (aroundable && isPageCache(m)) {
                r = faultAround(pm, pt, v, m, page, true);
            }
            if (r == null) {
                r = pm.faultCore().handleFault(pt, addr, write, m);
            }
            if (r.isError()) {
                acc.reason = explain(r, v, m, addr);
            }
        }
        return r;
    }

    /**
     * Fault-around in a VMA whose own {@code fault} supplies page-cache pages (shmem's
     * {@code shmem_fault}, whose table also has {@code filemap_map_pages}): the window comes
     * from the file's cache as usual, but the entries are the driver-supplied kind, which hold
     * a page reference without counting in the cache's map count, as {@code fault} would have
     * installed them.
     */
    private static FaultResult faultAroundSupplied(PageMemory pm, PageTable pt, Vma v, long page) {
        if (v.flags.testAny(VmaFlag.PFNMAP, VmaFlag.MIXEDMAP) || v.file == null || v.file.inode() == null) {
            return null;
        }
        org.vfsgi.vfs.Inode inode = v.file.inode();
        org.vfsgi.mm.core.page.PageCache cache = pm.existingPageCache(inode);
        if (cache == null) {
            return null;
        }
        FaultMapping m = v.flags.test(VmaFlag.SHARED) ? FaultMapping.fileShared(cache, v.start, v.pgoff, inode::size)
                : FaultMapping.filePrivate(cache, v.start, v.pgoff, inode::size);
        return faultAround(pm, pt, v, m, page, false);
    }

    private static boolean isPageCache(FaultMapping m) {
        return m.kind() == FaultMapping.Kind.FILE_SHARED || m.kind() == FaultMapping.Kind.FILE_PRIVATE;
    }

    /** Entries per page table ({@code PTRS_PER_PTE}): fault-around never crosses a table. */
    private static final long PTRS_PER_PTE = 512;

    /**
     * {@code do_fault_around}: the window of {@code fault_around_pages} around a read fault,
     * aligned to its size, clipped to the VMA and to the page table holding the faulting entry,
     * handed to the VMA's {@code map_pages}.
     *
     * @param countMaps whether the new entries count in the cache's map count (page-cache
     *        mappings), or only hold a page reference (pages a {@code fault} hook supplies)
     * @return {@link FaultResult#MINOR} if the faulting page got mapped, {@link FaultResult#OOM},
     *         or {@code null} to go on with the fault
     */
    private static FaultResult faultAround(PageMemory pm, PageTable pt, Vma v, FaultMapping m, long page,
            boolean countMaps) {
        int nr = v.mm.kernel().config().faultAroundPages();
        if (nr <= 1) {
            return null;
        }
        long pteOff = (page >>> Mman.PAGE_SHIFT) & (PTRS_PER_PTE - 1);
        long vmaOff = (page - v.start) >>> Mman.PAGE_SHIFT;
        long vmaPages = (v.end - v.start) >>> Mman.PAGE_SHIFT;
        long from = Math.max(pteOff & -nr, pteOff - Math.min(pteOff, vmaOff));
        long to = Math.min(Math.min(from + nr, PTRS_PER_PTE), pteOff + vmaPages - vmaOff) - 1;
        long index = v.pgoff + vmaOff;
        long start = index + from - pteOff;
        long end = index + to - pteOff;
        PlatformVmFault vmf = new PlatformVmFault(v, page, index, false, pm);
        vmf.around = new Around(pt, m, start, end, countMaps);
        VmFaultResult res;
        try {
            res = v.vmOps.mapPages().mapPages(vmf, start, end);
        } catch (org.vfsgi.hw.HwException ex) {
            if ("ENOMEM".equals(ex.errno())) {
                return FaultResult.OOM; // no frame for the page table
            }
            throw ex;
        } catch (RuntimeException ex) {
            v.mm.kernel().violations().report(ContractViolation.HOOK_THREW, v.mm.ownerPid(), v.start, v.end,
                    v.path(), "vm_ops->map_pages threw " + ex + "; the fault goes on without fault-around");
            return null;
        }
        if (res == VmFaultResult.OOM) {
            return FaultResult.OOM;
        }
        boolean present = pt.get(page) != Pte.NONE;
        if (res == VmFaultResult.NOPAGE && present) {
            return FaultResult.MINOR;
        }
        if (res != VmFaultResult.FALLBACK) {
            v.mm.kernel().violations().report(ContractViolation.INVALID_HOOK_RETURN, v.mm.ownerPid(), v.start,
                    v.end, v.path(), "vm_ops->map_pages returned " + res + (res == VmFaultResult.NOPAGE
                            ? " but the faulting page is not mapped" : "; expected NOPAGE, FALLBACK or OOM"));
        }
        return null;
    }

    /** What {@link PlatformVmFault#mapCachedPages} may map: the fault-around window of one read fault. */
    private record Around(PageTable pt, FaultMapping mapping, long start, long end, boolean countMaps) {
    }

    private static String explain(FaultResult r, Vma v, FaultMapping m, long addr) {
        if (r == FaultResult.OOM) {
            return "out of memory (no free page frame, or page_mkwrite said ENOMEM)";
        }
        if (r == FaultResult.SIGSEGV) {
            return "the page protection does not allow the access";
        }
        switch (m.kind()) {
            case REVOKED:
                return "the mapping was revoked";
            case FILE_SHARED:
            case FILE_PRIVATE:
                long size = m.fileSize();
                if (m.index(addr) >= (size + Mman.PAGE_SIZE - 1) >>> Mman.PAGE_SHIFT) {
                    return "page " + m.index(addr) + " lies beyond end of file (size " + size + ")";
                }
                return "the page could not be read, or page_mkwrite refused it";
            case SUPPLIED:
                return v.flags.testAny(VmaFlag.PFNMAP, VmaFlag.MIXEDMAP) && (v.vmOps == null || v.vmOps.fault() == null)
                        ? "PFN mapping without a fault handler is not populated here"
                        : "no page for this address, or pfn_mkwrite/page_mkwrite refused it";
            default:
                return r.name();
        }
    }

    /** A missing page in a VMA with a {@code fault} hook: ask the driver, then install its page. */
    private static FaultResult driverFault(PageMemory pm, PageTable pt, Vma v, long page, long addr, boolean write,
            Access acc) {
        long index = v.pgoff + ((page - v.start) >>> Mman.PAGE_SHIFT);
        PlatformVmFault vmf = new PlatformVmFault(v, page, index, write, pm);
        VmFaultResult res = pm.callFaultHook("vm_ops->fault", v, v.vmOps.fault(), vmf);
        long pfn;
        boolean special;
        switch (res) {
            case PAGE:
            case LOCKED:
                if (vmf.page < 0) {
                    v.mm.kernel().violations().report(ContractViolation.INVALID_HOOK_RETURN, v.mm.ownerPid(), v.start,
                            v.end, v.path(), "vm_ops->fault returned " + res + " without VmFault.setPage");
                    acc.reason = "the fault handler returned " + res + " without a page";
                    return FaultResult.SIGBUS;
                }
                pfn = vmf.page;
                special = false;
                break;
            case NOPAGE:
                if (vmf.pfn < 0) {
                    v.mm.kernel().violations().report(ContractViolation.INVALID_HOOK_RETURN, v.mm.ownerPid(), v.start,
                            v.end, v.path(), "vm_ops->fault returned NOPAGE without VmFault.insertPfn");
                    acc.reason = "the fault handler returned NOPAGE without inserting a PFN";
                    return FaultResult.SIGBUS;
                }
                pfn = vmf.pfn;
                special = true;
                break;
            case RETRY:
                // The driver dropped its locks and wants the access retried; a driver that never
                // stops asking must not spin the accessing thread forever.
                acc.retries = acc.retryPage == page ? acc.retries + 1 : 1;
                acc.retryPage = page;
                if (acc.retries > MAX_DRIVER_RETRIES) {
                    acc.reason = "vm_ops->fault asked for a retry " + acc.retries + " times in a row";
                    return FaultResult.SIGBUS;
                }
                return FaultResult.MAPPED_EXISTING;
            case OOM:
                acc.reason = "the fault handler ran out of memory";
                return FaultResult.OOM;
            case SIGSEGV:
                acc.reason = "the fault handler refused the access";
                return FaultResult.SIGSEGV;
            default:
                acc.reason = "the fault handler returned " + res;
                return FaultResult.SIGBUS;
        }
        boolean[] used = {false};
        long chosen = pfn;
        FaultMapping m = FaultMapping.supplied(v.start, v.pgoff, v.flags.test(VmaFlag.SHARED), special,
                special ? pm.rangeOf(pfn) : null, (a, i, w) -> {
                    used[0] = true;
                    return chosen;
                }).withMkwrite(v.flags.test(VmaFlag.SHARED) ? pm.mkwriteOf(v) : null);
        FaultResult r = pm.faultCore().handleFault(pt, addr, write, m);
        if (!used[0] && !special) {
            // Another thread installed the entry between our check and the page level's: the
            // driver's reference would otherwise leak.
            pm.ram().put(pfn);
        }
        if (r.isError()) {
            acc.reason = "the page supplied by vm_ops->fault could not be mapped (" + r + ")";
        }
        return r;
    }

    /**
     * The platform's {@code struct vm_fault}: what a {@code fault}, {@code page_mkwrite} or
     * {@code pfn_mkwrite} hook sees, and where a {@code fault} hook leaves its page.
     */
    static final class PlatformVmFault implements VmFault {
        private final Vma vma;
        private final long address;
        private final long pgoff;
        private final boolean write;
        /** Null for mkwrite calls, which take no page. */
        private final PageMemory pm;
        long page = -1;
        long pfn = -1;
        /** Set for the {@code map_pages} call of a read fault, else null. */
        private Around around;

        PlatformVmFault(Vma vma, long address, long pgoff, boolean write, PageMemory pm) {
            this.vma = vma;
            this.address = address & PAGE_MASK;
            this.pgoff = pgoff;
            this.write = write;
            this.pm = pm;
        }

        @Override
        public VmArea vma() {
            return vma;
        }

        @Override
        public long address() {
            return address;
        }

        @Override
        public long pgoff() {
            return pgoff;
        }

        @Override
        public boolean isWrite() {
            return write;
        }

        @Override
        public void setPage(long p) {
            if (pm == null) {
                throw new UnsupportedOperationException("page_mkwrite/pfn_mkwrite do not take a page");
            }
            if (!pm.ram().containsPfn(p) || pm.ram().refCount(p) <= 0) {
                throw new IllegalArgumentException("setPage: PFN 0x" + Long.toHexString(p)
                        + " is not an allocated frame of system RAM");
            }
            page = p;
        }

        @Override
        public void insertPfn(long p) {
            if (pm == null) {
                throw new UnsupportedOperationException("page_mkwrite/pfn_mkwrite do not take a PFN");
            }
            if (p < 0 || p > Pte.MAX_PFN) {
                throw new IllegalArgumentException("insertPfn: PFN 0x" + Long.toHexString(p) + " does not fit a PTE");
            }
            pfn = p;
        }

        @Override
        public VmFaultResult mapCachedPages(long startPgoff, long endPgoff) {
            if (around == null) {
                throw new UnsupportedOperationException("mapCachedPages: only a map_pages call faults around");
            }
            if (startPgoff > pgoff || endPgoff < pgoff || startPgoff < around.start || endPgoff > around.end) {
                throw new IllegalArgumentException("mapCachedPages: window [" + startPgoff + ", " + endPgoff
                        + "] must contain the faulting page " + pgoff + " and lie within [" + around.start + ", "
                        + around.end + "]");
            }
            pm.faultCore().mapPagesAround(around.pt, around.mapping, startPgoff, endPgoff, around.countMaps);
            return around.pt.get(address) != Pte.NONE ? VmFaultResult.NOPAGE : VmFaultResult.FALLBACK;
        }

        @Override
        public String toString() {
            return "vm_fault at 0x" + Long.toHexString(address) + " pgoff " + pgoff + (write ? " write" : " read")
                    + " in " + vma;
        }
    }
}
