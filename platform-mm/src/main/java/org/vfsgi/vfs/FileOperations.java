package org.vfsgi.vfs;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmAreaDesc;

/**
 * The operations of an open file ({@code struct file_operations}): an immutable table of
 * optional hooks, built with {@link #builder()}. A hook that is not set is {@code null}; the
 * platform's rules depend on presence (exactly one of {@code mmap} and {@code mmap_prepare},
 * {@code mmap_complete} only with {@code mmap_prepare}, {@code mmap_abort} only with both).
 *
 * <p>Every hook reports errors the kernel way: {@code 0} (or a non-negative count or
 * position) for success, a negative errno ({@link org.vfsgi.mm.Errno#negative()}) for failure.
 * File systems and drivers build these tables; the platform calls them.
 */
@ConsumerType
public final class FileOperations {

    /** Legacy {@code mmap(file, vma)} (deprecated): runs on an allocated VMA not yet in the tree. */
    @FunctionalInterface
    @ConsumerType
    public interface Mmap {
        /**
         * @param file the file being mapped
         * @param vma the new VMA, not yet inserted
         * @return {@code 0} or a negative errno
         */
        int mmap(File file, VmArea vma);
    }

    /** {@code mmap_prepare(desc)}: fills the descriptor before any merge; must be stateless. */
    @FunctionalInterface
    @ConsumerType
    public interface MmapPrepare {
        /**
         * @param desc the descriptor
         * @return {@code 0} or a negative errno
         */
        int mmapPrepare(VmAreaDesc desc);
    }

    /** {@code mmap_complete(file, vma, context)}: the mapping is established; mmap and VMA write locks held. */
    @FunctionalInterface
    @ConsumerType
    public interface MmapComplete {
        /**
         * @param file the mapped file
         * @param vma the new or merged VMA
         * @param context what {@code mmap_prepare} set with {@link VmAreaDesc#setContext}
         * @return {@code 0} or a negative errno (which unmaps the VMA)
         */
        int mmapComplete(File file, VmArea vma, Object context);
    }

    /** {@code mmap_abort(file, vm_private_data, context)}: the mapping failed after a successful prepare. */
    @FunctionalInterface
    @ConsumerType
    public interface MmapAbort {
        /**
         * @param file the file
         * @param privateData what {@code mmap_prepare} set as private data
         * @param context what {@code mmap_prepare} set as context
         */
        void mmapAbort(File file, Object privateData, Object context);
    }

    /** {@code get_unmapped_area(file, addr, len, pgoff, flags)}. */
    @FunctionalInterface
    @ConsumerType
    public interface GetUnmappedArea {
        /**
         * @param file the file
         * @param addr the hint, or 0
         * @param len the page-aligned length
         * @param pgoff the file offset in pages
         * @param flags the {@code MAP_*} flags
         * @return a page-aligned address, or a negative errno
         */
        long getUnmappedArea(File file, long addr, long len, long pgoff, int flags);
    }

    /** {@code open(inode, file)} and {@code release(inode, file)}. */
    @FunctionalInterface
    @ConsumerType
    public interface OpenRelease {
        /**
         * @param inode the inode
         * @param file the file
         * @return {@code 0} or a negative errno
         */
        int apply(Inode inode, File file);
    }

    /** {@code read} and {@code write}: transfer bytes at a position. */
    @FunctionalInterface
    @ConsumerType
    public interface ReadWrite {
        /**
         * @param file the file
         * @param buffer the bytes to fill (read) or to take (write), from its position to its limit
         * @param pos the file position
         * @return the number of bytes transferred, or a negative errno
         */
        long transfer(File file, ByteBuffer buffer, long pos);
    }

    /** {@code fsync(file, start, end, datasync)}. */
    @FunctionalInterface
    @ConsumerType
    public interface Fsync {
        /**
         * @param file the file
         * @param start first byte
         * @param end last byte, inclusive
         * @param datasync whether only data (not metadata) must reach storage
         * @return {@code 0} or a negative errno
         */
        int fsync(File file, long start, long end, boolean datasync);
    }

    /** {@code llseek(file, offset, whence)}. */
    @FunctionalInterface
    @ConsumerType
    public interface Llseek {
        /**
         * @param file the file
         * @param offset the offset
         * @param whence {@code SEEK_SET} (0), {@code SEEK_CUR} (1) or {@code SEEK_END} (2)
         * @return the new position, or a negative errno
         */
        long llseek(File file, long offset, int whence);
    }

    private final String name;
    private final Mmap mmap;
    private final MmapPrepare mmapPrepare;
    private final MmapComplete mmapComplete;
    private final MmapAbort mmapAbort;
    private final GetUnmappedArea getUnmappedArea;
    private final OpenRelease open;
    private final OpenRelease release;
    private final ReadWrite read;
    private final ReadWrite write;
    private final Fsync fsync;
    private final Llseek llseek;
    private final Set<FopFlag> flags;

