package org.vfsgi.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.core.MmStruct;
import org.vfsgi.mm.core.Process;

/**
 * Operations whose cost may grow with the number of VMAs, at 10^3 to 10^6 VMAs: mprotect that
 * splits a VMA in three and merges it back, and VMA lookup of random pages, in the address space
 * {@link VmaSpace} builds (vmabench's layout and lookup targets).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SizedBenchmarks {

    /** An address space of n VMAs. */
    @State(Scope.Thread)
    public static class Space {
        /** The number of VMAs. */
        @Param({"1000", "10000", "100000", "1000000"})
        public int n;
        BenchSystem sys;
        Process p;
        MmStruct mm;
        VmaSpace space;
        int next;

        /** Builds the space (once per trial: 10^6 VMAs take seconds). */
        @Setup(Level.Trial)
        public void build() {
            sys = new BenchSystem(n + 1000);
            p = sys.process();
            mm = p.mm();
            space = new VmaSpace(p, n);
            space.lookupTarget(0); // draws the targets now, not in the first timed call
        }
    }

    /**
     * mprotect of the middle page of a 3-page VMA to PROT_NONE (split in three) and back to
     * read-write (merge); successive calls take the 3-page VMAs in turn, as vmabench does.
     *
     * @param s the space
     */
    @Benchmark
    public void mprotect_split_merge(Space s) {
        long t = s.space.mprotectTarget(s.next++);
        s.p.mprotect(t, BenchSystem.PG, Mman.PROT_NONE);
        s.p.mprotect(t, BenchSystem.PG, BenchSystem.RW);
    }

    /**
     * vmabench's vma_lookup: {@code msync(addr, one page, MS_ASYNC)} of a random page, which
     * takes the mmap read lock, finds the VMA once and returns.
     *
     * @param s the space
     */
    @Benchmark
    public void vma_lookup(Space s) {
        s.p.msync(s.space.lookupTarget(s.next++), BenchSystem.PG, Mman.MS_ASYNC);
    }

    /**
     * The bare lookup a user of the {@code AddressSpace} API does: {@code vma_lookup} of a random
     * page under the mmap read lock. Its host counterpart is vma_lookup minus null_syscall.
     *
     * @param s the space
     * @return the VMA found
     */
    @Benchmark
    public VmArea vma_lookup_find(Space s) {
        long a = s.space.lookupTarget(s.next++);
        s.mm.mmapReadLock();
        try {
            return s.mm.vmaLookup(a);
        } finally {
            s.mm.mmapReadUnlock();
        }
    }
}
