package org.vfsgi.mm.core.shmem;

import java.util.Objects;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.core.SharedAnonymousBacking;
import org.vfsgi.mm.core.Vma;
import org.vfsgi.mm.core.vfs.Mount;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.VfsFile;

/**
 * The shmem subsystem of one platform ({@code shmem_init}): a kernel-internal tmpfs mount
 * ({@code shm_mnt}, unlimited) holding unlinked shmem files, {@link #fileSetup} to make one
 * ({@code shmem_file_setup}), and the backing of shared anonymous memory
 * ({@code shmem_zero_setup}) that the mmap path calls through {@link SharedAnonymousBacking}.
 * Install it with {@code kernel.setSharedAnonymous(shmem)}.
 */
public final class Shmem implements SharedAnonymousBacking {
    /** The name {@code shmem_zero_setup} gives its files; {@code /proc/PID/maps} shows {@code /dev/zero (deleted)}. */
    public static final String ZERO_NAME = "dev/zero";

    private static final System.Logger LOG = System.getLogger(Shmem.class.getName());

    private final Vfs vfs;
    private final Mount shmMnt;
    private final ShmemSuperBlock sb;

    /**
     * Mounts the internal tmpfs instance ({@code kern_mount(&shmem_fs_type)}).
     *
     * @param vfs the VFS whose page caches back the files
     */
    public Shmem(Vfs vfs) {
        this.vfs = Objects.requireNonNull(vfs, "vfs");
        this.shmMnt = vfs.kernMount(new Tmpfs(vfs.ram()), "size=0,nr_inodes=0");
        this.sb = (ShmemSuperBlock) shmMnt.superBlock();
        LOG.log(System.Logger.Level.DEBUG, "shm_mnt is {0}", shmMnt);
    }

    /** @return the internal mount ({@code shm_mnt}) */
    public Mount mount() {
        return shmMnt;
    }

    /**
     * {@code shmem_file_setup(name, size, flags)}: an unlinked shmem file of {@code size}
     * bytes, open for reading and writing. It lives until it is closed and no longer mapped.
     *
     * @param name the name shown as {@code /NAME (deleted)}, without a leading slash
     * @param size the size in bytes
     * @return the open file
     * @throws MmException EINVAL for a negative or too large size or a bad name
     */
    public VfsFile fileSetup(String name, long size) {
        if (name == null || name.isEmpty() || name.startsWith("/")) {
            throw new MmException(Errno.EINVAL, "shmem_file_setup", "bad shmem file name '" + name + "'");
        }
        if (size < 0 || size > Long.MAX_VALUE - ShmemSuperBlock.PAGE) {
            throw new MmException(Errno.EINVAL, "shmem_file_setup", "bad shmem file size " + size);
        }
        ShmemInode inode = sb.newInode(FileType.REGULAR, 0777, null);
        inode.written(size); // i_size_write without data: the whole file is a hole
        // nlink stays 0: the file has no name, and the VFS evicts it after its last close.
        return vfs.openInode(shmMnt, inode, Fcntl.O_RDWR, "/" + name + " (deleted)");
    }

    /**
     * {@code shmem_zero_setup}: backs a new shared anonymous VMA with an unlinked shmem file of
     * its size, so that fork children share its pages.
     *
     * @param vma the VMA, allocated but not inserted
     * @return {@code 0} or a negative errno
     */
    @Override
    public int shmemZeroSetup(Vma vma) {
        try {
            VfsFile file = fileSetup(ZERO_NAME, vma.end() - vma.start());
            vma.setFile(file); // vma_set_file takes the VMA's own reference
            file.fput(); // so the setup's reference goes: the file lives as long as it is mapped
            vma.setVmOps(ShmemFile.ANON_VM_OPS);
            return 0;
        } catch (MmException e) {
            return e.negative();
        }
    }

    /**
     * {@code shmem_zero_setup_desc}: the same for a driver's {@code mmap_prepare} (shared
     * {@code /dev/zero}): substitutes a shmem file for the descriptor's {@code vm_file}.
     *
     * @param desc the descriptor
     * @return {@code 0} or a negative errno
     */
    public int zeroSetupDesc(VmAreaDesc desc) {
        try {
            VfsFile file = fileSetup(ZERO_NAME, desc.size());
            desc.setVmFile(file);
            desc.setVmOps(ShmemFile.ANON_VM_OPS);
            return 0;
        } catch (MmException e) {
            return e.negative();
        }
    }
}
