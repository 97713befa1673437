package org.vfsgi.mm.core;

import java.util.ArrayList;
import java.util.List;
import org.vfsgi.mm.ReverseMap;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.Inode;

/** Fakes of the VFS types and a recorder of hook calls, the way tools/testing/vma fakes kernel objects. */
final class Fakes {
    private Fakes() {
    }

    static final long PAGE = 0x1000;

    /** An inode with a platform reverse map. */
    static final class TestInode implements Inode {
        final int major;
        final int minor;
        final long ino;
        long size;
        final FileRmap rmap = new FileRmap();

        TestInode(int major, int minor, long ino, long size) {
            this.major = major;
            this.minor = minor;
            this.ino = ino;
            this.size = size;
        }

        @Override
        public int deviceMajor() {
            return major;
        }

        @Override
        public int deviceMinor() {
            return minor;
        }

        @Override
        public long ino() {
            return ino;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public ReverseMap reverseMap() {
            return rmap;
        }
    }

    /** An open file. */
    static class TestFile implements File {
        final TestInode inode;
        final FileOperations fop;
        final boolean read;
        final boolean write;
        final String path;
        Object privateData;

        TestFile(TestInode inode, FileOperations fop, boolean read, boolean write, String path) {
            this.inode = inode;
            this.fop = fop;
            this.read = read;
            this.write = write;
            this.path = path;
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
            return read;
        }

        @Override
        public boolean canWrite() {
            return write;
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
            return path;
        }
    }

    /**
     * Records every hook call as a string ("prepare", "complete [0,3000)", "close [..)") so tests
     * can assert order, and builds hook tables that log into it.
     */
    static final class Recorder {
        final List<String> calls = new ArrayList<>();

        VmOperations vmOps(boolean withClose, boolean withOpen, boolean withMapped) {
            VmOperations.Builder b = VmOperations.builder().name("test_vm_ops");
            if (withClose) {
                b.close(v -> calls.add("close " + range(v.start(), v.end())));
            }
            if (withOpen) {
                b.open(v -> calls.add("open " + range(v.start(), v.end())));
            }
            if (withMapped) {
                b.mapped((s, e, pg, f, pd) -> {
                    calls.add("mapped " + range(s, e) + " pgoff " + pg);
                    return 0;
                });
            }
            return b.build();
        }

        /** A file system using mmap_prepare that installs {@code ops}, plus complete and abort. */
        FileOperations prepareFop(VmOperations ops, boolean withCompleteAbort) {
            FileOperations.Builder b = FileOperations.builder().name("testfs_fops").mmapPrepare(d -> {
                calls.add("prepare " + range(d.start(), d.end()) + " pgoff " + d.pgoff());
                d.setVmOps(ops);
                d.setPrivateData("pd");
                d.setContext("ctx");
                return 0;
            });
            if (withCompleteAbort) {
                b.mmapComplete((f, v, ctx) -> {
                    calls.add("complete " + range(v.start(), v.end()) + " ctx " + ctx);
                    return 0;
                }).mmapAbort((f, pd, ctx) -> calls.add("abort pd " + pd + " ctx " + ctx));
            }
            return b.build();
        }

        long count(String prefix) {
            return calls.stream().filter(c -> c.startsWith(prefix)).count();
        }
    }

    static String range(long s, long e) {
        return "[" + Long.toHexString(s) + "," + Long.toHexString(e) + ")";
    }

    /** A kernel whose address space starts at 0, like the kernel's VMA tests. */
    static Kernel lowKernel() {
        return new Kernel(KernelConfig.builder().mmapMinAddr(0).build());
    }

    static TestFile file(FileOperations fop) {
        return new TestFile(new TestInode(8, 1, 12, 1 << 20), fop, true, true, "/data/file");
    }

    /** Asserts one VMA's fields. */
    static void assertVma(Vma v, long start, long end, long pgoff) {
        org.junit.jupiter.api.Assertions.assertNotNull(v, "expected a VMA at " + range(start, end));
        org.junit.jupiter.api.Assertions.assertEquals(start, v.start(), "start of " + v);
        org.junit.jupiter.api.Assertions.assertEquals(end, v.end(), "end of " + v);
        org.junit.jupiter.api.Assertions.assertEquals(pgoff, v.pgoff(), "pgoff of " + v);
    }

    static VmaFlags withoutSticky(VmaFlags f) {
        return f.clearMask(VmaFlags.STICKY);
    }
}
