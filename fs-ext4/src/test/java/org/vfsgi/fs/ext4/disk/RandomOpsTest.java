package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random sequences of namespace and data operations checked against a shadow model:
 * through the engine while mounted, with e2fsck -fn after a mid-way sync and after unmount, and
 * through debugfs rdump of the whole tree.
 */
class RandomOpsTest {
    @TempDir
    Path tmp;

    /** The shadow: directories, files (path to inode), file contents by inode, symlink targets. */
    private final TreeSet<String> dirs = new TreeSet<>();
    private final Map<String, Long> files = new TreeMap<>();
    private final Map<Long, byte[]> content = new HashMap<>();
    private final Map<String, String> links = new TreeMap<>();
    private Random rnd;

    @Test
    void oneKiBlocksManyGroups() throws Exception {
        run(1024, 16L * 1024 * 1024, 21 + Long.getLong("ext4.ops.seed", 0), Integer.getInteger("ext4.ops", 500));
    }

    @Test
    void fourKiBlocks() throws Exception {
        run(4096, 24L * 1024 * 1024, 22 + Long.getLong("ext4.ops.seed", 0), Integer.getInteger("ext4.ops", 500));
    }

    @Test
    void onAnMke2fsTreeWithAnHtreeDirectory() throws Exception {
        src = tmp.resolve("src");
        new TreeGen(23, src).build(false, 300, 0);
        run(4096, 32L * 1024 * 1024, 23 + Long.getLong("ext4.ops.seed", 0), Integer.getInteger("ext4.ops", 500));
    }

    private Path src;

    /** Fills the shadow from the mounted tree (itself checked against its source by ReadImageTest). */
    private void loadModel(Ext4Volume v, String d, long ino) {
        dirs.add(d);
        for (DirEntry e : v.readdir(ino)) {
            String p = d + "/" + e.name();
            if (e.name().equals(".") || e.name().equals("..") || p.equals("/lost+found")) {
                continue;
            }
            Ext4Inode in = v.inode(e.ino());
            if (in.isDirectory()) {
                loadModel(v, p, e.ino());
            } else if (in.isSymlink()) {
                links.put(p, v.readlink(e.ino()));
            } else {
                files.put(p, e.ino());
                content.put(e.ino(), v.readAll(e.ino()));
            }
        }
    }

