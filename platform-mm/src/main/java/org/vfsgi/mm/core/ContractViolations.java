package org.vfsgi.mm.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts contract violations per kind, traces each one and warns once per kind through
 * {@link System.Logger}, as the kernel's {@code VM_WARN_ON_ONCE} does.
 */
public final class ContractViolations {
    private static final System.Logger LOG = System.getLogger(ContractViolations.class.getName());

    private final TraceBuffer trace;
    private final AtomicLongArray counts = new AtomicLongArray(ContractViolation.values().length);

    ContractViolations(TraceBuffer trace) {
        this.trace = trace;
    }

    /**
     * Records one violation.
     *
     * @param kind what was violated
     * @param pid the process
     * @param start range start
     * @param end range end
     * @param file file path or null
     * @param detail what the driver did
     */
    public void report(ContractViolation kind, int pid, long start, long end, String file, String detail) {
        long n = counts.incrementAndGet(kind.ordinal());
        trace.emit(pid, start, end, file, TraceStep.CONTRACT_VIOLATION, kind.name(), detail);
        if (n == 1) {
            LOG.log(System.Logger.Level.WARNING, "mmap contract violation {0} by {1}: {2} (warned once per kind)", kind,
                    file == null ? "anonymous mapping" : file, detail);
        }
    }

    /**
     * @param kind a kind
     * @return how often it happened
     */
    public long count(ContractViolation kind) {
        return counts.get(kind.ordinal());
    }

    /** @return every kind with its count, including zeros */
    public Map<ContractViolation, Long> counts() {
        Map<ContractViolation, Long> m = new EnumMap<>(ContractViolation.class);
        for (ContractViolation v : ContractViolation.values()) {
            m.put(v, counts.get(v.ordinal()));
        }
        return m;
    }

    /** @return the total number of violations */
    public long total() {
        long t = 0;
        for (int i = 0; i < counts.length(); i++) {
            t += counts.get(i);
        }
        return t;
    }
}
