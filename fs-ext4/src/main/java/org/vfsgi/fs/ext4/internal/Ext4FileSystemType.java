package org.vfsgi.fs.ext4.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;
import org.vfsgi.fs.ext4.disk.Ext4Exception;
import org.vfsgi.fs.ext4.disk.Ext4Volume;
import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.HwException;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SuperBlock;

/**
 * The {@code ext4} file-system type ({@code ext4_fs_type}), registered as a service with
 * {@code vfsgi.fs.type=ext4} so the platform's VFS mounts through it. The source is a platform-hw
 * block device by name ({@code disk0}); {@code ro} and {@code rw} reach it as the read-only flag;
 * its own options are {@code dax} (refused until DAX is available: {@code dax}, {@code dax=always}
 * and {@code dax=inode} with EINVAL, {@code dax=never} accepted) and nothing else. A device is
 * mounted at most once at a time: a second mount gets EBUSY, as the kernel's exclusive claim on
 * the block device refuses it.
 */
@Component(service = FileSystemType.class, property = FileSystemType.TYPE + "=" + Ext4FileSystemType.NAME)
public final class Ext4FileSystemType implements FileSystemType {
    /** The type's name. */
    public static final String NAME = "ext4";

    private static final System.Logger LOG = System.getLogger(Ext4FileSystemType.class.getName());

    /** Mounted devices by name ({@code bd_holder}): guarded by itself. */
    private final Map<String, Ext4SuperBlock> claimed = new LinkedHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    /** {@code FS_REQUIRES_DEV}. */
    @Override
    public boolean requiresDevice() {
        return true;
    }

    /**
     * {@code ext4_get_tree} / {@code ext4_fill_super}.
     *
     * @throws MmException EINVAL for an unknown option or {@code dax} (naming it), for a source
     *         that is not a device name, and for something that is not ext4; ENXIO if no block
     *         device has that name; EBUSY if the device is mounted already; EUCLEAN / EBADMSG for
     *         corrupted metadata or a bad checksum; EOPNOTSUPP naming unsupported features; EIO
     *         when the device cannot be read
     */
    @Override
    public SuperBlock mount(MountRequest request) {
        parseOptions(request.options());
        String source = request.source();
        if (source.isEmpty() || source.equals("none")) {
            throw new MmException(Errno.EINVAL, "ext4_get_tree", "ext4 needs a block device as mount source, not '"
                    + source + "'");
        }
        Optional<BlockDevice> found = request.context().blockDevice(source);
        if (found.isEmpty()) {
            throw new MmException(Errno.ENXIO, "ext4_get_tree", "ext4: no block device named '" + source + "'");
        }
        BlockDevice dev = found.get();
        String name = dev.name();
        Ext4SuperBlock sb;
        synchronized (claimed) {
            if (claimed.containsKey(name)) {
                throw new MmException(Errno.EBUSY, "ext4_get_tree", "ext4: block device " + name
                        + " is already mounted");
            }
            claimed.put(name, null); // claim while the slow mount runs, unlocked
        }
        try {
            Ext4Volume volume = Ext4Volume.mount(dev, request.readOnly());
            volume.setDeferRelease(true);
            sb = new Ext4SuperBlock(this, volume, name, request.readOnly(),
                    request.context().blockDeviceNumber(name).orElse(null));
        } catch (Ext4Exception e) {
            unclaim(name);
            throw Ext4Errors.toMm(e, "ext4_fill_super", name);
        } catch (HwException e) {
            unclaim(name);
            throw Ext4Errors.toMm(e, "ext4_fill_super", name);
        } catch (RuntimeException | Error e) {
            unclaim(name);
            throw e;
        }
        synchronized (claimed) {
            claimed.put(name, sb);
        }
        LOG.log(System.Logger.Level.DEBUG, "ext4 on {0}: mounted ({1})", name, request);
        return sb;
    }

    /** {@code parse_param}: only {@code dax}; {@code ro}/{@code rw} never reach here. */
    private static void parseOptions(Map<String, String> options) {
        for (Map.Entry<String, String> o : options.entrySet()) {
            String key = o.getKey();
            String value = o.getValue();
            if (key.equals("dax")) {
                if (value.equals("never")) {
                    continue; // honoured trivially: no inode is DAX
                }
                if (!value.isEmpty() && !value.equals("always") && !value.equals("inode")) {
                    throw new MmException(Errno.EINVAL, "ext4_parse_param", "ext4: bad value '" + value
                            + "' for mount option 'dax' (always, inode or never)");
                }
                // No fake DAX: without fs-dax there is no persistent memory to map files from.
                throw new MmException(Errno.EINVAL, "ext4_parse_param", "ext4: mount option '"
                        + (value.isEmpty() ? "dax" : "dax=" + value) + "' cannot be honoured: DAX is not available "
                        + "(no fs-dax support and no persistent-memory device behind ext4); mount without it or with "
                        + "dax=never");
            }
            throw new MmException(Errno.EINVAL, "ext4_parse_param", "ext4: unknown mount option '" + key
                    + "' (known: ro, rw, dax)");
        }
    }

    private void unclaim(String name) {
        synchronized (claimed) {
            if (claimed.get(name) == null) {
                claimed.remove(name);
            }
        }
    }

    /** The superblock of {@code name} was killed: the device may be mounted again. */
    void release(String name, Ext4SuperBlock sb) {
        synchronized (claimed) {
            if (claimed.get(name) == sb) {
                claimed.remove(name);
            }
        }
    }

    /**
     * @param device a block device's name
     * @return the live superblock mounted from it (for {@code EXT4_IOC_SHUTDOWN} and tests)
     */
    public Optional<Ext4SuperBlock> superBlock(String device) {
        synchronized (claimed) {
            return Optional.ofNullable(claimed.get(device));
        }
    }

    /** @return the live superblocks, in mount order */
    public java.util.List<Ext4SuperBlock> superBlocks() {
        synchronized (claimed) {
            java.util.List<Ext4SuperBlock> out = new java.util.ArrayList<>();
            for (Ext4SuperBlock sb : claimed.values()) {
                if (sb != null) {
                    out.add(sb);
                }
            }
            return out;
        }
    }

    @Override
    public String toString() {
        return "Ext4FileSystemType";
    }
}
