package org.vfsgi.mm.core;

import org.vfsgi.hw.HwException;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmapAction;
import org.vfsgi.mm.MmapActionType;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.mm.core.page.PageTable;
import org.vfsgi.mm.core.page.Pte;

/**
 * The {@code mmap_action} types that populate page tables (contract 1.3), installed by a
 * {@link Kernel} made with physical memory: PFN remap, I/O remap, simple I/O remap of a physical
 * window, and kernel-page insertion; {@code NOTHING} and custom actions go to
 * {@link MmapActionHandler#BASIC}.
 *
 * <p>Prepare validates against the descriptor and rewrites it as the kernel's
 * {@code remap_pfn_range_prepare} / {@code vm_iomap_memory} do (REMAP flags, pgoff = first PFN
 * on a copy-on-write mapping, I/O remaps become plain remaps); complete installs the entries in
 * one step under the page-table lock, or nothing.
 */
final class PageActionHandler implements MmapActionHandler {
    private static final long PAGE_MASK = ~(Mman.PAGE_SIZE - 1);

    private final PageMemory pm;

    PageActionHandler(PageMemory pm) {
        this.pm = pm;
    }

    /** {@code is_cow_mapping}: private and may become writable. */
    private static boolean isCow(VmaFlags f) {
        return f.test(VmaFlag.MAYWRITE) && !f.test(VmaFlag.SHARED);
    }

    /** Every type of {@link MmapActionType}: this handler adds the page-populating ones to BASIC's. */
    @Override
    public boolean supports(MmapActionType type) {
        return type != null;
    }

    @Override
    public int prepare(VmAreaDescImpl desc) {
        MmapAction a = desc.action();
        switch (a.type()) {
            case NOTHING:
            case CUSTOM:
                return BASIC.prepare(desc);
            case SIMPLE_IO_REMAP:
                return prepareSimpleIoremap(desc, a);
            case IO_REMAP_PFN:
                return prepareIoremap(desc);
            case REMAP_PFN:
                return prepareRemap(desc, a);
            case MAP_KERNEL_PAGES:
                if (!inside(desc, a.start(), a.size())) {
                    return Errno.EFAULT.negative();
                }
                desc.setFlags(desc.flags().set(VmaFlag.MIXEDMAP));
                return 0;
            default:
                return Errno.EINVAL.negative();
        }
    }

    private static boolean inside(VmAreaDescImpl d, long start, long size) {
        return size > 0 && (start & ~PAGE_MASK) == 0 && (size & ~PAGE_MASK) == 0 && start >= d.start()
                && start <= d.end() && size <= d.end() - start;
    }

    /** {@code remap_pfn_range_prepare}. */
    private static int prepareRemap(VmAreaDescImpl desc, MmapAction a) {
        if (!inside(desc, a.start(), a.size())) {
            return Errno.EFAULT.negative();
        }
        if (a.pfn() < 0 || a.pfn() + (a.size() >>> Mman.PAGE_SHIFT) - 1 > Pte.MAX_PFN) {
            return Errno.EINVAL.negative();
        }
        if (isCow(desc.flags())) {
            // A private writable remap must cover the VMA, whose pgoff then names the first PFN,
            // so that a CoW fault can find the original frame.
            if (a.start() != desc.start() || a.start() + a.size() != desc.end()) {
                return Errno.EINVAL.negative();
            }
            desc.setPgoff(a.pfn());
        }
        desc.setFlags(desc.flags().set(VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND, VmaFlag.DONTDUMP));
        return 0;
    }

    /** {@code vm_iomap_memory}: a physical window mapped from the VMA's pgoff, with overflow checks. */
    private static int prepareSimpleIoremap(VmAreaDescImpl desc, MmapAction a) {
        long phys = a.physAddr();
        long len = a.size();
        if (phys < 0 || len <= 0 || phys + len < phys) {
            return Errno.EINVAL.negative();
        }
        len += phys & ~PAGE_MASK;
        long pfn = phys >>> Mman.PAGE_SHIFT;
        long pages = (len + Mman.PAGE_SIZE - 1) >>> Mman.PAGE_SHIFT;
        if (pfn + pages < pfn || desc.pgoff() > pages) {
            return Errno.EINVAL.negative();
        }
        pfn += desc.pgoff();
        pages -= desc.pgoff();
        long vmLen = desc.end() - desc.start();
        if ((vmLen >>> Mman.PAGE_SHIFT) > pages) {
            return Errno.EINVAL.negative();
        }
        desc.replaceAction(new MmapAction(MmapActionType.IO_REMAP_PFN, desc.start(), pfn, vmLen, desc.pageProt(), 0,
                null, 0, null, a.successHook(), a.errorHook(), a.errorOverride(), a.hideFromRmapUntilComplete()));
        return prepareIoremap(desc);
    }

    /** {@code io_remap_pfn_range}: the remap with I/O (decrypted, uncached) protection, then a plain remap. */
    private static int prepareIoremap(VmAreaDescImpl desc) {
        MmapAction a = desc.action();
        PageProt base = a.prot() != null ? a.prot() : desc.pageProt();
        desc.replaceAction(a.withType(MmapActionType.REMAP_PFN)
                .withRemap(a.pfn(), base.withDecrypted().withCacheMode(PageProt.CacheMode.UNCACHED)));
        return prepareRemap(desc, desc.action());
    }

    /**
     * Whether populated entries may be writable at once: a shared writable VMA whose ops do not
     * want to hear of the first write ({@code pfn_mkwrite} / {@code page_mkwrite}).
     */
    private static boolean writableShared(Vma vma) {
        return vma.flags.testAll(VmaFlag.WRITE, VmaFlag.SHARED)
                && (vma.vmOps == null || !vma.vmOps.needsWriteNotify());
    }

    @Override
    public int complete(Vma vma, MmapAction action) {
        PageTable pt = vma.mm.pageTable();
        switch (action.type()) {
            case NOTHING:
            case CUSTOM:
                return BASIC.complete(vma, action);
            case REMAP_PFN: {
                // A copy-on-write remap is mapped read-only whatever the snapshot says: the first
                // write must copy, never reach the device.
                boolean writable = action.prot() != null && action.prot().write() && writableShared(vma);
                try {
                    pm.faultCore().remapPfnRange(pt, action.start(), action.start() + action.size(), action.pfn(),
                            writable);
                    return 0;
                } catch (IllegalStateException | IllegalArgumentException e) {
                    return Errno.EINVAL.negative();
                }
            }
            case MAP_KERNEL_PAGES: {
                long[] pages = action.kernelPages();
                boolean writable = writableShared(vma);
                try {
                    pm.faultCore().insertPages(pt, action.start(), pages, writable);
                    return 0;
                } catch (HwException | IllegalStateException | IllegalArgumentException e) {
                    // vm_insert_pages refuses a page that is not allocated; nothing stays mapped.
                    return Errno.EINVAL.negative();
                }
            }
            default:
                return Errno.EINVAL.negative();
        }
    }
}
