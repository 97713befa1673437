package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.Signal;
import org.vfsgi.mm.SignalException;

/**
 * Every protection × mapping kind × access kind, in the manner of the kernel's VMA tests that
 * loop over all flag permutations: the access succeeds exactly when the VMA's flags allow it
 * (a write needs PROT_WRITE; any other access needs some PROT bit, as x86's {@code access_error}
 * decides), and otherwise gets SIGSEGV at the accessed address. Successful writes read back.
 */
class AccessPermutationTest {
    private static final long P = Mman.PAGE_SIZE;
    private static final int[] PROTS = {
        Mman.PROT_NONE, Mman.PROT_READ, Mman.PROT_WRITE, Mman.PROT_EXEC, Mman.PROT_READ | Mman.PROT_WRITE,
        Mman.PROT_READ | Mman.PROT_EXEC, Mman.PROT_WRITE | Mman.PROT_EXEC,
        Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC,
    };

    private static SignalException access(Process p, long addr, boolean write) {
        try {
            if (write) {
                p.writeMemory(addr, new byte[] {(byte) 0x5a});
            } else {
                p.readMemory(addr, 1);
            }
            return null;
        } catch (SignalException e) {
            return e;
        }
    }

    @Test
    void theVmaFlagsDecideEveryAccess() {
        TestRam ram = new TestRam(512);
        Kernel kernel = new Kernel(KernelConfig.builder().mmapMinAddr(0).build(), ram);
        Process p = kernel.spawn();
        DiskFile file = new DiskFile(new DiskFile.DiskInode(64 * P, false));
        int cases = 0;
        long addr = 0x200000;
        for (int prot : PROTS) {
            for (String kind : new String[] {"anon-private", "file-private", "file-shared"}) {
                for (boolean write : new boolean[] {false, true}) {
                    int flags = Mman.MAP_FIXED | (kind.endsWith("shared") ? Mman.MAP_SHARED : Mman.MAP_PRIVATE);
                    long a = kind.startsWith("anon")
                            ? p.mmap(addr, P, prot, flags | Mman.MAP_ANONYMOUS, null, 0)
                            : p.mmap(addr, P, prot, flags, file, (cases % 64) * P);
                    boolean allowed = write ? (prot & Mman.PROT_WRITE) != 0 : prot != Mman.PROT_NONE;
                    String what = kind + " prot " + prot + (write ? " write" : " read");
                    SignalException e = access(p, a, write);
                    if (allowed) {
                        assertNull(e, what);
                        if (write) {
                            p.mprotect(a, P, prot | Mman.PROT_READ);
                            assertArrayEquals(new byte[] {(byte) 0x5a}, p.readMemory(a, 1), what);
                        }
                    } else if (e == null) {
                        fail(what + " should have faulted");
                    } else {
                        assertEquals(Signal.SIGSEGV, e.signal(), what);
                        assertEquals(a, e.address(), what);
                    }
                    p.munmap(a, P);
                    addr += 2 * P;
                    cases++;
                }
            }
        }
        assertEquals(PROTS.length * 3 * 2, cases);
        assertEquals(0, p.mm().pageTable().presentCount(), "every page was unmapped again");
    }
}
