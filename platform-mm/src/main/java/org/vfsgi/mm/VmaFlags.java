package org.vfsgi.mm;

import java.util.Arrays;

/**
 * An immutable set of VMA flags: the kernel's {@code vma_flags_t} bitmap, addressed by
 * {@link VmaFlag#bit() bit number}.
 *
 * <p>The set is built to grow past 64 bits without an API change: bits 0..63 live in one
 * {@code long} and only a set with a higher bit carries an extra array. Every operation
 * returns a new value (or {@code this} when nothing changes), so one instance can be shared
 * by many VMAs. The method names follow the kernel helpers: {@code vma_flags_test} is
 * {@link #test(VmaFlag)}, {@code vma_flags_test_any_mask} is {@link #testAnyMask(VmaFlags)},
 * {@code vma_flags_diff_pair} is {@link #diff(VmaFlags)}, and so on.
 */
public final class VmaFlags {
    /** The empty set ({@code EMPTY_VMA_FLAGS}). */
    public static final VmaFlags EMPTY = new VmaFlags(0L, null);

    /** {@code VMA_SPECIAL_FLAGS}: IO, DONTEXPAND, PFNMAP, MIXEDMAP — such VMAs never merge. */
    public static final VmaFlags SPECIAL = of(VmaFlag.IO, VmaFlag.DONTEXPAND, VmaFlag.PFNMAP, VmaFlag.MIXEDMAP);
    /** {@code VMA_REMAP_FLAGS}: IO, PFNMAP, DONTEXPAND, DONTDUMP — set by PFN remaps. */
    public static final VmaFlags REMAP = of(VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND, VmaFlag.DONTDUMP);
    /** {@code VMA_STICKY_FLAGS}: SOFTDIRTY, MAYBE_GUARD — ignored by merge checks, carried into merged VMAs. */
    public static final VmaFlags STICKY = of(VmaFlag.SOFTDIRTY, VmaFlag.MAYBE_GUARD);
    /** {@code VMA_ACCESS_FLAGS}: READ, WRITE, EXEC. */
    public static final VmaFlags ACCESS = of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.EXEC);

    /** Word 0: bits 0..63. */
    private final long low;
    /** Words 1..n, or null when all of them are zero (the common case). Never shared with callers. */
    private final long[] high;
    /**
     * {@link #toString()}'s text, made on first use: trace details print the flags of every VMA
     * split, merged or protected, and formatting them each time was a measured hot spot of those
     * operations (benchmarks/). A benign race, as with {@code String.hash}: every thread computes
     * the same text from the same immutable bits.
     */
    private String text;

    private VmaFlags(long low, long[] high) {
        this.low = low;
        this.high = high;
    }

    private static VmaFlags make(long low, long[] high) {
        long[] h = trim(high);
        if (low == 0 && h == null) {
            return EMPTY;
        }
        return new VmaFlags(low, h);
    }

    private static long[] trim(long[] high) {
        if (high == null) {
            return null;
        }
        int n = high.length;
        while (n > 0 && high[n - 1] == 0) {
            n--;
        }
        return n == 0 ? null : (n == high.length ? high : Arrays.copyOf(high, n));
    }

    /**
     * Builds a set ({@code mk_vma_flags}).
     *
     * @param flags the flags to include
     * @return the set
     */
    public static VmaFlags of(VmaFlag... flags) {
        return EMPTY.set(flags);
    }

    /**
     * Builds a set from raw bit numbers, including bits vfsgi does not name.
     *
     * @param bits bit numbers, each {@code >= 0}
     * @return the set
     * @throws IllegalArgumentException for a negative bit number
     */
    public static VmaFlags ofBits(int... bits) {
        long low = 0;
        long[] high = null;
        for (int bit : bits) {
            if (bit < 0) {
                throw new IllegalArgumentException("negative VMA flag bit " + bit);
            }
            if (bit < 64) {
                low |= 1L << bit;
            } else {
                int w = (bit >>> 6) - 1;
                if (high == null || high.length <= w) {
                    high = high == null ? new long[w + 1] : Arrays.copyOf(high, w + 1);
                }
                high[w] |= 1L << (bit & 63);
            }
        }
        return make(low, high);
    }

    /**
     * Converts a legacy {@code vm_flags} word ({@code legacy_to_vma_flags}): it becomes word 0,
     * higher words are empty.
     *
     * @param word the legacy 64-bit flags word
     * @return the set
     */
    public static VmaFlags fromLegacy(long word) {
        return make(word, null);
    }

    /** @return word 0 as a legacy {@code vm_flags} value ({@code vma_flags_to_legacy}); higher bits are dropped */
    public long toLegacy() {
        return low;
    }

    private long word(int w) {
        if (w == 0) {
            return low;
        }
        return high != null && w - 1 < high.length ? high[w - 1] : 0L;
    }

    private int words() {
        return high == null ? 1 : high.length + 1;
    }

    /**
     * Tests one bit number ({@code vma_flags_test} on a raw bit).
     *
     * @param bit the bit number
     * @return whether it is set
     */
    public boolean testBit(int bit) {
        if (bit < 0) {
            return false;
        }
        return (word(bit >>> 6) & (1L << (bit & 63))) != 0;
    }

    /**
     * {@code vma_flags_test}.
     *
     * @param flag the flag
     * @return whether it is set
     */
    public boolean test(VmaFlag flag) {
        return testBit(flag.bit());
    }

    /**
     * {@code vma_flags_test_any}: is at least one of the flags set?
     *
     * @param flags the flags
     * @return {@code true} if any is set; {@code false} for an empty list
     */
    public boolean testAny(VmaFlag... flags) {
        for (VmaFlag f : flags) {
            if (test(f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code vma_flags_test_all}: are all the flags set?
     *
     * @param flags the flags
     * @return {@code true} if all are set; {@code true} for an empty list
     */
    public boolean testAll(VmaFlag... flags) {
        for (VmaFlag f : flags) {
            if (!test(f)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code vma_flags_test_any_mask}: do the two sets intersect?
     *
     * @param mask the other set
     * @return whether they share a bit
     */
    public boolean testAnyMask(VmaFlags mask) {
        int n = Math.min(words(), mask.words());
        for (int w = 0; w < n; w++) {
            if ((word(w) & mask.word(w)) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code vma_flags_test_all_mask}: is {@code mask} a subset of this set?
     *
     * @param mask the other set
     * @return whether every bit of {@code mask} is set here
     */
    public boolean testAllMask(VmaFlags mask) {
        for (int w = 0; w < mask.words(); w++) {
            if ((word(w) & mask.word(w)) != mask.word(w)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code vma_flags_set}: this set plus the flags.
     *
     * @param flags the flags to add
     * @return the new set
     */
    public VmaFlags set(VmaFlag... flags) {
        if (flags.length == 0) {
            return this;
        }
        int[] bits = new int[flags.length];
        for (int i = 0; i < flags.length; i++) {
            bits[i] = flags[i].bit();
        }
        return setMask(ofBitsNoCheck(bits));
    }

    private static VmaFlags ofBitsNoCheck(int[] bits) {
        return ofBits(bits);
    }

    /**
     * {@code vma_flags_clear}: this set minus the flags.
     *
     * @param flags the flags to remove
     * @return the new set
     */
    public VmaFlags clear(VmaFlag... flags) {
        if (flags.length == 0) {
            return this;
        }
        return clearMask(of(flags));
    }

    /**
     * {@code vma_flags_set_mask}: the union.
     *
     * @param mask the other set
     * @return the new set
     */
    public VmaFlags setMask(VmaFlags mask) {
        if (testAllMask(mask)) {
            return this;
        }
        return combine(mask, Op.OR);
    }

    /**
     * {@code vma_flags_clear_mask}: this set without the bits of {@code mask}.
     *
     * @param mask the bits to remove
     * @return the new set
     */
    public VmaFlags clearMask(VmaFlags mask) {
        if (!testAnyMask(mask)) {
            return this;
        }
        return combine(mask, Op.AND_NOT);
    }

    /**
     * {@code vma_flags_and_mask}: the intersection.
     *
     * @param mask the other set
     * @return the bits in both
     */
    public VmaFlags and(VmaFlags mask) {
        return combine(mask, Op.AND);
    }

    /**
     * {@code vma_flags_diff_pair}: the symmetric difference.
     *
     * @param other the other set
     * @return the bits set in exactly one of the two
     */
    public VmaFlags diff(VmaFlags other) {
        return combine(other, Op.XOR);
    }

    /**
     * {@code vma_flags_same_mask}: are the two sets equal within {@code mask}?
     *
     * @param other the other set
     * @param mask the bits compared
     * @return whether {@code this & mask == other & mask}
     */
    public boolean sameMask(VmaFlags other, VmaFlags mask) {
        return diff(other).and(mask).isEmpty();
    }

    /** @return whether no bit is set ({@code vma_flags_empty}) */
    public boolean isEmpty() {
        return low == 0 && high == null;
    }

    /** @return the number of set bits */
    public int cardinality() {
        int c = Long.bitCount(low);
        if (high != null) {
            for (long w : high) {
                c += Long.bitCount(w);
            }
        }
        return c;
    }

    private enum Op { OR, AND, AND_NOT, XOR }

    private VmaFlags combine(VmaFlags o, Op op) {
        int n = Math.max(words(), o.words());
        long newLow = apply(op, low, o.low);
        long[] newHigh = null;
        if (n > 1) {
            newHigh = new long[n - 1];
            for (int w = 1; w < n; w++) {
                newHigh[w - 1] = apply(op, word(w), o.word(w));
            }
        }
        return make(newLow, newHigh);
    }

    private static long apply(Op op, long a, long b) {
        switch (op) {
            case OR: return a | b;
            case AND: return a & b;
            case AND_NOT: return a & ~b;
            default: return a ^ b;
        }
    }

    /**
     * {@code vma_flags_same_pair}: equality of the whole bitmap.
     *
     * @param o another object
     * @return whether {@code o} is a set with the same bits
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VmaFlags)) {
            return false;
        }
        VmaFlags f = (VmaFlags) o;
        return low == f.low && Arrays.equals(high, f.high);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(low) * 31 + Arrays.hashCode(high);
    }

    /** @return the flag names in bit order, for example {@code [READ, WRITE, MAYREAD]}; unnamed bits as {@code bit64} */
    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            t = format();
            text = t;
        }
        return t;
    }

    private String format() {
        StringBuilder sb = new StringBuilder("[");
        for (int w = 0; w < words(); w++) {
            long word = word(w);
            while (word != 0) {
                int b = Long.numberOfTrailingZeros(word);
                word &= word - 1;
                int bit = (w << 6) + b;
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                VmaFlag f = VmaFlag.ofBit(bit);
                sb.append(f != null ? f.name() : "bit" + bit);
            }
        }
        return sb.append(']').toString();
    }
}
