package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.vfs.Fcntl;

/** The words of the mm: shell become the system-call arguments a C program would pass. */
class SyscallArgsTest {

    private static String rejected(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }

    @Test
    void numbersAreDecimalOrHex() {
        assertEquals(4096, SyscallArgs.number("LEN", "4096"));
        assertEquals(0x7f0000000000L, SyscallArgs.number("ADDR", "0x7f0000000000"));
        assertEquals(0xABCL, SyscallArgs.number("ADDR", "0XaBc"));
        assertEquals(0, SyscallArgs.number("ADDR", "0"));
        assertTrue(rejected(() -> SyscallArgs.number("ADDR", "0xffffffffffffffff")).contains("non-negative"));
        String m = rejected(() -> SyscallArgs.number("LEN", "12k"));
        assertTrue(m.contains("LEN '12k'") && m.contains("hexadecimal with 0x"), m);
        assertTrue(rejected(() -> SyscallArgs.number("LEN", "-1")).contains("'-1'"));
        assertEquals("ADDR is missing", rejected(() -> SyscallArgs.number("ADDR", " ")));
    }

    @Test
    void pidMustBePositive() {
        assertEquals(7, SyscallArgs.pid("7"));
        assertTrue(rejected(() -> SyscallArgs.pid("0")).contains("PID '0'"));
        assertTrue(rejected(() -> SyscallArgs.pid("0x100000000")).contains("not a process id"));
    }

