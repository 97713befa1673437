package org.vfsgi.mm.core;

/**
 * The anonymous-memory state of VMAs ({@code struct anon_vma}): private pages that belong to
 * no file. VMAs that share one may merge; a fork child's VMA gets its own, chained to the
 * parent's, and can then no longer take another VMA's.
 */
public final class AnonVma {
    private final AnonVma parent;

    /**
     * @param parent the anon_vma this one was forked from, or null for a root
     */
    public AnonVma(AnonVma parent) {
        this.parent = parent;
    }

    /** @return the anon_vma this one was forked from, or null */
    public AnonVma parent() {
        return parent;
    }
}
