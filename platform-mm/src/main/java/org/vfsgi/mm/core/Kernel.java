package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.ReverseMap;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.mm.core.shmem.Shmem;
import org.vfsgi.mm.core.shmem.Tmpfs;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.File;

/**
 * The context every core object hangs off: configuration, processes, the trace ring,
 * contract-violation counters, failure injection and the seams filled by other parts of the
 * platform (page tables, mmap actions, shared anonymous memory). There is no static state:
 * tests create as many kernels as they like.
 */
public final class Kernel {
    private static final System.Logger LOG = System.getLogger(Kernel.class.getName());

    private final KernelConfig config;
    private final TraceBuffer trace;
    private final ContractViolations violations;
    private final FaultInjection faultInjection = new FaultInjection();
    /** Page frames, page caches and the fault core; null for a kernel without physical memory. */
    private final PageMemory pageMemory;
    private final ConcurrentHashMap<Integer, Process> processes = new ConcurrentHashMap<>();
    private final AtomicInteger nextPid = new AtomicInteger(1);
    private volatile PageTables pageTables = PageTables.NONE;
    private volatile MmapActionHandler actionHandler = MmapActionHandler.BASIC;
    private volatile SharedAnonymousBacking sharedAnonymous = SharedAnonymousBacking.UNBACKED;
    /** Shared flag sets: a million VMAs use a handful of distinct combinations. */
    private final ConcurrentHashMap<VmaFlags, VmaFlags> flagSets = new ConcurrentHashMap<>();
    private static final int MAX_INTERNED_FLAG_SETS = 4096;
    /** The VFS (with tmpfs built in) of a kernel with RAM; null without. */
    private final Vfs vfs;
    /** shmem: the kernel-internal tmpfs behind shared anonymous memory; null without RAM. */
    private final Shmem shmem;
    private volatile Function<String, Optional<BlockDevice>> blockDevices = name -> Optional.empty();

    /**
     * A kernel without physical memory: VMAs, but no page tables, faults or page cache. The
     * VMA algorithms and their tests need nothing more.
     *
     * @param config the tunables
     */
    public Kernel(KernelConfig config) {
        this(config, null, null);
    }

    /**
     * A kernel whose address spaces have page tables over {@code ram}: faults, user memory
     * access, copy-on-write, the page cache and {@code msync} work.
     *
     * @param config the tunables
     * @param ram system RAM, where anonymous, page-cache and page-table-copied pages live
     */
    public Kernel(KernelConfig config, PhysicalMemory ram) {
        this(config, Objects.requireNonNull(ram, "ram"), null);
    }

    /**
     * As {@link #Kernel(KernelConfig, PhysicalMemory)}, plus the machine's physical address map,
     * so that user access through PFN mappings of devices (persistent memory, MMIO) reaches them.
     *
     * @param config the tunables
     * @param ram system RAM, or null for a kernel without page-level memory
     * @param physical the physical address map, or null if only RAM is ever mapped
     */
    public Kernel(KernelConfig config, PhysicalMemory ram, PhysicalAddressSpace physical) {
        this.config = Objects.requireNonNull(config, "config");
        this.trace = new TraceBuffer(config.traceCapacity());
        this.violations = new ContractViolations(trace);
        this.pageMemory = ram == null ? null : new PageMemory(this, ram, physical);
        if (pageMemory != null) {
            pageTables = new CorePageTables(pageMemory);
            actionHandler = new PageActionHandler(pageMemory);
            vfs = new Vfs(pageMemory, name -> blockDevices.apply(name), Kernel::nowNanos);
            // tmpfs is built in, as the kernel keeps shmem in mm: it is always there for
            // shared anonymous memory, whatever file-system bundles come and go.
            vfs.registerFileSystem(new Tmpfs(ram));
            shmem = new Shmem(vfs);
            sharedAnonymous = shmem;
            if (!config.rootFsType().isEmpty()) {
                vfs.mount("none", "/", config.rootFsType(), config.rootFsOptions());
            }
        } else {
            vfs = null;
            shmem = null;
        }
        LOG.log(System.Logger.Level.DEBUG, "kernel created with {0}, {1}", config,
                ram == null ? "no physical memory" : ram.pfnCount() + " frames of RAM");
    }