    private FileOperations(Builder b) {
        name = b.name;
        mmap = b.mmap;
        mmapPrepare = b.mmapPrepare;
        mmapComplete = b.mmapComplete;
        mmapAbort = b.mmapAbort;
        getUnmappedArea = b.getUnmappedArea;
        open = b.open;
        release = b.release;
        read = b.read;
        write = b.write;
        fsync = b.fsync;
        llseek = b.llseek;
        flags = Collections.unmodifiableSet(b.flags.isEmpty() ? EnumSet.noneOf(FopFlag.class) : EnumSet.copyOf(b.flags));
    }

    /** @return a builder with no hooks */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder preset with this table's hooks and flags */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.mmap = mmap;
        b.mmapPrepare = mmapPrepare;
        b.mmapComplete = mmapComplete;
        b.mmapAbort = mmapAbort;
        b.getUnmappedArea = getUnmappedArea;
        b.open = open;
        b.release = release;
        b.read = read;
        b.write = write;
        b.fsync = fsync;
        b.llseek = llseek;
        b.flags.addAll(flags);
        return b;
    }

    /** @return the table's name for traces, for example {@code "ext4_file_operations"} */
    public String name() {
        return name;
    }

    /** @return the legacy mmap hook, or null */
    public Mmap mmap() {
        return mmap;
    }

    /** @return the mmap_prepare hook, or null */
    public MmapPrepare mmapPrepare() {
        return mmapPrepare;
    }

    /** @return the mmap_complete hook, or null */
    public MmapComplete mmapComplete() {
        return mmapComplete;
    }

    /** @return the mmap_abort hook, or null */
    public MmapAbort mmapAbort() {
        return mmapAbort;
    }

    /** @return the get_unmapped_area hook, or null */
    public GetUnmappedArea getUnmappedArea() {
        return getUnmappedArea;
    }

    /** @return the open hook, or null */
    public OpenRelease open() {
        return open;
    }

    /** @return the release hook, or null */
    public OpenRelease release() {
        return release;
    }

    /** @return the read hook, or null */
    public ReadWrite read() {
        return read;
    }

    /** @return the write hook, or null */
    public ReadWrite write() {
        return write;
    }

    /** @return the fsync hook, or null */
    public Fsync fsync() {
        return fsync;
    }

    /** @return the llseek hook, or null */
    public Llseek llseek() {
        return llseek;
    }

    /** @return the {@code fop_flags}, unmodifiable */
    public Set<FopFlag> flags() {
        return flags;
    }

    /**
     * @param flag a flag
     * @return whether the table carries it
     */
    public boolean hasFlag(FopFlag flag) {
        return flags.contains(flag);
    }

    @Override
    public String toString() {
        return "FileOperations[" + name + "]";
    }

    /** Builds a {@link FileOperations} table; every hook is optional. */
    public static final class Builder {
        private String name = "file_operations";
        private Mmap mmap;
        private MmapPrepare mmapPrepare;
        private MmapComplete mmapComplete;
        private MmapAbort mmapAbort;
        private GetUnmappedArea getUnmappedArea;
        private OpenRelease open;
        private OpenRelease release;
        private ReadWrite read;
        private ReadWrite write;
        private Fsync fsync;
        private Llseek llseek;
        private final Set<FopFlag> flags = EnumSet.noneOf(FopFlag.class);

        private Builder() {
        }

        /**
         * @param n the table's name for traces, non-empty
         * @return this
         */
        public Builder name(String n) {
            if (n == null || n.isEmpty()) {
                throw new IllegalArgumentException("FileOperations name must be a non-empty string");
            }
            name = n;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder mmap(Mmap h) {
            mmap = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder mmapPrepare(MmapPrepare h) {
            mmapPrepare = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder mmapComplete(MmapComplete h) {
            mmapComplete = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder mmapAbort(MmapAbort h) {
            mmapAbort = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder getUnmappedArea(GetUnmappedArea h) {
            getUnmappedArea = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder open(OpenRelease h) {
            open = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder release(OpenRelease h) {
            release = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder read(ReadWrite h) {
            read = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder write(ReadWrite h) {
            write = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder fsync(Fsync h) {
            fsync = h;
            return this;
        }

        /**
         * @param h the hook, or null
         * @return this
         */
        public Builder llseek(Llseek h) {
            llseek = h;
            return this;
        }

        /**
         * @param f a flag to add, not null
         * @return this
         */
        public Builder flag(FopFlag f) {
            if (f == null) {
                throw new IllegalArgumentException("FopFlag must not be null");
            }
            flags.add(f);
            return this;
        }

        /** @return the immutable table */
        public FileOperations build() {
            return new FileOperations(this);
        }
    }
}
