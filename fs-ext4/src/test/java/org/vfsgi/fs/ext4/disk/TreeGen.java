package org.vfsgi.fs.ext4.disk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds seeded random source folders for mke2fs -d: the shapes the engine must read back. */
public final class TreeGen {
    /** A data island written into a sparse file: where and how long. */
    public record Island(long pos, int len) {
    }

    /** Sparse files and their islands, so the comparison reads data and holes without touching 5 GiB. */
    public final List<Path> sparse = new ArrayList<>();
    public final java.util.Map<Path, List<Island>> islands = new java.util.HashMap<>();
    Path hugeSparse;
    Path bigDir;
    Path fragmented;

    private final Random rnd;
    private final Path root;

    public TreeGen(long seed, Path root) {
        this.rnd = new Random(seed);
        this.root = root;
    }

    static String name(Random rnd, int min, int max) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
        int n = min + rnd.nextInt(max - min + 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        String r = s.toString();
        return r.equals(".") || r.equals("..") || r.startsWith(".") ? "x" + r : r;
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** The full tree: many files, deep dirs, big and sparse files, symlinks, hard links, an htree directory. */
    public TreeGen build(boolean withHuge, int bigDirEntries, int fragmentIslands) throws IOException {
        Files.createDirectories(root);
        Path deep = root;
        for (int d = 0; d < 8; d++) {
            deep = deep.resolve("d" + d + "_" + name(rnd, 1, 12));
            Files.createDirectories(deep);
            for (int i = 0; i < 3; i++) {
                Files.write(deep.resolve("f" + i + name(rnd, 1, 20)), bytes(rnd.nextInt(9000)));
            }
        }
        Path many = root.resolve("many");
        Files.createDirectories(many);
        for (int i = 0; i < 120; i++) {
            int size = rnd.nextInt(4) == 0 ? rnd.nextInt(70000) : rnd.nextInt(3000);
            Path f = many.resolve("m" + i + "_" + name(rnd, 1, 40));
            Files.write(f, bytes(size));
            if (rnd.nextInt(5) == 0) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(rnd.nextBoolean() ? "rwx------"
                        : "r--r-----"));
            }
        }
        Files.write(root.resolve("empty"), new byte[0]);
        Files.createDirectories(root.resolve("emptydir"));
        Files.write(root.resolve("big.bin"), bytes(3 * 1024 * 1024 + 777));
        // symlinks: fast (< 60 bytes) and slow (a data block)
        Files.createSymbolicLink(root.resolve("fast-link"), Path.of("many/m1"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("does/not/exist"));
        StringBuilder longTarget = new StringBuilder();
        while (longTarget.length() < 200) {
            longTarget.append(name(rnd, 5, 10)).append('/');
        }
        Files.createSymbolicLink(root.resolve("slow-link"), Path.of(longTarget.toString()));
        Files.createSymbolicLink(root.resolve("exactly59"), Path.of("y".repeat(59)));
        Files.createSymbolicLink(root.resolve("exactly60"), Path.of("z".repeat(60)));
        // hard links
        Path target = root.resolve("linked");
        Files.write(target, bytes(5000));
        Files.createLink(root.resolve("emptydir").resolve("linked-too"), target);
        // a directory big enough to get an htree index
        bigDir = root.resolve("bigdir");
        Files.createDirectories(bigDir);
        for (int i = 0; i < bigDirEntries; i++) {
            Files.write(bigDir.resolve("entry-" + i + "-" + name(rnd, 10, 60)), bytes(rnd.nextInt(100)));
        }
        // sparse files: a few islands, and one with many islands for a deeper extent tree
        Path sp = root.resolve("sparse");
        writeSparse(sp, 40L * 1024 * 1024, List.of(new Island(0, 100), new Island(9_000_000, 70_000),
                new Island(40L * 1024 * 1024 - 10, 10)));
        if (fragmentIslands > 0) {
            fragmented = root.resolve("fragmented");
            List<Island> is = new ArrayList<>();
            for (int i = 0; i < fragmentIslands; i++) {
                is.add(new Island(i * 3L * 4096 + rnd.nextInt(100), 300 + rnd.nextInt(3000)));
            }
            writeSparse(fragmented, fragmentIslands * 3L * 4096 + 8192, is);
        }
        if (withHuge) {
            hugeSparse = root.resolve("huge");
            long five = 5L * 1024 * 1024 * 1024;
            writeSparse(hugeSparse, five + 4321, List.of(new Island(4096, 5000), new Island(1L << 32, 8192),
                    new Island((1L << 32) - 100, 50), new Island(five + 4000, 321)));
        }
        return this;
    }

    private void writeSparse(Path f, long length, List<Island> is) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(length);
            for (Island i : is) {
                raf.seek(i.pos());
                raf.write(bytes(i.len()));
            }
        }
        sparse.add(f);
        islands.put(f, is);
    }
}