    /**
     * @return the page-level memory (page frames, page caches, fault core), or null for a kernel
     *         made without physical memory
     */
    public PageMemory pageMemory() {
        return pageMemory;
    }

    /**
     * The kernel's VFS: mounts, path lookup, open files. tmpfs is registered as a built-in type,
     * and unless the configuration says otherwise ({@link KernelConfig#rootFsType()}) a tmpfs is
     * mounted at {@code /}.
     *
     * @return the VFS
     * @throws IllegalStateException for a kernel made without physical memory, which has no page
     *         cache and so no VFS
     */
    public Vfs vfs() {
        if (vfs == null) {
            throw new IllegalStateException("this kernel was created without RAM, so it has no VFS");
        }
        return vfs;
    }

    /**
     * @return shmem ({@code shm_mnt}, {@code shmem_file_setup}), which backs shared anonymous
     *         memory of a kernel with RAM
     * @throws IllegalStateException for a kernel made without physical memory
     */
    public Shmem shmem() {
        if (shmem == null) {
            throw new IllegalStateException("this kernel was created without RAM, so it has no shmem");
        }
        return shmem;
    }

    /**
     * Sets how the VFS finds block devices by name for file systems that mount one
     * ({@code MountContext.blockDevice}); by default it finds none.
     *
     * @param lookup finds a platform-hw block device by name
     */
    public void setBlockDeviceLookup(Function<String, Optional<BlockDevice>> lookup) {
        blockDevices = Objects.requireNonNull(lookup, "lookup");
    }

