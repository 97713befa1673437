package org.vfsgi.mm.core;

import java.io.IOException;
import java.util.Objects;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.ReverseMap;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.page.AnonPages;
import org.vfsgi.mm.core.page.FaultCore;
import org.vfsgi.mm.core.page.FaultMapping;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.mm.core.page.PageIo;
import org.vfsgi.mm.core.page.UserMemory;
import org.vfsgi.vfs.AddressSpaceOperations;
import org.vfsgi.vfs.Inode;

/**
 * The page-level memory of one {@link Kernel}: the physical memory, and over it the one
 * {@link AnonPages} (the zero page must be one frame for everybody), the one {@link FaultCore}
 * and the one {@link UserMemory}; plus the bridge from VMAs to the page package, which knows
 * nothing of VMAs: {@link #mappingOf} describes a VMA as a {@link FaultMapping}.
 *
 * <p>A VMA's {@code FaultMapping} is built when needed rather than stored in the VMA: it is one
 * small object per fault, whereas a field would cost every one of a million VMAs and would have
 * to be rebuilt on every split, merge and mremap that changes the start or pgoff.
 *
 * <p>Page caches live in the inode's {@link FileRmap} (see there why).
 */
public final class PageMemory {
    /** A supplier for VMAs whose pages come only from what was populated: nothing to add, SIGBUS. */
    private static final FaultMapping.PageSupplier NOTHING = (addr, index, write) -> FaultMapping.NO_PAGE;

    private final Kernel kernel;
    private final PhysicalMemory ram;
    private final PhysicalAddressSpace physical;
    private final AnonPages anon;
    private final FaultCore core;
    private final UserMemory user;

    PageMemory(Kernel kernel, PhysicalMemory ram, PhysicalAddressSpace physical) {
        this.kernel = kernel;
        this.ram = Objects.requireNonNull(ram, "ram");
        this.physical = physical;
        this.anon = new AnonPages(ram);
        this.core = new FaultCore(anon);
        this.user = new UserMemory(ram, physical);
    }

    /** @return system RAM */
    public PhysicalMemory ram() {
        return ram;
    }

    /** @return the physical address map, or null if only RAM is known */
    public PhysicalAddressSpace physical() {
        return physical;
    }

    /** @return the anonymous-page helper (zero page, CoW copies) */
    public AnonPages anonPages() {
        return anon;
    }

    /** @return the fault core */
    public FaultCore faultCore() {
        return core;
    }

    /** @return the user-memory accessor (the model's MMU) */
    public UserMemory userMemory() {
        return user;
    }

    private static FileRmap rmapOf(Inode inode) {
        ReverseMap rm = inode.reverseMap();
        if (rm instanceof FileRmap) {
            return (FileRmap) rm;
        }
        throw new MmException(Errno.EINVAL, "page_cache",
                "inode " + inode.ino() + " has no platform reverse map (Inode.reverseMap() must return a core FileRmap)");
    }

    /**
     * The inode's page cache, created on first use: backed by the inode's
     * {@link Inode#addressSpaceOperations() address-space operations}, or memory-only when it
     * has none.
     *
     * @param inode an inode whose reverse map is a {@link FileRmap}
     * @return its page cache
     * @throws MmException EINVAL if the inode's reverse map is not the platform's
     */
    public PageCache pageCacheOf(Inode inode) {
        FileRmap rmap = rmapOf(inode);
        PageCache c = rmap.pageCache();
        if (c != null) {
            return c;
        }
        AddressSpaceOperations aops = inode.addressSpaceOperations();
        PageCache fresh = aops == null ? PageCache.memoryOnly(ram) : new PageCache(ram, adapt(inode, aops), inode::size);
        return rmap.installPageCache(fresh);
    }

    /**
     * @param inode an inode
     * @return its page cache if one was created, else null (never creates one)
     */
    public PageCache existingPageCache(Inode inode) {
        ReverseMap rm = inode.reverseMap();
        return rm instanceof FileRmap ? ((FileRmap) rm).pageCache() : null;
    }

