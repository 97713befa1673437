package org.vfsgi.mm.core.page;

import java.util.Objects;
import java.util.function.LongSupplier;

import org.vfsgi.hw.PhysicalRange;

/**
 * What backs a VMA's pages, as far as the fault core needs to know: the kind of memory, where
 * file pages come from, and the VMA's start address and page offset to turn an address into a
 * page index ({@code linear_page_index}). The VMA layer builds one per VMA (and a new one when
 * the VMA's start or pgoff changes); this package never sees a VMA.
 *
 * <p>Permission checks ({@code VM_READ}/{@code VM_WRITE} against the access) are the caller's:
 * the fault core assumes the access is allowed by the VMA's flags. Immutable.
 */
public final class FaultMapping {
    /** Returned by a {@link PageSupplier} that has no page: the fault gets SIGBUS. */
    public static final long NO_PAGE = -1;

    /** The kinds of mapping. */
    public enum Kind {
        /** Private anonymous memory: zero page on read, a new page on write. */
        ANONYMOUS,
        /** Shared mapping of a file (or of shmem with a memory-only cache): writes dirty the cache. */
        FILE_SHARED,
        /** Private mapping of a file: reads map cache pages, writes copy them ({@code MAP_PRIVATE}). */
        FILE_PRIVATE,
        /** A fixed run of PFNs ({@code remap_pfn_range} done lazily, {@code vmf_insert_pfn}): special entries. */
        PFN_MAP,
        /** A driver's {@code vm_ops->fault} supplies each page. */
        SUPPLIED,
        /** Nothing may be mapped: a revoked mapping, or a PFN map with no fault handler. */
        REVOKED
    }

    /**
     * A file system's or driver's {@code page_mkwrite} / {@code pfn_mkwrite}: called before a
     * shared page becomes writable, so the owner can allocate blocks or refuse.
     */
    @FunctionalInterface
    public interface PageMkwrite {
        /**
         * @param addr the faulting page's user address
         * @param index the page index in the file (pgoff-based)
         * @return {@code null} to allow, or an errno name to refuse: {@code "ENOMEM"} makes the
         *         fault OOM, any other SIGBUS (the kernel's {@code vmf_error})
         */
        String pageMkwrite(long addr, long index);
    }

    /** A driver's {@code vm_ops->fault}: supplies the page for an address. */
    @FunctionalInterface
    public interface PageSupplier {
        /**
         * @param addr the faulting page's user address
         * @param index the page index (pgoff-based)
         * @param write whether the access is a write
         * @return the PFN to map, or {@link FaultMapping#NO_PAGE}. For a mapping of normal pages
         *         the supplier has taken one reference, which the entry will own (the kernel's
         *         {@code vmf->page}); for special PFNs no reference is involved.
         */
        long fault(long addr, long index, boolean write);
    }

    private final Kind kind;
    private final boolean shared;
    private final boolean writable;
    private final boolean special;
    private final long vmaStart;
    private final long pgoff;
    private final PageCache cache;
    private final LongSupplier fileSize;
    private final PhysicalRange device;
    private final PageSupplier supplier;
    private final PageMkwrite mkwrite;

    private FaultMapping(Kind kind, boolean shared, boolean writable, boolean special, long vmaStart,
            long pgoff, PageCache cache, LongSupplier fileSize, PhysicalRange device,
            PageSupplier supplier, PageMkwrite mkwrite) {
        if ((vmaStart & (PageTable.PAGE_SIZE - 1)) != 0 || vmaStart < 0 || pgoff < 0) {
            throw new IllegalArgumentException("unaligned VMA start or negative pgoff");
        }
        this.kind = kind;
        this.shared = shared;
        this.writable = writable;
        this.special = special;
        this.vmaStart = vmaStart;
        this.pgoff = pgoff;
        this.cache = cache;
        this.fileSize = fileSize;
        this.device = device;
        this.supplier = supplier;
        this.mkwrite = mkwrite;
    }

    /** Immutable and the same for every anonymous VMA: one instance, not one per fault, zap or fork. */
    private static final FaultMapping ANONYMOUS_MAPPING = new FaultMapping(Kind.ANONYMOUS, false, true, false, 0, 0, null,
            null, null, null, null);
    private static final FaultMapping REVOKED_MAPPING = new FaultMapping(Kind.REVOKED, false, false, false, 0, 0, null, null,
            null, null, null);

    /** @return private anonymous memory ({@code MAP_PRIVATE|MAP_ANONYMOUS}, or no vm_ops) */
    public static FaultMapping anonymous() {
        return ANONYMOUS_MAPPING;
    }

    /**
     * A shared file mapping ({@code MAP_SHARED}). Shared anonymous memory is this with a
     * {@link PageCache#memoryOnly memory-only} cache and the VMA's length as the size.
     *
     * @param cache the file's page cache
     * @param vmaStart the VMA's start address
     * @param pgoff the VMA's offset in the file, in pages
     * @param fileSize the file's current size; pages at or beyond it fault with SIGBUS
     * @return the description
     */
    public static FaultMapping fileShared(PageCache cache, long vmaStart, long pgoff, LongSupplier fileSize) {
        return new FaultMapping(Kind.FILE_SHARED, true, true, false, vmaStart, pgoff,
                Objects.requireNonNull(cache, "cache"), Objects.requireNonNull(fileSize, "fileSize"),
                null, null, null);
    }

