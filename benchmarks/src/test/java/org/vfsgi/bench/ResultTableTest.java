package org.vfsgi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {
    private static final String HOST = "op\tn\tmedian_ns\tp90_ns\titerations\tnote\n"
            + "null_syscall\t-\t100.0\t110.0\t1000\tgetppid\n"
            + "mmap_merge\t-\t2000.0\t2100.0\t500\tmerge seen\n"
            + "vma_lookup\t1000\t300.0\t310.0\t500\tmsync\n"
            + "vma_lookup\t1000000\t-\t-\t0\tskipped: needs 1000000 VMAs\n"
            + "fault_file_read_blockdev\t-\t5000.0\t5100.0\t100\tdisk\n"
            + "fault_file_read_blockdev_random\t-\t-\t-\t0\tskipped: /var/tmp is on tmpfs, not a disk\n"
            + "fork_10k\t10000\t4000000.0\t4100000.0\t20\tfork\n";

    private static ResultTable table() throws IOException {
        ResultTable t = new ResultTable();
        t.readHost(new StringReader(HOST));
        t.addVfsgi("mmap_merge", null, 400, 350);
        t.addVfsgi("vma_lookup", 1000, 60, 60);
        t.addVfsgi("vma_lookup_find", 1000, 80, 80);
        t.addVfsgi("vma_lookup_find", 1000000, 140, 140);
        t.addVfsgi("vma_lookup", 1000000, 200, 200);
        t.addVfsgi("fork_10k", null, 2_000_000, 2_000_000);
        t.addVfsgi("fault_file_read_blockdev", null, 1000, 900);
        t.addVfsgi("fault_file_read_blockdev_random", null, 3000, 2900);
        t.addHeap(1000000, 250);
        return t;
    }

    private static ResultTable.Row row(List<ResultTable.Row> rows, String op, Integer n) {
        return rows.stream().filter(r -> r.op().equals(op) && java.util.Objects.equals(r.n(), n)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + op + " " + n));
    }

    @Test
    void joinsRowsOnOperationAndSize() throws IOException {
        List<ResultTable.Row> rows = table().rows();
        assertEquals(0.2, row(rows, "mmap_merge", null).ratio(), 1e-9, "the ratio is of medians");
        assertEquals(350.0, row(rows, "mmap_merge", null).vfsgiBestNs());
        assertEquals(0.2, row(rows, "vma_lookup", 1000).ratio(), 1e-9);
        // The bare lookup is compared with msync's lookup minus the syscall entry.
        assertEquals(200.0, row(rows, "vma_lookup_find", 1000).hostNs(), 1e-9);
        assertEquals(0.5, row(rows, "fork_10k", 10000).ratio(), 1e-9, "fork's n is the fixed 10^4");
        ResultTable.Row skipped = row(rows, "vma_lookup", 1000000);
        assertNull(skipped.ratio());
        assertTrue(skipped.note().contains("skipped"), skipped.note());
        assertEquals(250.0, skipped.heapPerVma());
        // The block-device rows are compared, and their notes say what the model does differently.
        ResultTable.Row blockdev = row(rows, "fault_file_read_blockdev", null);
        assertEquals(0.2, blockdev.ratio(), 1e-9);
        assertEquals(ResultTable.BLOCKDEV_NOTE, blockdev.note());
        ResultTable.Row random = row(rows, "fault_file_read_blockdev_random", null);
        assertEquals(3000.0, random.vfsgiNs());
        assertNull(random.ratio(), "the host skipped it");
        assertEquals("host skipped: /var/tmp is on tmpfs, not a disk; " + ResultTable.BLOCKDEV_RANDOM_NOTE, random.note());
        assertEquals("host only", row(rows, "null_syscall", null).note());
    }

    @Test
    void judgesTheTargets() throws IOException {
        List<String> targets = table().targets();
        assertTrue(targets.get(0).equals("ratio <= 0.25: 3 of 5 compared rows met; missed: vma_lookup_find@1000 0.40, fork_10k@10000 0.50"), targets.get(0));
        assertTrue(targets.get(0).contains("fork_10k@10000 0.50"), targets.get(0));
        assertTrue(targets.get(1).contains("140.0 ns") && targets.get(1).endsWith("met"), targets.get(1));
        assertTrue(targets.get(2).contains("250 bytes") && targets.get(2).endsWith("met"), targets.get(2));
        assertTrue(targets.stream().anyMatch(s -> s.startsWith("growth of vma_lookup from n=1000 to n=1000000: x3.33")
                && s.endsWith("FASTER than log n")), targets.toString());
        assertTrue(targets.stream().anyMatch(s -> s.startsWith("growth of vma_lookup_find") && s.endsWith("no faster than log n")),
                targets.toString());
        String md = table().render();
        assertTrue(md.contains("| mmap_merge | - | 400.0 | 350.0 | 2000.0 | 0.200 | - |  |"), md);
    }

    @Test
    void missedTargetsAreSaid() throws IOException {
        ResultTable t = table();
        t.addVfsgi("vma_lookup_find", 1000000, 151, 151);
        t.addHeap(1000000, 301);
        List<String> targets = t.targets();
        assertTrue(targets.get(1).endsWith("MISSED"), targets.get(1));
        assertTrue(targets.get(2).endsWith("MISSED"), targets.get(2));
    }

    @Test
    void rejectsWhatIsNotAVmabenchTable() {
        ResultTable t = new ResultTable();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.readHost(new StringReader("hello\n")));
        assertTrue(e.getMessage().contains("not a vmabench table"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> t.readHost(new StringReader("op\tn\tmedian_ns\tp90_ns\titerations\tnote\nx\t-\t1\n")));
        assertTrue(e.getMessage().contains("line 2 has 3 fields"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> t.readHost(new StringReader("op\tn\tmedian_ns\tp90_ns\titerations\tnote\nx\tmany\t1\t1\t1\tz\n")));
        assertTrue(e.getMessage().contains("bad number"), e.getMessage());
    }
}
