package org.vfsgi.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.vfsgi.fs.ext4.internal.Ext4FileSystemType;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.internal.FileBlockDevice;
import org.vfsgi.hw.internal.HostFiles;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.VfsFile;

/**
 * One file on a real ext4 file system, for the block-device fault rows: a folder holding the file
 * (every page {@value #FILL_BYTE}, as vmabench's {@code fill_file}) is turned into an image by the
 * host's {@code mke2fs -t ext4 -b 4096 -d}, in a temporary folder; the image is attached as a
 * platform-hw {@link FileBlockDevice} (the simulated block device the platform itself uses), and
 * fs-ext4's {@link Ext4FileSystemType} mounts it read-only in the {@link BenchSystem}'s VFS, as
 * {@code mount -t ext4 -o ro} would. The file stays open, as vmabench's descriptor does.
 *
 * <p>{@link #evict()} is the model's {@code POSIX_FADV_DONTNEED}: it drops the file's clean,
 * unmapped pages from the page cache, so the next faults read them from the device again. The
 * ext4 engine caches metadata only (inode and extent blocks stay cached, as in the host's buffer
 * cache); data reads always reach the device.
 */
public final class Ext4Image implements AutoCloseable {
    /** The byte every page of the file holds. */
    public static final byte FILL_BYTE = 0x5a;
    /** Where e2fsprogs lives when it is not on {@code PATH} (sbin is often left out of a user's PATH). */
    static final List<Path> SBIN = List.of(Path.of("/usr/local/sbin"), Path.of("/usr/sbin"), Path.of("/sbin"));
    private static final int BLOCK_SIZE = 4096;
    /** Room for ext4's own metadata (journal, inode tables, group descriptors) next to the file. */
    private static final long METADATA_BYTES = 16L << 20;
    private static final long MKE2FS_TIMEOUT_SECONDS = 120;

    private final Vfs vfs;
    private final Path dir;
    private final FileBlockDevice device;
    private final String mountpoint;
    private final VfsFile file;
    private final PageCache cache;
    private final long pages;

    private Ext4Image(Vfs vfs, Path dir, FileBlockDevice device, String mountpoint, VfsFile file, long pages) {
        this.vfs = vfs;
        this.dir = dir;
        this.device = device;
        this.mountpoint = mountpoint;
        this.file = file;
        this.cache = ((OpenFile) file).vfsInode().pageCache();
        this.pages = pages;
    }

    /**
     * Builds the image, attaches it as block device {@code name}, mounts it at {@code /name} and
     * opens the file {@code data} on it read-only.
     *
     * @param sys the machine whose VFS mounts it
     * @param name the block device's name, also the mount point's
     * @param pages the file's size in pages
     * @return the mounted image with its open file
     * @throws IllegalStateException if mke2fs is not installed (saying how to install it) or fails
     * @throws UncheckedIOException if the temporary folder cannot be written
     */
    public static Ext4Image create(BenchSystem sys, String name, int pages) {
        return create(sys, name, pages, searchPath());
    }

    static Ext4Image create(BenchSystem sys, String name, int pages, List<Path> toolDirs) {
        Path mke2fs = mke2fs(toolDirs);
        Path dir;
        try {
            dir = Files.createTempDirectory("vfsgi-bench-ext4-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for the ext4 image", e);
        }
        FileBlockDevice device = null;
        try {
            Path image = makeImage(mke2fs, dir, (long) pages * BenchSystem.PG);
            device = FileBlockDevice.open(name, image, true, new HostFiles());
            Vfs vfs = sys.kernel().vfs();
            FileBlockDevice attached = device;
            sys.kernel().setBlockDeviceLookup(n -> n.equals(name) ? Optional.of((BlockDevice) attached)
                    : Optional.empty());
            vfs.registerFileSystem(new Ext4FileSystemType());
            String mountpoint = "/" + name;
            vfs.mkdir(mountpoint, 0755);
            vfs.mount(name, mountpoint, Ext4FileSystemType.NAME, "ro");
            VfsFile file = vfs.open(mountpoint + "/data", Fcntl.O_RDONLY, 0);
            return new Ext4Image(vfs, dir, device, mountpoint, file, pages);
        } catch (RuntimeException e) {
            if (device != null) {
                device.close();
            }
            deleteTree(dir);
            throw e;
        }
    }

    private static Path makeImage(Path mke2fs, Path dir, long fileBytes) {
        Path root = dir.resolve("root");
        Path image = dir.resolve("ext4.img");
        try {
            Files.createDirectory(root);
            byte[] page = new byte[(int) BenchSystem.PG];
            Arrays.fill(page, FILL_BYTE);
            try (OutputStream out = Files.newOutputStream(root.resolve("data"))) {
                for (long off = 0; off < fileBytes; off += page.length) {
                    out.write(page);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ext4 image's contents into " + root, e);
        }
        long imageKiB = (2 * fileBytes + METADATA_BYTES) / 1024;
        List<String> cmd = List.of(mke2fs.toString(), "-q", "-F", "-t", "ext4", "-b", String.valueOf(BLOCK_SIZE),
                "-d", root.toString(), image.toString(), imageKiB + "k");
        try {
            java.lang.Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(MKE2FS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in "
                        + MKE2FS_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed with exit status " + p.exitValue()
                        + ": " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + mke2fs + " built the ext4 image", e);
        }
        return image;
    }

    /** {@code PATH}, then the sbin folders. */
    static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.addAll(SBIN);
        return dirs;
    }

    /**
     * @param dirs where to look
     * @return the first executable {@code mke2fs} in {@code dirs}
     * @throws IllegalStateException naming the folders searched and how to install e2fsprogs
     */
    static Path mke2fs(List<Path> dirs) {
        for (Path d : dirs) {
            Path p = d.resolve("mke2fs");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("mke2fs (e2fsprogs >= 1.47) is not installed: the block-device fault "
                + "benchmarks build their ext4 image with it (searched " + dirs + "). Install it: "
                + "'sudo apt-get install e2fsprogs' (Debian/Ubuntu), 'sudo dnf install e2fsprogs' (Fedora)");
    }

    /** @return the open file on the ext4 mount */
    public VfsFile file() {
        return file;
    }

    /** @return the file's size in pages */
    public long pages() {
        return pages;
    }

    /** @return the temporary folder holding the image (removed by {@link #close()}) */
    public Path dir() {
        return dir;
    }

    /** @return the file's page cache (one per inode, shared by every mapping and read) */
    public PageCache pageCache() {
        return cache;
    }

    /**
     * Drops the file's pages from the page cache, as {@code posix_fadvise(POSIX_FADV_DONTNEED)} does
     * to a clean file that is not mapped.
     *
     * @throws IllegalStateException if a page stayed cached (one still mapped somewhere): the next
     *         batch's faults would not all read the device, and its figure would not be what the
     *         row claims
     */
    public void evict() {
        cache.invalidateClean(0, pages);
        long left = cache.pageCount();
        if (left != 0) {
            throw new IllegalStateException("evicting the ext4 file's page cache left " + left + " of " + pages
                    + " pages cached (mapped or dirty pages cannot be dropped)");
        }
    }

    /** @return sectors the block device has read since it was attached */
    public long sectorsRead() {
        Map<String, String> d = device.details();
        return Long.parseLong(d.get("sectors read"));
    }

    /** Closes the file, unmounts, detaches the device and removes the temporary folder. */
    @Override
    public void close() {
        try {
            vfs.close(file);
            vfs.umount(mountpoint, false);
        } finally {
            device.close();
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the ext4 image's folder " + dir, e);
        }
    }
}
