package org.vfsgi.mm;

import org.osgi.annotation.versioning.ConsumerType;
import org.vfsgi.vfs.File;

/**
 * The VM operations of a VMA ({@code struct vm_operations_struct}): an immutable table of
 * optional hooks, built with {@link #builder()}. A hook that is not set is {@code null}, so the
 * platform can tell presence from behaviour, as the kernel does with function pointers.
 *
 * <p>Hooks report errors as {@code 0} or a negative errno ({@link Errno#negative()}).
 * Drivers and file systems build these tables; the platform calls them.
 */
@ConsumerType
public final class VmOperations {
    /** {@code vma_dummy_vm_ops}: no hooks at all. New VMAs and closed VMAs carry it. */
    public static final VmOperations DUMMY = builder().name("vma_dummy_vm_ops").build();

    /**
     * {@code filemap_fault}: the platform's generic fault handler for files whose data lives in
     * its page cache. A file system sets it as its {@code fault} hook, as the kernel's ext4 sets
     * {@code .fault = filemap_fault}; the platform recognises it and serves the fault from the
     * file's page cache itself, with readahead, and tracks the mapping's dirty pages like those
     * of any page-cache mapping ({@code page_mkwrite} on the first write, write-back
     * write-protecting the entries again). A fault hook of the file system's own would make the
     * platform take each page as the driver's, without that tracking.
     *
     * <p>Called directly (a stacking file system forwarding a fault), it takes the page from the
     * file's {@link org.vfsgi.vfs.FileMapping} and hands it over with {@link VmFault#setPage}:
     * {@link VmFaultResult#SIGBUS} beyond end of file, for a file the VFS did not open, or when
     * the page cannot be read; {@link VmFaultResult#OOM} when no frame is free.
     */
    public static final Fault FILEMAP_FAULT = VmOperations::filemapFault;

    /**
     * {@code filemap_map_pages}: the platform's generic fault-around for files whose data lives
     * in its page cache. A file system sets it as its {@code map_pages} hook, as the kernel's ext4
     * sets {@code .map_pages = filemap_map_pages}. On a read fault of a missing page the platform
     * then first maps, read-only, the pages of the fault-around window ({@code fault_around_bytes},
     * 64 KiB by default, aligned, clipped to the VMA, its page table and end of file) that are
     * already cached and up to date; only if the faulting page was not among them does it call
     * {@code fault}. Entries mapped this way are read-only even in a shared writable mapping, so a
     * first write still calls {@code page_mkwrite}.
     *
     * <p>A file system's own {@code map_pages} (one that takes a lock around the generic one, as
     * XFS does) calls this with the fault and window it was given.
     */
    public static final MapPages FILEMAP_MAP_PAGES = (vmf, startPgoff, endPgoff) -> vmf.mapCachedPages(startPgoff,
            endPgoff);

    /** {@code open(vma)}: a VMA was duplicated (split, mremap copy, fork); never on first mapping. */
    @FunctionalInterface
    @ConsumerType
    public interface Open {
        /** @param vma the new VMA */
        void open(VmArea vma);
    }

    /** {@code close(vma)}: the VMA is being removed; afterwards its ops become {@link #DUMMY}. */
    @FunctionalInterface
    @ConsumerType
    public interface Close {
        /** @param vma the VMA being removed */
        void close(VmArea vma);
    }

    /**
     * {@code mapped(start, end, pgoff, file, &private_data)}: the VMA was first established (not
     * on merge, split or fork). It gets no VMA, only these values, and may replace the private data.
     */
    @FunctionalInterface
    @ConsumerType
    public interface Mapped {
        /**
         * @param start start of the new VMA
         * @param end end of the new VMA
         * @param pgoff its file offset in pages
         * @param file its file ({@code vm_file})
         * @param privateData in/out: the VMA's private data
         * @return {@code 0}, or a negative errno that unmaps the VMA and fails the mmap
         */
        int mapped(long start, long end, long pgoff, File file, PrivateData privateData);
    }

