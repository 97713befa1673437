package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.Process;
import org.vfsgi.mm.core.vfs.OpenFile;
import org.vfsgi.vfs.CharDevice;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;

/**
 * Contract violations of deliberately bad drivers, reached as device files, are reported by the
 * shell: {@code mm:violations} counts each kind, {@code mm:trace} shows the violation with what
 * the driver did.
 */
class ViolationReportTest {
    private final Kernel kernel = new Kernel(KernelConfig.defaults(), new SimulatedRam("ram0", 0x100, 256));
    private final MmConsole mm = new MmConsole(kernel);
    private final CharDeviceTracker tracker = new CharDeviceTracker(kernel);
    private final Process p = kernel.spawn();

    private void mapBad(String name, int minor, FileOperations fops) {
        CharDevice dev = () -> fops;
        tracker.addCharDevice(dev, Map.of(CharDevice.NAME, name, CharDevice.MAJOR, 250, CharDevice.MINOR, minor));
        OpenFile f = kernel.vfs().open("/dev/" + name, Fcntl.O_RDWR, 0);
        try {
            assertThrows(MmException.class, () -> p.mmap(0, 0x2000, Mman.PROT_READ, Mman.MAP_SHARED, f, 0));
        } finally {
            f.close();
        }
    }

    private static boolean row(String table, String kind, long count) {
        return table.lines().anyMatch(l -> l.matches(kind + "\\s+" + count));
    }

    @Test
    void eachBadDriverShowsInViolationsAndTrace() {
        mapBad("complete_only", 0, FileOperations.builder().name("complete_only_fops").mmap((f, v) -> 0)
                .mmapComplete((f, v, c) -> 0).build());
        mapBad("abort_only", 1, FileOperations.builder().name("abort_only_fops").mmapPrepare(d -> 0)
                .mmapAbort((f, pd, c) -> { }).build());
        mapBad("outside", 2, FileOperations.builder().name("outside_fops").mmapPrepare(d -> {
            d.actionRemap(d.end(), 0x100, 0x1000);
            return 0;
        }).build());
        String table = mm.violations();
        assertTrue(row(table, "MMAP_COMPLETE_WITHOUT_PREPARE", 1), table);
        assertTrue(row(table, "MMAP_ABORT_WITHOUT_PARTNERS", 1), table);
        assertTrue(row(table, "ACTION_RANGE_OUTSIDE_VMA", 1), table);
        assertTrue(row(table, "total", 3), table);
        String trace = mm.trace("200");
        assertTrue(trace.lines().anyMatch(l -> l.contains("CONTRACT_VIOLATION") && l.contains("/dev/outside")
                && l.contains("ACTION_RANGE_OUTSIDE_VMA") && l.contains("outside the VMA")), trace);
        assertTrue(trace.lines().anyMatch(l -> l.contains("MMAP") && l.contains("EFAULT")), trace);
    }
}
