package org.vfsgi.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.vfsgi.mm.core.Process;

/**
 * fork of a process holding 10^4 VMAs (vmabench's layout, pages never touched): fork_10k is the
 * fork and the child's exit (its address space torn down), fork_10k_parent the fork alone, the
 * child's exit happening untimed after it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ForkBenchmarks {
    /** vmabench's FORK_VMAS. */
    public static final int VMAS = 10_000;

    /** The parent with its 10^4 VMAs. */
    @State(Scope.Thread)
    public static class Parent {
        BenchSystem sys;
        Process p;
        Process child;

        /** Builds the parent's address space (once per trial). */
        @Setup(Level.Trial)
        public void build() {
            sys = new BenchSystem(2 * VMAS);
            p = sys.process();
            new VmaSpace(p, VMAS);
        }

        /** The child must hold a copy of every VMA; then it exits (untimed for fork_10k_parent). */
        @TearDown(Level.Invocation)
        public void reap() {
            if (child != null) {
                sys.check(child.isExited() || child.mm().mapCount() == VMAS, "fork: a copy of all " + VMAS + " VMAs");
                child.exit();
                child = null;
            }
        }
    }

    /**
     * fork + the child's exit.
     *
     * @param s the parent
     * @return the child
     */
    @Benchmark
    public Process fork_10k(Parent s) {
        Process c = s.p.fork();
        int copied = c.mm().mapCount();
        c.exit();
        if (copied != VMAS) {
            throw new IllegalStateException("fork copied " + copied + " VMAs, not " + VMAS);
        }
        return c;
    }

    /**
     * fork alone.
     *
     * @param s the parent
     * @return the child
     */
    @Benchmark
    public Process fork_10k_parent(Parent s) {
        s.child = s.p.fork();
        return s.child;
    }
}
