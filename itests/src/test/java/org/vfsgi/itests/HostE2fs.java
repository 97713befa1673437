package org.vfsgi.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's e2fsprogs, which build the ext4 images the tests mount and check what the platform
 * wrote into them. A missing tool fails the test with instructions: the tests prove nothing
 * without an image made by the real mke2fs.
 */
final class HostE2fs {
    private static final String[] SBIN = {"/sbin", "/usr/sbin", "/usr/local/sbin"};

    /** A finished command: exit status, stdout bytes, stderr text. */
    record Result(int exit, byte[] out, String err) {
    }

    private HostE2fs() {
    }

    private static Path tool(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        dirs.addAll(List.of(SBIN));
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        fail(name + " is not installed: the ext4 integration tests build their images with the host's e2fsprogs"
                + " (mke2fs, debugfs, e2fsck). Install it, for example 'apt-get install e2fsprogs' (.ci/run does).");
        return null;
    }

    /** Runs a host tool and waits for it (at most 60 s). */
    static Result run(String... cmd) {
        List<String> c = new ArrayList<>(List.of(cmd));
        c.set(0, tool(cmd[0]).toString());
        try {
            Process p = new ProcessBuilder(c).start();
            p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread drain = new Thread(() -> copy(p.getErrorStream(), err));
            drain.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy(p.getInputStream(), out);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish in 60 s");
            }
            drain.join();
            return new Result(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", cmd), e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            // the process died: its exit status tells
        }
    }

    /** {@code mke2fs -t ext4 -d folder img 16M}: an image holding a copy of {@code folder}. */
    static void mkfs(Path folder, Path img) {
        Result r = run("mke2fs", "-q", "-F", "-t", "ext4", "-d", folder.toString(), img.toString(), "16M");
        assertEquals("mke2fs failed: " + r.err(), 0, r.exit());
    }

    /**
     * Builds {@code work/NAME.img} from a generated folder {@code work/NAME-src} ({@link #sourceTree}).
     *
     * @return the bytes of its {@code big.txt}
     */
    static byte[] image(Path work, String name) throws IOException {
        Path src = work.resolve(name + "-src");
        byte[] big = sourceTree(src);
        mkfs(src, work.resolve(name + ".img"));
        return big;
    }

    /** {@code debugfs -R 'cat path' img}: a file's bytes as the host reads them from the image. */
    static byte[] cat(Path img, String path) {
        Result r = run("debugfs", "-R", "cat " + path, img.toString());
        assertEquals("debugfs failed: " + r.err(), 0, r.exit());
        return r.out();
    }

    /** {@code e2fsck -fn img}: fails the test with e2fsck's report unless the image is clean. */
    static void assertClean(Path img) {
        Result r = run("e2fsck", "-fn", img.toString());
        assertEquals("e2fsck -fn found problems:\n" + new String(r.out(), StandardCharsets.UTF_8) + r.err(), 0,
                r.exit());
    }

    /**
     * Generates the source folder of an image: a small text file, one of three pages and a bit
     * (more than a page, so mappings and reads cross page boundaries), a subdirectory with a file
     * and a symbolic link.
     *
     * @return the bytes of {@code big.txt}
     */
    static byte[] sourceTree(Path folder) throws IOException {
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("hello.txt"), "hello from ext4\n");
        StringBuilder big = new StringBuilder();
        for (int line = 0; big.length() < 3 * 4096 + 100; line++) {
            big.append(String.format("line %05d of a file larger than a page\n", line));
        }
        byte[] bytes = big.toString().getBytes(StandardCharsets.US_ASCII);
        Files.write(folder.resolve("big.txt"), bytes);
        Files.writeString(folder.resolve("sub").resolve("inner.txt"), "inside a subdirectory\n");
        Files.createSymbolicLink(folder.resolve("link"), Path.of("hello.txt"));
        return bytes;
    }
}
