package org.vfsgi.mm.core.shmem;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SuperBlock;

/**
 * The {@code tmpfs} file-system type ({@code shmem_fs_type}). Options, as the kernel's:
 * {@code size=} (bytes with a {@code k}/{@code m}/{@code g}/{@code t} suffix, or {@code N%} of
 * RAM; rounded up to pages; 0 means unlimited; default half of RAM), {@code nr_inodes=} (with
 * the same suffixes; 0 unlimited; default half the RAM pages), {@code mode=} (octal, of the
 * root directory, default 1777), {@code uid=}, {@code gid=}.
 */
public final class Tmpfs implements FileSystemType {
    /** The type's name. */
    public static final String NAME = "tmpfs";

    private static final System.Logger LOG = System.getLogger(Tmpfs.class.getName());
    private static final int PAGE_SHIFT = 12;

    private final PhysicalMemory ram;
    private final LongSupplier clock;

    /**
     * @param ram the RAM the page caches use, for the default limits and {@code size=N%}
     */
    public Tmpfs(PhysicalMemory ram) {
        this(ram, Tmpfs::nowNanos);
    }

    /**
     * @param ram the RAM the page caches use, for the default limits and {@code size=N%}
     * @param clock the time in nanoseconds since the epoch, for inode timestamps
     */
    public Tmpfs(PhysicalMemory ram, LongSupplier clock) {
        this.ram = Objects.requireNonNull(ram, "ram");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@code shmem_fill_super}.
     *
     * @throws MmException EINVAL naming an unknown option or a bad value
     */
    @Override
    public SuperBlock mount(MountRequest request) {
        long totalPages = ram.freeFrames() + ram.usedFrames();
        long maxBlocks = totalPages / 2;
        long maxInodes = totalPages / 2;
        int mode = 01777;
        int uid = 0;
        int gid = 0;
        for (Map.Entry<String, String> o : request.options().entrySet()) {
            String v = o.getValue();
            switch (o.getKey()) {
                case "size":
                    maxBlocks = parseSize(v, totalPages);
                    break;
                case "nr_blocks":
                    maxBlocks = memparse("nr_blocks", v);
                    break;
                case "nr_inodes":
                    maxInodes = memparse("nr_inodes", v);
                    break;
                case "mode":
                    mode = parseInt("mode", v, 8) & 07777;
                    break;
                case "uid":
                    uid = parseInt("uid", v, 10);
                    break;
                case "gid":
                    gid = parseInt("gid", v, 10);
                    break;
                default:
                    throw new MmException(Errno.EINVAL, "shmem_parse_one", "tmpfs: unknown mount option '" + o.getKey()
                            + "' (known: size, nr_blocks, nr_inodes, mode, uid, gid)");
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "tmpfs {0}: {1} pages, {2} inodes", request.source(), maxBlocks, maxInodes);
        return new ShmemSuperBlock(ram, maxBlocks, maxInodes, mode, uid, gid, clock);
    }

    /** {@code size=}: bytes (memparse suffixes) rounded up to pages, or a percentage of RAM. */
    private static long parseSize(String v, long totalPages) {
        if (v.endsWith("%")) {
            long pct = parseInt("size", v.substring(0, v.length() - 1), 10);
            if (pct < 0) {
                throw bad("size", v);
            }
            return totalPages * pct / 100;
        }
        long bytes = memparse("size", v);
        long pages = (bytes >>> PAGE_SHIFT) + ((bytes & ((1 << PAGE_SHIFT) - 1)) != 0 ? 1 : 0);
        return pages;
    }

    /** The kernel's {@code memparse}: a number with an optional k/m/g/t suffix. */
    private static long memparse(String option, String v) {
        if (v.isEmpty()) {
            throw bad(option, v);
        }
        char last = Character.toLowerCase(v.charAt(v.length() - 1));
        int shift = switch (last) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw bad(option, v);
        }
        if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >>> shift))) {
            throw bad(option, v);
        }
        return n << shift;
    }

    private static int parseInt(String option, String v, int radix) {
        try {
            return Integer.parseInt(v, radix);
        } catch (NumberFormatException e) {
            throw bad(option, v);
        }
    }

    private static MmException bad(String option, String v) {
        return new MmException(Errno.EINVAL, "shmem_parse_one", "tmpfs: bad value '" + v + "' for mount option '"
                + option.toLowerCase(Locale.ROOT) + "'");
    }

    @Override
    public String toString() {
        return "Tmpfs";
    }
}
