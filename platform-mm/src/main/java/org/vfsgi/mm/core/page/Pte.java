package org.vfsgi.mm.core.page;

/**
 * Packed page-table entries ({@code pte_t}) as plain {@code long}s, with the kernel's accessor
 * names. A page table stores millions of these, so they are primitives rather than objects.
 *
 * <p>Layout, after x86-64: bit 0 present, 1 writable, 2 user, 5 accessed, 6 dirty, 9 special,
 * 10 anonymous, 11 soft-dirty, bits 12–51 the PFN. The value {@link #NONE} (zero) is an empty
 * entry ({@code pte_none}). An entry that is not none is always present: the model has no swap,
 * so there are no non-present swap or migration entries.
 *
 * <ul>
 * <li><b>special</b> ({@code pte_special}): a PFN with no page behind it as far as the mm is
 * concerned (PFN maps, device memory, the shared zero page): it is never reference-counted.
 * <li><b>anonymous</b>: the frame is an anonymous page owned by the mapping (a first-touch page
 * or a CoW copy); clear for page-cache pages and driver-supplied pages. The kernel keeps this in
 * {@code folio->mapping}; the model has no {@code struct page}, so the PTE carries it.
 * <li><b>soft-dirty</b>: set whenever the entry is made dirty, cleared by {@code clear_refs};
 * lets a tracker see which pages were written since.
 * </ul>
 */
public final class Pte {
    /** The empty entry ({@code pte_none}). */
    public static final long NONE = 0L;
    /** {@code _PAGE_PRESENT}. */
    public static final long PRESENT = 1L;
    /** {@code _PAGE_RW}: writes are allowed without a fault. */
    public static final long WRITE = 1L << 1;
    /** {@code _PAGE_USER}: accessible from user mode. */
    public static final long USER = 1L << 2;
    /** {@code _PAGE_ACCESSED}: set on any access, the "young" bit. */
    public static final long ACCESSED = 1L << 5;
    /** {@code _PAGE_DIRTY}: set on a write through the entry. */
    public static final long DIRTY = 1L << 6;
    /** {@code _PAGE_SPECIAL}: no reference counting for this PFN. */
    public static final long SPECIAL = 1L << 9;
    /** Software bit: the frame is an anonymous page rather than a page-cache or driver page. */
    public static final long ANON = 1L << 10;
    /** {@code _PAGE_SOFT_DIRTY}. */
    public static final long SOFT_DIRTY = 1L << 11;
    /** Shift of the PFN within an entry. */
    public static final int PFN_SHIFT = 12;
    /** Largest PFN an entry can hold (40 bits, as on x86-64 with 52-bit physical addresses). */
    public static final long MAX_PFN = (1L << 40) - 1;

    private static final long FLAG_MASK = (1L << PFN_SHIFT) - 1;
    private static final long PFN_MASK = MAX_PFN << PFN_SHIFT;

    private Pte() {
    }

    /**
     * Builds a present entry ({@code pfn_pte}).
     *
     * @param pfn the frame; 0 ≤ pfn ≤ {@link #MAX_PFN}
     * @param flags any of the flag constants; {@link #PRESENT} is added
     * @return the entry
     * @throws IllegalArgumentException if the PFN does not fit or a flag is not a flag bit
     */
    public static long make(long pfn, long flags) {
        if (pfn < 0 || pfn > MAX_PFN) {
            throw new IllegalArgumentException("PFN out of range for a PTE: " + pfn);
        }
        if ((flags & ~FLAG_MASK) != 0) {
            throw new IllegalArgumentException("not PTE flag bits: 0x" + Long.toHexString(flags));
        }
        return (pfn << PFN_SHIFT) | flags | PRESENT;
    }

    /**
     * @param pte an entry
     * @return the PFN of an entry ({@code pte_pfn})
     */
    public static long pfn(long pte) {
        return (pte & PFN_MASK) >>> PFN_SHIFT;
    }

    /**
     * @param pte an entry
     * @return the flag bits of an entry
     */
    public static long flags(long pte) {
        return pte & FLAG_MASK;
    }

    /**
     * @param pte an entry
     * @return whether the entry is empty ({@code pte_none})
     */
    public static boolean isNone(long pte) {
        return pte == NONE;
    }

