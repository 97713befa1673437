package org.vfsgi.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Joins vfsgi's figures (JMH medians), the host kernel's (vmabench's table) and the measured
 * heap per VMA into one table, row by row on the operation names both sides share, and checks
 * the targets of issue 7 against it.
 */
public final class ResultTable {
    /** Ratio target: vfsgi time / host time. */
    public static final double RATIO_TARGET = 0.25;
    /** Median lookup target at 10^6 VMAs, ns. */
    public static final double LOOKUP_TARGET_NS = 150;
    /** Heap target per VMA at 10^6 VMAs, bytes. */
    public static final double HEAP_TARGET_BYTES = 300;
    /** The size the lookup and heap targets are set at. */
    public static final int TARGET_N = 1_000_000;

    static final String LOOKUP_FIND = "vma_lookup_find";
    /** What the model's block-device rows do differently from vmabench's, said in their notes. */
    static final String BLOCKDEV_NOTE = "vfsgi: mke2fs image on a platform-hw file block device (a device read is a "
            + "pread of the image, which the host caches), page cache evicted per batch, readahead up to 32 pages, "
            + "fault-around of 16 cached pages per read fault as the host's";
    static final String BLOCKDEV_RANDOM_NOTE = "vfsgi: as fault_file_read_blockdev, but no madvise(MADV_RANDOM) in the "
            + "model: pages touched in descending order, which shrinks its readahead to one page, so each fault "
            + "reads its own page as MADV_RANDOM makes the host do";
    private static final Map<String, String> VFSGI_NOTES = Map.of(
            "fault_file_read_blockdev", BLOCKDEV_NOTE,
            "fault_file_read_blockdev_random", BLOCKDEV_RANDOM_NOTE);

    /** Rows before the sized ones, in vmabench's order. */
    private static final String[] HEAD = {"null_syscall", "mmap_munmap_shared_64k", "mmap_merge", "munmap_split",
        "munmap_split_remap"};
    /** Sized rows, per n. */
    private static final String[] SIZED = {"mprotect_split_merge", "vma_lookup", LOOKUP_FIND, "vma_lookup_mincore"};
    /** Rows after the sized ones. */
    private static final String[] TAIL = {"fault_anon_write", "fault_file_read_cached", "fault_file_read_blockdev",
        "fault_file_read_blockdev_random", "fault_shared_write", "fork_10k", "fork_10k_parent"};

    /** A host row as vmabench prints it: a null median means skipped. */
    public record HostRow(String op, Integer n, Double medianNs, String note) {
    }

    /**
     * A row of the joined table.
     *
     * @param op the operation
     * @param n the number of VMAs, or null
     * @param vfsgiNs vfsgi's median ns/op, or null
     * @param vfsgiBestNs vfsgi's fastest iteration, ns/op, or null: on a shared machine the median
     *        carries the load of the moment, the best iteration is closer to the unloaded cost
     * @param hostNs the host kernel's median ns/op, or null
     * @param heapPerVma heap bytes per VMA at n, or null
     * @param note why a figure is missing, or what the row compares
     */
    public record Row(String op, Integer n, Double vfsgiNs, Double vfsgiBestNs, Double hostNs, Double heapPerVma,
            String note) {
        /** @return vfsgi time / host time, or null if either is missing */
        public Double ratio() {
            return vfsgiNs == null || hostNs == null || hostNs <= 0 ? null : vfsgiNs / hostNs;
        }
    }

    private final Map<String, Double> vfsgi = new LinkedHashMap<>();
    private final Map<String, Double> vfsgiBest = new LinkedHashMap<>();
    private final Map<String, HostRow> host = new LinkedHashMap<>();
    private final Map<Integer, Double> heap = new LinkedHashMap<>();

    private static String key(String op, Integer n) {
        return op + "@" + (n == null ? "-" : n);
    }

    /**
     * @param op the operation (the benchmark method's name)
     * @param n the number of VMAs, or null
     * @param medianNs the median ns per operation
     * @param bestNs the fastest iteration's ns per operation
     */
    public void addVfsgi(String op, Integer n, double medianNs, double bestNs) {
        // fork's size is fixed by the benchmark, not a parameter; vmabench prints it as n.
        String k = key(op, n == null && op.startsWith("fork_") ? Integer.valueOf(ForkBenchmarks.VMAS) : n);
        vfsgi.put(k, medianNs);
        vfsgiBest.put(k, bestNs);
    }

    /**
     * @param n the number of VMAs
     * @param bytes measured heap bytes per VMA
     */
    public void addHeap(int n, double bytes) {
        heap.put(n, bytes);
    }

    /**
     * Reads vmabench's tab-separated table ({@code op n median_ns p90_ns iterations note}).
     *
     * @param in the table, header line first
     * @throws IOException if reading fails
     * @throws IllegalArgumentException naming the line that is not a vmabench row
     */
    public void readHost(Reader in) throws IOException {
        BufferedReader r = new BufferedReader(in);
        String header = r.readLine();
        if (header == null || !header.startsWith("op\tn\tmedian_ns")) {
            throw new IllegalArgumentException("not a vmabench table: first line is '" + header + "'");
        }
        String line;
        int no = 1;
        while ((line = r.readLine()) != null) {
            no++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 6);
            if (f.length < 6) {
                throw new IllegalArgumentException("vmabench line " + no + " has " + f.length + " fields, not 6: " + line);
            }
            try {
                Integer n = f[1].equals("-") ? null : Integer.valueOf(f[1]);
                Double median = f[2].equals("-") ? null : Double.valueOf(f[2]);
                host.put(key(f[0], n), new HostRow(f[0], n, median, f[5]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("vmabench line " + no + " has a bad number: " + line, e);
            }
        }
    }

    private Double hostNs(String op, Integer n) {
        if (op.equals(LOOKUP_FIND)) {
            // The bare lookup's host counterpart: msync's lookup with the syscall entry taken off.
            Double lookup = hostNs("vma_lookup", n);
            Double sys = hostNs("null_syscall", null);
            return lookup == null || sys == null ? null : Math.max(0, lookup - sys);
        }
        HostRow h = host.get(key(op, n));
        return h == null ? null : h.medianNs();
    }

    private String note(String op, Integer n) {
        if (op.equals(LOOKUP_FIND)) {
            return "vfsgi: read lock + vma_lookup; host: vma_lookup - null_syscall";
        }
        String hostSide = hostNote(op, n);
        String vfsgiSide = VFSGI_NOTES.get(op);
        if (vfsgiSide == null) {
            return hostSide;
        }
        return hostSide.isEmpty() ? vfsgiSide : hostSide + "; " + vfsgiSide;
    }

    private String hostNote(String op, Integer n) {
        HostRow h = host.get(key(op, n));
        if (h == null) {
            return "host: no row";
        }
        if (h.medianNs() == null) {
            return "host " + h.note();
        }
        return vfsgi.containsKey(key(op, n)) ? "" : "host only";
    }

    /** @return the joined rows, in vmabench's order, sized rows by ascending n */
    public List<Row> rows() {
        TreeSet<Integer> sizes = new TreeSet<>();
        for (String op : SIZED) {
            collectSizes(op, sizes);
        }
        List<Row> rows = new ArrayList<>();
        for (String op : HEAD) {
            addRow(rows, op, null);
        }
        for (int n : sizes) {
            for (String op : SIZED) {
                addRow(rows, op, n);
            }
        }
        for (String op : TAIL) {
            addRow(rows, op, op.startsWith("fork_") ? ForkBenchmarks.VMAS : null);
        }
        return rows;
    }

    private void collectSizes(String op, TreeSet<Integer> sizes) {
        for (String k : vfsgi.keySet()) {
            if (k.startsWith(op + "@") && !k.endsWith("@-")) {
                sizes.add(Integer.valueOf(k.substring(op.length() + 1)));
            }
        }
        for (HostRow h : host.values()) {
            if (h.op().equals(op) && h.n() != null) {
                sizes.add(h.n());
            }
        }
    }

    private void addRow(List<Row> rows, String op, Integer n) {
        Double v = vfsgi.get(key(op, n));
        Double h = hostNs(op, n);
        if (v == null && h == null && !host.containsKey(key(op, n))) {
            return; // neither side ran it (an --only or --quick selection)
        }
        rows.add(new Row(op, n, v, vfsgiBest.get(key(op, n)), h, n == null ? null : heap.get(n), note(op, n)));
    }

    private static String ns(Double v) {
        if (v == null) {
            return "-";
        }
        return v >= 100_000 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** @return the table in Markdown, then the targets, one line each */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("| operation | n | vfsgi ns/op | vfsgi best | host ns/op | ratio | heap B/VMA | note |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows()) {
            Double ratio = r.ratio();
            sb.append("| ").append(r.op()).append(" | ").append(r.n() == null ? "-" : r.n()).append(" | ")
                    .append(ns(r.vfsgiNs())).append(" | ").append(ns(r.vfsgiBestNs())).append(" | ")
                    .append(ns(r.hostNs())).append(" | ")
                    .append(ratio == null ? "-" : String.format(Locale.ROOT, "%.3f", ratio)).append(" | ")
                    .append(r.heapPerVma() == null ? "-" : String.format(Locale.ROOT, "%.0f", r.heapPerVma()))
                    .append(" | ").append(r.note()).append(" |\n");
        }
        sb.append('\n');
        for (String t : targets()) {
            sb.append("- ").append(t).append('\n');
        }
        return sb.toString();
    }

    /** @return one line per target of issue 7: the figure, the target, met or missed */
    public List<String> targets() {
        List<String> out = new ArrayList<>();
        List<String> misses = new ArrayList<>();
        int compared = 0;
        for (Row r : rows()) {
            Double ratio = r.ratio();
            if (ratio != null) {
                compared++;
                if (ratio > RATIO_TARGET) {
                    misses.add(r.op() + (r.n() == null ? "" : "@" + r.n())
                            + String.format(Locale.ROOT, " %.2f", ratio));
                }
            }
        }
        out.add(String.format(Locale.ROOT, "ratio <= %.2f: %d of %d compared rows met%s", RATIO_TARGET,
                compared - misses.size(), compared, misses.isEmpty() ? "" : "; missed: " + String.join(", ", misses)));
        Double lookup = vfsgi.get(key(LOOKUP_FIND, TARGET_N));
        out.add(lookup == null ? "lookup at 10^6 VMAs: not measured in this run"
                : String.format(Locale.ROOT, "lookup at 10^6 VMAs: %.1f ns median (target <= %.0f): %s", lookup,
                        LOOKUP_TARGET_NS, lookup <= LOOKUP_TARGET_NS ? "met" : "MISSED"));
        Double bytes = heap.get(TARGET_N);
        out.add(bytes == null ? "heap per VMA at 10^6 VMAs: not measured in this run"
                : String.format(Locale.ROOT, "heap per VMA at 10^6 VMAs: %.0f bytes (target <= %.0f): %s", bytes,
                        HEAP_TARGET_BYTES, bytes <= HEAP_TARGET_BYTES ? "met" : "MISSED"));
        for (String op : new String[] {"mprotect_split_merge", "vma_lookup", LOOKUP_FIND}) {
            String g = growth(op);
            if (g != null) {
                out.add(g);
            }
        }
        return out;
    }

    /** Growth from the smallest to the largest n, against what log n allows. */
    private String growth(String op) {
        TreeSet<Integer> sizes = new TreeSet<>();
        for (String k : vfsgi.keySet()) {
            if (k.startsWith(op + "@") && !k.endsWith("@-")) {
                sizes.add(Integer.valueOf(k.substring(op.length() + 1)));
            }
        }
        if (sizes.size() < 2) {
            return null;
        }
        int lo = sizes.first();
        int hi = sizes.last();
        double grew = vfsgi.get(key(op, hi)) / vfsgi.get(key(op, lo));
        double logGrew = Math.log(hi) / Math.log(lo);
        return String.format(Locale.ROOT, "growth of %s from n=%d to n=%d: x%.2f (log n grows x%.2f): %s", op, lo, hi,
                grew, logGrew, grew <= logGrew ? "no faster than log n" : "FASTER than log n");
    }
}
