package org.vfsgi.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.vfs.VfsFile;

/**
 * First-touch faults, ns per page touched, as vmabench's fault rows: each batch maps
 * {@value #PAGES} fresh pages (untimed), then touches each page once through the user-memory
 * path ({@code Process.writeMemory}/{@code readMemory}: page-table walk, fault, retry), and
 * unmaps them (untimed).
 *
 * <p>fault_file_read_blockdev is not here: the core has no ext4 to mount yet (fs-ext4 holds the
 * on-disk engine, but no file-system type the VFS can mount), so a file on a block device
 * cannot be mapped; {@link ResultTable} reports the row as skipped for that reason.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FaultBenchmarks {
    /** Pages per batch. */
    public static final int PAGES = 1024;
    private static final long PG = BenchSystem.PG;
    private static final long LEN = PAGES * PG;

    /** A machine, a batch's mapping and the file it maps (if any). */
    public abstract static class Batch {
        BenchSystem sys;
        Process p;
        VfsFile file;
        long addr;

        /** Boots the machine (once per trial). */
        @Setup(Level.Trial)
        public void boot() {
            sys = new BenchSystem(KernelConfig.DEFAULT_MAX_MAP_COUNT);
            p = sys.process();
            bootFile();
        }

        void bootFile() {
        }

        /**
         * Maps the batch's fresh pages, into an address space the previous batch left empty. The
         * one {@code @Setup} of the batch: JMH's generated code calls an annotated method once
         * for each class of the hierarchy that declares it annotated, so a subclass overriding it
         * would have it called twice per invocation (and leak a mapping each time). Subclasses implement {@link #mapBatch()}.
         */
        @Setup(Level.Invocation)
        public final void prepare() {
            sys.check(p.mm().mapCount() == 0, "an empty address space before the batch");
            mapBatch();
        }

        /** Maps the batch's pages at {@link #addr}. */
        abstract void mapBatch();

        /** Every touched page must now be present in the page table; then the mapping goes. */
        @TearDown(Level.Invocation)
        public void verify() {
            long present = p.mm().pageTable().forEachPresent(addr, addr + LEN, (a, pte) -> { });
            sys.check(present == PAGES, "a fault per page (" + present + " of " + PAGES + " present)");
            p.munmap(addr, LEN);
        }
    }

    /** fault_anon_write: a private anonymous mapping. */
    @State(Scope.Thread)
    public static class AnonBatch extends Batch {
        @Override
        void mapBatch() {
            addr = p.mmap(0, LEN, BenchSystem.RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        }
    }

    /** fault_file_read_cached: a private read-only mapping of a tmpfs file whose pages are all cached. */
    @State(Scope.Thread)
    public static class CachedReadBatch extends Batch {
        @Override
        void bootFile() {
            file = sys.tmpfsFile("bench-cached", LEN);
            sys.fill(file, LEN);
        }

        @Override
        void mapBatch() {
            addr = p.mmap(0, LEN, Mman.PROT_READ, Mman.MAP_PRIVATE, file, 0);
        }
    }

    /** fault_shared_write: a shared mapping of an emptied (sparse) tmpfs file. */
    @State(Scope.Thread)
    public static class SharedWriteBatch extends Batch {
        @Override
        void bootFile() {
            file = sys.tmpfsFile("bench-shared", LEN);
        }

        @Override
        void mapBatch() {
            // Empty the file so each write fault allocates its page-cache page.
            sys.kernel().vfs().ftruncate(file, 0);
            sys.kernel().vfs().ftruncate(file, LEN);
            addr = p.mmap(0, LEN, BenchSystem.RW, Mman.MAP_SHARED, file, 0);
        }
    }

    private static void writeEach(Batch b) {
        byte[] one = new byte[1];
        for (int i = 0; i < PAGES; i++) {
            one[0] = (byte) i;
            b.p.writeMemory(b.addr + i * PG, one);
        }
    }

    /**
     * First write to each page of a fresh private anonymous mapping.
     *
     * @param b the batch
     */
    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void fault_anon_write(AnonBatch b) {
        writeEach(b);
    }

    /**
     * First read of each page of a private read-only mapping of a cached tmpfs file.
     *
     * @param b the batch
     * @param bh sinks what was read
     */
    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void fault_file_read_cached(CachedReadBatch b, Blackhole bh) {
        for (int i = 0; i < PAGES; i++) {
            bh.consume(b.p.readMemory(b.addr + i * PG, 1));
        }
    }

    /**
     * First write to each page of a shared mapping of an empty tmpfs file.
     *
     * @param b the batch
     */
    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void fault_shared_write(SharedWriteBatch b) {
        writeEach(b);
    }
}
