package org.vfsgi.fs.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vfsgi.fs.overlay.OverlayFixture.PAGE;
import static org.vfsgi.fs.overlay.OverlayFixture.expect;
import static org.vfsgi.fs.overlay.OverlayFixture.pattern;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.vfs.Fcntl;

/**
 * A lower file whose file system has {@code mmap_prepare}, {@code mmap_complete} and
 * {@code mmap_abort}: under an overlay in either mode exactly one of complete and abort runs
 * after a successful prepare (the pairing promise of contract 2.1), each with the real file and
 * the context its prepare set, and a mapping that fails leaves no reference on any file.
 */
class OverlayLowerHooksTest {
    private final OverlayFixture fx = new OverlayFixture();
    private final byte[] data = pattern(2 * PAGE, 11);
    private final HookCountingFs hookfs = new HookCountingFs(Map.of("f", data));

    private int openThroughOverlay(MmapMode mode) {
        fx.vfs.registerFileSystem(hookfs);
        fx.vfs.mkdir("/hk", 0755);
        fx.vfs.mount("none", "/hk", HookCountingFs.NAME, "ro");
        fx.mountOverlay("lowerdir=/hk:/l2,mmap=" + mode.optionValue());
        return fx.proc.open("/merged/f", Fcntl.O_RDONLY, 0);
    }

    @ParameterizedTest
    @EnumSource(MmapMode.class)
    void theRealFilesPrepareAndCompleteRunOnceWithItsContext(MmapMode mode) {
        int fd = openThroughOverlay(mode);
        long a = fx.proc.mmap(0, 2 * PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
        assertArrayEquals(data, fx.proc.readMemory(a, 2 * PAGE), "served by the lower file's page cache");
        assertEquals(List.of("prepare /hk/f", "complete /hk/f " + HookCountingFs.CONTEXT), hookfs.calls);
        fx.proc.munmap(a, 2 * PAGE);
        fx.proc.close(fd);
        assertEquals(0, fx.vfs.openFileCount());
    }

    @Test
    void readAndFsyncOfAnOverlayFileRunTheRealFilesHooks() {
        int fd = openThroughOverlay(MmapMode.LEGACY);
        assertArrayEquals(Arrays.copyOfRange(data, 100, 140), fx.proc.pread(fd, 40, 100));
        fx.proc.fsync(fd);
        assertEquals(List.of("read /hk/f @100", "fsync /hk/f"), hookfs.calls);
        fx.proc.close(fd);
    }

    @ParameterizedTest
    @EnumSource(MmapMode.class)
    void aFailureAfterTheRealPrepareAbortsItOnceAndLeaksNoReference(MmapMode mode) {
        int fd = openThroughOverlay(mode);
        fx.kernel.faultInjection().arm(InjectionPoint.AFTER_PREPARE, 1, Errno.ENOMEM);
        expect(Errno.ENOMEM, () -> fx.proc.mmap(0, 2 * PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0));
        assertEquals(List.of("prepare /hk/f", "abort /hk/f " + HookCountingFs.CONTEXT), hookfs.calls);
        assertEquals("", fx.proc.maps());
        fx.proc.close(fd);
        assertEquals(0, fx.vfs.openFileCount(), "no VMA or descriptor kept a layer file open");
    }
}