    /**
     * @param pte an entry
     * @return whether the entry maps a frame ({@code pte_present})
     */
    public static boolean isPresent(long pte) {
        return (pte & PRESENT) != 0;
    }

    /**
     * @param pte an entry
     * @return whether writes go through without a fault ({@code pte_write})
     */
    public static boolean isWritable(long pte) {
        return (pte & WRITE) != 0;
    }

    /**
     * @param pte an entry
     * @return whether the entry was written through ({@code pte_dirty})
     */
    public static boolean isDirty(long pte) {
        return (pte & DIRTY) != 0;
    }

    /**
     * @param pte an entry
     * @return whether the entry was accessed ({@code pte_young})
     */
    public static boolean isAccessed(long pte) {
        return (pte & ACCESSED) != 0;
    }

    /**
     * @param pte an entry
     * @return whether user mode may access the entry
     */
    public static boolean isUser(long pte) {
        return (pte & USER) != 0;
    }

    /**
     * @param pte an entry
     * @return whether the PFN is not reference-counted ({@code pte_special})
     */
    public static boolean isSpecial(long pte) {
        return (pte & SPECIAL) != 0;
    }

    /**
     * @param pte an entry
     * @return whether the frame is an anonymous page
     */
    public static boolean isAnon(long pte) {
        return (pte & ANON) != 0;
    }

    /**
     * @param pte an entry
     * @return whether the entry is soft-dirty ({@code pte_soft_dirty})
     */
    public static boolean isSoftDirty(long pte) {
        return (pte & SOFT_DIRTY) != 0;
    }

    /**
     * @param pte an entry
     * @return whether the frame holds a reference owned by this entry (present and not special)
     */
    public static boolean isRefcounted(long pte) {
        return isPresent(pte) && !isSpecial(pte);
    }

    /**
     * @param pte an entry
     * @return the entry made writable ({@code pte_mkwrite})
     */
    public static long mkwrite(long pte) {
        return pte | WRITE;
    }

    /**
     * @param pte an entry
     * @return the entry write-protected ({@code pte_wrprotect})
     */
    public static long wrprotect(long pte) {
        return pte & ~WRITE;
    }

    /**
     * @param pte an entry
     * @return the entry marked dirty and soft-dirty ({@code pte_mkdirty}, which sets both on x86)
     */
    public static long mkdirty(long pte) {
        return pte | DIRTY | SOFT_DIRTY;
    }

    /**
     * @param pte an entry
     * @return the entry with the dirty bit cleared ({@code pte_mkclean}); soft-dirty stays
     */
    public static long mkclean(long pte) {
        return pte & ~DIRTY;
    }

    /**
     * @param pte an entry
     * @return the entry marked accessed ({@code pte_mkyoung})
     */
    public static long mkyoung(long pte) {
        return pte | ACCESSED;
    }

    /**
     * @param pte an entry
     * @return the entry with the accessed bit cleared ({@code pte_mkold})
     */
    public static long mkold(long pte) {
        return pte & ~ACCESSED;
    }

    /**
     * @param pte an entry
     * @return the entry with soft-dirty cleared ({@code pte_clear_soft_dirty})
     */
    public static long clearSoftDirty(long pte) {
        return pte & ~SOFT_DIRTY;
    }

    /**
     * Renders an entry for traces and test failures, e.g. {@code pfn=0x1a3 P W U A D anon}.
     *
     * @param pte an entry
     * @return a short description; {@code none} for an empty entry
     */
    public static String toString(long pte) {
        if (pte == NONE) {
            return "none";
        }
        StringBuilder sb = new StringBuilder("pfn=0x").append(Long.toHexString(pfn(pte)));
        if (isPresent(pte)) {
            sb.append(" P");
        }
        if (isWritable(pte)) {
            sb.append(" W");
        }
        if (isUser(pte)) {
            sb.append(" U");
        }
        if (isAccessed(pte)) {
            sb.append(" A");
        }
        if (isDirty(pte)) {
            sb.append(" D");
        }
        if (isSpecial(pte)) {
            sb.append(" special");
        }
        if (isAnon(pte)) {
            sb.append(" anon");
        }
        if (isSoftDirty(pte)) {
            sb.append(" soft-dirty");
        }
        return sb.toString();
    }
}
