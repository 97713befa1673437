package org.vfsgi.mm.core.page;

/**
 * Per-VMA memory statistics in bytes, as {@code /proc/PID/smaps} shows them
 * ({@code smaps_pte_entry}): resident set, proportional set, shared and private clean/dirty,
 * referenced and anonymous. A page counts as shared when more than one page-table entry maps it
 * (map count for page-cache pages, reference count for anonymous pages, whose only references
 * are entries). Special entries (PFN maps, the zero page) have no page behind them and are not
 * resident, as in the kernel; they are counted apart.
 *
 * @param rss resident bytes ({@code Rss})
 * @param pss proportional bytes: each page divided by the number of entries mapping it ({@code Pss})
 * @param sharedClean bytes of clean pages mapped more than once
 * @param sharedDirty bytes of dirty pages mapped more than once
 * @param privateClean bytes of clean pages mapped once
 * @param privateDirty bytes of dirty pages mapped once
 * @param referenced bytes whose entries have the accessed bit
 * @param anonymous bytes of anonymous pages
 * @param specialPages entries mapping special PFNs (not part of {@code rss})
 */
public record SmapsStats(long rss, long pss, long sharedClean, long sharedDirty, long privateClean,
        long privateDirty, long referenced, long anonymous, long specialPages) {
}