    @Test
    void protAsMapsLetters() {
        assertEquals(Mman.PROT_READ, SyscallArgs.prot("r--"));
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE, SyscallArgs.prot("rw-"));
        assertEquals(Mman.PROT_READ | Mman.PROT_EXEC, SyscallArgs.prot("r-x"));
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC, SyscallArgs.prot("rwx"));
        assertEquals(Mman.PROT_NONE, SyscallArgs.prot("---"));
        assertEquals(Mman.PROT_WRITE, SyscallArgs.prot("-w-"));
        // without dashes: the letters present, in order
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE, SyscallArgs.prot("rw"));
        assertEquals(Mman.PROT_READ | Mman.PROT_EXEC, SyscallArgs.prot("rx"));
        assertEquals(Mman.PROT_EXEC, SyscallArgs.prot("x"));
    }

    @Test
    void protAsNamesOrNumber() {
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE, SyscallArgs.prot("PROT_READ|PROT_WRITE"));
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE, SyscallArgs.prot("PROT_READ,PROT_WRITE"));
        assertEquals(Mman.PROT_READ | Mman.PROT_EXEC, SyscallArgs.prot("read+exec"));
        assertEquals(Mman.PROT_NONE, SyscallArgs.prot("PROT_NONE"));
        assertEquals(Mman.PROT_NONE, SyscallArgs.prot("none"));
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE, SyscallArgs.prot("3"));
        assertEquals(Mman.PROT_READ, SyscallArgs.prot("0x1"));
    }

    @Test
    void badProtNamesTheLetterAndTheAllowedForms() {
        String letter = rejected(() -> SyscallArgs.prot("rwz"));
        assertTrue(letter.startsWith("PROT 'rwz': 'z' is not a permission letter"), letter);
        assertTrue(letter.contains("r--, rw-, r-x, rwx, ---") && letter.contains("PROT_READ, PROT_WRITE"), letter);
        String position = rejected(() -> SyscallArgs.prot("w-r"));
        assertTrue(position.startsWith("PROT 'w-r': position 1 must be 'r' or '-'"), position);
        assertTrue(rejected(() -> SyscallArgs.prot("wr")).contains("in the order r, w, x"));
        String name = rejected(() -> SyscallArgs.prot("PROT_READ|PROT_WRTE"));
        assertTrue(name.contains("unknown name 'prot_wrte'"), name);
        assertTrue(rejected(() -> SyscallArgs.prot("8")).contains("bits other than"));
        assertTrue(rejected(() -> SyscallArgs.prot("")).startsWith("PROT is missing"));
        assertTrue(rejected(() -> SyscallArgs.prot("read,,write")).contains("empty name"));
    }

    @Test
    void mapFlagsByNameInAnyCaseWithOrWithoutPrefix() {
        assertEquals(Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, SyscallArgs.mapFlags("private,anonymous"));
        assertEquals(Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, SyscallArgs.mapFlags("MAP_PRIVATE|MAP_ANONYMOUS"));
        assertEquals(Mman.MAP_SHARED | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED_NOREPLACE,
                SyscallArgs.mapFlags("shared + anonymous + fixed-noreplace"));
        assertEquals(Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, SyscallArgs.mapFlags("Private,Anonymous,FIXED"));
        assertEquals(Mman.MAP_SHARED_VALIDATE | Mman.MAP_SYNC, SyscallArgs.mapFlags("shared_validate,sync"));
        assertEquals(0x22, SyscallArgs.mapFlags("0x22"));
    }

    @Test
    void unknownMapFlagIsNamedWithTheKnownOnes() {
        String m = rejected(() -> SyscallArgs.mapFlags("private|anonymus"));
        assertTrue(m.startsWith("unknown FLAGS 'anonymus' in 'private|anonymus'; allowed: private, shared,"), m);
        assertTrue(m.contains("fixed_noreplace"), m);
        assertTrue(rejected(() -> SyscallArgs.mapFlags(null)).startsWith("FLAGS is missing; allowed: private"));
    }

    @Test
    void mremapFlags() {
        assertEquals(Mman.MREMAP_MAYMOVE, SyscallArgs.mremapFlags("maymove"));
        assertEquals(Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, SyscallArgs.mremapFlags("MREMAP_MAYMOVE|MREMAP_FIXED"));
        assertEquals(0, SyscallArgs.mremapFlags("0"));
        assertEquals(0, SyscallArgs.mremapFlags("none"));
        String m = rejected(() -> SyscallArgs.mremapFlags("dontunmap"));
        assertTrue(m.contains("'dontunmap'") && m.contains("allowed: maymove, fixed"), m);
    }

    @Test
    void errnoByNameOrNumber() {
        assertEquals(Errno.ENOMEM, SyscallArgs.errno("ENOMEM"));
        assertEquals(Errno.EINVAL, SyscallArgs.errno("einval"));
        assertEquals(Errno.ENOMEM, SyscallArgs.errno("12"));
        String m = rejected(() -> SyscallArgs.errno("ENOPE"));
        assertTrue(m.startsWith("unknown errno 'ENOPE'; allowed: EPERM, ENOENT"), m);
        assertTrue(rejected(() -> SyscallArgs.errno("10")).contains("'10'"), "10 is ECHILD, which vfsgi does not raise");
    }

    @Test
    void injectionPointsByName() {
        assertEquals(InjectionPoint.VMA_ALLOC, SyscallArgs.injectionPoint("vma_alloc"));
        assertEquals(InjectionPoint.BEFORE_PREPARE, SyscallArgs.injectionPoint("before-prepare"));
        assertEquals(InjectionPoint.TREE_PREALLOC, SyscallArgs.injectionPoint("TREE_PREALLOC"));
        String m = rejected(() -> SyscallArgs.injectionPoint("oom"));
        assertTrue(m.startsWith("unknown injection point 'oom'; allowed: vma_alloc, tree_prealloc, split,"), m);
        assertTrue(m.endsWith("(or 'clear')"), m);
    }

    @Test
    void openFlagsAsNamesOrOctal() {
        assertEquals(Fcntl.O_RDONLY, SyscallArgs.openFlags("rdonly"));
        assertEquals(Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL, SyscallArgs.openFlags("rdwr,creat,excl"));
        assertEquals(Fcntl.O_WRONLY | Fcntl.O_TRUNC | Fcntl.O_APPEND, SyscallArgs.openFlags("O_WRONLY|O_TRUNC|O_APPEND"));
        assertEquals(Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW, SyscallArgs.openFlags("directory+nofollow"));
        assertEquals(Fcntl.O_RDWR | Fcntl.O_CREAT, SyscallArgs.openFlags("0102"), "octal as C writes it");
        assertEquals(Fcntl.O_RDWR, SyscallArgs.openFlags("2"));
        assertTrue(rejected(() -> SyscallArgs.openFlags("wronly,rdwr")).contains("more than one access mode"));
        assertTrue(rejected(() -> SyscallArgs.openFlags("")).startsWith("open FLAGS is missing; allowed: rdonly,"));
    }

    @Test
    void modesWhenceMsyncFlagsAndDescriptors() {
        assertEquals(0644, SyscallArgs.mode("644"));
        assertEquals(01777, SyscallArgs.mode("01777"));
        assertTrue(rejected(() -> SyscallArgs.mode("rw")).startsWith("MODE 'rw' is not octal"));
        assertTrue(rejected(() -> SyscallArgs.mode("10000")).startsWith("MODE '10000'"));
        assertEquals(Fcntl.SEEK_SET, SyscallArgs.whence("set"));
        assertEquals(Fcntl.SEEK_END, SyscallArgs.whence("SEEK_END"));
        assertEquals(Fcntl.SEEK_CUR, SyscallArgs.whence("1"));
        assertEquals(Mman.MS_SYNC | Mman.MS_INVALIDATE, SyscallArgs.msyncFlags("MS_SYNC,invalidate"));
        assertEquals(Mman.MS_ASYNC, SyscallArgs.msyncFlags("async"));
        assertEquals(3, SyscallArgs.fd("3"));
        assertTrue(rejected(() -> SyscallArgs.fd("0x80000000")).startsWith("FD '0x80000000' is not a file descriptor"));
        assertEquals(16, SyscallArgs.count("COUNT", "0x10", 16));
        assertEquals("/a", SyscallArgs.path("PATH", "/a"));
    }

    @Test
    void dataIsTextOrHexBytes() {
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), SyscallArgs.data("héllo"));
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x0a}, SyscallArgs.data("hex:00FF0a"));
        assertArrayEquals(new byte[] {0x12, 0x34}, SyscallArgs.data("HEX:12_34"));
        assertArrayEquals(new byte[0], SyscallArgs.data(""));
        assertTrue(rejected(() -> SyscallArgs.data("hex:xyz1")).startsWith("DATA 'hex:xyz1': after 'hex:'"));
        assertEquals("DATA is missing", rejected(() -> SyscallArgs.data(null)));
    }
}
