package org.vfsgi.mm.internal.osgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.CharDevices;
import org.vfsgi.mm.core.vfs.Devtmpfs;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.Fcntl;

/**
 * The {@code dev:} shell commands' work, without a framework: the character-device table, and
 * what a process does with a device file — open, {@code mmap}, close the descriptor (the mapping
 * keeps its own reference), then load and store through the mapping — so a driver can be driven
 * from a script. Arguments are text as typed; bad input is an {@link IllegalArgumentException}
 * naming the value; kernel refusals are the kernel's {@code MmException}s.
 */
final class DevConsole {
    /** Most bytes one {@code dev:peek} or {@code dev:cat} shows. */
    static final int MAX_BYTES = 4096;

    private final Kernel kernel;

    DevConsole(Kernel kernel) {
        this.kernel = kernel;
    }

    private Vfs vfs() {
        try {
            return kernel.vfs();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("the kernel has no VFS (it was started without RAM)", e);
        }
    }

    /** @return the character-device table ({@code /proc/devices} with the nodes under {@code /dev}) */
    String devices() {
        List<CharDevices.Region> regions = vfs().charDevices().regions();
        if (regions.isEmpty()) {
            return "no character devices (a driver bundle publishes them as CharDevice services)";
        }
        StringBuilder sb = new StringBuilder(String.format("%-7s %-8s %-16s %s%n", "MAJOR", "MINORS", "NAME", "DRIVER"));
        for (CharDevices.Region r : regions) {
            String minors = r.count() == 1 ? Integer.toString(r.baseMinor())
                    : r.baseMinor() + "-" + (r.baseMinor() + r.count() - 1);
            sb.append(String.format("%-7d %-8s %-16s %s%n", r.major(), minors, Devtmpfs.DEV + "/" + r.name(),
                    r.fops().name()));
        }
        return sb.toString().stripTrailing();
    }

    /**
     * {@code fd = open(path); addr = mmap(addr, len, prot, flags, fd, offset); close(fd)}: opened
     * for writing only when a shared mapping asks for {@code PROT_WRITE}.
     *
     * @return the mapped address, {@code 0x}-prefixed
     */
    String mmap(String pid, String addr, String len, String prot, String flags, String path, String offset) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        long l = SyscallArgs.number("LEN", len);
        int pr = SyscallArgs.prot(prot);
        int fl = SyscallArgs.mapFlags(flags);
        long off = SyscallArgs.number("OFFSET", offset);
        boolean write = (pr & Mman.PROT_WRITE) != 0 && (fl & Mman.MAP_TYPE) != Mman.MAP_PRIVATE;
        OpenFile f = vfs().open(requirePath(path), write ? Fcntl.O_RDWR : Fcntl.O_RDONLY, 0);
        try {
            return MmConsole.hex(p.mmap(a, l, pr, fl, f, off));
        } finally {
            f.close();
        }
    }

    /** @return a hex dump of {@code len} bytes the process reads at {@code addr} */
    String peek(String pid, String addr, String len) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        long n = SyscallArgs.number("LEN", len);
        if (n < 1 || n > MAX_BYTES) {
            throw new IllegalArgumentException("LEN must be 1.." + MAX_BYTES + ", was " + n);
        }
        byte[] data = p.readMemory(a, (int) n);
        StringBuilder sb = new StringBuilder();
        for (int row = 0; row < data.length; row += 16) {
            sb.append(String.format("%012x ", a + row));
            StringBuilder ascii = new StringBuilder();
            for (int i = row; i < Math.min(row + 16, data.length); i++) {
                int b = data[i] & 0xff;
                sb.append(String.format(" %02x", b));
                ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
            }
            sb.append("  |").append(ascii).append("|\n");
        }
        return sb.toString().stripTrailing();
    }

    /** Stores bytes given as hex ({@code 2a000000}, {@code de:ad:be:ef}) at {@code addr} of the process. */
    String poke(String pid, String addr, String hexBytes) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        byte[] data = hex(hexBytes);
        p.writeMemory(a, data);
        return "pid " + p.pid() + ": stored " + data.length + " bytes at " + MmConsole.hex(a);
    }

    /** @return what {@code read} of the file gives from offset 0 (at most {@value #MAX_BYTES} bytes) */
    String cat(String path) {
        OpenFile f = vfs().open(requirePath(path), Fcntl.O_RDONLY, 0);
        try {
            ByteBuffer buf = ByteBuffer.allocate(MAX_BYTES);
            vfs().pread(f, buf, 0);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).stripTrailing();
        } finally {
            f.close();
        }
    }

    private static String requirePath(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("PATH must be absolute, for example /dev/zero; was '" + path + "'");
        }
        return path;
    }

    private Process process(String pidText) {
        int pid = SyscallArgs.pid(pidText);
        Process p = kernel.process(pid);
        if (p == null) {
            List<Integer> live = new ArrayList<>();
            kernel.processes().forEach(q -> live.add(q.pid()));
            throw new IllegalArgumentException("no process with pid " + pid + "; live pids: "
                    + (live.isEmpty() ? "none" : live) + " (mm:spawn creates one)");
        }
        return p;
    }

    private static byte[] hex(String text) {
        String digits = text == null ? "" : text.replaceAll("[\\s:_-]", "");
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.length() % 2 != 0 || !digits.matches("[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("bytes '" + text + "' are not an even number of hex digits"
                    + " (for example 2a000000 or de:ad:be:ef)");
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
