package org.vfsgi.mm.core.shmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.bytes;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmFault;
import org.vfsgi.mm.VmFaultResult;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.VmAreaDescImpl;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.mm.core.vfs.VfsFixture;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.VfsFile;

/**
 * shmem: {@code shmem_file_setup}, {@code shmem_zero_setup} through the real mmap path,
 * tmpfs {@code mmap_prepare} on the core's descriptor and through {@code Process.mmap}, and
 * {@code shmem_fault} delivering page-cache pages.
 */
class ShmemTest {
    private static final int PAGE = 4096;
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;
    private final Shmem shmem = new Shmem(vfs);
    private final Kernel kernel = new Kernel();
    private final Process proc;

    ShmemTest() {
        kernel.setSharedAnonymous(shmem);
        proc = kernel.spawn();
    }

    /** A fault that records the page {@code shmem_fault} hands over through {@link VmFault#setPage}. */
    private static final class TestFault implements VmFault {
        final VmArea vma;
        final long pgoff;
        long page = -1;

        TestFault(VmArea vma, long pgoff) {
            this.vma = vma;
            this.pgoff = pgoff;
        }

        @Override
        public VmArea vma() {
            return vma;
        }

        @Override
        public long address() {
            return vma.start() + (pgoff - vma.pgoff()) * PAGE;
        }

        @Override
        public long pgoff() {
            return pgoff;
        }

        @Override
        public boolean isWrite() {
            return false;
        }

        @Override
        public void setPage(long pfn) {
            page = pfn;
        }
    }

    private String frame(long pfn, int len) {
        byte[] b = new byte[len];
        fx.ram.read(pfn, 0, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void fileSetupMakesAnUnlinkedSizedReadWriteFile() {
        long inodes = shmem.mount().superBlock().statfs().files();
        VfsFile f = shmem.fileSetup("SYSV00000001", 3 * PAGE);
        assertEquals("/SYSV00000001 (deleted)", f.path());
        assertTrue(f.canRead() && f.canWrite());
        assertEquals(3 * PAGE, f.inode().size());
        assertEquals(0, vfs.fstat(f).attributes().nlink());
        assertEquals(0, f.inode().deviceMajor());
        assertNotEquals(vfs.stat("/").device(), vfs.fstat(f).device(), "shm_mnt has its own anonymous device");
        assertSame(ShmemFile.FILE_OPERATIONS, f.fileOperations());
        ByteBuffer b = ByteBuffer.allocate(3 * PAGE);
        assertEquals(3 * PAGE, vfs.pread(f, b, 0), "a new shmem file reads as zeros");
        assertEquals(0, f.mapping().cachedPages());
        vfs.pwrite(f, bytes("shm"), PAGE);
        long used = fx.ram.usedFrames();
        vfs.close(f);
        assertEquals(used - 1, fx.ram.usedFrames(), "the last close frees an unlinked shmem file");
        assertEquals(inodes, shmem.mount().superBlock().statfs().files());
        expect(Errno.EINVAL, () -> shmem.fileSetup("x", -1));
        expect(Errno.EINVAL, () -> shmem.fileSetup("/abs", 1));
        assertTrue(vfs.mounts().stream().noneMatch(m -> m.type().equals("tmpfs") && m.source().equals("none")
                && !m.mountpoint().startsWith("/")), "shm_mnt is not in the namespace");
        assertEquals(2, vfs.mounts().size());
    }

    @Test
    void sharedAnonymousMmapIsBackedByADevZeroShmemFile() {
        long addr = proc.mmap(0, 2 * PAGE, RW, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS, null, 0);
        VmArea vma = proc.mm().findVma(addr);
        assertEquals("/dev/zero (deleted)", vma.file().path());
        assertSame(ShmemFile.ANON_VM_OPS, vma.vmOps());
        assertEquals(2 * PAGE, vma.file().inode().size());
        assertEquals(1, vma.file().inode().reverseMap().mappingCount(), "the VMA is linked into the file's rmap");
        assertTrue(proc.maps().contains("/dev/zero (deleted)"), proc.maps());
        TestFault vmf = new TestFault(vma, 1);
        assertEquals(VmFaultResult.PAGE, vma.vmOps().fault().fault(vmf));
        assertEquals("\0\0\0", frame(vmf.page, 3), "shared anonymous memory starts zeroed");
        fx.ram.put(vmf.page);
        assertEquals(VmFaultResult.SIGBUS, vma.vmOps().fault().fault(new TestFault(vma, 2)), "beyond the object");
        long priv = proc.mmap(0, PAGE, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0);
        assertEquals(null, proc.mm().findVma(priv).file(), "private anonymous memory stays without a file");
    }

    @Test
    void mmapOfATmpfsFileRunsItsMmapPrepareAndShowsDeviceAndInode() {
        fx.writeFile("/mnt/data", "mapped bytes");
        VfsFile f = vfs.open("/mnt/data", Fcntl.O_RDWR, 0);
        long addr = proc.mmap(0, PAGE, RW, Mman.MAP_SHARED, f, 0);
        VmArea vma = proc.mm().findVma(addr);
        assertSame(ShmemFile.VM_OPS, vma.vmOps(), "tmpfs mmap_prepare set shmem_vm_ops");
        assertSame(f, vma.file());
        String line = proc.maps().lines().filter(l -> l.endsWith("/mnt/data")).findFirst().orElseThrow();
        assertTrue(line.contains(" 00:02 " + f.inode().ino() + " "), line);
        TestFault vmf = new TestFault(vma, 0);
        assertEquals(VmFaultResult.PAGE, vma.vmOps().fault().fault(vmf));
        assertEquals("mapped bytes", frame(vmf.page, 12), "the fault supplies the page-cache page");
        assertEquals(2, fx.ram.refCount(vmf.page), "one reference for the cache, one for the new mapping");
        fx.ram.put(vmf.page); // no page table took the mapping's reference in this test
        vfs.close(f);
    }

    @Test
    void mmapChecksUseTheOpenFilesAccessMode() {
        fx.writeFile("/mnt/ro", "x");
        VfsFile r = vfs.open("/mnt/ro", Fcntl.O_RDONLY, 0);
        expect(Errno.EACCES, () -> proc.mmap(0, PAGE, RW, Mman.MAP_SHARED, r, 0));
        proc.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, r, 0);
        VfsFile w = vfs.open("/mnt/ro", Fcntl.O_WRONLY, 0);
        expect(Errno.EACCES, () -> proc.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_PRIVATE, w, 0));
        vfs.close(r);
        vfs.close(w);
    }

