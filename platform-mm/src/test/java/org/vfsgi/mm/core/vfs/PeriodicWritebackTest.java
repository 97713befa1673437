package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.bytes;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.VfsFile;

/** The flusher: dirty pages reach the file system without fsync, and errors stay for fsync. */
class PeriodicWritebackTest {
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;
    private final ProbeFs fs = new ProbeFs(FileOperations.builder().name("probe_fops")
            .write((file, buf, pos) -> {
                int n = ((VfsFile) file).mapping().write(pos, buf);
                ((ProbeFs.Node) ((VfsFile) file).fsInode()).grow(pos + n);
                return n;
            }).build());

    private VfsFile dirtyFile(String mountOptions) {
        vfs.registerFileSystem(fs);
        vfs.mkdir("/p", 0755);
        vfs.mount("none", "/p", "probe", mountOptions);
        VfsFile f = vfs.open("/p/file", Fcntl.O_RDWR, 0);
        vfs.write(f, bytes("dirty"));
        assertTrue(fs.file.disk.isEmpty(), "a write only dirties the page cache");
        return f;
    }

    private String onDisk() {
        byte[] page = fs.file.disk.get(0L);
        return page == null ? null : new String(page, 0, 5, StandardCharsets.UTF_8);
    }

    @Test
    void aRoundWritesDirtyPagesAndSyncsTheFileSystem() {
        VfsFile f = dirtyFile(null);
        assertEquals(List.of(), vfs.writebackAll());
        assertEquals("dirty", onDisk());
        assertTrue(fs.synced, "sync_fs after the pages, so metadata matches them");
        assertEquals(1, f.mapping().cachedPages(), "the page stays cached, now clean");
        vfs.close(f);
    }

    @Test
    void aFailedRoundIsReportedAndTheErrorStaysForTheFilesFsync() {
        VfsFile f = dirtyFile(null);
        fs.file.failWrites = true;
        List<String> failures = vfs.writebackAll();
        assertEquals(List.of("/p: 1 page(s) could not be written back"), failures);
        // errseq_t: background write-back recorded the error; the file's own fsync still sees it once
        expect(Errno.EIO, () -> vfs.fsync(f));
        vfs.fsync(f);
        vfs.close(f);
    }

    @Test
    void theTimerWritesBackWithoutAnyCall() throws InterruptedException {
        VfsFile f = dirtyFile(null);
        try (PeriodicWriteback flusher = new PeriodicWriteback(vfs, 5)) {
            long deadline = System.nanoTime() + 30_000_000_000L; // a bound for a stuck timer, not a timing assertion
            while (onDisk() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals("dirty", onDisk());
            assertTrue(flusher.rounds() >= 1);
        }
        vfs.close(f);
    }

    @Test
    void aFailingRoundDoesNotStopTheFlusher() {
        VfsFile f = dirtyFile(null);
        try (PeriodicWriteback flusher = new PeriodicWriteback(vfs, 3_600_000)) {
            fs.file.failWrites = true;
            flusher.runOnce();
            fs.file.failWrites = false;
            vfs.pwrite(f, bytes("again"), 0);
            flusher.runOnce();
            assertEquals(2, flusher.rounds());
            assertEquals("again", onDisk());
        }
        vfs.close(f);
    }

    @Test
    void readOnlyMountsAreNotSynced() {
        vfs.registerFileSystem(fs);
        vfs.mkdir("/p", 0755);
        vfs.mount("none", "/p", "probe", "ro");
        assertEquals(List.of(), vfs.writebackAll());
        assertFalse(fs.synced);
    }

    @Test
    void anIntervalBelowOneMillisecondIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PeriodicWriteback(vfs, 0));
        assertEquals("the write-back interval must be at least 1 ms, was 0", e.getMessage());
    }
}
