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
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.vfs.VfsFile;

/**
 * The mmap hook path on a tmpfs file, as vmabench's rows of the same names: mmap + munmap of a
 * 64 KiB shared mapping, mmap that merges into its neighbour, munmap that splits a VMA, and the
 * MAP_FIXED mmap that fills the hole again (a three-way merge). Operations that need untimed
 * preparation run in batches of {@value #BATCH}: the batch is built in an invocation-level
 * setup, timed as a whole, checked and thrown away in the teardown, as vmabench times a batch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MmapBenchmarks {
    /** Operations per timed batch. */
    public static final int BATCH = 500;
    static final long LEN_64K = 64 * 1024;
    private static final long PG = BenchSystem.PG;
    private static final int SHARED_FIXED_NOREPLACE = Mman.MAP_SHARED | Mman.MAP_FIXED_NOREPLACE;

    /** A machine with one tmpfs file, and the fixed address where batches are placed. */
    public abstract static class FileMachine {
        BenchSystem sys;
        Process p;
        VfsFile file;
        final long base = BenchSystem.FIXED_BASE;

        /** @return the size of the file this state maps */
        abstract long fileSize();

        /** Boots the machine and creates the file (once per trial). */
        @Setup(Level.Trial)
        public void boot() {
            sys = new BenchSystem(KernelConfig.DEFAULT_MAX_MAP_COUNT);
            p = sys.process();
            file = sys.tmpfsFile("bench-" + getClass().getSimpleName(), fileSize());
        }
    }

    /** The 64 KiB file of mmap_munmap_shared_64k. */
    @State(Scope.Thread)
    public static class File64k extends FileMachine {
        @Override
        long fileSize() {
            return LEN_64K;
        }
    }

    /** mmap_merge's batch: the first page mapped, the file long enough for the batch. */
    @State(Scope.Thread)
    public static class MergeBatch extends FileMachine {
        @Override
        long fileSize() {
            return (BATCH + 1) * PG;
        }

        /** Maps the first page, which every timed mmap extends. */
        @Setup(Level.Invocation)
        public void prepare() {
            p.mmap(base, PG, BenchSystem.RW, SHARED_FIXED_NOREPLACE, file, 0);
        }

        /** The batch must be one VMA, else the figure is not a merge; then it goes. */
        @TearDown(Level.Invocation)
        public void verify() {
            sys.check(sys.oneVma(base, base + (BATCH + 1) * PG), "mmap_merge: one VMA over the batch");
            p.munmap(base, (BATCH + 1) * PG);
        }
    }

    /** A batch of {@value #BATCH} 3-page shared VMAs with a free page between (vmabench's build_triples). */
    public abstract static class TripleBatch extends FileMachine {
        @Override
        long fileSize() {
            return 3 * PG;
        }

        void buildTriples() {
            for (int i = 0; i < BATCH; i++) {
                p.mmap(triple(i), 3 * PG, BenchSystem.RW, SHARED_FIXED_NOREPLACE, file, 0);
            }
        }

        /** munmap of each triple's middle page: each VMA splits in two. */
        void splitAll() {
            for (int i = 0; i < BATCH; i++) {
                p.munmap(triple(i) + PG, PG);
            }
        }

        long triple(int i) {
            return base + 4L * i * PG;
        }

        /** @return whether the triple at {@code v} shows the effect the row claims */
        abstract boolean seen(long v);

        /** The first and last triple must show the effect, else the figure is not of it; then the batch goes. */
        @TearDown(Level.Invocation)
        public void verify() {
            sys.check(seen(base) && seen(triple(BATCH - 1)), getClass().getSimpleName() + ": the effect on each triple");
            p.munmap(base, 4L * BATCH * PG);
        }
    }

    /** munmap_split's batch: the triples, whole. */
    @State(Scope.Thread)
    public static class SplitBatch extends TripleBatch {
        /** Builds the triples. */
        @Setup(Level.Invocation)
        public void prepare() {
            buildTriples();
        }

        @Override
        boolean seen(long v) {
            return sys.oneVma(v, v + PG) && sys.oneVma(v + 2 * PG, v + 3 * PG);
        }
    }

    /** munmap_split_remap's batch: the triples with their middle page unmapped. */
    @State(Scope.Thread)
    public static class RemapBatch extends TripleBatch {
        /** Builds the triples and splits them. */
        @Setup(Level.Invocation)
        public void prepare() {
            buildTriples();
            splitAll();
        }

        @Override
        boolean seen(long v) {
            return sys.oneVma(v, v + 3 * PG);
        }
    }

    /**
     * The whole hook path twice: mmap (prepare, new VMA, mapped) and munmap (close, unlink).
     *
     * @param s the machine
     * @return the address mapped
     */
    @Benchmark
    public long mmap_munmap_shared_64k(File64k s) {
        long a = s.p.mmap(0, LEN_64K, BenchSystem.RW, Mman.MAP_SHARED, s.file, 0);
        s.p.munmap(a, LEN_64K);
        return a;
    }

    /**
     * Each mmap maps the next page of the file right after the previous one, so the kernel
     * extends the existing VMA instead of making one.
     *
     * @param s the batch
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void mmap_merge(MergeBatch s) {
        for (int i = 1; i <= BATCH; i++) {
            s.p.mmap(s.base + i * PG, PG, BenchSystem.RW, SHARED_FIXED_NOREPLACE, s.file, i * PG);
        }
    }

    /**
     * munmap of the middle page of each 3-page shared VMA: each splits in two.
     *
     * @param s the batch
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void munmap_split(SplitBatch s) {
        s.splitAll();
    }

    /**
     * MAP_FIXED mmap of the hole munmap_split left: merges with both neighbours.
     *
     * @param s the batch
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void munmap_split_remap(RemapBatch s) {
        for (int i = 0; i < BATCH; i++) {
            s.p.mmap(s.triple(i) + PG, PG, BenchSystem.RW, Mman.MAP_SHARED | Mman.MAP_FIXED, s.file, PG);
        }
    }
}
