package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.fail;

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
 * The host's e2fsprogs (mke2fs, debugfs, e2fsck), which build and check the images the tests use.
 * Missing tools fail the test with instructions instead of skipping it.
 */
public final class E2fsTools {
    private static final String[] DIRS = {"/sbin", "/usr/sbin", "/usr/local/sbin", "/bin", "/usr/bin"};

    /** A finished command: exit status, stdout bytes, stderr text. */
    public record Result(int exit, byte[] out, String err) {
        /** @return stdout as UTF-8 text */
        public String outText() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    private E2fsTools() {
    }

    public static Path tool(String name) {
        List<String> dirs = new ArrayList<>(List.of(DIRS));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(0, List.of(path.split(java.io.File.pathSeparator)));
        }
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        fail(name + " (e2fsprogs >= 1.47) is not installed, and the ext4 tests need it to build and check images. "
                + "Install it: 'sudo apt-get install e2fsprogs' (Debian/Ubuntu), 'sudo dnf install e2fsprogs' "
                + "(Fedora), 'brew install e2fsprogs' (macOS, then put $(brew --prefix e2fsprogs)/sbin on PATH).");
        return null;
    }

    public static Result run(String... cmd) {
        List<String> c = new ArrayList<>(List.of(cmd));
        c.set(0, tool(cmd[0]).toString());
        try {
            ProcessBuilder pb = new ProcessBuilder(c);
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread te = new Thread(() -> copy(p.getErrorStream(), err));
            te.start();
            copy(p.getInputStream(), out);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish in 60 s");
            }
            te.join();
            return new Result(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            fail("cannot run " + String.join(" ", cmd) + ": " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
            return null;
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            // the process died; its exit status tells
        }
    }

    /** mke2fs -t ext4 [-d folder] -b bs img size. */
    public static void mkfs(Path img, Path folder, int blockSize, long bytes, String... extra) {
        List<String> c = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext4", "-b", String.valueOf(blockSize)));
        c.addAll(List.of(extra));
        if (folder != null) {
            c.add("-d");
            c.add(folder.toString());
        }
        c.add(img.toString());
        c.add(String.valueOf(bytes / 1024) + "k");
        Result r = run(c.toArray(new String[0]));
        if (r.exit() != 0) {
            fail("mke2fs failed (" + r.exit() + "): " + r.err() + r.outText());
        }
    }

    /** e2fsck -fn: exit status 0 means clean. */
    public static Result fsck(Path img) {
        return run("e2fsck", "-fn", img.toString());
    }

    /** e2fsck -fyD: rebuilds every multi-block directory as an htree (mke2fs -d writes linear ones). */
    public static void indexDirectories(Path img) {
        Result r = run("e2fsck", "-fyD", img.toString());
        if (r.exit() > 1) {
            fail("e2fsck -fyD failed (" + r.exit() + "): " + r.outText() + r.err());
        }
    }

    public static byte[] cat(Path img, String path) {
        Result r = run("debugfs", "-R", "cat \"" + path + "\"", img.toString());
        return r.out();
    }

    public static String debugfs(Path img, String request) {
        Result r = run("debugfs", "-R", request, img.toString());
        return r.outText() + r.err();
    }
}
