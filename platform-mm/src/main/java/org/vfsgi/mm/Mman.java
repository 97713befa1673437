package org.vfsgi.mm;

/**
 * The {@code mmap}, {@code mprotect} and {@code mremap} argument constants of Linux
 * ({@code include/uapi/asm-generic/mman*.h}, x86-64 values), so callers and tests can write
 * requests the way a C program would.
 */
public final class Mman {
    private Mman() {
    }

    /** Page size in bytes. */
    public static final long PAGE_SIZE = 4096;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 12;

    /** No access. */
    public static final int PROT_NONE = 0x0;
    /** Pages may be read. */
    public static final int PROT_READ = 0x1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 0x2;
    /** Pages may be executed. */
    public static final int PROT_EXEC = 0x4;

    /** Share changes. */
    public static final int MAP_SHARED = 0x01;
    /** Changes are private (copy on write). */
    public static final int MAP_PRIVATE = 0x02;
    /** Share changes and validate the extension flags (unknown flags fail with EOPNOTSUPP). */
    public static final int MAP_SHARED_VALIDATE = 0x03;
    /** Mask of the mapping type. */
    public static final int MAP_TYPE = 0x0f;
    /** Interpret the address exactly, replacing what is there. */
    public static final int MAP_FIXED = 0x10;
    /** Not backed by a file. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** Stack-like segment. */
    public static final int MAP_GROWSDOWN = 0x0100;
    /** Ignored. */
    public static final int MAP_DENYWRITE = 0x0800;
    /** Ignored. */
    public static final int MAP_EXECUTABLE = 0x1000;
    /** Lock the pages. */
    public static final int MAP_LOCKED = 0x2000;
    /** Do not reserve swap. */
    public static final int MAP_NORESERVE = 0x4000;
    /** Populate page tables. */
    public static final int MAP_POPULATE = 0x8000;
    /** Do not block on I/O when populating. */
    public static final int MAP_NONBLOCK = 0x10000;
    /** Stack allocation hint. */
    public static final int MAP_STACK = 0x20000;
    /** Huge pages. */
    public static final int MAP_HUGETLB = 0x40000;
    /** Synchronous page faults, only with {@link #MAP_SHARED_VALIDATE} on files that support it. */
    public static final int MAP_SYNC = 0x80000;
    /** Like {@link #MAP_FIXED} but fails with EEXIST instead of replacing a mapping. */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** Uninitialized anonymous memory (no-MMU only, ignored). */
    public static final int MAP_UNINITIALIZED = 0x4000000;

    /** The flags every kernel accepted before {@link #MAP_SHARED_VALIDATE} ({@code LEGACY_MAP_MASK}). */
    public static final int LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS
            | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED
            | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;

    /** mremap: the mapping may move. */
    public static final int MREMAP_MAYMOVE = 1;
    /** mremap: move to the given new address (requires {@link #MREMAP_MAYMOVE}). */
    public static final int MREMAP_FIXED = 2;

    /** msync: schedule write-back and return (Linux tracks dirty pages itself, so this starts nothing). */
    public static final int MS_ASYNC = 1;
    /** msync: ask that other mappings of the same file be invalidated (a no-op on Linux since 2.6). */
    public static final int MS_INVALIDATE = 2;
    /** msync: write the range's dirty shared file pages back and wait, reporting write-back errors. */
    public static final int MS_SYNC = 4;
}
