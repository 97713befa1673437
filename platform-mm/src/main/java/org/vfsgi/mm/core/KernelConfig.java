package org.vfsgi.mm.core;

import org.vfsgi.mm.Mman;

/**
 * Tunables of a {@link Kernel}, named after the sysctls and constants they model. Immutable;
 * build with {@link #builder()}.
 *
 * @param maxMapCount {@code vm.max_map_count}: VMAs per address space (default 65530)
 * @param mmapMinAddr {@code vm.mmap_min_addr}: lowest address a mapping may use (default 64 KiB)
 * @param taskSize {@code TASK_SIZE}: end of the user address space
 * @param mmapBase top of the top-down allocation area ({@code mm->mmap_base})
 * @param unmappedBase start of the bottom-up allocation area ({@code TASK_UNMAPPED_BASE})
 * @param topDown whether unhinted mappings are placed top-down (the default layout) or bottom-up (legacy)
 * @param addressSpaceLimit {@code RLIMIT_AS} in bytes
 * @param commitLimitPages committed-memory limit in pages for accountable mappings ({@code vm.overcommit_memory=2})
 * @param traceCapacity number of events the trace ring keeps
 * @param rootFsType the file-system type a kernel with RAM mounts at {@code /} when it starts
 *        ({@code "tmpfs"} by default), or the empty string for no root mount
 * @param rootFsOptions the {@code mount -o} options of that root mount (empty by default: tmpfs's
 *        own defaults)
 * @param faultAroundBytes {@code fault_around_bytes} (the kernel's debugfs knob): how much of a
 *        file a read fault maps from pages already in the page cache, around the faulting page,
 *        when the VMA has a {@code map_pages} hook. 0 to {@value #MAX_FAULT_AROUND_BYTES}; rounded
 *        down to a power of two pages, as the kernel does; one page or less turns fault-around off.
 *        Default {@value #DEFAULT_FAULT_AROUND_BYTES}.
 */
