package org.vfsgi.fs.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.MountRequest;

/**
 * The overlay mount options ({@code ovl_parse_param}): {@code lowerdir=/a:/b} (topmost
 * first), {@code upperdir=}, {@code workdir=}, {@code mmap=legacy|prepare}. Only the syntax is
 * checked here; the layers themselves are checked when they are looked up.
 *
 * @param lowerDirs the lower layer directories, topmost first, at least one
 * @param upperDir the upper layer directory, or null for a read-only lower-only mount
 * @param workDir the work directory, null exactly when {@code upperDir} is
 * @param mmapMode how overlay files map
 */
record OverlayOptions(List<String> lowerDirs, String upperDir, String workDir, MmapMode mmapMode) {
    static final String STEP = "ovl_parse_param";

    /**
     * @param request the mount request
     * @return the options
     * @throws MmException EINVAL naming the unknown option, the missing one, or the bad value
     */
    static OverlayOptions parse(MountRequest request) {
        String lower = null;
        String upper = null;
        String work = null;
        MmapMode mode = MmapMode.LEGACY;
        for (Map.Entry<String, String> o : request.options().entrySet()) {
            String v = o.getValue();
            switch (o.getKey()) {
                case "lowerdir" -> lower = required("lowerdir", v);
                case "upperdir" -> upper = required("upperdir", v);
                case "workdir" -> work = required("workdir", v);
                case "mmap" -> mode = switch (v) {
                    case "legacy" -> MmapMode.LEGACY;
                    case "prepare" -> MmapMode.PREPARE;
                    default -> throw new MmException(Errno.EINVAL, STEP, "overlay: bad value '" + v
                            + "' for mount option 'mmap' (legacy or prepare)");
                };
                default -> throw new MmException(Errno.EINVAL, STEP, "overlay: unknown mount option '" + o.getKey()
                        + "' (known: lowerdir, upperdir, workdir, mmap)");
            }
        }
        if (lower == null) {
            throw new MmException(Errno.EINVAL, "ovl_fill_super", "overlay: missing 'lowerdir'");
        }
        List<String> lowers = new ArrayList<>();
        for (String l : lower.split(":", -1)) {
            if (l.isEmpty()) {
                throw new MmException(Errno.EINVAL, STEP, "overlay: empty layer in lowerdir='" + lower + "'");
            }
            lowers.add(l);
        }
        if (upper != null && work == null) {
            throw new MmException(Errno.EINVAL, "ovl_fill_super", "overlay: missing 'workdir' (upperdir=" + upper
                    + " needs a work directory on the same file system)");
        }
        if (upper == null && work != null) {
            throw new MmException(Errno.EINVAL, "ovl_fill_super", "overlay: 'workdir' without 'upperdir'");
        }
        if (upper == null && lowers.size() < 2) {
            throw new MmException(Errno.EINVAL, "ovl_get_lowerstack", "overlay: at least 2 lowerdir are needed while"
                    + " upperdir nonexistent (lowerdir=" + lower + ")");
        }
        return new OverlayOptions(List.copyOf(lowers), upper, work, mode);
    }

    private static String required(String option, String v) {
        if (v.isEmpty()) {
            throw new MmException(Errno.EINVAL, STEP, "overlay: mount option '" + option + "' needs a path");
        }
        return v;
    }
}
