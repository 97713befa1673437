package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.bytes;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.mm.core.shmem.ShmemFile;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.VfsFile;

/** open modes and access checks, read/write/lseek/truncate/fsync semantics through the page cache. */
class FileIoTest {
    private static final int PAGE = 4096;
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;

    private static String str(ByteBuffer b) {
        b.flip();
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    @Test
    void accessModesDecideCanReadAndCanWrite() {
        fx.writeFile("/f", "x");
        int[][] cases = {{Fcntl.O_RDONLY, 1, 0}, {Fcntl.O_WRONLY, 0, 1}, {Fcntl.O_RDWR, 1, 1}};
        for (int[] c : cases) {
            VfsFile f = vfs.open("/f", c[0], 0);
            assertEquals(c[1] == 1, f.canRead(), "canRead for mode " + c[0]);
            assertEquals(c[2] == 1, f.canWrite(), "canWrite for mode " + c[0]);
            assertEquals(c[0], f.flags() & Fcntl.O_ACCMODE);
            vfs.close(f);
        }
        expect(Errno.EINVAL, () -> vfs.open("/f", 3, 0));
    }

    @Test
    void readingAWriteOnlyFileAndWritingAReadOnlyOneAreEbadf() {
        fx.writeFile("/f", "data");
        VfsFile w = vfs.open("/f", Fcntl.O_WRONLY, 0);
        MmException e = expect(Errno.EBADF, () -> vfs.read(w, ByteBuffer.allocate(4)));
        assertEquals("errno EBADF: vfs_read: /f is not open for reading", e.getMessage());
        VfsFile r = vfs.open("/f", Fcntl.O_RDONLY, 0);
        e = expect(Errno.EBADF, () -> vfs.write(r, bytes("x")));
        assertEquals("errno EBADF: vfs_write: /f is not open for writing", e.getMessage());
        expect(Errno.EINVAL, () -> vfs.ftruncate(r, 0));
        vfs.close(w);
        vfs.close(r);
        expect(Errno.EBADF, () -> vfs.read(r, ByteBuffer.allocate(1)));
        expect(Errno.EBADF, () -> vfs.lseek(r, 0, Fcntl.SEEK_SET));
        expect(Errno.EBADF, () -> vfs.fsync(r));
    }

    @Test
    void directoriesCannotBeOpenedForWritingNorRead() {
        vfs.mkdir("/d", 0755);
        MmException e = expect(Errno.EISDIR, () -> vfs.open("/d", Fcntl.O_WRONLY, 0));
        assertEquals("errno EISDIR: do_open: /d is a directory (open for writing)", e.getMessage());
        expect(Errno.EISDIR, () -> vfs.open("/d", Fcntl.O_RDWR, 0));
        expect(Errno.EISDIR, () -> vfs.open("/d", Fcntl.O_CREAT | Fcntl.O_RDONLY, 0644));
        expect(Errno.EISDIR, () -> vfs.open("/", Fcntl.O_CREAT | Fcntl.O_RDONLY, 0644));
        VfsFile d = vfs.open("/d", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        expect(Errno.EISDIR, () -> vfs.read(d, ByteBuffer.allocate(1)));
        assertNull(d.fileOperations().mmapPrepare(), "a directory has no mmap hooks");
        assertNull(d.fileOperations().mmap());
        vfs.close(d);
    }

    @Test
    void createExclusiveAndMissingFiles() {
        expect(Errno.ENOENT, () -> vfs.open("/nope", Fcntl.O_RDONLY, 0));
        expect(Errno.ENOENT, () -> vfs.open("/nodir/f", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644));
        VfsFile f = vfs.open("/new", Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_RDWR, 0640);
        assertEquals(0640, vfs.fstat(f).attributes().mode() & 07777);
        vfs.close(f);
        MmException e = expect(Errno.EEXIST, () -> vfs.open("/new", Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_RDWR, 0));
        assertEquals("errno EEXIST: open_last_lookups: /new exists (O_CREAT|O_EXCL)", e.getMessage());
        vfs.close(vfs.open("/new", Fcntl.O_CREAT | Fcntl.O_RDWR, 0)); // without O_EXCL it opens
        expect(Errno.EISDIR, () -> vfs.open("/other/", Fcntl.O_CREAT | Fcntl.O_RDWR, 0));
    }

    @Test
    void oCreatThroughADanglingSymlinkCreatesTheTarget() {
        vfs.symlink("/mnt/created", "/link");
        VfsFile f = vfs.open("/link", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644);
        assertEquals("/mnt/created", f.path());
        vfs.write(f, bytes("via link"));
        vfs.close(f);
        assertEquals("via link", fx.readFile("/mnt/created"));
        expect(Errno.EEXIST, () -> vfs.open("/link", Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_WRONLY, 0644));
        expect(Errno.ELOOP, () -> vfs.open("/link", Fcntl.O_RDONLY | Fcntl.O_NOFOLLOW, 0));
    }

    @Test
    void writeThenReadMovesThePosition() {
        VfsFile f = vfs.open("/f", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        assertEquals(11, vfs.write(f, bytes("hello world")));
        assertEquals(11, f.position());
        assertEquals(0, vfs.read(f, ByteBuffer.allocate(4)), "at end of file");
        assertEquals(0, vfs.lseek(f, 0, Fcntl.SEEK_SET));
        ByteBuffer b = ByteBuffer.allocate(5);
        assertEquals(5, vfs.read(f, b));
        assertEquals("hello", str(b));
        assertEquals(5, f.position());
        assertEquals(11, vfs.fstat(f).attributes().size());
        vfs.close(f);
    }

    @Test
    void holesReadAsZeros() {
        VfsFile f = vfs.open("/sparse", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        vfs.pwrite(f, bytes("end"), 3 * PAGE + 10);
        assertEquals(3 * PAGE + 13, vfs.fstat(f).attributes().size());
        ByteBuffer b = ByteBuffer.allocate(3 * PAGE + 13);
        assertEquals(3 * PAGE + 13, vfs.pread(f, b, 0));
        byte[] all = b.array();
        for (int i = 0; i < 3 * PAGE + 10; i++) {
            if (all[i] != 0) {
                throw new AssertionError("byte " + i + " of a hole is " + all[i]);
            }
        }
        assertEquals("end", new String(all, 3 * PAGE + 10, 3, StandardCharsets.UTF_8));
        assertEquals(1, f.mapping().cachedPages(), "reading holes allocates no pages (tmpfs reads ZERO_PAGE)");
        assertEquals(0, f.position(), "pread/pwrite leave the position alone");
        vfs.close(f);
    }

    @Test
    void oAppendWritesAtTheEnd() {
        fx.writeFile("/log", "one\n");
        VfsFile f = vfs.open("/log", Fcntl.O_WRONLY | Fcntl.O_APPEND, 0);
        vfs.lseek(f, 0, Fcntl.SEEK_SET);
        vfs.write(f, bytes("two\n"));
        vfs.pwrite(f, bytes("three\n"), 0); // Linux appends even for pwrite with O_APPEND
        assertEquals(8, f.position());
        vfs.close(f);
        assertEquals("one\ntwo\nthree\n", fx.readFile("/log"));
    }

    @Test
    void oTruncEmptiesTheFile() {
        fx.writeFile("/t", "x".repeat(3 * PAGE));
        VfsFile f = vfs.open("/t", Fcntl.O_RDWR | Fcntl.O_TRUNC, 0);
        assertEquals(0, vfs.fstat(f).attributes().size());
        assertEquals(0, f.mapping().cachedPages(), "O_TRUNC drops the cached pages");
        vfs.close(f);
    }

    @Test
    void lseekWhences() {
        fx.writeFile("/s", "0123456789");
        VfsFile f = vfs.open("/s", Fcntl.O_RDONLY, 0);
        assertEquals(4, vfs.lseek(f, 4, Fcntl.SEEK_SET));
        assertEquals(6, vfs.lseek(f, 2, Fcntl.SEEK_CUR));
        assertEquals(7, vfs.lseek(f, -3, Fcntl.SEEK_END));
        ByteBuffer b = ByteBuffer.allocate(8);
        vfs.read(f, b);
        assertEquals("789", str(b));
        assertEquals(100, vfs.lseek(f, 90, Fcntl.SEEK_END), "seeking past the end is allowed");
        expect(Errno.EINVAL, () -> vfs.lseek(f, -1, Fcntl.SEEK_SET));
        expect(Errno.EINVAL, () -> vfs.lseek(f, 0, 42));
        expect(Errno.EINVAL, () -> vfs.pread(f, ByteBuffer.allocate(1), -1));
        assertEquals(100, f.position(), "a failed seek keeps the position");
        vfs.close(f);
    }

    @Test
    void truncateShrinkDropsPageCachePagesAndZeroesTheTail() {
        VfsFile f = vfs.open("/t", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        byte[] data = new byte[4 * PAGE];
        java.util.Arrays.fill(data, (byte) 'a');
        vfs.write(f, ByteBuffer.wrap(data));
        PageCache cache = ((OpenFile) f).vfsInode().pageCache();
        assertEquals(4, cache.pageCount());
        long used = fx.ram.usedFrames();
        vfs.ftruncate(f, PAGE + 100);
        assertEquals(2, cache.pageCount(), "pages wholly beyond the new size are dropped");
        assertEquals(used - 2, fx.ram.usedFrames(), "and their frames freed");
        assertEquals(PAGE + 100, vfs.fstat(f).attributes().size());
        vfs.ftruncate(f, 2 * PAGE);
        ByteBuffer b = ByteBuffer.allocate(PAGE);
        vfs.pread(f, b, PAGE);
        byte[] second = b.array();
        for (int i = 0; i < PAGE; i++) {
            assertEquals(i < 100 ? 'a' : 0, second[i], "byte " + i + " after shrink and re-extension");
        }
        expect(Errno.EINVAL, () -> vfs.ftruncate(f, -1));
        vfs.close(f);
        vfs.truncate("/t", 10);
        assertEquals(10, vfs.stat("/t").attributes().size());
        vfs.mkdir("/d", 0755);
        expect(Errno.EISDIR, () -> vfs.truncate("/d", 0));
    }

    @Test
    void truncateUpdatesTimestamps() {
        fx.writeFile("/t", "abc");
        long m0 = vfs.stat("/t").attributes().mtimeNanos();
        vfs.truncate("/t", 1);
        assertTrue(vfs.stat("/t").attributes().mtimeNanos() > m0);
    }

    @Test
    void fileOperationsAreTheInodesIfopWithHookPresence() {
        fx.writeFile("/m", "x");
        VfsFile f = vfs.open("/m", Fcntl.O_RDWR, 0);
        FileOperations fop = f.fileOperations();
        assertSame(ShmemFile.FILE_OPERATIONS, fop);
        assertNotNull(fop.mmapPrepare(), "tmpfs has mmap_prepare");
        assertNull(fop.mmap(), "and not the legacy mmap: exactly one of the two");
        assertNull(fop.mmapComplete());
        assertNull(fop.mmapAbort());
        assertNotNull(fop.read());
        assertNotNull(fop.write());
        assertNotNull(fop.llseek());
        assertNotNull(fop.fsync());
        assertSame(((OpenFile) f).vfsInode(), f.inode());
        assertEquals(0, f.inode().deviceMajor());
        assertEquals(1, f.inode().deviceMinor());
        assertEquals(vfs.stat("/m").attributes().ino(), f.inode().ino());
        assertSame(f.inode().reverseMap(), f.inode().reverseMap(), "one reverse map per inode");
        assertTrue(f.mapping().isMemoryOnly());
        vfs.fsync(f);
        vfs.close(f);
    }

    @Test
    void openAndReleaseHooksRunAndAnOpenErrorFailsTheOpen() {
        List<String> calls = new ArrayList<>();
        FileOperations probe = FileOperations.builder().name("probe_fops")
                .open((inode, file) -> {
                    calls.add("open " + file.path());
                    return file.canWrite() ? Errno.EPERM.negative() : 0;
                })
                .release((inode, file) -> {
                    calls.add("release " + file.path());
                    return 0;
                }).build();
        ProbeFs fs = new ProbeFs(probe);
        vfs.registerFileSystem(fs);
        vfs.mkdir("/p", 0755);
        vfs.mount("none", "/p", "probe", null);
        VfsFile f = vfs.open("/p/file", Fcntl.O_RDONLY, 0);
        assertSame(probe, f.fileOperations());
        MmException e = expect(Errno.EPERM, () -> vfs.open("/p/file", Fcntl.O_RDWR, 0));
        assertEquals("errno EPERM: do_dentry_open: probe_fops.open of /p/file returned EPERM", e.getMessage());
        expect(Errno.EINVAL, () -> vfs.read(f, ByteBuffer.allocate(1)));
        vfs.close(f);
        vfs.close(f);
        assertEquals(List.of("open /p/file", "open /p/file", "release /p/file"), calls);
        assertEquals(0, vfs.openFileCount(), "the refused open left nothing open");
        vfs.umount("/p", false);
    }

    @Test
    void nonTmpfsFilesGetADiskBackedPageCacheThatIsWrittenBackOnFsyncAndUmount() {
        ProbeFs fs = new ProbeFs(FileOperations.builder().name("probe_fops")
                .read((file, buf, pos) -> ((VfsFile) file).mapping().read(pos, buf))
                .write((file, buf, pos) -> {
                    int n = ((VfsFile) file).mapping().write(pos, buf);
                    ((ProbeFs.Node) ((VfsFile) file).fsInode()).grow(pos + n);
                    return n;
                }).build());
        vfs.registerFileSystem(fs);
        vfs.mkdir("/p", 0755);
        vfs.mount("none", "/p", "probe", null);
        fs.file.disk.put(0L, "on disk".getBytes(StandardCharsets.UTF_8));
        fs.file.grow(7);
        VfsFile f = vfs.open("/p/file", Fcntl.O_RDWR, 0);
        assertFalse(f.mapping().isMemoryOnly());
        ByteBuffer b = ByteBuffer.allocate(16);
        assertEquals(7, vfs.read(f, b));
        assertEquals("on disk", str(b));
        vfs.pwrite(f, bytes("ON"), 0);
        assertEquals("on disk", new String(fs.file.disk.get(0L), 0, 7, StandardCharsets.UTF_8), "not yet written back");
        vfs.fsync(f);
        assertEquals("ON disk", new String(fs.file.disk.get(0L), 0, 7, StandardCharsets.UTF_8));
        vfs.pwrite(f, bytes("!"), 7);
        vfs.close(f);
        vfs.umount("/p", false);
        assertEquals("ON disk!", new String(fs.file.disk.get(0L), 0, 8, StandardCharsets.UTF_8), "umount wrote back");
        assertTrue(fs.synced && fs.killed, "sync_fs then kill_sb");
    }

    @Test
    void unregisteringATypeWritesBackItsMountsFirst() {
        ProbeFs fs = new ProbeFs(FileOperations.builder().name("probe_fops")
                .write((file, buf, pos) -> {
                    int n = ((VfsFile) file).mapping().write(pos, buf);
                    ((ProbeFs.Node) ((VfsFile) file).fsInode()).grow(pos + n);
                    return n;
                }).build());
        vfs.registerFileSystem(fs);
        vfs.mkdir("/p", 0755);
        vfs.mount("none", "/p", "probe", null);
        VfsFile f = vfs.open("/p/file", Fcntl.O_WRONLY, 0);
        vfs.write(f, bytes("dirty"));
        assertTrue(fs.file.disk.isEmpty());
        assertTrue(vfs.unregisterFileSystem(fs));
        assertEquals("dirty", new String(fs.file.disk.get(0L), StandardCharsets.UTF_8));
        assertTrue(fs.synced);
        vfs.close(f);
    }

    @Test
    void aFailingWritebackIsReportedOnceByFsync() {
        ProbeFs fs = new ProbeFs(FileOperations.builder().name("probe_fops")
                .write((file, buf, pos) -> {
                    int n = ((VfsFile) file).mapping().write(pos, buf);
                    ((ProbeFs.Node) ((VfsFile) file).fsInode()).grow(pos + n);
                    return n;
                }).build());
        vfs.registerFileSystem(fs);
        vfs.mkdir("/p", 0755);
        vfs.mount("none", "/p", "probe", null);
        fs.file.failWrites = true;
        VfsFile f = vfs.open("/p/file", Fcntl.O_WRONLY, 0);
        vfs.write(f, bytes("lost"));
        MmException e = expect(Errno.EIO, () -> vfs.fsync(f));
        assertTrue(e.detail().contains("writepage of page 0"), e.getMessage());
        vfs.fsync(f); // reported once
        vfs.close(f);
    }

    @Test
    void getFileKeepsTheFileOpenUntilEveryReferenceIsDropped() {
        fx.writeFile("/mnt/r", "kept");
        OpenFile f = vfs.open("/mnt/r", Fcntl.O_RDONLY, 0);
        assertSame(f, f.getFile(), "a VMA takes its own reference (vm_file)");
        assertEquals(2, f.fileCount());
        vfs.close(f);
        assertFalse(f.isClosed());
        MmException busy = expect(Errno.EBUSY, () -> vfs.umount("/mnt", false));
        assertTrue(busy.detail().contains("1 open file(s)"), busy.getMessage());
        assertEquals(4, vfs.pread(f, ByteBuffer.allocate(8), 0));
        f.close();
        assertTrue(f.isClosed());
        f.close();
        expect(Errno.EBADF, f::getFile);
        vfs.umount("/mnt", false);
    }

    @Test
    void pagesOfATmpfsFileComeFromTheSharedRam() {
        long before = fx.ram.usedFrames();
        fx.writeFile("/mnt/two", "y".repeat(PAGE + 1));
        assertEquals(before + 2, fx.ram.usedFrames());
        byte[] got = fx.readFile("/mnt/two").getBytes(StandardCharsets.UTF_8);
        byte[] want = "y".repeat(PAGE + 1).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(want, got);
    }
}
