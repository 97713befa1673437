package org.vfsgi.mm.internal.osgi;

import java.util.Locale;
import java.util.Map;

import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.Kstat;
import org.vfsgi.mm.core.vfs.MountEntry;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.StatFs;

/**
 * What the file and mount commands of scope {@code mm} do, without the shell: the VFS system
 * calls ({@code mount}, {@code mkdir}, {@code getdents}, {@code stat}, {@code unlink},
 * {@code truncate}) and the descriptor calls of a process ({@code open}, {@code read},
 * {@code write}, ...). Like {@link MmConsole}, bad input is an {@link IllegalArgumentException}
 * naming the bad word and a call the kernel refuses is its {@link org.vfsgi.mm.MmException},
 * passed through so the user sees {@code errno NAME: step: what}.
 *
 * <p>Data moves as text: {@code write} takes text (or {@code hex:} bytes, see
 * {@link SyscallArgs#data}), {@code read} prints the bytes as text with non-printable ones
 * escaped ({@code \x00}, {@code \n}), so a script can compare what it wrote with what it reads.
 */
final class FilesConsole {
    /** The most bytes one {@code read}/{@code peek} moves: output is for a person. */
    static final int MAX_TRANSFER = 1 << 20;

    private final Kernel kernel;

    /** @param kernel the kernel, with RAM (and so a VFS) */
    FilesConsole(Kernel kernel) {
        this.kernel = kernel;
    }

    private Vfs vfs() {
        return kernel.vfs();
    }

    // ---------------------------------------------------------------- mounts

