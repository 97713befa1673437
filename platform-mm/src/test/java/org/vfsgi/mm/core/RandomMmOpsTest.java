package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmaFlag;

/**
 * Seeded random sequences of mmap, munmap and mprotect over a 64-page window of private
 * anonymous memory, checked page by page against a shadow model after every step (mapped or
 * not, protection, offset), plus the tree and accounting invariants. Whatever merges and
 * splits happen underneath, the pages must say what the calls asked for.
 */
class RandomMmOpsTest {
    private static final long BASE = 0x400000;
    private static final int PAGES = 64;
    private static final long P = Mman.PAGE_SIZE;

    @Test
    void pagesMatchTheShadowModel() {
        for (long seed = 1; seed <= 20; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        Random rnd = new Random(seed);
        Kernel k = new Kernel(KernelConfig.builder().traceCapacity(64).build());
        Process p = k.spawn();
        int[] shadow = new int[PAGES]; // -1 unmapped, else PROT bits
        java.util.Arrays.fill(shadow, -1);
        for (int step = 0; step < 400; step++) {
            int first = rnd.nextInt(PAGES);
            int n = 1 + rnd.nextInt(Math.min(8, PAGES - first));
            long a = BASE + first * P;
            int prot = rnd.nextInt(4); // PROT_NONE, READ, WRITE(+READ in hardware), READ|WRITE
            String what;
            switch (rnd.nextInt(4)) {
                case 0:
                    what = "mmap";
                    p.mmap(a, n * P, prot, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);
                    for (int i = first; i < first + n; i++) {
                        shadow[i] = prot;
                    }
                    break;
                case 1:
                    what = "munmap";
                    p.munmap(a, n * P);
                    for (int i = first; i < first + n; i++) {
                        shadow[i] = -1;
                    }
                    break;
                case 3:
                    what = "mremap";
                    int target = rnd.nextInt(PAGES - n + 1);
                    long t = BASE + target * P;
                    Vma src = p.mm().tree().lookup(a);
                    boolean oneVma = src != null && a + n * P <= src.end();
                    boolean overlap = target < first + n && first < target + n;
                    try {
                        p.mremap(a, n * P, n * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, t);
                        assertTrue(oneVma && !overlap, "mremap should have failed");
                        int[] moved = java.util.Arrays.copyOfRange(shadow, first, first + n);
                        for (int i = first; i < first + n; i++) {
                            shadow[i] = -1;
                        }
                        System.arraycopy(moved, 0, shadow, target, n);
                    } catch (MmException e) {
                        assertTrue(!oneVma || overlap, "mremap failed unexpectedly: " + e.getMessage());
                        assertEquals(overlap ? Errno.EINVAL : Errno.EFAULT, e.errno(), e.getMessage());
                    }
                    break;
                default:
                    what = "mprotect";
                    boolean allMapped = true;
                    for (int i = first; i < first + n; i++) {
                        allMapped &= shadow[i] >= 0;
                    }
                    try {
                        p.mprotect(a, n * P, prot);
                        if (!allMapped) {
                            fail("mprotect over a hole must fail (seed " + seed + ", step " + step + ")");
                        }
                        for (int i = first; i < first + n; i++) {
                            shadow[i] = prot;
                        }
                    } catch (MmException e) {
                        assertEquals(Errno.ENOMEM, e.errno(), e.getMessage());
                        assertTrue(!allMapped, "mprotect failed on a fully mapped range: " + e.getMessage());
                    }
                    break;
            }
            check(p.mm(), shadow, "seed " + seed + " step " + step + " " + what + " [" + first + "+" + n + ")");
        }
        p.exit();
        assertEquals(0, p.mm().mapCount());
    }

    private static void check(MmStruct mm, int[] shadow, String where) {
        Consistency.check(mm);
        for (int i = 0; i < PAGES; i++) {
            Vma v = mm.tree().lookup(BASE + i * P);
            if (shadow[i] < 0) {
                assertNull(v, where + ": page " + i + " should be unmapped");
                continue;
            }
            assertNotNull(v, where + ": page " + i + " should be mapped");
            int prot = (v.flags().test(VmaFlag.READ) ? Mman.PROT_READ : 0)
                    | (v.flags().test(VmaFlag.WRITE) ? Mman.PROT_WRITE : 0);
            assertEquals(shadow[i], prot, where + ": protection of page " + i);
            long pgoffOfPage = v.pgoff() + ((BASE + i * P - v.start()) >>> Mman.PAGE_SHIFT);
            assertEquals((BASE >>> Mman.PAGE_SHIFT) + i, pgoffOfPage, where + ": anonymous offset of page " + i);
        }
        // Neighbours that could merge at mmap time do not have to be merged, but no VMA may be empty
        // or carry a protection the calls never asked for — checked above page by page.
    }
}