    @Test
    void mmapPrepareFillsTheCoresDescriptor() {
        fx.writeFile("/mnt/d", "x");
        VfsFile f = vfs.open("/mnt/d", Fcntl.O_RDWR, 0);
        VmaFlags flags = VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.SHARED, VmaFlag.MAYREAD, VmaFlag.MAYWRITE,
                VmaFlag.MAYSHARE);
        VmAreaDescImpl desc = new VmAreaDescImpl(proc.mm(), f, 0x10000, 0x11000, 0, f, flags,
                PageProt.of(true, true, false, PageProt.CacheMode.WRITE_BACK, false));
        assertEquals(0, f.fileOperations().mmapPrepare().mmapPrepare(desc));
        assertSame(ShmemFile.VM_OPS, desc.vmOps());
        assertEquals(flags, desc.flags(), "flags untouched");
        assertEquals(0, desc.pgoff());
        VmAreaDescImpl foreign = new VmAreaDescImpl(proc.mm(), null, 0x10000, 0x11000, 0, null, flags, PageProt.NONE);
        assertEquals(Errno.ENODEV.negative(), ShmemFile.FILE_OPERATIONS.mmapPrepare().mmapPrepare(foreign));
        vfs.close(f);
    }

    @Test
    void zeroSetupDescSubstitutesAShmemFileForDevZero() {
        fx.writeFile("/mnt/zero", "");
        VfsFile devZero = vfs.open("/mnt/zero", Fcntl.O_RDWR, 0);
        VmAreaDescImpl desc = new VmAreaDescImpl(proc.mm(), devZero, 0x20000, 0x24000, 0, devZero,
                VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.SHARED, VmaFlag.MAYSHARE), PageProt.NONE);
        assertEquals(0, shmem.zeroSetupDesc(desc));
        assertEquals("/dev/zero (deleted)", desc.vmFile().path());
        assertEquals(4 * PAGE, desc.vmFile().inode().size());
        assertSame(ShmemFile.ANON_VM_OPS, desc.vmOps());
        assertSame(devZero, desc.file(), "the driver's own file is unchanged");
        vfs.close(devZero);
    }

    @Test
    void faultFailuresAreSigbus() {
        vfs.mkdir("/mnt/tiny", 0755);
        vfs.mount("none", "/mnt/tiny", "tmpfs", "size=4k");
        VfsFile f = vfs.open("/mnt/tiny/f", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        vfs.ftruncate(f, 2 * PAGE);
        long addr = proc.mmap(0, 2 * PAGE, RW, Mman.MAP_SHARED, f, 0);
        VmArea vma = proc.mm().findVma(addr);
        TestFault first = new TestFault(vma, 0);
        assertEquals(VmFaultResult.PAGE, vma.vmOps().fault().fault(first));
        assertEquals(VmFaultResult.SIGBUS, vma.vmOps().fault().fault(new TestFault(vma, 1)),
                "the second page is over size=4k (ENOSPC)");
        VmFault noSink = new VmFault() {
            @Override
            public VmArea vma() {
                return vma;
            }

            @Override
            public long address() {
                return vma.start();
            }

            @Override
            public long pgoff() {
                return 0;
            }

            @Override
            public boolean isWrite() {
                return false;
            }
        };
        assertEquals(VmFaultResult.SIGBUS, vma.vmOps().fault().fault(noSink), "a fault that cannot take a page");
        fx.ram.put(first.page); // the mapping's reference, which no page table took in this test
        vfs.close(f);
    }
}
