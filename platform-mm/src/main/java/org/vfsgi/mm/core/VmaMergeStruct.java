package org.vfsgi.mm.core;

import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.File;

/**
 * One merge attempt ({@code struct vma_merge_struct}): the caller sets the proposed range,
 * flags, file, offset, anonymous state and neighbours; the merge functions set the target and
 * the {@link State result}.
 *
 * <p>Rules (contract 3.1): a range merges with {@code prev} if adjacent, flags equal ignoring
 * STICKY, same file, compatible anonymous state and contiguous offsets; likewise with
 * {@code next}. SPECIAL flags never merge. A VMA that the merge would remove must not have
 * {@code close}; removed VMAs get neither {@code open} nor {@code close}. The survivor gets the
 * union of the participants' STICKY flags.
 */
public final class VmaMergeStruct {
    /** The result of a merge attempt ({@code enum vma_merge_state}). */
    public enum State {
        /** Nothing was merged ({@code VMA_MERGE_NOMERGE}). */
        NOMERGE,
        /** The range was merged into {@link #target} ({@code VMA_MERGE_SUCCESS}). */
        SUCCESS,
        /** Preallocation failed; nothing was changed ({@code VMA_MERGE_ERROR_NOMEM}). */
        ERROR_NOMEM
    }

    // Caller-set options.
    final MmStruct mm;
    long start;
    long end;
    long pgoff;
    VmaFlags flags;
    File file;
    AnonVma anonVma;
    boolean anonForkChild;
    Vma prev;
    Vma middle;
    Vma next;

    // Results.
    Vma target;
    State state = State.NOMERGE;
    /** VMAs removed by the merge, for the trace. */
    int removed;

