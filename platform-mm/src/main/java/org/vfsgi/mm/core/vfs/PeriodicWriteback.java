package org.vfsgi.mm.core.vfs;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flusher: every {@code dirty_writeback_centisecs} it runs {@link Vfs#writebackAll()}, so
 * dirty pages reach their file systems' devices without an {@code fsync}, {@code msync} or
 * unmount, as the kernel's periodic write-back ({@code wb_workfn}) does. Without it a mapping
 * written and never synced would only reach the disk image at unmount.
 *
 * <p>One daemon thread of its own, started by the constructor and stopped by {@link #close()}
 * (which waits for a round in progress). A round that cannot write something is reported once
 * when the trouble starts and once when it clears, not every few seconds; the error itself
 * stays recorded for the file's next {@code fsync}.
 */
public final class PeriodicWriteback implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeriodicWriteback.class.getName());

    private final Vfs vfs;
    private final ScheduledExecutorService timer;
    private final AtomicLong rounds = new AtomicLong();
    private boolean failing;

    /**
     * Starts writing back every {@code intervalMillis}.
     *
     * @param vfs the VFS whose mounts are written back
     * @param intervalMillis the period in milliseconds, at least 1
     * @throws IllegalArgumentException for a period below 1 ms
     */
    public PeriodicWriteback(Vfs vfs, long intervalMillis) {
        this.vfs = Objects.requireNonNull(vfs, "vfs");
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("the write-back interval must be at least 1 ms, was " + intervalMillis);
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vfsgi-writeback");
            t.setDaemon(true); // never keeps a JVM alive whose platform forgot to close it
            return t;
        });
        timer.scheduleWithFixedDelay(this::runOnce, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** One round: write back everything dirty now; also what the timer thread runs. */
    public synchronized void runOnce() {
        List<String> failures;
        try {
            failures = vfs.writebackAll();
        } catch (RuntimeException e) {
            // A file system's bug must not kill the flusher: later rounds still write the others.
            failures = List.of("write-back round failed: " + e);
        }
        rounds.incrementAndGet();
        if (!failures.isEmpty() && !failing) {
            LOG.log(System.Logger.Level.WARNING, "periodic write-back: {0}", String.join("; ", failures));
        } else if (failures.isEmpty() && failing) {
            LOG.log(System.Logger.Level.INFO, "periodic write-back succeeds again");
        }
        failing = !failures.isEmpty();
    }

    /** @return the rounds run so far, by the timer or by {@link #runOnce()} */
    public long rounds() {
        return rounds.get();
    }

    /** Stops the timer, waiting up to five seconds for a round in progress to finish. */
    @Override
    public void close() {
        // shutdown, not shutdownNow: interrupting a thread in FileChannel I/O closes the channel,
        // which would take a block device's image file away from every later write.
        timer.shutdown();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "periodic write-back did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