    /** {@code may_split(vma, addr)}: veto a split. */
    @FunctionalInterface
    @ConsumerType
    public interface MaySplit {
        /**
         * @param vma the VMA to split
         * @param addr the split address
         * @return {@code 0} to allow, or a negative errno that aborts the split
         */
        int maySplit(VmArea vma, long addr);
    }

    /** {@code fault}, {@code page_mkwrite}, {@code pfn_mkwrite}: a page fault handler. */
    @FunctionalInterface
    @ConsumerType
    public interface Fault {
        /**
         * @param vmf the fault
         * @return the outcome
         */
        VmFaultResult fault(VmFault vmf);
    }

    /**
     * {@code map_pages(vmf, start_pgoff, end_pgoff)}: fault-around. Called on a read fault of a
     * missing page, before {@code fault}, to map pages of the file that need no I/O around the
     * faulting one. The generic implementation is {@link #FILEMAP_MAP_PAGES}.
     */
    @FunctionalInterface
    @ConsumerType
    public interface MapPages {
        /**
         * @param vmf the read fault; {@link VmFault#pgoff()} lies within the window
         * @param startPgoff the first file page of the window
         * @param endPgoff the last file page of the window (inclusive, as the kernel's)
         * @return {@link VmFaultResult#NOPAGE} if the faulting page is now mapped (the fault is
         *         done), {@link VmFaultResult#FALLBACK} if it is not (the platform calls
         *         {@code fault}), or {@link VmFaultResult#OOM}
         */
        VmFaultResult mapPages(VmFault vmf, long startPgoff, long endPgoff);
    }

    /** {@code huge_fault(vmf, order)}. */
    @FunctionalInterface
    @ConsumerType
    public interface HugeFault {
        /**
         * @param vmf the fault
         * @param order log2 of the number of pages wanted
         * @return the outcome
         */
        VmFaultResult hugeFault(VmFault vmf, int order);
    }

    /** {@code name(vma)}: the name shown in {@code /proc/PID/maps}. */
    @FunctionalInterface
    @ConsumerType
    public interface Name {
        /**
         * @param vma the VMA
         * @return the name, or null for none
         */
        String name(VmArea vma);
    }

    /** {@code pagesize(vma)}. */
    @FunctionalInterface
    @ConsumerType
    public interface PageSize {
        /**
         * @param vma the VMA
         * @return the page size the VMA is mapped with, in bytes
         */
        long pagesize(VmArea vma);
    }

    /**
     * The in/out private-data slot of {@link Mapped} (the kernel's {@code void **}).
     */
    public static final class PrivateData {
        private Object value;

        /** @param value the initial value, the VMA's current private data */
        public PrivateData(Object value) {
            this.value = value;
        }

        /** @return the current value */
        public Object get() {
            return value;
        }

        /** @param value the new value */
        public void set(Object value) {
            this.value = value;
        }
    }

    private final Open open;
    private final Close close;
    private final Mapped mapped;
    private final MaySplit maySplit;
    private final Fault fault;
    private final MapPages mapPages;
    private final HugeFault hugeFault;
    private final Fault pageMkwrite;
    private final Fault pfnMkwrite;
    private final Name name;
    private final PageSize pagesize;
    private final String label;

    private static VmFaultResult filemapFault(VmFault vmf) {
        File file = vmf.vma() == null ? null : vmf.vma().file();
        if (!(file instanceof org.vfsgi.vfs.VfsFile)) {
            return VmFaultResult.SIGBUS;
        }
        long index = vmf.pgoff();
        long size = file.inode().size();
        if (index < 0 || index >= (size + Mman.PAGE_SIZE - 1) >>> Mman.PAGE_SHIFT) {
            return VmFaultResult.SIGBUS;
        }
        long pfn;
        try {
            pfn = ((org.vfsgi.vfs.VfsFile) file).mapping().faultPage(index);
        } catch (MmException e) {
            return e.errno() == Errno.ENOMEM ? VmFaultResult.OOM : VmFaultResult.SIGBUS;
        }
        vmf.setPage(pfn);
        return VmFaultResult.PAGE;
    }

