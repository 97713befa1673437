package org.vfsgi.mm.core;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.vfsgi.mm.ReverseMap;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.vfs.AddressSpaceOperations;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.Inode;

/**
 * A file on a fake disk for the fault-path tests: an inode whose address-space operations read
 * and write a map of pages, counting every page I/O (test fields {@link #reads},
 * {@link #writes}, {@link #failWrites}), and an open file whose {@code mmap_prepare} installs
 * {@link #vmOps}.
 */
final class DiskFile implements File {
    static final int PAGE = 4096;

    /** The inode: size, reverse map, pages on "disk". */
    static final class DiskInode implements Inode {
        final FileRmap rmap = new FileRmap();
        final Map<Long, byte[]> disk = new HashMap<>();
        long size;
        int reads;
        int writes;
        boolean failWrites;
        /** When set, readPage throws it: a file system breaking the IOException-only contract. */
        RuntimeException readBug;
        final boolean memoryOnly;

        DiskInode(long size, boolean memoryOnly) {
            this.size = size;
            this.memoryOnly = memoryOnly;
        }

        @Override
        public int deviceMajor() {
            return 8;
        }

        @Override
        public int deviceMinor() {
            return 1;
        }

        @Override
        public long ino() {
            return 42;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public ReverseMap reverseMap() {
            return rmap;
        }

        @Override
        public AddressSpaceOperations addressSpaceOperations() {
            if (memoryOnly) {
                return null;
            }
            return new AddressSpaceOperations() {
                @Override
                public int readPage(long index, byte[] buf) {
                    reads++;
                    if (readBug != null) {
                        throw readBug;
                    }
                    byte[] p = disk.get(index);
                    if (p == null) {
                        return 0;
                    }
                    System.arraycopy(p, 0, buf, 0, PAGE);
                    return PAGE;
                }

                @Override
                public void writePage(long index, byte[] buf, int len) throws IOException {
                    writes++;
                    if (failWrites) {
                        throw new IOException("disk on fire at page " + index);
                    }
                    byte[] p = disk.computeIfAbsent(index, i -> new byte[PAGE]);
                    System.arraycopy(buf, 0, p, 0, len);
                }
            };
        }

        /** Puts bytes on the disk directly, as if written before the test. */
        void store(long pos, byte[] bytes) {
            for (int i = 0; i < bytes.length; i++) {
                long p = pos + i;
                disk.computeIfAbsent(p / PAGE, x -> new byte[PAGE])[(int) (p % PAGE)] = bytes[i];
            }
        }

        /** Reads bytes from the disk directly. */
        byte[] onDisk(long pos, int len) {
            byte[] out = new byte[len];
            for (int i = 0; i < len; i++) {
                long p = pos + i;
                byte[] page = disk.get(p / PAGE);
                out[i] = page == null ? 0 : page[(int) (p % PAGE)];
            }
            return out;
        }
    }

    final DiskInode inode;
    VmOperations vmOps = VmOperations.builder().name("diskfs_vm_ops").build();
    private final FileOperations fop;
    private Object privateData;

    DiskFile(DiskInode inode) {
        this.inode = inode;
        this.fop = FileOperations.builder().name("diskfs_fops").mmapPrepare(d -> {
            d.setVmOps(vmOps);
            return 0;
        }).build();
    }

    /** A file of {@code inode} with the given file operations (a driver's, for example). */
    DiskFile(DiskInode inode, FileOperations fop) {
        this.inode = inode;
        this.fop = fop;
    }

    @Override
    public Inode inode() {
        return inode;
    }

    @Override
    public FileOperations fileOperations() {
        return fop;
    }

    @Override
    public boolean canRead() {
        return true;
    }

    @Override
    public boolean canWrite() {
        return true;
    }

    @Override
    public Object privateData() {
        return privateData;
    }

    @Override
    public void setPrivateData(Object data) {
        privateData = data;
    }

    @Override
    public String path() {
        return "/disk/file";
    }
}
