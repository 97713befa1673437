package org.vfsgi.mm;

import java.util.Objects;

/**
 * Page protection ({@code pgprot_t}): what a page-table entry of a VMA allows, and its
 * caching attributes. Immutable.
 *
 * <p>{@link #fromFlags(VmaFlags)} derives it from READ, WRITE, EXEC and SHARED the way the
 * kernel's {@code vm_get_page_prot} indexes {@code protection_map}: a private writable
 * mapping gets a read-only protection, because its first write must fault to make a
 * copy-on-write copy.
 */
public final class PageProt {
    /** How the CPU may cache accesses through the entries. */
    public enum CacheMode {
        /** Normal cached memory. */
        WRITE_BACK,
        /** Write-combining (frame buffers). */
        WRITE_COMBINE,
        /** Uncached (device registers). */
        UNCACHED
    }

    /** No access at all ({@code PROT_NONE}). */
    public static final PageProt NONE = new PageProt(false, false, false, CacheMode.WRITE_BACK, false);

    /** The kernel's {@code protection_map}: one shared instance per (read, write, exec, shared) combination. */
    private static final PageProt[] PROTECTION_MAP = new PageProt[16];

    static {
        for (int i = 0; i < 16; i++) {
            boolean r = (i & 1) != 0;
            boolean w = (i & 2) != 0;
            boolean x = (i & 4) != 0;
            boolean shared = (i & 8) != 0;
            // x86 cannot express write-only: WRITE implies READ in the hardware entry.
            PROTECTION_MAP[i] = !r && !w && !x ? NONE
                    : new PageProt(r || w, w && shared, x, CacheMode.WRITE_BACK, false);
        }
    }

    private final boolean read;
    private final boolean write;
    private final boolean exec;
    private final CacheMode cacheMode;
    private final boolean decrypted;

    private PageProt(boolean read, boolean write, boolean exec, CacheMode cacheMode, boolean decrypted) {
        this.read = read;
        this.write = write;
        this.exec = exec;
        this.cacheMode = cacheMode;
        this.decrypted = decrypted;
    }

    /**
     * Builds a protection from its parts.
     *
     * @param read reads allowed
     * @param write writes allowed without a fault
     * @param exec instruction fetch allowed
     * @param cacheMode the caching attribute
     * @param decrypted whether the entries map memory unencrypted ({@code pgprot_decrypted})
     * @return the protection
     * @throws NullPointerException if {@code cacheMode} is null
     */
    public static PageProt of(boolean read, boolean write, boolean exec, CacheMode cacheMode, boolean decrypted) {
        return new PageProt(read, write, exec, Objects.requireNonNull(cacheMode, "cacheMode"), decrypted);
    }

    /**
     * {@code vm_get_page_prot}: the protection implied by the access and sharing flags.
     *
     * @param flags the VMA flags
     * @return the protection; writable only for shared writable mappings
     */
    public static PageProt fromFlags(VmaFlags flags) {
        int i = (flags.test(VmaFlag.READ) ? 1 : 0) | (flags.test(VmaFlag.WRITE) ? 2 : 0)
                | (flags.test(VmaFlag.EXEC) ? 4 : 0) | (flags.test(VmaFlag.SHARED) ? 8 : 0);
        return PROTECTION_MAP[i];
    }

    /** @return whether reads are allowed */
    public boolean read() {
        return read;
    }

    /** @return whether writes are allowed without a fault */
    public boolean write() {
        return write;
    }

    /** @return whether execution is allowed */
    public boolean exec() {
        return exec;
    }

    /** @return the caching attribute */
    public CacheMode cacheMode() {
        return cacheMode;
    }

    /** @return whether the entries map unencrypted memory */
    public boolean decrypted() {
        return decrypted;
    }

    /**
     * @param mode the caching attribute
     * @return this protection with another caching attribute ({@code pgprot_noncached}, {@code pgprot_writecombine})
     */
    public PageProt withCacheMode(CacheMode mode) {
        return of(read, write, exec, mode, decrypted);
    }

    /** @return this protection marked unencrypted ({@code pgprot_decrypted}) */
    public PageProt withDecrypted() {
        return of(read, write, exec, cacheMode, true);
    }

    /**
     * @param writable whether writes are allowed
     * @return this protection with the write bit changed (for example write-protected for dirty tracking)
     */
    public PageProt withWrite(boolean writable) {
        return of(read, writable, exec, cacheMode, decrypted);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PageProt)) {
            return false;
        }
        PageProt p = (PageProt) o;
        return read == p.read && write == p.write && exec == p.exec && cacheMode == p.cacheMode
                && decrypted == p.decrypted;
    }

    @Override
    public int hashCode() {
        return Objects.hash(read, write, exec, cacheMode, decrypted);
    }

    @Override
    public String toString() {
        return (read ? "r" : "-") + (write ? "w" : "-") + (exec ? "x" : "-") + " " + cacheMode
                + (decrypted ? " decrypted" : "");
    }
}