    /**
     * {@code truncate_pagecache}: the inode's size dropped to {@code newSize} (the caller has set
     * it already, as the kernel's {@code i_size_write} precedes this). Unmaps every page at or
     * beyond the new end of file from every VMA mapping the inode — private copies included, as
     * {@code unmap_mapping_range(.., even_cows=1)} does, since those addresses are beyond end of
     * file now — then drops those pages from the page cache and zeroes the tail of the last one,
     * then unmaps once more for a fault that raced the first pass. Later accesses there get SIGBUS.
     *
     * @param inode an inode whose reverse map is a {@link FileRmap}
     * @param newSize the new size in bytes
     * @return the number of page-cache pages dropped
     * @throws MmException EINVAL if the inode's reverse map is not the platform's
     * @throws IllegalArgumentException if {@code newSize} is negative
     */
    public long truncatePagecache(Inode inode, long newSize) {
        if (newSize < 0) {
            throw new IllegalArgumentException("negative size " + newSize);
        }
        FileRmap rmap = rmapOf(inode);
        long holeIndex = (newSize + org.vfsgi.mm.Mman.PAGE_SIZE - 1) >>> org.vfsgi.mm.Mman.PAGE_SHIFT;
        unmapMappingRange(rmap, holeIndex);
        PageCache cache = rmap.pageCache();
        long dropped = cache == null ? 0 : cache.truncateSize(newSize);
        unmapMappingRange(rmap, holeIndex);
        return dropped;
    }

    /** {@code unmap_mapping_range} from {@code fromIndex} to the end, over the rmap (read lock held). */
    private void unmapMappingRange(FileRmap rmap, long fromIndex) {
        rmap.forEachMapping(v -> {
            org.vfsgi.mm.core.page.PageTable pt = v.mm.pageTable();
            if (pt == null) {
                return;
            }
            long vEndIndex = v.pgoff + v.pages();
            if (fromIndex >= vEndIndex) {
                return;
            }
            long s = fromIndex <= v.pgoff ? v.start : v.start + ((fromIndex - v.pgoff) << org.vfsgi.mm.Mman.PAGE_SHIFT);
            core.zapRange(pt, s, v.end, mappingOf(v, false));
        });
    }

    /**
     * The API's address-space operations as the page cache's {@link PageIo}. A file system that
     * throws anything but an {@link IOException} broke its contract: that is counted, and the
     * read or write-back fails as an I/O error (SIGBUS for a fault, EIO for msync) rather than
     * escaping from the platform as a stack trace.
     */
    private PageIo adapt(Inode inode, AddressSpaceOperations aops) {
        return new org.vfsgi.mm.core.vfs.PageIoAdapter(aops, "inode " + inode.ino(), (op, index, e) ->
                kernel.violations().report(ContractViolation.HOOK_THREW, 0, index << org.vfsgi.mm.Mman.PAGE_SHIFT,
                        (index + 1) << org.vfsgi.mm.Mman.PAGE_SHIFT, "inode " + inode.ino(),
                        "address_space_operations." + op + " threw " + e + " instead of an IOException"));
    }

    /**
     * @param pfn a page frame number
     * @return the range that owns it (RAM first), or null
     */
    PhysicalRange rangeOf(long pfn) {
        if (ram.containsPfn(pfn)) {
            return ram;
        }
        return physical == null ? null : physical.rangeOf(pfn).orElse(null);
    }