    private static long nowNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** A kernel with {@link KernelConfig#defaults()}. */
    public Kernel() {
        this(KernelConfig.defaults());
    }

    /** @return the configuration */
    public KernelConfig config() {
        return config;
    }

    /** @return the trace ring */
    public TraceBuffer trace() {
        return trace;
    }

    /** @return the contract-violation counters */
    public ContractViolations violations() {
        return violations;
    }

    /** @return the failure injection of this kernel */
    public FaultInjection faultInjection() {
        return faultInjection;
    }

    /** @return the page-table seam */
    public PageTables pageTables() {
        return pageTables;
    }

    /** @param pt the page-table implementation, not null */
    public void setPageTables(PageTables pt) {
        pageTables = Objects.requireNonNull(pt, "pageTables");
    }

    /** @return the mmap action handler */
    public MmapActionHandler actionHandler() {
        return actionHandler;
    }

    /** @param h the mmap action handler, not null */
    public void setActionHandler(MmapActionHandler h) {
        actionHandler = Objects.requireNonNull(h, "actionHandler");
    }

    /** @return the shared anonymous memory seam */
    public SharedAnonymousBacking sharedAnonymous() {
        return sharedAnonymous;
    }

    /** @param s the shared anonymous memory implementation, not null */
    public void setSharedAnonymous(SharedAnonymousBacking s) {
        sharedAnonymous = Objects.requireNonNull(s, "sharedAnonymous");
    }

    /**
     * Returns one shared instance per distinct flag set (up to a bound, after which sets are
     * simply not shared), so VMAs with equal flags share one object.
     *
     * @param flags a flag set
     * @return an equal, possibly shared, instance
     */
    VmaFlags intern(VmaFlags flags) {
        VmaFlags known = flagSets.get(flags);
        if (known != null) {
            return known;
        }
        if (flagSets.size() >= MAX_INTERNED_FLAG_SETS) {
            return flags;
        }
        known = flagSets.putIfAbsent(flags, flags);
        return known == null ? flags : known;
    }

    /**
     * Creates a process with an empty address space.
     *
     * @return the process
     */
    public Process spawn() {
        int pid = nextPid.getAndIncrement();
        Process p = new Process(this, pid, new MmStruct(this, pid));
        processes.put(pid, p);
        LOG.log(System.Logger.Level.DEBUG, "spawned pid {0}", pid);
        return p;
    }

    Process forkedProcess(MmStruct childMm) {
        Process p = new Process(this, childMm.ownerPid(), childMm);
        processes.put(p.pid(), p);
        return p;
    }

    int allocatePid() {
        return nextPid.getAndIncrement();
    }

    void exited(Process p) {
        processes.remove(p.pid(), p);
    }

    /**
     * @param pid a process id
     * @return the live process, or null
     */
    public Process process(int pid) {
        return processes.get(pid);
    }

    /** @return the live processes */
    public List<Process> processes() {
        return new ArrayList<>(processes.values());
    }

    /**
     * The platform reverse map of a file's inode.
     *
     * @param file a file
     * @return its inode's reverse map
     * @throws MmException EINVAL if the inode's reverse map is not a core {@link FileRmap}
     */
    FileRmap rmapOf(File file) {
        ReverseMap rm = file.inode() == null ? null : file.inode().reverseMap();
        if (rm instanceof FileRmap) {
            return (FileRmap) rm;
        }
        throw new MmException(Errno.EINVAL, "vma_link_file",
                "inode of " + file.path() + " has no platform reverse map (Inode.reverseMap() must return a core FileRmap)");
    }

    /**
     * Calls a driver hook that returns {@code 0} or a negative errno, turning misbehaviour into
     * a counted contract violation instead of a stack trace: a thrown {@link MmException}
     * becomes its errno, any other exception or an invalid return becomes EINVAL.
     *
     * @param hook the hook's kernel name, for messages
     * @param pid process id
     * @param start range start
     * @param end range end
     * @param path file path or null
     * @param call the call
     * @return {@code 0} or a valid negative errno
     */
    int callHook(String hook, int pid, long start, long end, String path, IntSupplier call) {
        return callHook(hook, pid, start, end, path, (c, unused, none) -> c.getAsInt(), call, null, null);
    }

    /**
     * A hook call given as a function of the hook and its arguments, so that a call site can
     * pass a non-capturing lambda (one shared instance) instead of building a closure per call.
     *
     * @param <H> the hook's type
     * @param <A> its first argument's type
     * @param <B> its second argument's type
     */
    @FunctionalInterface
    interface HookCall<H, A, B> {
        /**
         * @param hook the hook
         * @param a the first argument
         * @param b the second argument, or anything when the hook takes one
         * @return what the hook returned
         */
        int call(H hook, A a, B b);
    }

    /**
     * As {@link #callHook(String, int, long, long, String, IntSupplier)}, for the hooks of the
     * mmap path, which run on every mmap: {@code call.call(h, a, b)} allocates nothing.
     */
    <H, A, B> int callHook(String hook, int pid, long start, long end, String path, HookCall<H, A, B> call, H h, A a,
            B b) {
        int ret;
        try {
            ret = call.call(h, a, b);
        } catch (MmException e) {
            return e.negative();
        } catch (RuntimeException e) {
            violations.report(ContractViolation.HOOK_THREW, pid, start, end, path,
                    hook + " threw " + e + " instead of returning an errno");
            return Errno.EINVAL.negative();
        }
        if (ret == 0) {
            return 0;
        }
        if (ret > 0 || Errno.ofNumber(-ret) == null) {
            violations.report(ContractViolation.INVALID_HOOK_RETURN, pid, start, end, path,
                    hook + " returned " + ret + ", which is neither 0 nor a known negative errno");
            return Errno.EINVAL.negative();
        }
        return ret;
    }

    /**
     * Calls a hook that returns nothing, catching what it throws.
     */
    void callVoidHook(String hook, int pid, long start, long end, String path, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            violations.report(ContractViolation.HOOK_THREW, pid, start, end, path, hook + " threw " + e);
        }
    }
}
