package org.vfsgi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The host side of the harness, briefly: run-host.sh builds vmabench with gcc and runs two of its
 * operations in quick mode, and its table joins with vfsgi figures. Judges no timing.
 */
class HostSmokeTest {
    @Test
    void vmabenchRunsAndItsTableJoins() throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "vmabench measures the Linux kernel");
        Path script = Path.of("host", "run-host.sh").toAbsolutePath();
        assertTrue(Files.isExecutable(script), script + " is missing or not executable");
        Path buildDir = Path.of("target", "host-smoke").toAbsolutePath();
        Process p = new ProcessBuilder(script.toString(), "--build-dir", buildDir.toString(), "--quick", "--only",
                "null_syscall,mmap_merge").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "vmabench took over a minute");
        assertEquals(0, p.exitValue(), "run-host.sh failed; output:\n" + out);

        ResultTable t = new ResultTable();
        t.readHost(new StringReader(out));
        t.addVfsgi("mmap_merge", null, 1.0, 1.0);
        List<ResultTable.Row> rows = t.rows();
        ResultTable.Row merge = rows.stream().filter(r -> r.op().equals("mmap_merge")).findFirst().orElseThrow();
        assertNotNull(merge.hostNs(), "vmabench measured mmap_merge: " + out);
        assertTrue(merge.hostNs() > 0 && merge.ratio() > 0);
        assertTrue(rows.stream().anyMatch(r -> r.op().equals("null_syscall") && r.hostNs() != null));
    }
}
