package org.vfsgi.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;

/**
 * Measures heap bytes per VMA: the GC-settled used heap (MemoryMXBean) before and after building
 * an address space of n VMAs ({@link VmaSpace}, pages never touched), divided by n. Run it in a
 * JVM of its own ({@link Compare} does), so no other benchmark's garbage or JIT state is counted.
 *
 * <pre>java -cp benchmarks.jar org.vfsgi.bench.HeapPerVma N...</pre>
 *
 * prints one line per size: {@code heap_per_vma TAB n TAB bytes}.
 */
public final class HeapPerVma {
    private static final long SETTLED = 64 * 1024;

    private HeapPerVma() {
    }

    /**
     * Used heap after full collections stop freeing more than 64 KiB.
     *
     * @return bytes of heap in use
     */
    static long settledHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long prev = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(prev - used) < SETTLED) {
                return used;
            }
            prev = used;
        }
        return prev;
    }

    /**
     * @param n the number of VMAs, at least 16
     * @return heap bytes per VMA, measured
     */
    public static double bytesPerVma(int n) {
        BenchSystem sys = new BenchSystem(n + 1000);
        long before = settledHeap();
        VmaSpace space = new VmaSpace(sys.process(), n);
        long after = settledHeap();
        Reference.reachabilityFence(space);
        Reference.reachabilityFence(sys);
        return (double) (after - before) / sys.process().mm().mapCount();
    }

    /**
     * @param args the sizes, each a number of VMAs
     */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: HeapPerVma N... (numbers of VMAs, each at least 16)");
            System.exit(2);
        }
        for (String a : args) {
            int n;
            try {
                n = Integer.parseInt(a);
            } catch (NumberFormatException e) {
                System.err.println("HeapPerVma: '" + a + "' is not a number of VMAs");
                System.exit(2);
                return;
            }
            System.out.printf("heap_per_vma\t%d\t%.1f%n", n, bytesPerVma(n));
        }
    }
}
