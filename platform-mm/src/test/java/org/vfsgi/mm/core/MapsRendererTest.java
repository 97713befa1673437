package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.vfs.FileOperations;

/** /proc/PID/maps text, byte for byte as fs/proc/task_mmu.c prints it on a 64-bit kernel. */
class MapsRendererTest {

    @Test
    void rendersLinuxFormat() {
        Kernel kernel = new Kernel();
        Process p = kernel.spawn();
        Fakes.TestFile libc = new Fakes.TestFile(new Fakes.TestInode(0x103, 0x2a, 1319042, 0x200000),
                FileOperations.builder().mmapPrepare(d -> 0).build(), true, false, "/usr/lib/libc.so.6");
        VmOperations named = VmOperations.builder().nameHook(v -> "[vdso]").build();
        Fakes.TestFile vdso = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setAnonymous();
            return 0;
        }).build());
        int fixed = Mman.MAP_FIXED;
        p.mmap(0x7f0000000000L, 0x28000, Mman.PROT_READ, Mman.MAP_PRIVATE | fixed, libc, 0);
        p.mmap(0x7f0000028000L, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, Mman.MAP_PRIVATE | fixed, libc, 0x28000);
        p.mmap(0x400000, 0x1000, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | fixed, null,
                0);
        p.mmap(0x600000, 0x2000, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS | fixed, null,
                0);
        p.mmap(0x7fff00000000L, 0x2000, Mman.PROT_READ | Mman.PROT_EXEC, Mman.MAP_PRIVATE | fixed, vdso, 0);
        // Name the vdso-like VMA through vm_ops->name (anonymous VMAs normally have no ops; this one gets a name).
        Vma v = p.mm().tree().lookup(0x7fff00000000L);
        v.vmOps = named;
        v.file = null;
        String expected = ""
                + "00400000-00401000 rw-p 00000000 00:00 0 \n"
                + "00600000-00602000 rw-s 00000000 00:00 0 \n"
                + "7f0000000000-7f0000028000 r--p 00000000 103:2a 1319042                   /usr/lib/libc.so.6\n"
                + "7f0000028000-7f0000029000 r-xp 00028000 103:2a 1319042                   /usr/lib/libc.so.6\n"
                + "7fff00000000-7fff00002000 r-xp 00000000 00:00 0                          [vdso]\n";
        assertEquals(expected, p.maps());
        // The name column is byte 73 whatever the width of the fields before it.
        String line = p.maps().lines().filter(l -> l.endsWith("[vdso]")).findFirst().orElseThrow();
        assertEquals(73, line.indexOf("[vdso]"));
        String shortLine = "00010000-00011000 rw-p 00000000 08:01 12";
        Process q = kernel.spawn();
        q.mmap(0x10000, 0x1000, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | fixed,
                Fakes.file(FileOperations.builder().mmapPrepare(d -> 0).build()), 0);
        assertEquals(shortLine + " ".repeat(73 - shortLine.length()) + "/data/file\n", q.maps());
    }
}
