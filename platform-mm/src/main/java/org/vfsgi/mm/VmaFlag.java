package org.vfsgi.mm;

/**
 * One VMA flag, addressed by its bit number as the kernel's {@code VMA_*_BIT} enum numbers it
 * ({@code include/linux/mm.h}). A {@link VmaFlags} set is a bitmap indexed by {@link #bit()}.
 */
public enum VmaFlag {
    /** {@code VMA_READ_BIT}: pages may be read. */
    READ(0),
    /** {@code VMA_WRITE_BIT}: pages may be written. */
    WRITE(1),
    /** {@code VMA_EXEC_BIT}: pages may be executed. */
    EXEC(2),
    /** {@code VMA_SHARED_BIT}: writes are shared with the file (and other mappers). */
    SHARED(3),
    /** {@code VMA_MAYREAD_BIT}: mprotect may add READ. */
    MAYREAD(4),
    /** {@code VMA_MAYWRITE_BIT}: mprotect may add WRITE. */
    MAYWRITE(5),
    /** {@code VMA_MAYEXEC_BIT}: mprotect may add EXEC. */
    MAYEXEC(6),
    /** {@code VMA_MAYSHARE_BIT}: the mapping was requested shared (shown as 's' in maps). */
    MAYSHARE(7),
    /** {@code VMA_GROWSDOWN_BIT}: a stack that grows down. */
    GROWSDOWN(8),
    /** {@code VMA_UFFD_MISSING_BIT}: userfaultfd missing-page tracking. */
    UFFD_MISSING(9),
    /** {@code VMA_PFNMAP_BIT}: raw PFNs, no struct page behind the entries. */
    PFNMAP(10),
    /** {@code VMA_MAYBE_GUARD_BIT}: guard regions may be installed (sticky). */
    MAYBE_GUARD(11),
    /** {@code VMA_UFFD_WP_BIT}: userfaultfd write protection. */
    UFFD_WP(12),
    /** {@code VMA_LOCKED_BIT}: mlocked. */
    LOCKED(13),
    /** {@code VMA_IO_BIT}: memory-mapped I/O. */
    IO(14),
    /** {@code VMA_SEQ_READ_BIT}: sequential read-ahead hint. */
    SEQ_READ(15),
    /** {@code VMA_RAND_READ_BIT}: random read hint. */
    RAND_READ(16),
    /** {@code VMA_DONTCOPY_BIT}: not copied on fork. */
    DONTCOPY(17),
    /** {@code VMA_DONTEXPAND_BIT}: cannot be expanded by mremap. */
    DONTEXPAND(18),
    /** {@code VMA_LOCKONFAULT_BIT}: lock pages as they fault in. */
    LOCKONFAULT(19),
    /** {@code VMA_ACCOUNT_BIT}: committed memory is charged for this VMA. */
    ACCOUNT(20),
    /** {@code VMA_NORESERVE_BIT}: no swap reservation. */
    NORESERVE(21),
    /** {@code VMA_HUGETLB_BIT}: hugetlbfs mapping. */
    HUGETLB(22),
    /** {@code VMA_SYNC_BIT}: synchronous page faults (MAP_SYNC). */
    SYNC(23),
    /** {@code VMA_ARCH_1_BIT}: architecture specific. */
    ARCH_1(24),
    /** {@code VMA_WIPEONFORK_BIT}: the child of a fork sees zero-filled memory. */
    WIPEONFORK(25),
    /** {@code VMA_DONTDUMP_BIT}: excluded from core dumps. */
    DONTDUMP(26),
    /** {@code VMA_SOFTDIRTY_BIT}: soft-dirty tracking (sticky). */
    SOFTDIRTY(27),
    /** {@code VMA_MIXEDMAP_BIT}: a mix of struct pages and raw PFNs. */
    MIXEDMAP(28),
    /** {@code VMA_HUGEPAGE_BIT}: MADV_HUGEPAGE. */
    HUGEPAGE(29),
    /** {@code VMA_NOHUGEPAGE_BIT}: MADV_NOHUGEPAGE. */
    NOHUGEPAGE(30),
    /** {@code VMA_MERGEABLE_BIT}: KSM may merge pages. */
    MERGEABLE(31),
    /** {@code VMA_HIGH_ARCH_0_BIT}. */
    HIGH_ARCH_0(32),
    /** {@code VMA_HIGH_ARCH_1_BIT}. */
    HIGH_ARCH_1(33),
    /** {@code VMA_HIGH_ARCH_2_BIT}. */
    HIGH_ARCH_2(34),
    /** {@code VMA_HIGH_ARCH_3_BIT}. */
    HIGH_ARCH_3(35),
    /** {@code VMA_HIGH_ARCH_4_BIT}. */
    HIGH_ARCH_4(36),
    /** {@code VMA_HIGH_ARCH_5_BIT}. */
    HIGH_ARCH_5(37),
    /** {@code VMA_HIGH_ARCH_6_BIT}. */
    HIGH_ARCH_6(38),
    /** {@code VMA_ALLOW_ANY_UNCACHED_BIT}. */
    ALLOW_ANY_UNCACHED(39),
    /** {@code VMA_DROPPABLE_BIT}: contents may be dropped under memory pressure. */
    DROPPABLE(40),
    /** {@code VMA_UFFD_MINOR_BIT}: userfaultfd minor faults. */
    UFFD_MINOR(41),
    /** {@code VMA_SEALED_BIT}: mseal()ed, cannot be unmapped or changed. */
    SEALED(42);

    private static final VmaFlag[] BY_BIT;

    static {
        int max = 0;
        for (VmaFlag f : values()) {
            max = Math.max(max, f.bit);
        }
        BY_BIT = new VmaFlag[max + 1];
        for (VmaFlag f : values()) {
            BY_BIT[f.bit] = f;
        }
    }

    private final int bit;

    VmaFlag(int bit) {
        this.bit = bit;
    }

    /** @return the kernel bit number */
    public int bit() {
        return bit;
    }

    /**
     * @param bit a bit number
     * @return the flag with that number, or {@code null} if vfsgi names no flag there
     */
    public static VmaFlag ofBit(int bit) {
        return bit >= 0 && bit < BY_BIT.length ? BY_BIT[bit] : null;
    }
}
