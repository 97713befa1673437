package org.vfsgi.mm.internal.osgi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.ContractViolation;
import org.vfsgi.mm.core.FaultInjection;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.TraceEvent;

/**
 * What the {@code mm:} shell commands do, without the shell: each method takes the words a
 * person typed, makes one system call on the {@link Kernel}, and returns the text to show.
 * Methods are named after the system calls, so a script reads like a kernel selftest.
 *
 * <p>Two kinds of failure, kept apart on purpose: input that is not a valid call (unknown pid,
 * bad PROT letter, unknown flag) is an {@link IllegalArgumentException} naming the bad word and
 * the allowed ones; a valid call that the kernel refuses is the kernel's
 * {@link org.vfsgi.mm.MmException}, passed through untouched so its message
 * {@code errno NAME: step: what} reaches the user as the kernel wrote it.
 *
 * <p>Results that later commands take as arguments (pids, addresses) are printed bare, so a
 * Gogo script can capture them: {@code p = (mm:spawn)}, {@code a = (mm:mmap $p 0 0x3000 rw- private,anonymous)}.
 */
final class MmConsole {
    /** Events {@link #trace(String)} shows when no count is given. */
    static final int DEFAULT_TRACE_EVENTS = 20;

    private final Kernel kernel;

    /** @param kernel the kernel the commands act on */
    MmConsole(Kernel kernel) {
        this.kernel = kernel;
    }

    /** @return the new process's pid */
    String spawn() {
        return Integer.toString(kernel.spawn().pid());
    }

    /** @return the child's pid */
    String fork(String pid) {
        return Integer.toString(process(pid).fork().pid());
    }

    /** @return a confirmation */
    String exit(String pid) {
        Process p = process(pid);
        p.exit();
        return "pid " + p.pid() + " exited";
    }

    /** @return the process table: pid, VMA count and mapped size */
    String ps() {
        List<Process> all = new ArrayList<>(kernel.processes());
        if (all.isEmpty()) {
            return "no processes (mm:spawn creates one)";
        }
        all.sort(Comparator.comparingInt(Process::pid));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PID", "VMAS", "VSZ(KiB)"});
        for (Process p : all) {
            rows.add(new String[] {Integer.toString(p.pid()), Integer.toString(p.mm().mapCount()),
                Long.toString(p.mm().totalVm() * (Mman.PAGE_SIZE / 1024))});
        }
        return table(rows, true);
    }

