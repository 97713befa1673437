package org.vfsgi.bench;

import java.nio.ByteBuffer;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.VfsFile;

/**
 * One simulated machine for a benchmark: a {@link Kernel} over {@link SimulatedRam} (the RAM
 * the platform itself uses), its VFS with tmpfs at {@code /}, and one process. The same layouts
 * as {@code benchmarks/host/vmabench.c} are built here, so each vfsgi row measures what the host
 * row of the same name measures.
 */
public final class BenchSystem {
    /** Page size of the model and of the host. */
    public static final long PG = Mman.PAGE_SIZE;
    /** RW, as vmabench maps its files and its N-VMA region. */
    public static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    /** Plenty of frames for the fault batches; storage is only created for written frames. */
    private static final int RAM_FRAMES = 1 << 20;
    /**
     * Where fixed-address batches are placed: far below mmap_base, under which top-down mmap puts
     * every other mapping (the N-VMA regions reach at most 8 GiB down), so the two never meet.
     */
    static final long FIXED_BASE = 0x100000000000L;

    private final SimulatedRam ram;
    private final Kernel kernel;
    private final Process process;

    /**
     * @param maxMapCount the address space's {@code vm.max_map_count}; the benchmarks raise it
     *        above the default 65530 for 10^5 and 10^6 VMAs (the host program cannot, and skips
     *        those sizes)
     */
    public BenchSystem(int maxMapCount) {
        ram = new SimulatedRam("bench-ram", 0x1000, RAM_FRAMES);
        // A small trace ring: every step is still traced, as for a user, but the ring stays small.
        kernel = new Kernel(KernelConfig.builder().maxMapCount(maxMapCount).traceCapacity(64).build(), ram);
        process = kernel.spawn();
    }

    /** @return the kernel */
    public Kernel kernel() {
        return kernel;
    }

    /** @return the one process the benchmarks drive */
    public Process process() {
        return process;
    }

    /**
     * Creates (or empties) a tmpfs file of {@code size} bytes, open read-write.
     *
     * @param name the file name under {@code /}
     * @param size its size in bytes (a hole: no page is allocated)
     * @return the open file
     */
    public VfsFile tmpfsFile(String name, long size) {
        VfsFile f = kernel.vfs().open("/" + name, Fcntl.O_CREAT | Fcntl.O_RDWR | Fcntl.O_TRUNC, 0600);
        kernel.vfs().ftruncate(f, size);
        return f;
    }

    /**
     * Writes every page of the file with non-zero bytes through {@code write}, so all its pages
     * are in the page cache (vmabench's {@code fill_file}).
     *
     * @param f the file
     * @param size bytes to write
     */
    public void fill(VfsFile f, long size) {
        byte[] page = new byte[(int) PG];
        java.util.Arrays.fill(page, (byte) 0x5a);
        for (long off = 0; off < size; off += PG) {
            kernel.vfs().pwrite(f, ByteBuffer.wrap(page), off);
        }
    }

    /**
     * @param addr an address
     * @return the VMA containing it, found under the mmap read lock, or null
     */
    public VmArea vmaAt(long addr) {
        process.mm().mmapReadLock();
        try {
            return process.mm().vmaLookup(addr);
        } finally {
            process.mm().mmapReadUnlock();
        }
    }

    /**
     * @param lo first address
     * @param hi end address
     * @return whether {@code [lo, hi)} is exactly one VMA (vmabench's {@code one_vma})
     */
    public boolean oneVma(long lo, long hi) {
        VmArea v = vmaAt(lo);
        return v != null && v.start() == lo && v.end() == hi;
    }

    /**
     * Fails loudly when a batch did not do what its row claims (a merge that did not merge
     * would make the figure meaningless), as vmabench flags it in its note.
     *
     * @param ok the observed condition
     * @param what what was expected
     * @throws IllegalStateException naming the expectation and the address space
     */
    public void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " was not observed; maps:\n" + head(process.maps()));
        }
    }

    private static String head(String maps) {
        return maps.length() <= 2000 ? maps : maps.substring(0, 2000) + "...";
    }
}