    /**
     * Describes a VMA for the page level, without calling any driver hook:
     * <ul>
     * <li>revoked → every fault SIGBUS;
     * <li>PFNMAP / MIXEDMAP, or a {@code fault} hook → a "supplied" mapping: what is populated
     * stays, anything missing gets SIGBUS here (the fault path calls the driver's {@code fault}
     * first and passes its page in); writes to shared entries go through {@code pfn_mkwrite}
     * (PFNMAP/MIXEDMAP) or {@code page_mkwrite};
     * <li>no vm_ops, or no file → anonymous memory ({@code vma_is_anonymous});
     * <li>a file → its page cache, shared or private (copy-on-write), with {@code page_mkwrite}
     * on shared mappings.
     * </ul>
     *
     * @param v the VMA
     * @param createCache whether to create the file's page cache if it has none; without one
     *        (zap, fork copy, smaps) no page of the file can be mapped yet, so only anonymous
     *        copies can exist and the anonymous description is exact
     * @return the description
     */
    FaultMapping mappingOf(Vma v, boolean createCache) {
        if (v.isRevoked()) {
            return FaultMapping.revoked();
        }
        VmOperations ops = v.vmOps;
        boolean shared = v.flags.test(VmaFlag.SHARED);
        boolean pfnish = v.flags.testAny(VmaFlag.PFNMAP, VmaFlag.MIXEDMAP);
        // filemap_fault is the platform's own page-cache fault, not a driver supplying pages.
        if (pfnish || (ops != null && ops.fault() != null && ops.fault() != VmOperations.FILEMAP_FAULT)) {
            boolean special = v.flags.test(VmaFlag.PFNMAP);
            return FaultMapping.supplied(v.start, v.pgoff, shared, special,
                    special ? rangeOf(v.pgoff) : null, NOTHING).withMkwrite(shared ? mkwriteOf(v) : null);
        }
        if (ops == null || v.file == null || v.file.inode() == null) {
            return FaultMapping.anonymous();
        }
        Inode inode = v.file.inode();
        PageCache cache = createCache ? pageCacheOf(inode) : existingPageCache(inode);
        if (cache == null) {
            return FaultMapping.anonymous();
        }
        if (shared) {
            return FaultMapping.fileShared(cache, v.start, v.pgoff, inode::size).withMkwrite(mkwriteOf(v));
        }
        return FaultMapping.filePrivate(cache, v.start, v.pgoff, inode::size);
    }

    /**
     * The VMA's {@code page_mkwrite} ({@code pfn_mkwrite} for PFNMAP/MIXEDMAP) as the page
     * level's hook, or null if it has none. A hook that throws or returns nonsense is a counted
     * contract violation and the write gets SIGBUS.
     */
    FaultMapping.PageMkwrite mkwriteOf(Vma v) {
        VmOperations ops = v.vmOps;
        if (ops == null) {
            return null;
        }
        boolean pfn = v.flags.testAny(VmaFlag.PFNMAP, VmaFlag.MIXEDMAP);
        VmOperations.Fault hook = pfn ? ops.pfnMkwrite() : ops.pageMkwrite();
        if (hook == null) {
            return null;
        }
        String name = pfn ? "vm_ops->pfn_mkwrite" : "vm_ops->page_mkwrite";
        return (addr, index) -> {
            VmFaultResult r = callFaultHook(name, v, hook, new FaultHandler.PlatformVmFault(v, addr, index, true, null));
            if (r == VmFaultResult.PAGE || r == VmFaultResult.LOCKED) {
                return null;
            }
            kernel.trace().emit(v.mm.ownerPid(), addr, addr + org.vfsgi.mm.Mman.PAGE_SIZE, v.path(), TraceStep.MKWRITE,
                    String.valueOf(r), name + " refused to make page " + index + " writable");
            return r == VmFaultResult.OOM ? "ENOMEM" : String.valueOf(r);
        };
    }

    /**
     * Calls a {@code fault}-shaped hook; a throw or a null result is a contract violation and
     * becomes SIGBUS, as a misbehaving driver must not take the platform down.
     */
    VmFaultResult callFaultHook(String name, Vma v, VmOperations.Fault hook, FaultHandler.PlatformVmFault vmf) {
        VmFaultResult r;
        try {
            r = hook.fault(vmf);
        } catch (RuntimeException e) {
            kernel.violations().report(ContractViolation.HOOK_THREW, v.mm.ownerPid(), v.start, v.end, v.path(),
                    name + " threw " + e + " instead of returning a fault result");
            return VmFaultResult.SIGBUS;
        }
        if (r == null) {
            kernel.violations().report(ContractViolation.INVALID_HOOK_RETURN, v.mm.ownerPid(), v.start, v.end,
                    v.path(), name + " returned null instead of a fault result");
            return VmFaultResult.SIGBUS;
        }
        return r;
    }
}
