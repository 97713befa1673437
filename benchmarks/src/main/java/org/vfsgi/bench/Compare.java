package org.vfsgi.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The vfsgi side of {@code benchmarks/run.sh}: runs the JMH benchmarks of this module and the heap
 * measurement (in a JVM of its own), joins them with the host kernel's table from
 * {@code benchmarks/host/run-host.sh}, and prints one table with the targets of issue 7.
 *
 * <pre>
 * java -cp benchmarks.jar org.vfsgi.bench.Compare [--quick] [--host FILE] [--sizes N,N...]
 *      [--include REGEX] [--out DIR]
 * </pre>
 *
 * Exit status: 0 when the run completed (whatever the figures), 1 when a benchmark failed,
 * 2 for a bad command line.
 */
public final class Compare {
    private static final String FULL_SIZES = "1000,10000,100000,1000000";
    private static final String QUICK_SIZES = "1000";

    private boolean quick;
    private Path hostTable;
    private String sizes;
    private String include = "org\\.vfsgi\\.bench\\..*Benchmarks\\..*";
    private Path out = Path.of("benchmarks", "target", "results");

    Compare() {
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        Compare c = new Compare();
        try {
            c.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Compare: " + e.getMessage());
            System.err.println("usage: Compare [--quick] [--host FILE] [--sizes N,N...] [--include REGEX] [--out DIR]");
            System.exit(2);
        }
        try {
            System.out.print(c.run());
        } catch (RunnerException | IOException | IllegalStateException | InterruptedException e) {
            System.err.println("Compare: the benchmark run failed: " + e);
            System.exit(1);
        }
    }

    void parse(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> quick = true;
                case "--host" -> hostTable = Path.of(value(args, ++i, a));
                case "--sizes" -> sizes = value(args, ++i, a);
                case "--include" -> include = value(args, ++i, a);
                case "--out" -> out = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (sizes == null) {
            sizes = quick ? QUICK_SIZES : FULL_SIZES;
        }
        for (String s : sizes.split(",")) {
            try {
                if (Integer.parseInt(s) < 16) {
                    throw new IllegalArgumentException("--sizes: " + s + " is below 16 VMAs");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sizes: '" + s + "' is not a number of VMAs");
            }
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    String run() throws RunnerException, IOException, InterruptedException {
        Files.createDirectories(out);
        ResultTable table = new ResultTable();
        if (hostTable != null) {
            try (Reader r = Files.newBufferedReader(hostTable, StandardCharsets.UTF_8)) {
                table.readHost(r);
            }
        }
        System.err.println("Compare: heap per VMA at " + sizes + " VMAs (a JVM of its own)");
        measureHeap(table);
        System.err.println("Compare: JMH " + (quick ? "smoke run" : "full run") + ", log in " + out.resolve("jmh.log"));
        for (RunResult r : runJmh()) {
            String bench = r.getParams().getBenchmark();
            String op = bench.substring(bench.lastIndexOf('.') + 1);
            String n = r.getParams().getParam("n");
            org.openjdk.jmh.util.Statistics st = r.getAggregatedResult().getPrimaryResult().getStatistics();
            table.addVfsgi(op, n == null ? null : Integer.valueOf(n), st.getPercentile(50), st.getMin());
        }
        String text = header() + (quick ? "SMOKE RUN (--quick): one cold 100 ms iteration in-process; these figures "
                + "show the harness works and measure nothing\n" : "") + "\n" + table.render();
        Files.writeString(out.resolve("table.md"), text, StandardCharsets.UTF_8);
        return text;
    }

    private Collection<RunResult> runJmh() throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(include)
                .param("n", sizes.split(","))
                .shouldFailOnError(true)
                .output(out.resolve("jmh.log").toString())
                .result(out.resolve("jmh.json").toString())
                .resultFormat(ResultFormatType.JSON);
        if (quick) {
            // Seconds, judging nothing: every benchmark runs its setup, a few batches and its checks.
            o.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(100));
        } else {
            o.forks(1).jvmArgsAppend("-Xmx4g").warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(10).measurementTime(TimeValue.seconds(1));
        }
        return new Runner(o.build()).run();
    }

    private void measureHeap(ResultTable table) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx4g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(HeapPerVma.class.getName());
        cmd.addAll(List.of(sizes.split(",")));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("HeapPerVma exited with " + p.exitValue());
        }
        for (String line : output.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3 && f[0].equals("heap_per_vma")) {
                table.addHeap(Integer.parseInt(f[1]), Double.parseDouble(f[2]));
            }
        }
    }

    private static String header() {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        String cpu = firstMatch(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch"));
        String load = firstMatch(Path.of("/proc/loadavg"), "").orElse("?");
        return String.format(Locale.ROOT, "vfsgi vs host kernel, %s; %s, %d cores; %s %s; Java %s; load average %s%n",
                date, cpu, Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.vm.version"), load);
    }

    private static Optional<String> firstMatch(Path file, String prefix) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    int colon = line.indexOf(':');
                    return Optional.of(prefix.isEmpty() || colon < 0 ? line.trim() : line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            // not Linux: the header says less
        }
        return Optional.empty();
    }
}
