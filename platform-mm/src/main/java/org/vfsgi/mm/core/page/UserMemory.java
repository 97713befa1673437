package org.vfsgi.mm.core.page;

import java.util.Objects;

import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.hw.PhysicalRange;

/**
 * Reads and writes user memory through a page table the way the CPU would: page by page,
 * setting the accessed bit on every access and the dirty bit on writes, and calling a faulter
 * where an entry is missing or (for a write) read-only — the model's MMU plus
 * {@code copy_from_user} / {@code copy_to_user}.
 *
 * <p>The caller holds the address space's mmap lock for reading, like a faulting thread. The
 * faulter runs without the page-table lock; the copy itself runs with it, so a page cannot be
 * zapped halfway through a copy. Thread-safe.
 */
public final class UserMemory {
    private static final int PAGE = PageTable.PAGE_SIZE;
    /** Faults on one page before giving up: a faulter that reports success must make progress. */
    private static final int MAX_RETRIES = 8;
    private static final int COPIED = 0;
    private static final int NEEDS_FAULT = 1;
    private static final int NO_MEMORY = 2;

    /** Resolves a fault at a user address; usually the fault handler of the VMA layer. */
    @FunctionalInterface
    public interface Faulter {
        /**
         * @param addr the faulting user address
         * @param write whether the access is a write
         * @return the fault's result; an error result stops the access with its signal
         */
        FaultResult fault(long addr, boolean write);
    }

    private final PhysicalMemory ram;
    private final PhysicalAddressSpace physical;

    /**
     * @param ram system RAM, where normal pages live
     * @param physical the machine's physical address map, to reach special PFNs of devices
     *        (persistent memory, MMIO); {@code null} if only RAM is ever mapped
     */
    public UserMemory(PhysicalMemory ram, PhysicalAddressSpace physical) {
        this.ram = Objects.requireNonNull(ram, "ram");
        this.physical = physical;
    }

    /**
     * Copies user memory at {@code addr} into {@code dst}, crossing pages and faulting as needed.
     *
     * @param pt the accessing process's page table
     * @param addr the first user address
     * @param dst where the bytes go
     * @param off offset in the array
     * @param len the number of bytes
     * @param faulter resolves missing or read-only entries
     * @return {@code len}
     * @throws UserAccessException if a fault fails; bytes before the failing page were copied
     * @throws IllegalStateException if the faulter reports success without making the page
     *         accessible, again and again
     */
    public int readUser(PageTable pt, long addr, byte[] dst, int off, int len, Faulter faulter) {
        Objects.checkFromIndexSize(off, len, dst.length);
        return access(pt, addr, dst, off, len, faulter, false);
    }

    /**
     * Copies {@code src} into user memory at {@code addr}, crossing pages and faulting as needed;
     * each entry written through gets its dirty bit, which {@link FaultCore#syncDirty} or
     * {@link FaultCore#zapRange} later moves into the page cache.
     *
     * @param pt the accessing process's page table
     * @param addr the first user address
     * @param src the bytes to write
     * @param off offset in the array
     * @param len the number of bytes
     * @param faulter resolves missing or read-only entries
     * @return {@code len}
     * @throws UserAccessException if a fault fails; bytes before the failing page were written
     * @throws IllegalStateException if the faulter reports success without making the page
     *         writable, again and again
     */
    public int writeUser(PageTable pt, long addr, byte[] src, int off, int len, Faulter faulter) {
        Objects.checkFromIndexSize(off, len, src.length);
        return access(pt, addr, src, off, len, faulter, true);
    }

    private int access(PageTable pt, long addr, byte[] buf, int off, int len, Faulter faulter, boolean write) {
        if (addr < 0 || addr + len > PageTable.TASK_SIZE || addr + len < addr) {
            throw new UserAccessException(FaultResult.SIGSEGV, addr, 0);
        }
        int done = 0;
        int retries = 0;
        while (done < len) {
            long a = addr + done;
            long page = a & ~(long) (PAGE - 1);
            int inPage = (int) (a - page);
            int n = Math.min(len - done, PAGE - inPage);
            int status = copyIfMapped(pt, page, inPage, buf, off + done, n, write);
            if (status == NO_MEMORY) {
                throw new UserAccessException(FaultResult.SIGBUS, a, done);
            }
            if (status == COPIED) {
                done += n;
                retries = 0;
                continue;
            }
            FaultResult r = faulter.fault(a, write);
            if (r.isError()) {
                throw new UserAccessException(r, a, done);
            }
            if (++retries > MAX_RETRIES) {
                throw new IllegalStateException("fault at 0x" + Long.toHexString(a) + " reported " + r
                        + " but the entry is still " + Pte.toString(pt.get(page)));
            }
        }
        return done;
    }

    /** One page's worth of the MMU's work, under the page-table lock. */
    private int copyIfMapped(PageTable pt, long page, int inPage, byte[] buf, int off, int n, boolean write) {
        pt.ptl().lock();
        try {
            long pte = pt.get(page);
            if (!Pte.isPresent(pte) || !Pte.isUser(pte) || (write && !Pte.isWritable(pte))) {
                return NEEDS_FAULT;
            }
            long pfn = Pte.pfn(pte);
            PhysicalRange range = rangeOf(pfn);
            if (range == null) {
                return NO_MEMORY; // a PFN nothing answers to: a bus error, as on hardware
            }
            long updated = write ? pte | Pte.ACCESSED | Pte.DIRTY : pte | Pte.ACCESSED;
            if (updated != pte) {
                pt.set(page, updated);
            }
            if (write) {
                range.write(pfn, inPage, buf, off, n);
            } else {
                range.read(pfn, inPage, buf, off, n);
            }
            return COPIED;
        } finally {
            pt.ptl().unlock();
        }
    }

    private PhysicalRange rangeOf(long pfn) {
        if (ram.containsPfn(pfn)) {
            return ram;
        }
        return physical == null ? null : physical.rangeOf(pfn).orElse(null);
    }
}