    private void run(int bs, long size, long seed, int ops) throws Exception {
        rnd = new Random(seed);
        Path img = tmp.resolve("r.img");
        E2fsTools.mkfs(img, src, bs, size);
        if (src != null) {
            E2fsTools.indexDirectories(img);
        }
        dirs.add("");
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            loadModel(v, "", Ext4Volume.ROOT_INO);
            for (int i = 0; i < ops; i++) {
                step(v, i);
                if (i == ops / 2) {
                    v.sync();
                    E2fsTools.Result r = E2fsTools.fsck(img);
                    assertEquals(0, r.exit(), "after sync at step " + i + ":\n" + r.outText());
                }
            }
            checkThroughEngine(v);
            assertTrue(files.size() > 20 && dirs.size() > 5 && !links.isEmpty(), files.size() + " files, "
                    + dirs.size() + " dirs, " + links.size() + " links");
            System.getLogger(RandomOpsTest.class.getName()).log(System.Logger.Level.INFO,
                    "{0} ops: {1} files, {2} dirs, {3} symlinks, {4} blocks free", ops, files.size(), dirs.size(),
                    links.size(), v.statfs().freeBlocks());
            v.unmount();
        }
        E2fsTools.Result r = E2fsTools.fsck(img);
        assertEquals(0, r.exit(), r.outText());
        Path out = tmp.resolve("dump");
        Files.createDirectories(out);
        E2fsTools.run("debugfs", "-R", "rdump / " + out, img.toString());
        checkDump(out);
    }

    private String pick(java.util.Collection<String> c) {
        List<String> l = new ArrayList<>(c);
        return l.get(rnd.nextInt(l.size()));
    }

    private static String parent(String p) {
        return p.substring(0, p.lastIndexOf('/'));
    }

    private static String base(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private boolean exists(String p) {
        return dirs.contains(p) || files.containsKey(p) || links.containsKey(p);
    }

    private long dirIno(Ext4Volume v, String d) {
        return d.isEmpty() ? Ext4Volume.ROOT_INO : v.resolve(d);
    }

    private void step(Ext4Volume v, int i) {
        int op = rnd.nextInt(100);
        String d = dirs.contains("/bigdir") && rnd.nextInt(3) == 0 ? "/bigdir" : pick(dirs);
        String name = d + "/n" + i + (rnd.nextBoolean() ? "" : "-" + TreeGen.name(rnd, 1, 30));
        if (op < 18 || files.isEmpty()) {
            long ino = v.create(dirIno(v, d), base(name), 0644);
            files.put(name, ino);
            content.put(ino, new byte[0]);
        } else if (op < 45) {
            String f = pick(files.keySet());
            long ino = files.get(f);
            byte[] old = content.get(ino);
            int len = rnd.nextInt(10) == 0 ? 100_000 + rnd.nextInt(100_000) : rnd.nextInt(9000);
            long pos = rnd.nextInt(old.length + 9000);
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            assertEquals(len, v.write(ino, pos, data, 0, len));
            byte[] n = old.length >= pos + len ? old.clone() : Arrays.copyOf(old, (int) (pos + len));
            System.arraycopy(data, 0, n, (int) pos, len);
            content.put(ino, n);
        } else if (op < 53) {
            String f = pick(files.keySet());
            long ino = files.get(f);
            byte[] old = content.get(ino);
            int size = rnd.nextInt(old.length + 20000);
            v.truncate(ino, size);
            content.put(ino, Arrays.copyOf(old, size));
        } else if (op < 63) {
            String f = pick(files.keySet());
            v.unlink(dirIno(v, parent(f)), base(f));
            long ino = files.remove(f);
            if (!files.containsValue(ino)) {
                content.remove(ino);
            }
        } else if (op < 71) {
            v.mkdir(dirIno(v, d), base(name), 0755);
            dirs.add(name);
        } else if (op < 75) {
            String e = pick(dirs);
            boolean empty = !e.isEmpty() && Stream.of(dirs, files.keySet(), links.keySet())
                    .flatMap(java.util.Collection::stream).noneMatch(p -> p.startsWith(e + "/"));
            if (empty) {
                v.rmdir(dirIno(v, parent(e)), base(e));
                dirs.remove(e);
            }
        } else if (op < 85) {
            String f = pick(files.keySet());
            String target = rnd.nextInt(3) == 0 && files.size() > 1 ? pick(files.keySet()) : name;
            if (target.equals(f) || dirs.contains(target) || links.containsKey(target)) {
                return;
            }
            v.rename(dirIno(v, parent(f)), base(f), dirIno(v, parent(target)), base(target));
            if (files.get(f).equals(files.get(target))) {
                return; // two links to one inode: rename(2) leaves both names alone
            }
            long ino = files.remove(f);
            Long replaced = files.put(target, ino);
            if (replaced != null && replaced != ino && !files.containsValue(replaced)) {
                content.remove(replaced);
            }
        } else if (op < 89 && dirs.size() > 2) {
            String src = pick(dirs);
            if (src.isEmpty() || d.equals(src) || d.startsWith(src + "/")) {
                return;
            }
            v.rename(dirIno(v, parent(src)), base(src), dirIno(v, d), base(name));
            moveTree(src, name);
        } else if (op < 94) {
            String f = pick(files.keySet());
            v.link(files.get(f), dirIno(v, d), base(name));
            files.put(name, files.get(f));
        } else {
            String target = rnd.nextBoolean() ? TreeGen.name(rnd, 1, 50) : "t/".repeat(30 + rnd.nextInt(200));
            v.symlink(dirIno(v, d), base(name), target);
            links.put(name, target);
        }
    }

    private void moveTree(String from, String to) {
        for (String p : new ArrayList<>(dirs)) {
            if (p.equals(from) || p.startsWith(from + "/")) {
                dirs.remove(p);
                dirs.add(to + p.substring(from.length()));
            }
        }
        for (String p : new ArrayList<>(files.keySet())) {
            if (p.startsWith(from + "/")) {
                files.put(to + p.substring(from.length()), files.remove(p));
            }
        }
        for (String p : new ArrayList<>(links.keySet())) {
            if (p.startsWith(from + "/")) {
                links.put(to + p.substring(from.length()), links.remove(p));
            }
        }
    }

    private void checkThroughEngine(Ext4Volume v) {
        for (Map.Entry<String, Long> f : files.entrySet()) {
            assertEquals(f.getValue(), v.resolve(f.getKey()), f.getKey());
            assertArrayEquals(content.get(f.getValue()), v.readAll(f.getValue()), f.getKey());
        }
        for (Map.Entry<String, String> l : links.entrySet()) {
            assertEquals(l.getValue(), v.readlink(v.resolve(l.getKey())), l.getKey());
        }
        for (String d : dirs) {
            TreeSet<String> want = new TreeSet<>();
            Stream.of(dirs, files.keySet(), links.keySet()).flatMap(java.util.Collection::stream)
                    .filter(p -> !p.isEmpty() && parent(p).equals(d)).forEach(p -> want.add(base(p)));
            TreeSet<String> got = new TreeSet<>();
            for (DirEntry e : v.readdir(dirIno(v, d))) {
                if (!e.name().equals(".") && !e.name().equals("..") && !(d.isEmpty() && e.name().equals("lost+found"))) {
                    got.add(e.name());
                }
            }
            assertEquals(want, got, "listing of '" + d + "'");
            long nsub = want.stream().filter(n -> dirs.contains(d + "/" + n)).count();
            assertEquals(2 + nsub + (d.isEmpty() ? 1 : 0), v.inode(dirIno(v, d)).linksCount(), "links of '" + d + "'");
        }
    }

    private void checkDump(Path out) throws IOException {
        for (Map.Entry<String, Long> f : files.entrySet()) {
            assertArrayEquals(content.get(f.getValue()), Files.readAllBytes(out.resolve(f.getKey().substring(1))),
                    "rdump " + f.getKey());
        }
        for (Map.Entry<String, String> l : links.entrySet()) {
            Path p = out.resolve(l.getKey().substring(1));
            assertTrue(Files.isSymbolicLink(p), l.getKey());
            assertEquals(l.getValue(), Files.readSymbolicLink(p).toString(), l.getKey());
        }
        for (String d : dirs) {
            assertTrue(Files.isDirectory(d.isEmpty() ? out : out.resolve(d.substring(1)), LinkOption.NOFOLLOW_LINKS), d);
        }
    }
}