    private VmOperations(Builder b) {
        open = b.open;
        close = b.close;
        mapped = b.mapped;
        maySplit = b.maySplit;
        fault = b.fault;
        mapPages = b.mapPages;
        hugeFault = b.hugeFault;
        pageMkwrite = b.pageMkwrite;
        pfnMkwrite = b.pfnMkwrite;
        name = b.nameHook;
        pagesize = b.pagesize;
        label = b.label;
    }

    /** @return a builder with no hooks */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder preset with this table's hooks */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.open = open;
        b.close = close;
        b.mapped = mapped;
        b.maySplit = maySplit;
        b.fault = fault;
        b.mapPages = mapPages;
        b.hugeFault = hugeFault;
        b.pageMkwrite = pageMkwrite;
        b.pfnMkwrite = pfnMkwrite;
        b.nameHook = name;
        b.pagesize = pagesize;
        b.label = label;
        return b;
    }

    /** @return the open hook, or null */
    public Open open() {
        return open;
    }

    /** @return the close hook, or null */
    public Close close() {
        return close;
    }

    /** @return the mapped hook, or null */
    public Mapped mapped() {
        return mapped;
    }

    /** @return the may_split hook, or null */
    public MaySplit maySplit() {
        return maySplit;
    }

    /** @return the fault hook, or null */
    public Fault fault() {
        return fault;
    }

    /** @return the map_pages hook, or null */
    public MapPages mapPages() {
        return mapPages;
    }

    /** @return the huge_fault hook, or null */
    public HugeFault hugeFault() {
        return hugeFault;
    }

    /** @return the page_mkwrite hook, or null */
    public Fault pageMkwrite() {
        return pageMkwrite;
    }

    /** @return the pfn_mkwrite hook, or null */
    public Fault pfnMkwrite() {
        return pfnMkwrite;
    }

    /** @return the name hook, or null */
    public Name name() {
        return name;
    }

    /** @return the pagesize hook, or null */
    public PageSize pagesize() {
        return pagesize;
    }

    /** @return whether page_mkwrite or pfn_mkwrite is present ({@code vm_ops_needs_writenotify}) */
    public boolean needsWriteNotify() {
        return pageMkwrite != null || pfnMkwrite != null;
    }

    /** @return the label given at build time, for traces and messages */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return "VmOperations[" + label + "]";
    }

    /** Builds a {@link VmOperations} table; every hook is optional. */
    public static final class Builder {
        private Open open;
        private Close close;
        private Mapped mapped;
        private MaySplit maySplit;
        private Fault fault;
        private MapPages mapPages;
        private HugeFault hugeFault;
        private Fault pageMkwrite;
        private Fault pfnMkwrite;
        private Name nameHook;
        private PageSize pagesize;
        private String label = "vm_ops";

        private Builder() {
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder open(Open h) {
            open = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder close(Close h) {
            close = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder mapped(Mapped h) {
            mapped = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder maySplit(MaySplit h) {
            maySplit = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder fault(Fault h) {
            fault = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder mapPages(MapPages h) {
            mapPages = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder hugeFault(HugeFault h) {
            hugeFault = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder pageMkwrite(Fault h) {
            pageMkwrite = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder pfnMkwrite(Fault h) {
            pfnMkwrite = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder nameHook(Name h) {
            nameHook = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder pagesize(PageSize h) {
            pagesize = h;
            return this;
        }

        /**
         * @param l a label for traces, for example {@code "ext4_file_vm_ops"}, not null
         * @return this
         */
        public Builder name(String l) {
            if (l == null || l.isEmpty()) {
                throw new IllegalArgumentException("VmOperations label must be a non-empty string");
            }
            label = l;
            return this;
        }

        /** @return the immutable table */
        public VmOperations build() {
            return new VmOperations(this);
        }
    }
}