public record KernelConfig(int maxMapCount, long mmapMinAddr, long taskSize, long mmapBase, long unmappedBase,
        boolean topDown, long addressSpaceLimit, long commitLimitPages, int traceCapacity, String rootFsType,
        String rootFsOptions, long faultAroundBytes) {

    /** The kernel's default {@code fault_around_bytes}: 64 KiB, 16 pages. */
    public static final long DEFAULT_FAULT_AROUND_BYTES = 65536;

    /** The largest {@code fault_around_bytes}: one page table's worth ({@code PTRS_PER_PTE} pages). */
    public static final long MAX_FAULT_AROUND_BYTES = 512L * Mman.PAGE_SIZE;

    /** The root file-system type of {@link #defaults()}. */
    public static final String DEFAULT_ROOT_FS_TYPE = "tmpfs";

    /** The kernel's default {@code vm.max_map_count}. */
    public static final int DEFAULT_MAX_MAP_COUNT = 65530;

    /**
     * Validates the values.
     *
     * @param maxMapCount VMAs per address space
     * @param mmapMinAddr lowest mappable address
     * @param taskSize end of the user address space
     * @param mmapBase top of the top-down area
     * @param unmappedBase start of the bottom-up area
     * @param topDown top-down layout
     * @param addressSpaceLimit RLIMIT_AS in bytes
     * @param commitLimitPages commit limit in pages
     * @param traceCapacity trace ring size
     * @param rootFsType the root file-system type, or empty for none
     * @param rootFsOptions the root mount's options
     * @param faultAroundBytes bytes mapped around a read fault from the page cache
     * @throws IllegalArgumentException naming the first bad value
     */
    public KernelConfig {
        if (rootFsType == null || rootFsType.isBlank() && !rootFsType.isEmpty()) {
            throw new IllegalArgumentException("rootFsType must be a type name or empty for no root mount, was '"
                    + rootFsType + "'");
        }
        if (rootFsOptions == null) {
            throw new IllegalArgumentException("rootFsOptions must not be null (use \"\" for the defaults)");
        }
        if (maxMapCount < 1) {
            throw new IllegalArgumentException("maxMapCount must be >= 1, was " + maxMapCount);
        }
        if (mmapMinAddr < 0 || (mmapMinAddr & (Mman.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("mmapMinAddr must be a non-negative multiple of 4096, was " + mmapMinAddr);
        }
        if (taskSize <= mmapMinAddr || (taskSize & (Mman.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("taskSize must be page aligned and above mmapMinAddr, was " + taskSize);
        }
        if (mmapBase <= mmapMinAddr || mmapBase > taskSize || (mmapBase & (Mman.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("mmapBase must be page aligned within (mmapMinAddr, taskSize], was " + mmapBase);
        }
        if (unmappedBase < mmapMinAddr || unmappedBase >= taskSize || (unmappedBase & (Mman.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("unmappedBase must be page aligned within [mmapMinAddr, taskSize), was "
                    + unmappedBase);
        }
        if (addressSpaceLimit <= 0) {
            throw new IllegalArgumentException("addressSpaceLimit must be positive, was " + addressSpaceLimit);
        }
        if (commitLimitPages <= 0) {
            throw new IllegalArgumentException("commitLimitPages must be positive, was " + commitLimitPages);
        }
        if (traceCapacity < 1) {
            throw new IllegalArgumentException("traceCapacity must be >= 1, was " + traceCapacity);
        }
        if (faultAroundBytes < 0 || faultAroundBytes > MAX_FAULT_AROUND_BYTES) {
            throw new IllegalArgumentException("faultAroundBytes must be within [0, " + MAX_FAULT_AROUND_BYTES
                    + "] (one page table), was " + faultAroundBytes);
        }
    }

    /**
     * The configuration as it was before {@code fault_around_bytes} became configurable: the
     * kernel's default, {@link #DEFAULT_FAULT_AROUND_BYTES}.
     *
     * @param maxMapCount VMAs per address space
     * @param mmapMinAddr lowest mappable address
     * @param taskSize end of the user address space
     * @param mmapBase top of the top-down area
     * @param unmappedBase start of the bottom-up area
     * @param topDown top-down layout
     * @param addressSpaceLimit RLIMIT_AS in bytes
     * @param commitLimitPages commit limit in pages
     * @param traceCapacity trace ring size
     * @param rootFsType the root file-system type, or empty for none
     * @param rootFsOptions the root mount's options
     * @throws IllegalArgumentException naming the first bad value
     */
    public KernelConfig(int maxMapCount, long mmapMinAddr, long taskSize, long mmapBase, long unmappedBase,
            boolean topDown, long addressSpaceLimit, long commitLimitPages, int traceCapacity, String rootFsType,
            String rootFsOptions) {
        this(maxMapCount, mmapMinAddr, taskSize, mmapBase, unmappedBase, topDown, addressSpaceLimit, commitLimitPages,
                traceCapacity, rootFsType, rootFsOptions, DEFAULT_FAULT_AROUND_BYTES);
    }

    /**
     * @return the pages a read fault maps around itself ({@code fault_around_pages}): the
     *         configured bytes rounded down to a power of two pages, at least 1 (1 = off)
     */
    public int faultAroundPages() {
        long pages = faultAroundBytes >>> Mman.PAGE_SHIFT;
        return pages <= 1 ? 1 : (int) Long.highestOneBit(pages);
    }

    /**
     * The configuration as it was before the root mount became configurable: the root is
     * {@link #DEFAULT_ROOT_FS_TYPE} with its default options.
     *
     * @param maxMapCount VMAs per address space
     * @param mmapMinAddr lowest mappable address
     * @param taskSize end of the user address space
     * @param mmapBase top of the top-down area
     * @param unmappedBase start of the bottom-up area
     * @param topDown top-down layout
     * @param addressSpaceLimit RLIMIT_AS in bytes
     * @param commitLimitPages commit limit in pages
     * @param traceCapacity trace ring size
     * @throws IllegalArgumentException naming the first bad value
     */
    public KernelConfig(int maxMapCount, long mmapMinAddr, long taskSize, long mmapBase, long unmappedBase,
            boolean topDown, long addressSpaceLimit, long commitLimitPages, int traceCapacity) {
        this(maxMapCount, mmapMinAddr, taskSize, mmapBase, unmappedBase, topDown, addressSpaceLimit, commitLimitPages,
                traceCapacity, DEFAULT_ROOT_FS_TYPE, "", DEFAULT_FAULT_AROUND_BYTES);
    }

    /** @return the defaults of an x86-64 machine with 47-bit user addresses */
    public static KernelConfig defaults() {
        return builder().build();
    }

    /** @return a builder preset with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder preset with these values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMapCount = maxMapCount;
        b.mmapMinAddr = mmapMinAddr;
        b.taskSize = taskSize;
        b.mmapBase = mmapBase;
        b.unmappedBase = unmappedBase;
        b.topDown = topDown;
        b.addressSpaceLimit = addressSpaceLimit;
        b.commitLimitPages = commitLimitPages;
        b.traceCapacity = traceCapacity;
        b.rootFsType = rootFsType;
        b.rootFsOptions = rootFsOptions;
        b.faultAroundBytes = faultAroundBytes;
        return b;
    }

    /** Builds a {@link KernelConfig}. */
    public static final class Builder {
        private int maxMapCount = DEFAULT_MAX_MAP_COUNT;
        private long mmapMinAddr = 0x10000;
        private long taskSize = 0x7ffffffff000L;
        private long mmapBase = 0x7f0000000000L;
        private long unmappedBase = 0x2aaaaaaab000L;
        private boolean topDown = true;
        private long addressSpaceLimit = Long.MAX_VALUE;
        private long commitLimitPages = Long.MAX_VALUE;
        private int traceCapacity = 4096;
        private String rootFsType = DEFAULT_ROOT_FS_TYPE;
        private String rootFsOptions = "";
        private long faultAroundBytes = DEFAULT_FAULT_AROUND_BYTES;

        private Builder() {
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder maxMapCount(int v) {
            maxMapCount = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder mmapMinAddr(long v) {
            mmapMinAddr = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder taskSize(long v) {
            taskSize = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder mmapBase(long v) {
            mmapBase = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder unmappedBase(long v) {
            unmappedBase = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder topDown(boolean v) {
            topDown = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder addressSpaceLimit(long v) {
            addressSpaceLimit = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder commitLimitPages(long v) {
            commitLimitPages = v;
            return this;
        }

        /**
         * @param v the value
         * @return this
         */
        public Builder traceCapacity(int v) {
            traceCapacity = v;
            return this;
        }

        /**
         * @param type the file-system type mounted at {@code /} by a kernel with RAM, or the
         *        empty string for none (the caller mounts the root itself)
         * @param options its {@code mount -o} options; empty for the type's defaults
         * @return this
         */
        public Builder rootFs(String type, String options) {
            rootFsType = type;
            rootFsOptions = options;
            return this;
        }

        /**
         * @param v {@code fault_around_bytes}, 0 to {@link KernelConfig#MAX_FAULT_AROUND_BYTES}
         * @return this
         */
        public Builder faultAroundBytes(long v) {
            faultAroundBytes = v;
            return this;
        }

        /** @return the validated configuration */
        public KernelConfig build() {
            return new KernelConfig(maxMapCount, mmapMinAddr, taskSize, mmapBase, unmappedBase, topDown,
                    addressSpaceLimit, commitLimitPages, traceCapacity, rootFsType, rootFsOptions, faultAroundBytes);
        }
    }
}