    /**
     * {@code mmap(addr, len, prot, flags, -1, 0)}: without {@code anonymous} the kernel answers
     * EBADF as it would for fd -1; the seven-argument form maps a file by descriptor.
     *
     * @return the mapped address, {@code 0x}-prefixed hexadecimal
     */
    String mmap(String pid, String addr, String len, String prot, String flags) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        long l = SyscallArgs.number("LEN", len);
        int pr = SyscallArgs.prot(prot);
        int fl = SyscallArgs.mapFlags(flags);
        return hex(p.mmap(a, l, pr, fl, null, 0));
    }

    /**
     * {@code mmap(addr, len, prot, flags, fd, offset)}: a file mapping through a descriptor of
     * the process ({@code mm:open} made it); with {@code anonymous} the descriptor is ignored.
     *
     * @return the mapped address, {@code 0x}-prefixed hexadecimal
     */
    String mmap(String pid, String addr, String len, String prot, String flags, String fd, String offset) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        long l = SyscallArgs.number("LEN", len);
        int pr = SyscallArgs.prot(prot);
        int fl = SyscallArgs.mapFlags(flags);
        int f = fd.strip().equals("-1") ? -1 : SyscallArgs.fd(fd);
        long off = SyscallArgs.number("OFFSET", offset);
        return hex(p.mmap(a, l, pr, fl, f, off));
    }

    /** @return a confirmation naming the range and the flags */
    String msync(String pid, String addr, String len, String flags) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        long l = SyscallArgs.number("LEN", len);
        int fl = SyscallArgs.msyncFlags(flags);
        p.msync(a, l, fl);
        return "pid " + p.pid() + ": msync " + range(a, l) + " done";
    }

    /**
     * Reads user memory as the process would ({@code copy_from_user}), faulting pages in.
     *
     * @return {@code hexdump -C} lines with the user addresses, or the signal's message thrown
     */
    String peek(String pid, String addr, String len) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        int n = SyscallArgs.count("LEN", len, FilesConsole.MAX_TRANSFER);
        return hexdump(a, p.readMemory(a, n));
    }

    /**
     * Writes user memory as the process would ({@code copy_to_user}): text, or {@code hex:} bytes.
     *
     * @return a confirmation
     */
    String poke(String pid, String addr, String data) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        byte[] bytes = SyscallArgs.data(data);
        p.writeMemory(a, bytes);
        return "pid " + p.pid() + ": wrote " + bytes.length + " bytes at " + hex(a);
    }

    /** @return {@code /proc/PID/smaps} */
    String smaps(String pid) {
        return process(pid).smaps();
    }

    /**
     * {@code hexdump -C}: 16 bytes a line, the address in hex, the bytes, and the printable ones
     * between bars.
     *
     * @param addr the address of the first byte
     * @param bytes the bytes
     * @return the lines, without a final newline
     */
    static String hexdump(long addr, byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int off = 0; off < bytes.length; off += 16) {
            int n = Math.min(16, bytes.length - off);
            StringBuilder hexPart = new StringBuilder();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                if (i == 8) {
                    hexPart.append(' ');
                }
                if (i < n) {
                    int c = bytes[off + i] & 0xff;
                    hexPart.append(String.format(Locale.ROOT, "%02x ", c));
                    text.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
                } else {
                    hexPart.append("   ");
                }
            }
            sb.append(String.format(Locale.ROOT, "%08x  %s |%s|\n", addr + off, hexPart, text));
        }
        return sb.toString().stripTrailing();
    }

    /** @return a confirmation naming the range */
    String munmap(String pid, String addr, String len) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        long l = SyscallArgs.number("LEN", len);
        p.munmap(a, l);
        return "pid " + p.pid() + ": unmapped " + range(a, l);
    }

    /** @return a confirmation naming the range and the protection */
    String mprotect(String pid, String addr, String len, String prot) {
        Process p = process(pid);
        long a = SyscallArgs.number("ADDR", addr);
        long l = SyscallArgs.number("LEN", len);
        int pr = SyscallArgs.prot(prot);
        p.mprotect(a, l, pr);
        return "pid " + p.pid() + ": " + range(a, l) + " is now " + letters(pr);
    }

    /**
     * @param flags {@code maymove}, {@code fixed}, both, or {@code 0}; null for none
     * @param newAddr the target with {@code fixed}; null for none
     * @return the new address, {@code 0x}-prefixed hexadecimal
     */
    String mremap(String pid, String oldAddr, String oldLen, String newLen, String flags, String newAddr) {
        Process p = process(pid);
        long o = SyscallArgs.number("OLD", oldAddr);
        long ol = SyscallArgs.number("OLDLEN", oldLen);
        long nl = SyscallArgs.number("NEWLEN", newLen);
        int fl = flags == null ? 0 : SyscallArgs.mremapFlags(flags);
        long na = newAddr == null ? 0 : SyscallArgs.number("NEWADDR", newAddr);
        return hex(p.mremap(o, ol, nl, fl, na));
    }

    /** @return {@code /proc/PID/maps}, byte for byte (empty for an empty address space) */
    String maps(String pid) {
        return process(pid).maps();
    }

    /**
     * @param count how many of the latest events; null for {@value #DEFAULT_TRACE_EVENTS}
     * @return the events, oldest first, one per line
     */
    String trace(String count) {
        long n = count == null ? DEFAULT_TRACE_EVENTS : SyscallArgs.number("N", count);
        List<TraceEvent> events = kernel.trace().snapshot();
        List<TraceEvent> last = events.subList((int) Math.max(0, events.size() - Math.min(n, events.size())),
                events.size());
        if (last.isEmpty()) {
            return "no trace events";
        }
        StringBuilder sb = new StringBuilder();
        for (TraceEvent e : last) {
            sb.append(traceLine(e)).append('\n');
        }
        long dropped = kernel.trace().dropped();
        if (dropped > 0) {
            sb.append("(").append(dropped).append(" older events dropped; the ring keeps ")
                    .append(kernel.trace().capacity()).append(")\n");
        }
        return sb.toString().stripTrailing();
    }

    /**
     * One event as a line: sequence number, pid, step, range, file, outcome, detail.
     *
     * @param e the event
     * @return the line
     */
    static String traceLine(TraceEvent e) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "#%-6d pid %-3d %-18s %012x-%012x %s %s",
                e.seq(), e.pid(), e.step(), e.start(), e.end(), e.file() == null ? "anon" : e.file(), e.outcome()));
        if (e.detail() != null && !e.detail().isEmpty()) {
            sb.append(": ").append(e.detail());
        }
        return sb.toString();
    }

    /** @return every contract-violation kind with its count, and the total */
    String violations() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VIOLATION", "COUNT"});
        for (Map.Entry<ContractViolation, Long> e : kernel.violations().counts().entrySet()) {
            rows.add(new String[] {e.getKey().name(), Long.toString(e.getValue())});
        }
        rows.add(new String[] {"total", Long.toString(kernel.violations().total())});
        return table(rows, false);
    }

    /** @return every injection point: calls so far and whether it is armed */
    String injectStatus() {
        FaultInjection fi = kernel.faultInjection();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"POINT", "CALLS", "ARMED"});
        for (InjectionPoint p : InjectionPoint.values()) {
            rows.add(new String[] {p.name().toLowerCase(Locale.ROOT), Long.toString(fi.calls(p)),
                fi.isArmed(p) ? "yes" : "no"});
        }
        return table(rows, false);
    }

    /**
     * Arms a point, or disarms every point with {@code clear}.
     *
     * @param point a point name or {@code clear}
     * @param nth which call from now fails, 1 for the next; null for 1
     * @param errno the errno it fails with; null for ENOMEM
     * @return a confirmation
     */
    String inject(String point, String nth, String errno) {
        if (point != null && point.strip().equalsIgnoreCase("clear")) {
            if (nth != null) {
                throw new IllegalArgumentException("'inject clear' takes no further arguments");
            }
            kernel.faultInjection().reset();
            return "every injection point disarmed, call counts reset";
        }
        InjectionPoint p = SyscallArgs.injectionPoint(point);
        long n = nth == null ? 1 : SyscallArgs.number("NTH", nth);
        if (n < 1) {
            throw new IllegalArgumentException("NTH '" + nth + "' must be 1 or more (1 is the next call)");
        }
        Errno e = errno == null ? Errno.ENOMEM : SyscallArgs.errno(errno);
        kernel.faultInjection().arm(p, n, e);
        return "armed " + p.name().toLowerCase(Locale.ROOT) + ": " + ordinal(n) + " call from now fails with "
                + e.name();
    }

    private Process process(String pidText) {
        return process(kernel, pidText);
    }

    /**
     * @param kernel the kernel
     * @param pidText a pid as typed
     * @return the live process
     * @throws IllegalArgumentException naming the live pids if there is no such process
     */
    static Process process(Kernel kernel, String pidText) {
        int pid = SyscallArgs.pid(pidText);
        Process p = kernel.process(pid);
        if (p == null) {
            throw new IllegalArgumentException("no process with pid " + pid + "; live pids: " + livePids(kernel)
                    + " (mm:spawn creates one)");
        }
        return p;
    }

    private static String livePids(Kernel kernel) {
        List<Integer> pids = new ArrayList<>();
        for (Process p : kernel.processes()) {
            pids.add(p.pid());
        }
        pids.sort(null);
        return pids.isEmpty() ? "none" : pids.toString().replaceAll("[\\[\\]]", "");
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String range(long addr, long len) {
        return "[" + hex(addr) + ", " + hex(addr + len) + ")";
    }

    private static String letters(int prot) {
        return ((prot & Mman.PROT_READ) != 0 ? "r" : "-") + ((prot & Mman.PROT_WRITE) != 0 ? "w" : "-")
                + ((prot & Mman.PROT_EXEC) != 0 ? "x" : "-");
    }

    private static String ordinal(long n) {
        long mod100 = n % 100;
        String suffix = mod100 >= 11 && mod100 <= 13 ? "th"
                : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
        return n + suffix;
    }

    /** Left-aligned columns, or right-aligned numbers after the first column when {@code numeric}. */
    static String table(List<String[]> rows, boolean numeric) {
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                boolean right = numeric || i > 0;
                String pad = " ".repeat(widths[i] - r[i].length());
                line.append(right ? pad + r[i] : r[i] + pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