    /** @return a confirmation in {@code /proc/mounts} words */
    String mount(String source, String target, String type, String options) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("SOURCE is missing: a block device name, or 'none' for a memory file"
                    + " system");
        }
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("TYPE is missing; registered types: " + String.join(", ",
                    vfs().fileSystemTypes()));
        }
        String t = SyscallArgs.path("TARGET", target);
        vfs().mount(source, t, type, options == null ? "" : options);
        return "mounted " + source + " on " + t + " type " + type;
    }

    /** @return a confirmation */
    String umount(String target, String how) {
        boolean detach = false;
        if (how != null) {
            String h = how.strip().toLowerCase(Locale.ROOT);
            if (!h.equals("detach") && !h.equals("mnt_detach") && !h.equals("force") && !h.equals("-l")) {
                throw new IllegalArgumentException("umount option '" + how + "' is not 'detach' (MNT_DETACH: lazy"
                        + " umount of a busy mount)");
            }
            detach = true;
        }
        String t = SyscallArgs.path("TARGET", target);
        vfs().umount(t, detach);
        return "unmounted " + t + (detach ? " (detached; open files keep it alive)" : "");
    }

    /** @return the mount list as {@code /proc/self/mounts} prints it */
    String mounts() {
        StringBuilder sb = new StringBuilder();
        for (MountEntry m : vfs().mounts()) {
            sb.append(m).append('\n');
        }
        return sb.toString();
    }

    /** @return the registered file-system types, one per line, as {@code /proc/filesystems} */
    String filesystems() {
        return String.join("\n", vfs().fileSystemTypes());
    }

    /** @return {@code statfs(path)} as {@code stat -f} prints it */
    String statfs(String path) {
        String p = SyscallArgs.path("PATH", path);
        StatFs s = vfs().statfs(p);
        return String.format(Locale.ROOT, "  File: \"%s\"\n    ID: %s Namelen: %d Type: 0x%x\nBlock size: %d\n"
                + "Blocks: Total: %d Free: %d Available: %d\nInodes: Total: %d Free: %d", p,
                vfs().stat(p).device(), s.nameMax(), s.magic(), s.blockSize(), s.blocks(), s.blocksFree(),
                s.blocksAvailable(), s.files(), s.filesFree());
    }

    /** Columns of {@code df -k -i} together: names left-aligned, numbers right-aligned. */
    private static final String DF_FORMAT = "%-10s %-8s %10s %10s %10s %8s %8s %s\n";

    /** @return {@code df -k}: one line per mount, or only the mount of {@code path} */
    String sync() {
        vfs().sync();
        return "synced " + vfs().mounts().size() + " mount(s)";
    }

    String df(String path) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, DF_FORMAT, "Filesystem", "Type", "1K-blocks",
                "Used", "Available", "Inodes", "IFree", "Mounted on"));
        for (MountEntry m : vfs().mounts()) {
            if (path != null && !m.mountpoint().equals(mountOf(SyscallArgs.path("PATH", path)))) {
                continue;
            }
            StatFs s = vfs().statfs(m.mountpoint());
            long k = s.blockSize() / 1024;
            sb.append(String.format(Locale.ROOT, DF_FORMAT, m.source(), m.type(), s.blocks() * k,
                    (s.blocks() - s.blocksFree()) * k, s.blocksAvailable() * k, s.files(), s.filesFree(), m.mountpoint()));
        }
        return sb.toString().stripTrailing();
    }

    /** The longest mount point that is a prefix of {@code path} (mounts are listed parents first). */
    private String mountOf(String path) {
        String best = "/";
        for (MountEntry m : vfs().mounts()) {
            String mp = m.mountpoint();
            if ((path.equals(mp) || path.startsWith(mp.endsWith("/") ? mp : mp + "/")) && mp.length() >= best.length()) {
                best = mp;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- names

    /** @return a confirmation */
    String mkdir(String path, String mode) {
        String p = SyscallArgs.path("PATH", path);
        int m = mode == null ? 0755 : SyscallArgs.mode(mode);
        vfs().mkdir(p, m);
        return "created directory " + p;
    }

    /** @return a confirmation */
    String rmdir(String path) {
        String p = SyscallArgs.path("PATH", path);
        vfs().rmdir(p);
        return "removed directory " + p;
    }

    /** @return a confirmation */
    String unlink(String path) {
        String p = SyscallArgs.path("PATH", path);
        vfs().unlink(p);
        return "unlinked " + p;
    }

    /** @return a confirmation */
    String truncate(String path, String length) {
        String p = SyscallArgs.path("PATH", path);
        long l = SyscallArgs.number("LENGTH", length);
        vfs().truncate(p, l);
        return p + " is now " + l + " bytes";
    }

    /** @return {@code getdents}: one line per entry, {@code ls -ai} style: type letter, inode, name */
    String ls(String path) {
        String p = SyscallArgs.path("PATH", path);
        StringBuilder sb = new StringBuilder();
        for (DirEntry e : vfs().readdir(p)) {
            sb.append(typeLetter(e.type())).append(String.format(Locale.ROOT, " %8d ", e.ino())).append(e.name())
                    .append('\n');
        }
        return sb.toString();
    }

    /** @return {@code stat(path)} as {@code stat(1)} prints it */
    String stat(String path) {
        String p = SyscallArgs.path("PATH", path);
        return statText(p, vfs().stat(p));
    }

    static String statText(String name, Kstat st) {
        InodeAttributes a = st.attributes();
        FileType type = FileType.ofMode(a.mode());
        return String.format(Locale.ROOT, "  File: %s\n  Size: %d  Blocks: %d  %s\nDevice: %s  Inode: %d  Links: %d\n"
                + "Access: (%04o/%s)  Uid: %d  Gid: %d", name, a.size(), a.blocks(), typeName(type), st.device(), a.ino(),
                a.nlink(), a.mode() & FileType.PERMISSION_MASK, typeLetter(type) + permissions(a.mode()), a.uid(),
                a.gid());
    }

    private static char typeLetter(FileType t) {
        switch (t) {
            case DIRECTORY: return 'd';
            case SYMLINK: return 'l';
            case CHAR_DEVICE: return 'c';
            case BLOCK_DEVICE: return 'b';
            case FIFO: return 'p';
            case SOCKET: return 's';
            default: return '-';
        }
    }

    private static String typeName(FileType t) {
        return t == FileType.REGULAR ? "regular file" : t.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String permissions(int mode) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = mode >> shift;
            sb.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- descriptors

    /** @return the new descriptor, bare, so a script can capture it */
    String open(String pid, String path, String flags, String mode) {
        Process p = MmConsole.process(kernel, pid);
        String file = SyscallArgs.path("PATH", path);
        int fl = SyscallArgs.openFlags(flags);
        int m = mode == null ? 0644 : SyscallArgs.mode(mode);
        return Integer.toString(p.open(file, fl, m));
    }

    /** @return a confirmation */
    String close(String pid, String fd) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        p.close(f);
        return "pid " + p.pid() + ": closed fd " + f;
    }

    /** @return the new descriptor, bare */
    String dup(String pid, String fd) {
        return Integer.toString(MmConsole.process(kernel, pid).dup(SyscallArgs.fd(fd)));
    }

    /** @return the bytes read as escaped text; empty at end of file */
    String read(String pid, String fd, String count) {
        Process p = MmConsole.process(kernel, pid);
        return escape(p.read(SyscallArgs.fd(fd), SyscallArgs.count("COUNT", count, MAX_TRANSFER)));
    }

    /** @return the bytes read as escaped text */
    String pread(String pid, String fd, String count, String offset) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        int n = SyscallArgs.count("COUNT", count, MAX_TRANSFER);
        return escape(p.pread(f, n, SyscallArgs.number("OFFSET", offset)));
    }

    /** @return the number of bytes written, bare */
    String write(String pid, String fd, String data) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        return Long.toString(p.write(f, SyscallArgs.data(data)));
    }

    /** @return the number of bytes written, bare */
    String pwrite(String pid, String fd, String data, String offset) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        byte[] bytes = SyscallArgs.data(data);
        return Long.toString(p.pwrite(f, bytes, SyscallArgs.number("OFFSET", offset)));
    }

    /** @return the new position, bare */
    String lseek(String pid, String fd, String offset, String whence) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        long off = signed("OFFSET", offset);
        return Long.toString(p.lseek(f, off, SyscallArgs.whence(whence)));
    }

    /** @return a confirmation */
    String ftruncate(String pid, String fd, String length) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        long l = SyscallArgs.number("LENGTH", length);
        p.ftruncate(f, l);
        return "pid " + p.pid() + ": fd " + f + " is now " + l + " bytes";
    }

    /** @return a confirmation */
    String fsync(String pid, String fd) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        p.fsync(f);
        return "pid " + p.pid() + ": fd " + f + " written back";
    }

    /** @return {@code fstat(fd)} as {@code stat(1)} prints it */
    String fstat(String pid, String fd) {
        Process p = MmConsole.process(kernel, pid);
        int f = SyscallArgs.fd(fd);
        Kstat st = p.fstat(f);
        return statText(p.fds().get(f).path(), st);
    }

    /** @return the open descriptors as {@code ls -l /proc/PID/fd} shows their targets, with access and position */
    String fds(String pid) {
        Process p = MmConsole.process(kernel, pid);
        Map<Integer, OpenFile> fds = p.fds();
        if (fds.isEmpty()) {
            return "pid " + p.pid() + " has no open file descriptors";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, OpenFile> e : fds.entrySet()) {
            OpenFile f = e.getValue();
            sb.append(e.getKey()).append(" -> ").append(f.path()).append(" (")
                    .append(f.canRead() ? "r" : "").append(f.canWrite() ? "w" : "").append(", pos ")
                    .append(f.position()).append(")\n");
        }
        return sb.toString().stripTrailing();
    }

    private static long signed(String what, String text) {
        String t = text == null ? "" : text.strip();
        if (t.startsWith("-")) {
            return -SyscallArgs.number(what, t.substring(1));
        }
        return SyscallArgs.number(what, t);
    }

    /**
     * Bytes as text a terminal shows safely: printable ASCII as is, backslash doubled, newline and
     * tab as {@code \n} and {@code \t}, everything else as {@code \xNN}.
     *
     * @param bytes the bytes
     * @return the text
     */
    static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format(Locale.ROOT, "\\x%02x", c));
            }
        }
        return sb.toString();
    }
}
