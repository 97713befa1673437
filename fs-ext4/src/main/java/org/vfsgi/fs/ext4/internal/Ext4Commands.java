package org.vfsgi.fs.ext4.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.StatFs;

/**
 * Gogo commands of scope {@code ext4}: {@code ext4:status} lists the mounted ext4 file systems,
 * {@code ext4:shutdown DEVICE} is {@code EXT4_IOC_SHUTDOWN} (what {@code xfs_io -c shutdown} or
 * {@code ext4 goingdown} does on Linux). Results are text; bad input is an
 * {@link IllegalArgumentException} naming it.
 */
@Component(service = Ext4Commands.class, property = {
    "osgi.command.scope=ext4",
    "osgi.command.function=status",
    "osgi.command.function=shutdown"})
public final class Ext4Commands {
    private final Ext4FileSystemType type;

    /**
     * @param type this bundle's ext4 type (the service of {@link Ext4FileSystemType})
     * @throws IllegalArgumentException if the service is another bundle's ext4
     */
    @Activate
    public Ext4Commands(@Reference(name = "type", target = "(&(" + FileSystemType.TYPE + "=" + Ext4FileSystemType.NAME
            + ")(component.name=org.vfsgi.fs.ext4.internal.Ext4FileSystemType))") FileSystemType type) {
        if (!(type instanceof Ext4FileSystemType)) {
            throw new IllegalArgumentException("ext4 commands need this bundle's ext4 type, not " + type);
        }
        this.type = (Ext4FileSystemType) type;
    }

    /** @return one line per mounted ext4 file system */
    @Descriptor("the mounted ext4 file systems: device, ro/rw, blocks, reservations, page_mkwrite calls, shutdown")
    public String status() {
        List<Ext4SuperBlock> sbs = type.superBlocks();
        if (sbs.isEmpty()) {
            return "no ext4 file system is mounted";
        }
        return sbs.stream().map(Ext4Commands::line).collect(Collectors.joining("\n"));
    }

    private static String line(Ext4SuperBlock sb) {
        StringBuilder s = new StringBuilder(sb.deviceName()).append(sb.readOnly() ? " ro" : " rw");
        if (sb.isShutdown()) {
            s.append(" shut-down");
        } else {
            StatFs f = sb.statfs();
            s.append(" blocks=").append(f.blocks()).append(" free=").append(f.blocksFree()).append(" avail=")
                    .append(f.blocksAvailable()).append(" inodes-free=").append(f.filesFree());
        }
        s.append(" reserved=").append(sb.reservedBlocks()).append(" page_mkwrite=").append(sb.pageMkwriteCount());
        if (sb.forcedReadOnly()) {
            s.append(" (read-only: ").append(sb.readOnlyReason()).append(')');
        }
        return s.toString();
    }

    /**
     * @param device the block device an ext4 file system is mounted from
     * @return what happened
     * @throws IllegalArgumentException if no ext4 file system is mounted from {@code device}
     * @throws MmException EIO if the final write-out failed (the file system is shut down anyway)
     */
    @Descriptor("EXT4_IOC_SHUTDOWN: write what is dirty, then fail every later operation on the file system with EIO"
            + " (mmap included) and write nothing more to the device")
    public String shutdown(@Descriptor("block device name, as mounted (disk0)") String device) {
        Ext4SuperBlock sb = type.superBlock(device).orElseThrow(() -> new IllegalArgumentException(
                "no ext4 file system is mounted from '" + device + "' (mounted: "
                        + (type.superBlocks().isEmpty() ? "none" : type.superBlocks().stream()
                                .map(Ext4SuperBlock::deviceName).collect(Collectors.joining(", "))) + ")"));
        sb.shutdown();
        return "ext4 on " + device + ": shut down; unmount it, then run e2fsck before the next read-write mount";
    }
}