    VmaMergeStruct(MmStruct mm, long start, long end, long pgoff, VmaFlags flags, File file) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
        this.flags = flags;
        this.file = file;
    }

    /** @return the result */
    public State state() {
        return state;
    }

    /** @return the VMA the range merged into, or null */
    public Vma target() {
        return target;
    }

    /** Nothing absorbed. */
    private static final Vma[] NONE = {};
    /** The STICKY flags one by one, and each as a set of its own. */
    private static final VmaFlag[] STICKY_FLAGS = java.util.Arrays.stream(VmaFlag.values())
            .filter(VmaFlags.STICKY::test).toArray(VmaFlag[]::new);
    private static final VmaFlags[] STICKY_SETS = java.util.Arrays.stream(STICKY_FLAGS).map(VmaFlags::of)
            .toArray(VmaFlags[]::new);

    /**
     * {@code flags} plus the STICKY flags of {@code from} (which a merged or re-flagged VMA keeps),
     * without building a set when {@code flags} has them already, as it mostly has.
     *
     * @param flags the flags to extend
     * @param from the flags whose sticky ones carry over
     * @return {@code flags | (from & STICKY)}
     */
    static VmaFlags withStickyOf(VmaFlags flags, VmaFlags from) {
        VmaFlags f = flags;
        for (int i = 0; i < STICKY_FLAGS.length; i++) {
            if (from.test(STICKY_FLAGS[i]) && !f.test(STICKY_FLAGS[i])) {
                f = f.setMask(STICKY_SETS[i]);
            }
        }
        return f;
    }

    private long pages(long s, long e) {
        return (e - s) >>> Mman.PAGE_SHIFT;
    }

    /** {@code is_mergeable_vma}: flags equal ignoring sticky ones, same file. */
    private boolean isMergeable(Vma vma) {
        // A revoked VMA never merges: the merged range would gain or lose its revocation.
        return vma.flags.diff(flags).clearMask(VmaFlags.STICKY).isEmpty() && vma.file == file && !vma.isRevoked();
    }

    /** {@code is_mergeable_anon_vma}: a fork child cannot take another's anonymous memory. */
    static boolean anonCompatible(AnonVma a, boolean aForkChild, AnonVma b, boolean bForkChild) {
        if (a == null && b == null) {
            return true;
        }
        if (a == null) {
            return !bForkChild;
        }
        if (b == null) {
            return !aForkChild;
        }
        return a == b;
    }

    private static boolean hasClose(Vma v) {
        VmOperations ops = v.vmOps;
        return ops != null && ops.close() != null;
    }

    private boolean canMergeLeft() {
        return prev != null && prev.end == start && isMergeable(prev)
                && anonCompatible(anonVma, anonForkChild, prev.anonVma, prev.isForkChild())
                && prev.pgoff + pages(prev.start, prev.end) == pgoff;
    }

    private boolean canMergeRight() {
        return next != null && end == next.start && isMergeable(next)
                && anonCompatible(anonVma, anonForkChild, next.anonVma, next.isForkChild())
                && next.pgoff == pgoff + pages(start, end);
    }

    /**
     * {@code vma_merge_new_range}: merge a range that is not mapped yet with {@link #prev}
     * and/or {@link #next}.
     *
     * @return the VMA that now covers the range, or null (see {@link #state})
     */
    Vma mergeNewRange() {
        state = State.NOMERGE;
        if (flags.testAnyMask(VmaFlags.SPECIAL) || (prev == null && next == null)) {
            return null;
        }
        boolean left = canMergeLeft();
        boolean right = canMergeRight();
        if (left && right && !anonCompatible(prev.anonVma, prev.isForkChild(), next.anonVma, next.isForkChild())) {
            right = false;
        }
        if (!left && !right) {
            return null;
        }
        long newStart = start;
        long newEnd = end;
        long newPgoff = pgoff;
        Vma tgt;
        Vma remove = null;
        if (right) {
            newEnd = next.end;
            tgt = next;
        } else {
            tgt = null;
        }
        if (left) {
            newStart = prev.start;
            newPgoff = prev.pgoff;
            tgt = prev;
            if (right) {
                if (hasClose(next)) {
                    // next would be removed without its close(): keep it, extend prev only.
                    newEnd = end;
                } else {
                    remove = next;
                }
            }
        }
        if (mm.kernel().faultInjection().check(InjectionPoint.TREE_PREALLOC) != 0) {
            state = State.ERROR_NOMEM;
            return null;
        }
        FileRmap rmap = mm.rmapLockWrite(file);
        try {
            commit(tgt, newStart, newEnd, newPgoff, remove == null ? NONE : new Vma[] {remove});
        } finally {
            MmStruct.rmapUnlockWrite(rmap);
        }
        return tgt;
    }

    /**
     * {@code vma_merge_existing_range}: merge {@code [start, end)} of the existing VMA
     * {@link #middle}, whose flags would become {@link #flags}, with its neighbours.
     *
     * @return the VMA that now covers the range, or null (see {@link #state})
     */
    Vma mergeExistingRange() {
        state = State.NOMERGE;
        Vma mid = middle;
        if (flags.testAnyMask(VmaFlags.SPECIAL) || mid.isRevoked()) {
            return null;
        }
        boolean leftSide = start == mid.start;
        boolean rightSide = end == mid.end;
        if (!leftSide && !rightSide) {
            return null;
        }
        boolean left = leftSide && canMergeLeft();
        boolean right = rightSide && canMergeRight();
        if (left && right && !anonCompatible(prev.anonVma, prev.isForkChild(), next.anonVma, next.isForkChild())) {
            right = false;
        }
        if (left && right && hasClose(next)) {
            right = false;
        }
        if (!left && !right) {
            return null;
        }
        boolean removeMiddle = leftSide && rightSide;
        if (removeMiddle && hasClose(mid)) {
            // middle would vanish without its close(): no sensible merge.
            return null;
        }
        if (mm.kernel().faultInjection().check(InjectionPoint.TREE_PREALLOC) != 0) {
            state = State.ERROR_NOMEM;
            return null;
        }
        FileRmap rmap = mm.rmapLockWrite(file);
        try {
            return commitExisting(mid, left, right, removeMiddle);
        } finally {
            MmStruct.rmapUnlockWrite(rmap);
        }
    }

    /** The commit part of {@link #mergeExistingRange()}, with the file's rmap write-locked. */
    private Vma commitExisting(Vma mid, boolean left, boolean right, boolean removeMiddle) {
        VmaTree tree = mm.tree();
        if (left && right) {
            commit(prev, prev.start, next.end, prev.pgoff, new Vma[] {mid, next});
            return prev;
        }
        if (left) {
            if (removeMiddle) {
                commit(prev, prev.start, end, prev.pgoff, new Vma[] {mid});
            } else {
                mid.startWrite();
                mid.pgoff += pages(mid.start, end);
                mid.start = end;
                tree.adjusted(mid);
                commit(prev, prev.start, end, prev.pgoff, NONE);
            }
            return prev;
        }
        // right only
        if (removeMiddle) {
            commit(next, start, next.end, pgoff, new Vma[] {mid});
        } else {
            mid.startWrite();
            mid.end = start;
            tree.adjusted(mid);
            commit(next, start, next.end, pgoff, NONE);
        }
        return next;
    }

    /**
     * {@code vma_expand} / {@code commit_merge}: set the target's range, remove the absorbed
     * VMAs (no {@code close}), carry anonymous state and STICKY flags.
     */
    private void commit(Vma tgt, long newStart, long newEnd, long newPgoff, Vma[] absorbed) {
        VmaTree tree = mm.tree();
        tgt.startWrite();
        VmaFlags merged = withStickyOf(tgt.flags, flags);
        for (Vma r : absorbed) {
            r.startWrite();
            merged = withStickyOf(merged, r.flags);
            if (tgt.anonVma == null && r.anonVma != null) {
                tgt.anonVma = r.anonVma;
                tgt.setForkChild(r.isForkChild());
            }
        }
        if (tgt.anonVma == null && anonVma != null) {
            tgt.anonVma = anonVma;
            tgt.setForkChild(anonForkChild);
        }
        for (Vma r : absorbed) {
            tree.remove(r);
            mm.unlinkFile(r);
            mm.mapCount--;
            if (r.file != null) {
                r.file.fput(); // the target maps the same file and keeps its own reference
            }
            // The absorbed range stays mapped (in the target), so total_vm and commit charges move with it.
        }
        tgt.start = newStart;
        tgt.end = newEnd;
        tgt.pgoff = newPgoff;
        tree.adjusted(tgt);
        tgt.flags = merged;
        target = tgt;
        removed = absorbed.length;
        state = State.SUCCESS;
    }
}
