package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.List;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.core.page.PageTable;
import org.vfsgi.mm.core.page.SmapsStats;

/**
 * Per-VMA memory figures ({@code smap_gather_stats}) and their {@code /proc/PID/smaps} text
 * ({@code show_smap}): the maps line as the header, then the fields the model has, each as the
 * kernel prints them ({@code SEQ_PUT_DEC}: a 16-column label, the value in kB right-aligned in 8
 * columns, {@code " kB"}), then {@code VmFlags} with the kernel's two-letter mnemonics.
 *
 * <p>Fields shown: Size, KernelPageSize, MMUPageSize, Rss, Pss, Shared_Clean, Shared_Dirty,
 * Private_Clean, Private_Dirty, Referenced, Anonymous, Swap and SwapPss (always 0: the model has
 * no swap), Locked. Left out because the model has nothing behind them: Pss_Dirty and the
 * Pss_Anon/File/Shmem split, LazyFree, KSM, the huge-page and hugetlb lines, THPeligible,
 * ProtectionKey.
 */
public final class SmapsRenderer {
    /** The kernel's VmFlags mnemonics, indexed by flag bit number (null: not shown). */
    private static final String[] MNEMONICS = new String[64];

    static {
        String[][] m = {
            {"READ", "rd"}, {"WRITE", "wr"}, {"EXEC", "ex"}, {"SHARED", "sh"}, {"MAYREAD", "mr"},
            {"MAYWRITE", "mw"}, {"MAYEXEC", "me"}, {"MAYSHARE", "ms"}, {"GROWSDOWN", "gd"},
            {"UFFD_MISSING", "um"}, {"PFNMAP", "pf"}, {"MAYBE_GUARD", "gu"}, {"UFFD_WP", "uw"}, {"LOCKED", "lo"},
            {"IO", "io"}, {"SEQ_READ", "sr"}, {"RAND_READ", "rr"}, {"DONTCOPY", "dc"}, {"DONTEXPAND", "de"},
            {"LOCKONFAULT", "lf"}, {"ACCOUNT", "ac"}, {"NORESERVE", "nr"}, {"HUGETLB", "ht"}, {"SYNC", "sf"},
            {"ARCH_1", "ar"}, {"WIPEONFORK", "wf"}, {"DONTDUMP", "dd"}, {"SOFTDIRTY", "sd"}, {"MIXEDMAP", "mm"},
            {"HUGEPAGE", "hg"}, {"NOHUGEPAGE", "nh"}, {"MERGEABLE", "mg"}, {"UFFD_MINOR", "ui"},
            {"SEALED", "sl"}, {"DROPPABLE", "dp"},
        };
        for (String[] e : m) {
            // valueOf, so that a renamed flag fails loudly here instead of vanishing from VmFlags.
            MNEMONICS[VmaFlag.valueOf(e[0]).bit()] = e[1];
        }
    }

    /**
     * One VMA's figures.
     *
     * @param vma the VMA (a snapshot reference; it may change after the mmap lock was dropped)
     * @param start its start when gathered
     * @param end its end when gathered
     * @param stats the figures in bytes
     */
    public record Entry(VmArea vma, long start, long end, SmapsStats stats) {
    }

    private SmapsRenderer() {
    }

    /**
     * Gathers the figures of every VMA, under the mmap read lock.
     *
     * @param mm the address space
     * @return one entry per VMA in address order; all zero for a kernel without physical memory
     */
    public static List<Entry> gather(MmStruct mm) {
        List<Entry> out = new ArrayList<>();
        mm.mmapReadLock();
        try {
            for (Vma v : mm.tree()) {
                out.add(new Entry(v, v.start, v.end, stats(mm, v)));
            }
        } finally {
            mm.mmapReadUnlock();
        }
        return out;
    }

    private static SmapsStats stats(MmStruct mm, Vma v) {
        PageMemory pm = mm.kernel().pageMemory();
        PageTable pt = mm.pageTable();
        if (pm == null || pt == null) {
            return new SmapsStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        return pm.faultCore().smaps(pt, v.start, v.end, pm.mappingOf(v, false));
    }

    /**
     * @param mm the address space (its mmap read lock is taken)
     * @return the smaps text
     */
    public static String render(MmStruct mm) {
        StringBuilder sb = new StringBuilder();
        mm.mmapReadLock();
        try {
            for (Vma v : mm.tree()) {
                MapsRenderer.line(sb, v);
                SmapsStats s = stats(mm, v);
                field(sb, "Size:", v.end - v.start);
                field(sb, "KernelPageSize:", PageTable.PAGE_SIZE);
                field(sb, "MMUPageSize:", PageTable.PAGE_SIZE);
                field(sb, "Rss:", s.rss());
                field(sb, "Pss:", s.pss());
                field(sb, "Shared_Clean:", s.sharedClean());
                field(sb, "Shared_Dirty:", s.sharedDirty());
                field(sb, "Private_Clean:", s.privateClean());
                field(sb, "Private_Dirty:", s.privateDirty());
                field(sb, "Referenced:", s.referenced());
                field(sb, "Anonymous:", s.anonymous());
                field(sb, "Swap:", 0);
                field(sb, "SwapPss:", 0);
                // Locked is the PSS of a VM_LOCKED VMA (mss->pss_locked).
                field(sb, "Locked:", v.flags.test(VmaFlag.LOCKED) ? s.pss() : 0);
                sb.append("VmFlags: ");
                for (int bit = 0; bit < MNEMONICS.length; bit++) {
                    if (MNEMONICS[bit] != null && v.flags.testBit(bit)) {
                        sb.append(MNEMONICS[bit]).append(' ');
                    }
                }
                sb.append('\n');
            }
        } finally {
            mm.mmapReadUnlock();
        }
        return sb.toString();
    }

    /** {@code SEQ_PUT_DEC}: label padded to 16 columns, kB right-aligned in 8. */
    private static void field(StringBuilder sb, String label, long bytes) {
        sb.append(label);
        for (int i = label.length(); i < 16; i++) {
            sb.append(' ');
        }
        String kb = Long.toString(bytes >> 10);
        for (int i = kb.length(); i < 8; i++) {
            sb.append(' ');
        }
        sb.append(kb).append(" kB\n");
    }
}
