package org.vfsgi.fs.ext4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.fs.ext4.internal.Ext4Fixture.expect;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfsgi.fs.ext4.disk.E2fsTools;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.Signal;
import org.vfsgi.mm.SignalException;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.VmAreaDescImpl;
import org.vfsgi.mm.core.vfs.MountEntry;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FopFlag;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.VfsFile;

/**
 * The mount interface and the refusals: MAP_SYNC, forced shutdown, a second mount of a device,
 * bad and DAX options, read-only mounts and devices, corrupt images, a full file system, a file
 * unlinked while mapped, atime on mmap.
 */
class Ext4MountErrorsTest {
    private static final int PAGE = Ext4Fixture.PAGE;

    @TempDir
    Path tmp;
    private Ext4Fixture fx;
    private Path image;
    private final byte[] data = new byte[5 * PAGE + 123];

    @BeforeEach
    void setUp() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("dir"));
        new java.util.Random(5).nextBytes(data);
        Files.write(src.resolve("file"), data);
        Files.write(src.resolve("dir/small"), "small".getBytes());
        image = Ext4Fixture.mkfs(tmp.resolve("e.img"), src, 16L << 20);
        fx = new Ext4Fixture();
        fx.attach("disk0", image, false);
    }

    @AfterEach
    void tearDown() throws IOException {
        fx.close();
    }

    private Ext4SuperBlock sb() {
        return fx.ext4.superBlock("disk0").orElseThrow();
    }

    private MountEntry entry(String mountpoint) {
        return fx.vfs.mounts().stream().filter(m -> m.mountpoint().equals(mountpoint)).findFirst().orElseThrow();
    }

    @Test
    void theTypeIsExt4OnABlockDevice() {
        assertEquals("ext4", fx.ext4.name());
        assertTrue(fx.ext4.requiresDevice());
        assertTrue(fx.vfs.fileSystemTypes().contains("ext4"));
    }

    @Test
    void mapSyncIsRefusedOnFilesThatAreNotDax() {
        fx.mount("disk0", "/mnt", "rw");
        Process p = fx.kernel.spawn();
        VfsFile f = fx.vfs.open("/mnt/file", Fcntl.O_RDWR, 0);
        assertFalse(f.fileOperations().hasFlag(FopFlag.MMAP_SYNC), "only DAX files advertise FOP_MMAP_SYNC");
        expect(Errno.EOPNOTSUPP, () -> p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_SHARED_VALIDATE | Mman.MAP_SYNC, f, 0));
        // ext4_file_mmap_prepare itself refuses VMA_SYNC (a stacked caller may reach it directly)
        VmaFlags rw = VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.SHARED, VmaFlag.MAYREAD, VmaFlag.MAYWRITE,
                VmaFlag.MAYSHARE);
        PageProt prot = PageProt.of(true, true, false, PageProt.CacheMode.WRITE_BACK, false);
        VmAreaDescImpl sync = new VmAreaDescImpl(p.mm(), f, 0x10000, 0x10000 + PAGE, 0, f,
                rw.set(VmaFlag.SYNC), prot);
        assertEquals(Errno.EOPNOTSUPP.negative(), f.fileOperations().mmapPrepare().mmapPrepare(sync));
        VmAreaDescImpl plain = new VmAreaDescImpl(p.mm(), f, 0x10000, 0x10000 + PAGE, 0, f, rw, prot);
        assertEquals(0, f.fileOperations().mmapPrepare().mmapPrepare(plain));
        VmOperations ops = plain.vmOps();
        assertEquals("ext4_file_vm_ops", ops.label());
        assertSame(VmOperations.FILEMAP_FAULT, ops.fault(), "faults go through the platform's page cache");
        assertNotNull(ops.pageMkwrite());
        assertFalse(plain.flagsTest(VmaFlag.HUGEPAGE), "HUGEPAGE is for DAX mappings only");
        long addr = p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED_VALIDATE, f, 0);
        assertArrayEquals(Arrays.copyOf(data, 16), p.readMemory(addr, 16));
        p.munmap(addr, PAGE);
        fx.vfs.close(f);
        fx.vfs.umount("/mnt", false);
    }

    @Test
    void afterAShutdownMmapFailsWithEioAndNothingMoreReachesTheImage() throws IOException {
        fx.mount("disk0", "/mnt", "rw");
        Process p = fx.kernel.spawn();
        VfsFile f = fx.vfs.open("/mnt/file", Fcntl.O_RDWR, 0);
        long addr = p.mmap(0, 2L * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, f, 0);
        p.writeMemory(addr, "before".getBytes());
        p.readMemory(addr + PAGE, 1); // mapped read-only: its first write will need page_mkwrite
        sb().shutdown();
        assertTrue(sb().isShutdown());
        MmException e = expect(Errno.EIO, () -> p.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, 0));
        assertTrue(e.getMessage().contains("mmap_prepare"), e.getMessage());
        expect(Errno.EIO, () -> fx.vfs.pread(f, ByteBuffer.allocate(10), 0));
        expect(Errno.EIO, () -> fx.vfs.pwrite(f, ByteBuffer.wrap(new byte[10]), 0));
        expect(Errno.EIO, () -> fx.vfs.open("/mnt/dir/small", Fcntl.O_RDONLY, 0));
        expect(Errno.EIO, () -> fx.vfs.mkdir("/mnt/newdir", 0755));
        expect(Errno.EIO, () -> fx.vfs.fsync(f));
        assertEquals(Ext4SuperBlock.EXT4_SUPER_MAGIC, fx.vfs.statfs("/mnt").magic(), "statfs still answers");
        assertEquals(data.length, fx.vfs.fstat(f).attributes().size(), "and fstat");
        SignalException sig = assertThrows(SignalException.class, () -> p.writeMemory(addr + PAGE, new byte[] {1}));
        assertEquals(Signal.SIGBUS, sig.signal(), "page_mkwrite refuses after a shutdown");
        p.munmap(addr, 2L * PAGE);
        fx.vfs.close(f);
        byte[] before = Files.readAllBytes(image);
        fx.vfs.umount("/mnt", false);
        assertArrayEquals(before, Files.readAllBytes(image), "unmount after a shutdown writes nothing");
        assertTrue(fx.ext4.superBlock("disk0").isEmpty(), "the device is released");
        // the image was left as after a crash (not marked clean), which the next read-write mount
        // accepts with a warning, as the kernel's does; its clean unmount leaves e2fsck nothing to say
        fx.mount("disk0", "/mnt", "rw");
        assertFalse(entry("/mnt").readOnly());
        fx.vfs.umount("/mnt", false);
        Ext4Fixture.fsckClean(image);
    }

    @Test
    void deviceNodesAndFifosReportTheirTypeAndNumbers() {
        for (String node : new String[] {"mknod cdev c 4 5", "mknod bdev b 259 300", "mknod fifo p"}) {
            E2fsTools.Result r = E2fsTools.run("debugfs", "-w", "-R", node, image.toString());
            assertEquals(0, r.exit(), r.err());
        }
        fx.mount("disk0", "/mnt", "ro");
        org.vfsgi.vfs.InodeAttributes c = fx.vfs.stat("/mnt/cdev").attributes();
        assertEquals(org.vfsgi.vfs.FileType.CHAR_DEVICE, c.type());
        assertEquals(new org.vfsgi.vfs.DeviceNumber(4, 5), c.rdev(), "old_encode_dev in i_block[0]");
        org.vfsgi.vfs.InodeAttributes b = fx.vfs.stat("/mnt/bdev").attributes();
        assertEquals(org.vfsgi.vfs.FileType.BLOCK_DEVICE, b.type());
        assertEquals(new org.vfsgi.vfs.DeviceNumber(259, 300), b.rdev(), "new_encode_dev in i_block[1]");
        assertEquals(org.vfsgi.vfs.FileType.FIFO, fx.vfs.stat("/mnt/fifo").attributes().type());
        java.util.Map<String, org.vfsgi.vfs.FileType> types = new java.util.HashMap<>();
        fx.vfs.readdir("/mnt").forEach(e -> types.put(e.name(), e.type()));
        assertEquals(org.vfsgi.vfs.FileType.BLOCK_DEVICE, types.get("bdev"));
        assertEquals(org.vfsgi.vfs.FileType.FIFO, types.get("fifo"));
        expect(Errno.ENXIO, () -> fx.vfs.open("/mnt/cdev", Fcntl.O_RDONLY, 0));
        fx.vfs.umount("/mnt", false);
    }

    @Test
    void aMappingWriteSetsMtimeWhenThePageIsDirtiedNotWhenItIsWrittenBack() throws Exception {
        fx.mount("disk0", "/mnt", "rw");
        long old = 1_000_000_000L * 1_000_000_000L;
        fx.vfs.setattr("/mnt/file", SetAttr.builder().mtime(old).build());
        VfsFile f = fx.vfs.open("/mnt/file", Fcntl.O_RDWR, 0);
        Process p = fx.kernel.spawn();
        long addr = p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, f, 0);
        p.writeMemory(addr, "dirty".getBytes());
        long mtime = fx.vfs.fstat(f).attributes().mtimeNanos();
        assertTrue(mtime > old, "page_mkwrite updated mtime");
        Thread.sleep(5);
        p.munmap(addr, PAGE);
        fx.vfs.close(f);
        fx.vfs.umount("/mnt", false); // writes the page back
        fx.mount("disk0", "/mnt", "ro");
        assertEquals(mtime, fx.vfs.stat("/mnt/file").attributes().mtimeNanos());
        assertArrayEquals("dirty".getBytes(), Arrays.copyOf(fx.read("/mnt/file"), 5));
        fx.vfs.umount("/mnt", false);
        Ext4Fixture.fsckClean(image);
    }

    @Test
    void aSecondMountOfTheSameDeviceIsBusyUntilTheFirstIsGone() {
        fx.mount("disk0", "/a", "rw");
        MmException e = expect(Errno.EBUSY, () -> fx.mount("disk0", "/b", "ro"));
        assertTrue(e.getMessage().contains("disk0 is already mounted"), e.getMessage());
        fx.vfs.umount("/a", false);
        fx.mount("disk0", "/b", "ro");
        assertArrayEquals("small".getBytes(), fx.read("/b/dir/small"));
        fx.vfs.umount("/b", false);
        Ext4Fixture.fsckClean(image);
    }

    @Test
    void unknownOptionsAndDaxAreRefusedNamingTheOption() {
        MmException e = expect(Errno.EINVAL, () -> fx.mount("disk0", "/mnt", "rw,noatime2"));
        assertTrue(e.getMessage().contains("unknown mount option 'noatime2'"), e.getMessage());
        e = expect(Errno.EINVAL, () -> fx.mount("disk0", "/mnt", "dax"));
        assertTrue(e.getMessage().contains("mount option 'dax' cannot be honoured"), e.getMessage());
        e = expect(Errno.EINVAL, () -> fx.mount("disk0", "/mnt", "dax=always"));
        assertTrue(e.getMessage().contains("'dax=always'"), e.getMessage());
        e = expect(Errno.EINVAL, () -> fx.mount("disk0", "/mnt", "dax=sometimes"));
        assertTrue(e.getMessage().contains("bad value 'sometimes' for mount option 'dax'"), e.getMessage());
        assertTrue(fx.ext4.superBlock("disk0").isEmpty(), "refused mounts claim nothing");
        fx.mount("disk0", "/mnt", "dax=never");
        assertFalse(entry("/mnt").readOnly());
        fx.vfs.umount("/mnt", false);
    }

    @Test
    void aReadOnlyMountRefusesWritesAndWritableSharedMappings() throws IOException {
        byte[] before = Files.readAllBytes(image);
        fx.mount("disk0", "/mnt", "ro");
        assertTrue(entry("/mnt").readOnly());
        expect(Errno.EROFS, () -> fx.vfs.open("/mnt/file", Fcntl.O_RDWR, 0));
        expect(Errno.EROFS, () -> fx.vfs.open("/mnt/new", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644));
        expect(Errno.EROFS, () -> fx.vfs.unlink("/mnt/file"));
        VfsFile f = fx.vfs.open("/mnt/file", Fcntl.O_RDONLY, 0);
        Process p = fx.kernel.spawn();
        expect(Errno.EACCES, () -> p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, f, 0));
        expect(Errno.EBADF, () -> fx.vfs.write(f, ByteBuffer.wrap(new byte[1])));
        // a private writable mapping copies on write and never reaches the file
        long addr = p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE, f, 0);
        p.writeMemory(addr, "private".getBytes());
        assertArrayEquals("private".getBytes(), p.readMemory(addr, 7));
        p.munmap(addr, PAGE);
        fx.vfs.close(f);
        assertArrayEquals(data, fx.read("/mnt/file"));
        fx.vfs.umount("/mnt", false);
        assertArrayEquals(before, Files.readAllBytes(image), "a read-only mount writes nothing, not even atime");
    }

    @Test
    void aReadOnlyDeviceForcesAReadOnlyMount() {
        fx.attach("disk0", image, true);
        fx.mount("disk0", "/mnt", "rw");
        assertTrue(entry("/mnt").readOnly(), "forcedReadOnly");
        assertTrue(sb().forcedReadOnly());
        assertTrue(sb().readOnlyReason().contains("the device is read-only"), sb().readOnlyReason());
        expect(Errno.EROFS, () -> fx.vfs.open("/mnt/file", Fcntl.O_WRONLY, 0));
        assertArrayEquals(data, fx.read("/mnt/file"));
        fx.vfs.umount("/mnt", false);
    }

    @Test
    void aFeatureExt4CannotWriteForcesAReadOnlyMount() {
        Path quota = tmp.resolve("quota.img");
        E2fsTools.mkfs(quota, tmp.resolve("src"), 4096, 16L << 20, "-O", "quota");
        fx.attach("disk1", quota, false);
        fx.mount("disk1", "/q", "rw");
        assertTrue(entry("/q").readOnly());
        Ext4SuperBlock q = fx.ext4.superBlock("disk1").orElseThrow();
        assertTrue(q.forcedReadOnly() && q.readOnlyReason().contains("quota"), q.readOnlyReason());
        expect(Errno.EROFS, () -> fx.vfs.mkdir("/q/new", 0755));
        assertArrayEquals(data, fx.read("/q/file"), "read-only, but readable");
        fx.vfs.umount("/q", false);
    }

    private void poke(long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(bytes);
        }
    }

    @Test
    void corruptOrMissingDevicesFailToMountWithAClearErrno() throws IOException {
        MmException e = expect(Errno.ENXIO, () -> fx.mount("disk9", "/mnt", "rw"));
        assertTrue(e.getMessage().contains("no block device named 'disk9'"), e.getMessage());
        e = expect(Errno.EINVAL, () -> fx.mount("none", "/mnt", "rw"));
        assertTrue(e.getMessage().contains("needs a block device"), e.getMessage());
        byte[] good = Files.readAllBytes(image);
        poke(1024 + 0x78, "corrupted!".getBytes()); // s_volume_name: only the checksum notices
        e = expect(Errno.EBADMSG, () -> fx.mount("disk0", "/mnt", "rw"));
        assertTrue(e.getMessage().contains("superblock checksum"), e.getMessage());
        assertFalse(e.getMessage().contains("\tat "), "no stack trace in the message");
        poke(1024 + 0x38, new byte[] {0, 0}); // s_magic
        e = expect(Errno.EINVAL, () -> fx.mount("disk0", "/mnt", "rw"));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        Files.write(image, Arrays.copyOf(good, 4 << 20)); // truncated to a quarter
        fx.attach("disk0", image, false);
        e = expect(Errno.EINVAL, () -> fx.mount("disk0", "/mnt", "rw"));
        assertTrue(e.getMessage().contains("truncated image"), e.getMessage());
        Files.write(image, good);
        fx.attach("disk0", image, false);
        fx.mount("disk0", "/mnt", "rw");
        fx.vfs.umount("/mnt", false);
        Ext4Fixture.fsckClean(image);
    }

    @Test
    void aCorruptedInodeFailsItsOwnOperationsWithTheKernelErrnoAndNothingElse() throws IOException {
        String imap = E2fsTools.debugfs(image, "imap /file");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("located at block (\\d+), offset 0x([0-9a-f]+)")
                .matcher(imap);
        assertTrue(m.find(), imap);
        long inodeAt = Long.parseLong(m.group(1)) * 4096 + Long.parseLong(m.group(2), 16);
        poke(inodeAt + 4, new byte[] {0x55}); // i_size: the inode checksum no longer matches
        byte[] before = Files.readAllBytes(image);
        fx.mount("disk0", "/mnt", "ro");
        MmException e = expect(Errno.EBADMSG, () -> fx.vfs.stat("/mnt/file"));
        assertTrue(e.getMessage().contains("ext4 on disk0") && e.getMessage().contains("checksum"), e.getMessage());
        expect(Errno.EBADMSG, () -> fx.vfs.open("/mnt/file", Fcntl.O_RDONLY, 0));
        assertArrayEquals("small".getBytes(), fx.read("/mnt/dir/small"), "the rest of the file system works");
        fx.vfs.umount("/mnt", false);
        assertArrayEquals(before, Files.readAllBytes(image), "nothing was written");
        // the engine's other names for corruption reach callers as the kernel's errnos
        assertEquals(Errno.EUCLEAN, Ext4Errors.toMm(new org.vfsgi.fs.ext4.disk.Ext4Exception("EFSCORRUPTED",
                "bad extent"), "ext4_map_blocks", "disk0").errno());
        assertEquals(Errno.EIO, Ext4Errors.errnoOf("EWHATEVER"));
    }

    @Test
    void concurrentWritersExtendingAFileNeverShrinkIt() throws Exception {
        fx.mount("disk0", "/mnt", "rw");
        int writers = 4;
        int chunks = 40;
        int chunk = 1500;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        VfsFile f = fx.vfs.open("/mnt/shared", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        byte[] want = new byte[writers * chunks * chunk];
        java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int id = t;
            done.add(pool.submit(() -> {
                for (int k = 0; k < chunks; k++) {
                    byte[] b = new byte[chunk];
                    Arrays.fill(b, (byte) (1 + id));
                    fx.vfs.pwrite(f, ByteBuffer.wrap(b), (long) (k * writers + id) * chunk);
                }
                return null;
            }));
        }
        for (int t = 0; t < writers; t++) {
            for (int k = 0; k < chunks; k++) {
                Arrays.fill(want, (k * writers + t) * chunk, (k * writers + t + 1) * chunk, (byte) (1 + t));
            }
        }
        for (java.util.concurrent.Future<?> d : done) {
            d.get();
        }
        pool.shutdown();
        fx.vfs.close(f);
        assertArrayEquals(want, fx.read("/mnt/shared"));
        fx.vfs.umount("/mnt", false);
        Ext4Fixture.fsckClean(image);
        assertArrayEquals(want, E2fsTools.cat(image, "/shared"));
    }

    @Test
    void aFullFileSystemRefusesWritesAndWriteFaultsOverHoles() {
        fx.mount("disk0", "/mnt", "rw");
        VfsFile hole = fx.vfs.open("/mnt/sparse", Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
        fx.vfs.ftruncate(hole, 64L * PAGE);
        VfsFile filler = fx.vfs.open("/mnt/filler", Fcntl.O_CREAT | Fcntl.O_WRONLY, 0644);
        for (int chunk : new int[] {256 * 1024, PAGE}) {
            MmException full = assertThrows(MmException.class, () -> {
                while (true) {
                    fx.vfs.write(filler, ByteBuffer.wrap(new byte[chunk]));
                }
            });
            assertEquals(Errno.ENOSPC, full.errno(), full.getMessage());
        }
        org.vfsgi.vfs.StatFs st = fx.vfs.statfs("/mnt");
        assertEquals(0, st.blocksAvailable(), "reservations count as used: " + st);
        assertTrue(st.blocksFree() >= sb().reservedForMetadata(), "s_resv_clusters stay for write-back: " + st);
        Process p = fx.kernel.spawn();
        long addr = p.mmap(0, 64L * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, hole, 0);
        assertArrayEquals(new byte[PAGE], p.readMemory(addr, PAGE), "a hole reads as zeros");
        SignalException sig = assertThrows(SignalException.class, () -> p.writeMemory(addr, new byte[] {1}));
        assertEquals(Signal.SIGBUS, sig.signal(), "page_mkwrite finds no block for the hole");
        // overwriting allocated data needs no space
        VfsFile f = fx.vfs.open("/mnt/file", Fcntl.O_RDWR, 0);
        long faddr = p.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, f, 0);
        p.writeMemory(faddr, "still fits".getBytes());
        p.munmap(faddr, PAGE);
        p.munmap(addr, 64L * PAGE);
        fx.vfs.close(f);
        fx.vfs.close(hole);
        fx.vfs.close(filler);
        fx.vfs.umount("/mnt", false);
        Ext4Fixture.fsckClean(image);
        byte[] got = E2fsTools.cat(image, "/file");
        assertArrayEquals("still fits".getBytes(), Arrays.copyOf(got, 10));
    }

    @Test
    void aFileUnlinkedWhileMappedLivesUntilItsLastUserIsGone() {
        fx.mount("disk0", "/mnt", "rw");
        VfsFile f = fx.vfs.open("/mnt/file", Fcntl.O_RDWR, 0);
        Process p = fx.kernel.spawn();
        long addr = p.mmap(0, 6L * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, f, 0);
        long ino = fx.vfs.stat("/mnt/file").attributes().ino();
        fx.vfs.close(f); // the mapping keeps the file
        fx.vfs.unlink("/mnt/file");
        expect(Errno.ENOENT, () -> fx.vfs.stat("/mnt/file"));
        assertEquals(1, sb().volume().orphanCount(), "kept while mapped");
        assertTrue(E2fsTools.debugfs(image, "stats").matches("(?s).*First orphan inode:\\s+" + ino + "\n.*"),
                "on the on-disk orphan list while mapped, so a crash now frees it at the next mount");
        assertArrayEquals(Arrays.copyOf(data, 3 * PAGE), p.readMemory(addr, 3 * PAGE));
        p.writeMemory(addr + PAGE, "still here".getBytes());
        p.msync(addr, 6L * PAGE, Mman.MS_SYNC);
        p.munmap(addr, 6L * PAGE);
        assertEquals(0, sb().volume().orphanCount(), "freed with its last user");
        assertFalse(E2fsTools.debugfs(image, "stats").contains("First orphan inode"), "and off the list");
        fx.vfs.umount("/mnt", false);
        Ext4Fixture.fsckClean(image);
    }

    @Test
    void mmapMarksTheFileAccessedExceptOnAReadOnlyMount() {
        fx.mount("disk0", "/mnt", "rw");
        long old = 1_000_000_000L * 1_000_000_000L; // 2001, before the file's mtime
        fx.vfs.setattr("/mnt/file", SetAttr.builder().atime(old).build());
        assertEquals(old, fx.vfs.stat("/mnt/file").attributes().atimeNanos());
        VfsFile f = fx.vfs.open("/mnt/file", Fcntl.O_RDONLY, 0);
        Process p = fx.kernel.spawn();
        long addr = p.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, 0);
        long atime = fx.vfs.stat("/mnt/file").attributes().atimeNanos();
        assertTrue(atime > old, "file_accessed in mmap_prepare moved atime: " + atime);
        p.munmap(addr, PAGE);
        fx.vfs.close(f);
        fx.vfs.umount("/mnt", false);
        fx.mount("disk0", "/mnt", "ro");
        VfsFile g = fx.vfs.open("/mnt/file", Fcntl.O_RDONLY, 0);
        addr = p.mmap(0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, g, 0);
        assertEquals(atime, fx.vfs.stat("/mnt/file").attributes().atimeNanos(), "no atime on a read-only mount");
        p.munmap(addr, PAGE);
        fx.vfs.close(g);
        fx.vfs.umount("/mnt", false);
        Ext4Fixture.fsckClean(image);
    }
}
