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
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.vfs.VfsFile;

/**
 * First-touch faults, ns per page touched, as vmabench's fault rows: each batch maps
 * {@value #PAGES} fresh pages (untimed), then touches each page once through the user-memory
 * path ({@code Process.writeMemory}/{@code readMemory}: page-table walk, fault, retry), and
 * unmaps them (untimed).
 *
 * <p>The block-device rows read a file on a real ext4 file system ({@link Ext4Image}: an
 * {@code mke2fs -d} image on a platform-hw block device, mounted through the VFS by fs-ext4), in
 * vmabench's batch sizes ({@value #BLOCKDEV_PAGES} and {@value #BLOCKDEV_RANDOM_PAGES} pages).
 * As vmabench evicts its file with {@code POSIX_FADV_DONTNEED} before every batch, each batch
 * starts from an evicted page cache, so every page is read from the device, and checks that it
 * was. {@code fault_file_read_blockdev} touches the pages in ascending order, with the page
 * cache's on-demand readahead (windows growing to 32 pages). {@code
 * fault_file_read_blockdev_random} stands for vmabench's {@code MADV_RANDOM} row: the model has
 * no {@code madvise}, so the pages are touched in descending order instead, which its readahead
 * treats as a random reader and shrinks to one page; every fault then reads its own page, one
 * synchronous device read each, as {@code MADV_RANDOM} makes the host do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FaultBenchmarks {
    /** Pages per batch. */
    public static final int PAGES = 1024;
    /** Pages per batch of fault_file_read_blockdev: vmabench's batch. */
    public static final int BLOCKDEV_PAGES = 8192;
    /** Pages per batch of fault_file_read_blockdev_random: vmabench's batch. */
    public static final int BLOCKDEV_RANDOM_PAGES = 2048;
    private static final long PG = BenchSystem.PG;
    private static final long LEN = PAGES * PG;
    private static final int SECTORS_PER_PAGE = (int) (PG / BlockDevice.SECTOR_SIZE);

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

        /** @return pages per batch */
        int pages() {
            return PAGES;
        }

        /** The row's own checks of a batch, before the mapping goes. */
        void checkBatch() {
        }

        /**
         * Maps the batch's fresh pages, into an address space the previous batch left empty. The
         * one {@code @Setup} of the batch: JMH's generated code calls an annotated method once
         * for each class of the hierarchy that declares it annotated, so a subclass overriding it
         * would have it called twice per invocation (and leak a mapping each time). Subclasses
         * implement {@link #mapBatch()}.
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
            long len = pages() * PG;
            long present = p.mm().pageTable().forEachPresent(addr, addr + len, (a, pte) -> { });
            sys.check(present == pages(), "a fault per page (" + present + " of " + pages() + " present)");
            checkBatch();
            p.munmap(addr, len);
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

    /**
     * fault_file_read_blockdev: a private read-only mapping of a file on ext4 on a block device,
     * whose page cache is evicted before every batch (vmabench's {@code POSIX_FADV_DONTNEED}).
     */
    @State(Scope.Thread)
    public static class BlockdevBatch extends Batch {
        Ext4Image disk;
        private long sectorsBefore;

        @Override
        int pages() {
            return BLOCKDEV_PAGES;
        }

        @Override
        void bootFile() {
            disk = Ext4Image.create(sys, "bench-ext4", pages());
            file = disk.file();
        }

        /** Evicts the file's pages, so this batch's faults read the device; then maps the file. */
        @Override
        void mapBatch() {
            disk.evict();
            sectorsBefore = disk.sectorsRead();
            addr = p.mmap(0, pages() * PG, Mman.PROT_READ, Mman.MAP_PRIVATE, file, 0);
        }

        /** Every page of the batch came from the device, and readahead did what the row says. */
        @Override
        void checkBatch() {
            long read = disk.sectorsRead() - sectorsBefore;
            sys.check(read >= (long) pages() * SECTORS_PER_PAGE, "every page read from the block device ("
                    + read + " sectors read for " + pages() + " pages)");
            int window = disk.pageCache().readaheadWindow();
            sys.check(window == expectedReadahead(), "a readahead window of " + expectedReadahead()
                    + " pages at the end of the batch (it is " + window + ")");
        }

        /** @return the readahead window a batch ends with: sequential faults grow it to the largest */
        int expectedReadahead() {
            return PageCache.RA_MAX_PAGES;
        }

        /** Unmounts and removes the image. */
        @TearDown(Level.Trial)
        public void shutdown() {
            disk.close();
        }
    }

    /**
     * fault_file_read_blockdev_random: as {@link BlockdevBatch}, for a batch touched in descending
     * order, which the model's readahead treats as random (the stand-in for {@code MADV_RANDOM}).
     */
    @State(Scope.Thread)
    public static class BlockdevRandomBatch extends BlockdevBatch {
        @Override
        int pages() {
            return BLOCKDEV_RANDOM_PAGES;
        }

        /** One page per read: each fault did its own device read. */
        @Override
        int expectedReadahead() {
            return 1;
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
        readEach(b, bh);
    }

    private static void readEach(Batch b, Blackhole bh) {
        for (int i = 0; i < b.pages(); i++) {
            bh.consume(b.p.readMemory(b.addr + i * PG, 1));
        }
    }

    /**
     * First read of each page of a private read-only mapping of a file on ext4 on a block device,
     * its page cache evicted: every page is read from the device, with readahead.
     *
     * @param b the batch
     * @param bh sinks what was read
     */
    @Benchmark
    @OperationsPerInvocation(BLOCKDEV_PAGES)
    public void fault_file_read_blockdev(BlockdevBatch b, Blackhole bh) {
        readEach(b, bh);
    }

    /**
     * The same in descending page order: no readahead, one device read per fault.
     *
     * @param b the batch
     * @param bh sinks what was read
     */
    @Benchmark
    @OperationsPerInvocation(BLOCKDEV_RANDOM_PAGES)
    public void fault_file_read_blockdev_random(BlockdevRandomBatch b, Blackhole bh) {
        for (int i = b.pages() - 1; i >= 0; i--) {
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
