package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Signal;
import org.vfsgi.mm.SignalException;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.vfs.Fcntl;

/**
 * The file, mount and user-memory commands as a script uses them, on a kernel with RAM and
 * tmpfs at {@code /}: the demo's scenario (a shared file mapping written through memory and read
 * back by another process through {@code read}), exact text of every listing, and the errors a
 * person gets for bad input and for calls the kernel refuses.
 */
class FilesConsoleTest {
    private final Kernel kernel = new Kernel(KernelConfig.defaults(), new SimulatedRam("ram0", 0, 512));
    private final MmConsole mm = new MmConsole(kernel);
    private final FilesConsole fs = new FilesConsole(kernel);

    private static MmException errno(Errno e, Executable call) {
        MmException ex = assertThrows(MmException.class, call);
        assertEquals(e, ex.errno(), ex.getMessage());
        return ex;
    }

    private static String badInput(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void aSharedFileMappingWrittenThroughMemoryIsReadByAnotherProcess() {
        String writer = mm.spawn();
        assertEquals("created directory /data", fs.mkdir("/data", null));
        String fd = fs.open(writer, "/data/shared", "rdwr,creat", "0600");
        assertEquals("0", fd);
        assertEquals("pid 1: fd 0 is now 8192 bytes", fs.ftruncate(writer, fd, "0x2000"));
        String a = mm.mmap(writer, "0", "0x2000", "rw-", "shared", fd, "0");
        assertEquals("pid 1: wrote 15 bytes at " + a, mm.poke(writer, a, "hello, mmap! \\o"));
        assertEquals("pid 1: wrote 3 bytes at 0x" + Long.toHexString(Long.decode(a) + 0x1000),
                mm.poke(writer, "0x" + Long.toHexString(Long.decode(a) + 0x1000), "hex:00ff0a"));
        String maps = mm.maps(writer);
        var st = kernel.vfs().stat("/data/shared");
        String head = String.format("%08x-%08x rw-s 00000000 %02x:%02x %d ", Long.decode(a), Long.decode(a) + 0x2000,
                st.device().major(), st.device().minor(), st.attributes().ino());
        assertEquals(head + " ".repeat(73 - head.length()) + "/data/shared\n", maps, "proc/PID/maps, padded to column 73");

        String reader = mm.spawn();
        String rfd = fs.open(reader, "/data/shared", "O_RDONLY", null);
        assertEquals("hello, mmap! \\\\o", fs.read(reader, rfd, "15"), "the backslash comes back escaped");
        assertEquals("\\x00\\xff\\n", fs.pread(reader, rfd, "3", "4096"));
        assertEquals("15", fs.lseek(reader, rfd, "0", "cur"));
        assertEquals("0", fs.lseek(reader, rfd, "-15", "SEEK_CUR"));
        assertEquals("0 -> /data/shared (r, pos 0)", fs.fds(reader));
        assertEquals("pid 1: msync [" + a + ", 0x" + Long.toHexString(Long.decode(a) + 0x2000) + ") done",
                mm.msync(writer, a, "0x2000", "sync"));
        assertTrue(mm.peek(writer, a, "16").startsWith(String.format("%08x  68 65 6c 6c 6f 2c 20 6d  6d 61 70 21 20 5c 6f 00"
                + "  |hello, mmap! \\o.|", Long.decode(a))), mm.peek(writer, a, "16"));
        assertTrue(mm.smaps(writer).contains("/data/shared"), mm.smaps(writer));
    }

    @Test
    void descriptorCommandsPrintBareValuesAScriptCanUse() {
        String p = mm.spawn();
        String fd = fs.open(p, "/f", "O_WRONLY|O_CREAT|O_TRUNC", "644");
        assertEquals("5", fs.write(p, fd, "abcde"));
        assertEquals("2", fs.pwrite(p, fd, "XY", "1"));
        assertEquals("pid 1: fd 0 written back", fs.fsync(p, fd));
        String rd = fs.dup(p, fd);
        assertEquals("1", rd);
        assertEquals("0 -> /f (w, pos 5)\n1 -> /f (w, pos 5)", fs.fds(p));
        assertEquals("pid 1: closed fd 0", fs.close(p, "0"));
        assertEquals("pid 1: closed fd 1", fs.close(p, "1"));
        assertEquals("pid 1 has no open file descriptors", fs.fds(p));
        String r = fs.open(p, "/f", "rdonly", null);
        assertEquals("aXYde", fs.read(p, r, "100"));
        assertEquals("", fs.read(p, r, "100"), "end of file");
        String stat = fs.fstat(p, r);
        assertTrue(stat.startsWith("  File: /f\n  Size: 5  Blocks: "), stat);
        assertTrue(stat.endsWith("Access: (0644/-rw-r--r--)  Uid: 0  Gid: 0"), stat);
        assertEquals(stat, fs.stat("/f"));
        assertEquals("/f is now 2 bytes", fs.truncate("/f", "2"));
        assertEquals("aX", fs.pread(p, r, "10", "0"));
    }

    @Test
    void namesAndMounts() {
        fs.mkdir("/mnt", "0700");
        fs.mkdir("/mnt/d", null);
        String ls = fs.ls("/mnt");
        assertTrue(ls.startsWith("d "), ls);
        assertTrue(ls.contains(" .\n") && ls.contains(" ..\n") && ls.endsWith(" d\n"), ls);
        assertTrue(fs.stat("/mnt").contains("(0700/drwx------)"), fs.stat("/mnt"));
        assertEquals("tmpfs", fs.filesystems());
        assertEquals("mounted none on /mnt/d type tmpfs", fs.mount("none", "/mnt/d", "tmpfs", "size=64k"));
        assertEquals("none / tmpfs rw 0 0\nnone /mnt/d tmpfs rw,size=64k 0 0\n", fs.mounts());
        String df = fs.df("/mnt/d/x");
        assertEquals(2, df.split("\n").length, df);
        assertTrue(df.split("\n")[0].startsWith("Filesystem Type      1K-blocks       Used  Available   Inodes    IFree"
                + " Mounted on"), df);
        assertTrue(df.split("\n")[1].matches("none       tmpfs            64          0         64 +\\d+ +\\d+ /mnt/d"), df);
        assertEquals(3, fs.df(null).split("\n").length);
        assertEquals("synced 2 mount(s)", fs.sync());
        assertTrue(fs.statfs("/mnt/d").contains("Type: 0x1021994"), fs.statfs("/mnt/d"));

        String p = mm.spawn();
        fs.open(p, "/mnt/d/busy", "rdwr,creat", null);
        MmException busy = errno(Errno.EBUSY, () -> fs.umount("/mnt/d", null));
        assertEquals("errno EBUSY: do_umount: /mnt/d is busy: 1 open file(s)", busy.getMessage());
        assertEquals("unmounted /mnt/d (detached; open files keep it alive)", fs.umount("/mnt/d", "detach"));
        assertEquals("none / tmpfs rw 0 0\n", fs.mounts());
        assertEquals("1", fs.write(p, "0", "x"), "the open file keeps working after the detach");

        fs.open(p, "/mnt/gone", "wronly,creat", null);
        assertEquals("unlinked /mnt/gone", fs.unlink("/mnt/gone"));
        errno(Errno.ENOENT, () -> fs.unlink("/mnt/gone"));
        fs.rmdir("/mnt/d");
        errno(Errno.ENOENT, () -> fs.stat("/mnt/d"));
        errno(Errno.ENODEV, () -> fs.mount("none", "/mnt", "ext9", null));
        assertEquals("errno EBUSY: do_rmdir: cannot remove the root directory",
                errno(Errno.EBUSY, () -> fs.rmdir("/")).getMessage());
    }

    @Test
    void badInputNamesTheWordAndWhatIsAllowed() {
        String p = mm.spawn();
        assertEquals("PATH 'f' is not an absolute path (it starts with '/')", badInput(() -> fs.stat("f")));
        assertTrue(badInput(() -> fs.open(p, "/f", "rdwr,create", null)).startsWith(
                "unknown open FLAGS 'create' in 'rdwr,create'; allowed: rdonly, wronly, rdwr, creat"));
        assertEquals("open FLAGS 'rdonly,rdwr' name more than one access mode; choose one of rdonly, wronly, rdwr",
                badInput(() -> fs.open(p, "/f", "rdonly,rdwr", null)));
        assertEquals("MODE '999' is not octal permission bits like 644 or 0755",
                badInput(() -> fs.open(p, "/f", "rdwr,creat", "999")));
        assertEquals("WHENCE 'top' is not one of set, cur, end (SEEK_ prefix optional)",
                badInput(() -> fs.lseek(p, "0", "0", "top")));
        assertEquals("DATA 'hex:4': after 'hex:' write pairs of hexadecimal digits, one pair per byte (hex:48656c6c6f)",
                badInput(() -> fs.write(p, "0", "hex:4")));
        assertEquals("FD 'x' is not a non-negative number (decimal, or hexadecimal with 0x)",
                badInput(() -> fs.close(p, "x")));
        assertEquals("COUNT 2000000 is more than the 1048576 bytes one command moves",
                badInput(() -> fs.read(p, "0", "2000000")));
        assertTrue(badInput(() -> fs.umount("/", "now")).startsWith("umount option 'now' is not 'detach'"));
        assertTrue(badInput(() -> fs.mount("none", "/", "", null)).startsWith("TYPE is missing; registered types: tmpfs"));
        assertTrue(badInput(() -> mm.msync(p, "0", "1", "sometimes")).startsWith("unknown msync FLAGS 'sometimes'"));
        assertTrue(badInput(() -> fs.open("99", "/f", "rdonly", null)).startsWith("no process with pid 99; live pids: 1"));
    }

    @Test
    void kernelRefusalsAreErrnosAndFaultsAreSignals() {
        String p = mm.spawn();
        assertEquals("errno EBADF: ksys_read: fd 3 is not an open file descriptor",
                errno(Errno.EBADF, () -> fs.read(p, "3", "1")).getMessage());
        errno(Errno.ENOENT, () -> fs.open(p, "/missing", "rdonly", null));
        errno(Errno.EISDIR, () -> fs.open(p, "/", "rdonly,creat", null));
        String fd = fs.open(p, "/ro", "rdwr,creat", null);
        errno(Errno.EEXIST, () -> fs.open(p, "/ro", "rdonly,creat,excl", null));
        fs.close(p, fd);
        String ro = fs.open(p, "/ro", "rdonly", null);
        errno(Errno.EACCES, () -> mm.mmap(p, "0", "0x1000", "rw-", "shared", ro, "0"));
        errno(Errno.EBADF, () -> mm.mmap(p, "0", "0x1000", "r--", "shared", "7", "0"));
        errno(Errno.EINVAL, () -> mm.mmap(p, "0", "0x1000", "r--", "shared", ro, "0x10"));

        SignalException segv = assertThrows(SignalException.class, () -> mm.peek(p, "0x10000", "4"));
        assertEquals(Signal.SIGSEGV, segv.signal());
        assertTrue(segv.getMessage().startsWith("SIGSEGV in pid 1 at 0x10000: read: "), segv.getMessage());
        // a shared mapping of a one-byte file: the second page is beyond end of file
        String small = fs.open(p, "/small", "rdwr,creat", null);
        fs.write(p, small, "x");
        String a = mm.mmap(p, "0", "0x2000", "rw-", "shared", small, "0");
        String beyond = "0x" + Long.toHexString(Long.decode(a) + 0x1000);
        SignalException bus = assertThrows(SignalException.class, () -> mm.poke(p, beyond, "y"));
        assertEquals(Signal.SIGBUS, bus.signal());
        assertTrue(bus.getMessage().startsWith("SIGBUS in pid 1 at " + beyond + ": write: "), bus.getMessage());
        String ra = mm.mmap(p, "0", "0x1000", "r--", "private,anonymous", "-1", "0");
        SignalException readOnly = assertThrows(SignalException.class, () -> mm.poke(p, ra, "z"));
        assertEquals(Signal.SIGSEGV, readOnly.signal());
        assertArrayEquals(new byte[] {'x'}, kernel.process(1).pread(Integer.parseInt(small), 1, 0));
        assertEquals(Fcntl.O_RDWR | Fcntl.O_CREAT, SyscallArgs.openFlags("0102"));
    }

    @Test
    void hexdumpLinesAreThoseOfHexdumpC() {
        byte[] bytes = new byte[18];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('A' + i);
        }
        bytes[17] = 0;
        assertEquals("00001000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n"
                + "00001010  51 00                                             |Q.|", MmConsole.hexdump(0x1000, bytes));
        assertEquals("", MmConsole.hexdump(0, new byte[0]));
    }
}
