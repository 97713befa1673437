package org.vfsgi.mm.core;

import org.vfsgi.mm.Mman;
import org.vfsgi.mm.VmaFlag;

/**
 * Renders an address space as {@code /proc/PID/maps} text, byte for byte as
 * {@code fs/proc/task_mmu.c} does on a 64-bit kernel ({@code show_map_vma} with
 * {@code show_vma_header_prefix}): {@code %08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu }, then — only
 * when the VMA has a name — spaces up to column 72 ({@code seq_setwidth(25 + 6 * sizeof(void *) - 1)}
 * and {@code seq_pad}), one more space and the name. Unnamed VMAs end with the space after the
 * inode number.
 */
public final class MapsRenderer {
    /** {@code 25 + sizeof(void *) * 6 - 1} on a 64-bit kernel. */
    static final int NAME_PAD = 25 + 8 * 6 - 1;

    private MapsRenderer() {
    }

    /**
     * @param mm the address space (its mmap read lock is taken)
     * @return the maps text, one line per VMA, each ending in a newline
     */
    public static String render(MmStruct mm) {
        StringBuilder sb = new StringBuilder();
        mm.mmapReadLock();
        try {
            for (Vma v : mm.tree()) {
                line(sb, v);
            }
        } finally {
            mm.mmapReadUnlock();
        }
        return sb.toString();
    }

    static void line(StringBuilder sb, Vma v) {
        int lineStart = sb.length();
        long pgoffBytes = 0;
        int major = 0;
        int minor = 0;
        long ino = 0;
        if (v.file != null) {
            pgoffBytes = v.pgoff << Mman.PAGE_SHIFT;
            major = v.file.inode().deviceMajor();
            minor = v.file.inode().deviceMinor();
            ino = v.file.inode().ino();
        }
        sb.append(String.format("%08x-%08x %c%c%c%c %08x %02x:%02x %s ", v.start, v.end,
                v.flags.test(VmaFlag.READ) ? 'r' : '-', v.flags.test(VmaFlag.WRITE) ? 'w' : '-',
                v.flags.test(VmaFlag.EXEC) ? 'x' : '-', v.flags.test(VmaFlag.MAYSHARE) ? 's' : 'p', pgoffBytes, major,
                minor, Long.toUnsignedString(ino)));
        String name = null;
        if (v.file != null) {
            name = v.file.path();
            if (isUnlinked(v.file) && !name.endsWith(DELETED)) {
                name += DELETED;
            }
        } else if (v.vmOps != null && v.vmOps.name() != null) {
            name = v.vmOps.name().name(v);
        }
        if (name != null) {
            while (sb.length() - lineStart < NAME_PAD) {
                sb.append(' ');
            }
            sb.append(' ').append(name);
        }
        sb.append('\n');
    }

    /** What {@code d_path} appends to the name of a file whose last link is gone. */
    private static final String DELETED = " (deleted)";

    /**
     * Whether the mapped file's inode has no links left (it lives on through its open files and
     * mappings). The kernel decides per dentry; without a dentry cache the link count is what
     * tells, and a file unlinked under one of several names keeps its other names' rendering.
     */
    private static boolean isUnlinked(org.vfsgi.vfs.File file) {
        if (!(file instanceof org.vfsgi.vfs.VfsFile) || ((org.vfsgi.vfs.VfsFile) file).fsInode() == null) {
            return false;
        }
        try {
            return ((org.vfsgi.vfs.VfsFile) file).fsInode().getattr().nlink() == 0;
        } catch (RuntimeException e) {
            return false; // a file system that cannot answer (shut down, unmounted): no claim either way
        }
    }
}
