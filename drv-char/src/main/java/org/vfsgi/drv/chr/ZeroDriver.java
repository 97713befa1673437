package org.vfsgi.drv.chr;

import java.nio.ByteBuffer;
import org.osgi.service.component.annotations.Component;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.File;
import org.vfsgi.vfs.FileOperations;

/**
 * {@code /dev/zero} (character device 1:5), after {@code drivers/char/mem.c}: reads give zeros,
 * writes vanish, and a mapping is fresh zeroed memory.
 *
 * <p>{@code mmap_zero_prepare} is the one legitimate user of two descriptor features: a shared
 * mapping gets a new shmem file substituted as its {@code vm_file}
 * ({@code shmem_zero_setup_desc}, {@link VmAreaDesc#shmemZeroSetup}), so that fork children share
 * its pages; a private mapping sets no VM operations at all ({@code vma_desc_set_anonymous},
 * {@link VmAreaDesc#setAnonymous}), so the VMA becomes anonymous memory while its
 * {@code vm_file} stays {@code /dev/zero}.
 */
@Component(service = CharDevice.class, property = {CharDevice.NAME + "=zero", CharDevice.MAJOR + ":Integer=1",
    CharDevice.MINOR + ":Integer=5"})
public final class ZeroDriver implements CharDevice {
    private final FileOperations fops = FileOperations.builder().name("zero_fops").mmapPrepare(ZeroDriver::mmapPrepare)
            .read(ZeroDriver::read).write((f, src, pos) -> {
                int n = src.remaining();
                src.position(src.limit()); // write_null: accepted and dropped
                return n;
            }).build();

    /** Creates the driver; it has no state. */
    public ZeroDriver() {
        // stateless: every mapping is backed by its own shmem file or by anonymous memory
    }

    @Override
    public FileOperations fileOperations() {
        return fops;
    }

    /** {@code mmap_zero_prepare}. */
    static int mmapPrepare(VmAreaDesc desc) {
        if (desc.flagsTest(VmaFlag.SHARED)) {
            return desc.shmemZeroSetup();
        }
        desc.setAnonymous();
        return 0;
    }

    /** {@code read_zero}. */
    static long read(File file, ByteBuffer dst, long pos) {
        int n = dst.remaining();
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
        return n;
    }
}
