package org.vfsgi.mm.core;

import org.vfsgi.hw.HwException;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.page.PageTable;
import org.vfsgi.mm.core.page.Pte;

/**
 * The {@link PageTables} seam over the page package: what the VMA machinery changes, the page
 * tables follow. Installed by a {@link Kernel} made with physical memory.
 *
 * <ul>
 * <li>zap (munmap, exit, MAP_FIXED replacement, failed mappings): entries removed, page
 * references dropped, dirty bits of shared file pages moved into the page cache;
 * <li>move (mremap): entries and their references move with the range;
 * <li>copy (fork): entries copied with a reference each, private mappings write-protected on
 * both sides for copy-on-write; {@code dup_mmap} does not call it for WIPEONFORK VMAs, so the
 * child's range is empty and reads zero;
 * <li>change protection (mprotect): removing WRITE write-protects the entries; removing every
 * access clears their user bit so the next access faults and gets SIGSEGV; adding access back
 * restores it (write permission itself comes back through write faults).
 * </ul>
 */
final class CorePageTables implements PageTables {
    private final PageMemory pm;

    CorePageTables(PageMemory pm) {
        this.pm = pm;
    }

    @Override
    public void zapPageRange(MmStruct mm, Vma vma, long start, long end) {
        PageTable pt = mm.pageTable();
        if (pt == null || start >= end) {
            return;
        }
        pm.faultCore().zapRange(pt, start, end, pm.mappingOf(vma, false));
    }

    @Override
    public void movePageRange(MmStruct mm, Vma from, long oldStart, Vma to, long newStart, long len) {
        PageTable pt = mm.pageTable();
        if (pt == null) {
            return;
        }
        pt.moveRange(oldStart, newStart, len);
    }

    @Override
    public int copyPageRange(MmStruct dstMm, Vma dst, Vma src) {
        PageTable parent = src.mm.pageTable();
        PageTable child = dstMm.pageTable();
        if (parent == null || child == null) {
            return 0;
        }
        try {
            pm.faultCore().copyRangeForFork(parent, child, src.start, src.end, pm.mappingOf(src, false));
            return 0;
        } catch (HwException e) {
            return Errno.ENOMEM.negative();
        }
    }

    @Override
    public void changeProtection(MmStruct mm, Vma vma, long start, long end, PageProt prot) {
        PageTable pt = mm.pageTable();
        if (pt == null) {
            return;
        }
        boolean write = vma.flags.test(VmaFlag.WRITE);
        boolean access = vma.flags.testAny(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.EXEC);
        pt.changeRange(start, end, (a, pte) -> {
            long p = write ? pte : Pte.wrprotect(pte);
            return access ? p | Pte.USER : p & ~Pte.USER;
        });
    }
}