    /**
     * A private file mapping ({@code MAP_PRIVATE}): cache pages read-only, copies on write.
     *
     * @param cache the file's page cache
     * @param vmaStart the VMA's start address
     * @param pgoff the VMA's offset in the file, in pages
     * @param fileSize the file's current size; pages at or beyond it fault with SIGBUS
     * @return the description
     */
    public static FaultMapping filePrivate(PageCache cache, long vmaStart, long pgoff, LongSupplier fileSize) {
        return new FaultMapping(Kind.FILE_PRIVATE, false, true, false, vmaStart, pgoff,
                Objects.requireNonNull(cache, "cache"), Objects.requireNonNull(fileSize, "fileSize"),
                null, null, null);
    }

    /**
     * A run of PFNs starting at {@code firstPfn} for the VMA's first page, mapped with special
     * entries on fault.
     *
     * @param vmaStart the VMA's start address
     * @param firstPfn the PFN of the VMA's first page (the remap's pgoff)
     * @param shared whether writes go to the PFNs ({@code MAP_SHARED}) or to private copies
     * @param writable whether the page protection allows writing (read-only device memory: false)
     * @param device the range owning the PFNs, to refuse PFNs outside it (SIGBUS) and to copy
     *        from on a private write; {@code null} to skip the check (copies then come from RAM)
     * @return the description
     */
    public static FaultMapping pfnMap(long vmaStart, long firstPfn, boolean shared, boolean writable,
            PhysicalRange device) {
        return new FaultMapping(Kind.PFN_MAP, shared, writable, true, vmaStart, firstPfn, null, null,
                device, null, null);
    }

    /**
     * A mapping whose pages a driver supplies ({@code vm_ops->fault}).
     *
     * @param vmaStart the VMA's start address
     * @param pgoff the VMA's pgoff
     * @param shared whether writes go to the supplied pages or to private copies
     * @param special whether supplied PFNs are special (device memory, DAX) rather than
     *        reference-counted RAM pages
     * @param device for special PFNs, the range to copy from on a private write; may be {@code null}
     * @param supplier the driver's fault handler
     * @return the description
     */
    public static FaultMapping supplied(long vmaStart, long pgoff, boolean shared, boolean special,
            PhysicalRange device, PageSupplier supplier) {
        return new FaultMapping(Kind.SUPPLIED, shared, true, special, vmaStart, pgoff, null, null,
                device, Objects.requireNonNull(supplier, "supplier"), null);
    }

    /** @return a mapping whose faults all get SIGBUS (revoked, or an unpopulated PFN map) */
    public static FaultMapping revoked() {
        return REVOKED_MAPPING;
    }

    /**
     * @param hook the owner's {@code page_mkwrite} (or {@code pfn_mkwrite}); {@code null} for none
     * @return a copy of this mapping that calls {@code hook} before a shared page becomes writable
     */
    public FaultMapping withMkwrite(PageMkwrite hook) {
        return new FaultMapping(kind, shared, writable, special, vmaStart, pgoff, cache, fileSize,
                device, supplier, hook);
    }

    /** @return the kind of mapping */
    public Kind kind() {
        return kind;
    }

    /** @return whether writes reach the backing pages ({@code VM_SHARED}) */
    public boolean isShared() {
        return shared;
    }

    /** @return whether writes go to private copies (a CoW mapping) */
    public boolean isPrivate() {
        return !shared;
    }

    /** @return whether the page protection allows writes (only false for read-only PFN maps) */
    public boolean isWritable() {
        return writable;
    }

    /** @return whether mapped PFNs are special (not reference-counted) */
    public boolean isSpecial() {
        return special;
    }

    /** @return the VMA's start address */
    public long vmaStart() {
        return vmaStart;
    }

    /** @return the VMA's pgoff (for a PFN map: the first PFN) */
    public long pgoff() {
        return pgoff;
    }

    /** @return the page cache of a file mapping, else {@code null} */
    public PageCache cache() {
        return cache;
    }

    /** @return the file's current size, or -1 if the mapping has no file */
    public long fileSize() {
        return fileSize == null ? -1 : fileSize.getAsLong();
    }

    /** @return the device range of a PFN or supplied mapping, may be {@code null} */
    public PhysicalRange device() {
        return device;
    }

    /** @return the driver's fault handler of a supplied mapping, else {@code null} */
    public PageSupplier supplier() {
        return supplier;
    }

    /** @return the {@code page_mkwrite} hook, or {@code null} */
    public PageMkwrite mkwrite() {
        return mkwrite;
    }

    /**
     * @param addr a user address inside the VMA
     * @return its page index: {@code pgoff + (addr - vmaStart) / PAGE_SIZE}
     */
    public long index(long addr) {
        return pgoff + ((addr - vmaStart) >>> PageTable.PAGE_SHIFT);
    }
}
