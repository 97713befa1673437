package org.vfsgi.mm.core.vfs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.vfsgi.hw.BlockDevice;
import org.vfsgi.hw.PhysicalMemory;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.PageMemory;
import org.vfsgi.mm.core.page.PageCache;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.MountContext;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.SuperBlock;
import org.vfsgi.vfs.VfsFile;
import org.vfsgi.vfs.VfsPath;

/**
 * The VFS of one platform instance: registered file-system types, the mount table, path
 * lookup across mounts, open files and the VFS-level system calls ({@code open},
 * {@code read}, {@code mkdir}, {@code rename}, ...) with the kernel's errno semantics, minus
 * permission checks (every caller is privileged). Errors are {@link MmException}s naming the
 * errno and the kernel function that raises it.
 *
 * <p>Instantiated, not static: the OSGi layer creates one and calls
 * {@link #registerFileSystem} / {@link #unregisterFileSystem} from its whiteboard tracker.
 */
public final class Vfs {
    private static final System.Logger LOG = System.getLogger(Vfs.class.getName());

    /** The {@code i_fop} of directories whose file system gives none: nothing but open/close. */
    private static final FileOperations DIR_OPERATIONS = FileOperations.builder().name("simple_dir_operations").build();
    private static final int XATTR_SIZE_MAX = 65536;
    private static final int XATTR_NAME_MAX = 255;
    private static final String[] XATTR_PREFIXES = {"user.", "trusted.", "security.", "system."};

    private final PhysicalMemory ram;
    /** The kernel's page layer, for truncation's unmap of mapped pages; null for a VFS without a kernel. */
    private final PageMemory pageMemory;
    private final Function<String, Optional<BlockDevice>> blockDevices;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, FileSystemType> types = new TreeMap<>();
    private final List<Mount> mounts = new ArrayList<>();
    private final Map<MountKey, Mount> mountpoints = new HashMap<>();
    private final AnonDeviceNumbers anonDevs = new AnonDeviceNumbers();
    private final CharDevices charDevices = new CharDevices();
    private final MountContext context = new Context();
    /**
     * Block devices whose superblock is detached but not yet killed (a lazy umount, or a
     * file-system type that left under open files), by device name: that superblock may still
     * write the device, so no new mount may use it until it is gone.
     */
    private final Map<String, Mount> heldByDetached = new HashMap<>();
    /** Block device numbers given out by name ({@link MountContext#blockDeviceNumber}); stable while the VFS lives. */
    private final Map<String, DeviceNumber> blockNumbers = new HashMap<>();
    /** {@code SCSI_DISK0_MAJOR}: the first sixteen block devices are numbered as sda..sdp. */
    private static final int SCSI_DISK_MAJOR = 8;
    private static final int SD_DISKS = 16;
    private static final int SD_MINORS = 16;
    /** {@code BLOCK_EXT_MAJOR}: devices after the sixteenth. */
    private static final int BLOCK_EXT_MAJOR = 259;
    /** Told, on the closing thread with the VFS lock held, when a detached superblock let go of its device. */
    private final List<Runnable> releaseListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Mount rootMount;
    private int nextMountId = 1;

    /** Where a mount is attached: the parent mount and the inode number of the directory it covers. */
    private record MountKey(Mount parent, long ino) {
    }

    /** One step of a path walk: a mount and an inode in it, reached under {@code name}. */
    private record Frame(Mount mnt, FsInode inode, String name) {
    }

    /** The last component of a path and whether a slash followed it. */
    private record Last(String name, boolean trailingSlash) {
        boolean isDot() {
            return name.equals(".");
        }

        boolean isDotDot() {
            return name.equals("..");
        }
    }

    /**
     * A VFS without block devices (tmpfs and other memory file systems only).
     *
     * @param ram where page-cache frames come from
     */
    public Vfs(PhysicalMemory ram) {
        this(ram, name -> Optional.empty(), Vfs::nowNanos);
    }

    /**
     * @param ram where page-cache frames come from
     * @param blockDevices finds a platform-hw block device by name, for {@link MountContext#blockDevice}
     * @param clock the time in nanoseconds since the epoch, for timestamps the VFS sets (truncate)
     */
    public Vfs(PhysicalMemory ram, Function<String, Optional<BlockDevice>> blockDevices, LongSupplier clock) {
        this(ram, null, blockDevices, clock);
    }

    /**
     * The VFS of a kernel: truncation also unmaps the pages beyond the new end of file from every
     * process that maps them ({@code unmap_mapping_range}), through the kernel's page layer.
     *
     * @param pageMemory the kernel's page layer, whose RAM holds the page caches
     * @param blockDevices finds a platform-hw block device by name, for {@link MountContext#blockDevice}
     * @param clock the time in nanoseconds since the epoch, for timestamps the VFS sets (truncate)
     */
    public Vfs(PageMemory pageMemory, Function<String, Optional<BlockDevice>> blockDevices, LongSupplier clock) {
        this(Objects.requireNonNull(pageMemory, "pageMemory").ram(), pageMemory, blockDevices, clock);
    }

    private Vfs(PhysicalMemory ram, PageMemory pageMemory, Function<String, Optional<BlockDevice>> blockDevices,
            LongSupplier clock) {
        this.ram = Objects.requireNonNull(ram, "ram");
        this.pageMemory = pageMemory;
        this.blockDevices = Objects.requireNonNull(blockDevices, "blockDevices");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The character-device table: drivers register their file operations by device number here,
     * and opening any {@code S_IFCHR} inode dispatches to them ({@code chrdev_open}).
     *
     * @return the table
     */
    public CharDevices charDevices() {
        return charDevices;
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** @return the physical memory the page caches use */
    public PhysicalMemory ram() {
        return ram;
    }

    /** @return the services handed to file systems at mount time */
    public MountContext mountContext() {
        return context;
    }

    // ---------------------------------------------------------------- file-system types

    /**
     * {@code register_filesystem}.
     *
     * @param type the type; its {@link FileSystemType#name()} must be non-empty
     * @throws MmException EBUSY if a type of that name is registered
     * @throws IllegalArgumentException if the name is empty
     */
    public void registerFileSystem(FileSystemType type) {
        String name = Objects.requireNonNull(type, "type").name();
        if (name == null || name.isEmpty() || name.contains(" ")) {
            throw new IllegalArgumentException("file system type name must be a non-empty word, got '" + name + "'");
        }
        lock.lock();
        try {
            if (types.containsKey(name)) {
                throw new MmException(Errno.EBUSY, "register_filesystem", "file system type " + name
                        + " is already registered");
            }
            types.put(name, type);
            LOG.log(System.Logger.Level.DEBUG, "registered file system type {0}", name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code unregister_filesystem}: removes the type if {@code type} is the registered
     * instance (a replacement may have been registered first, so identity decides). Before it
     * goes, the dirty pages of every mount of that type are written back and the file systems
     * synced (step 1 of the hot-swap contract), so no data depends on the leaving
     * implementation. Existing mounts keep their superblocks; re-attaching them to a new
     * implementation is the OSGi layer's business.
     *
     * @param type the instance to remove
     * @return whether it was registered
     */
    public boolean unregisterFileSystem(FileSystemType type) {
        lock.lock();
        try {
            String name = type.name();
            if (types.get(name) != type) {
                return false;
            }
            for (Mount m : mounts) {
                if (m.type.equals(name)) {
                    writeback(m);
                    try {
                        m.sb.sync();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "sync_fs of {0} failed: {1}", m.mountpoint, e.getMessage());
                    }
                }
            }
            types.remove(name);
            LOG.log(System.Logger.Level.DEBUG, "unregistered file system type {0}", name);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return the registered type names, sorted */
    public List<String> fileSystemTypes() {
        lock.lock();
        try {
            return List.copyOf(types.keySet());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- mounts

    /**
     * {@code mount -t type -o options source path}.
     *
     * @param source the source ({@code "none"}, a block device name, ...)
     * @param path the absolute mount point; {@code "/"} for the first mount
     * @param type a registered type name
     * @param options {@code mount -o} options, may be null; {@code ro}/{@code rw} set the read-only flag
     * @return the new mount
     * @throws MmException ENODEV for an unknown type (naming the known ones), ENOENT if no root
     *         is mounted yet or the path does not exist, ENOTDIR if it is not a directory, EBUSY
     *         if something is mounted there already, EINVAL for malformed options, and whatever
     *         the file system's mount raises
     */
    public Mount mount(String source, String path, String type, String options) {
        lock.lock();
        try {
            FileSystemType t = types.get(type);
            if (t == null) {
                throw new MmException(Errno.ENODEV, "get_fs_type", "unknown file system type '" + type
                        + "' (known: " + (types.isEmpty() ? "none" : String.join(", ", types.keySet())) + ")");
            }
            MountRequest req = request(source, options);
            Frame at = null;
            String where = "/";
            if (rootMount == null) {
                if (!"/".equals(path)) {
                    throw new MmException(Errno.ENOENT, "do_new_mount", "no root file system: mount one at / before "
                            + path);
                }
            } else {
                Nameidata nd = walkFrom(path);
                at = nd.resolve(path, true);
                if (!isDir(at.inode)) {
                    throw new MmException(Errno.ENOTDIR, "do_new_mount", path + " is not a directory");
                }
                if (at.inode.ino() == at.mnt.rootIno) {
                    throw new MmException(Errno.EBUSY, "do_new_mount", nd.pathString() + " is already a mount point ("
                            + at.mnt.type + ")");
                }
                where = nd.pathString();
            }
            Mount m = fillSuper(t, req, options, false);
            m.mountpoint = where;
            if (at == null) {
                rootMount = m;
            } else {
                m.parent = at.mnt;
                m.mountpointIno = at.inode.ino();
                at.mnt.children.add(m);
                mountpoints.put(new MountKey(at.mnt, m.mountpointIno), m);
            }
            mounts.add(m);
            LOG.log(System.Logger.Level.DEBUG, "mounted {0}", m);
            return m;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code kern_mount}: a mount the kernel uses internally (shmem's {@code shm_mnt}), not
     * attached to the namespace and not in {@link #mounts()}. The type need not be registered.
     *
     * @param type the file-system type
     * @param options mount options, may be null
     * @return the mount
     * @throws MmException as {@link #mount}
     */
    public Mount kernMount(FileSystemType type, String options) {
        lock.lock();
        try {
            Mount m = fillSuper(type, request("none", options), options, true);
            m.mountpoint = "/";
            LOG.log(System.Logger.Level.DEBUG, "kern_mount {0}", m);
            return m;
        } finally {
            lock.unlock();
        }
    }

    private MountRequest request(String source, String options) {
        try {
            return MountRequest.parse(source == null ? "none" : source, options, context);
        } catch (IllegalArgumentException e) {
            throw new MmException(Errno.EINVAL, "parse_monolithic_mount_data", e.getMessage(), e);
        }
    }

    private static String deviceName(String source) {
        return source.startsWith("/dev/") ? source.substring(5) : source;
    }

    /** {@code vfs_get_tree} and {@code set_anon_super}: the file system fills a superblock. */
    private Mount fillSuper(FileSystemType t, MountRequest req, String options, boolean internal) {
        if (t.requiresDevice()) {
            Mount holder = heldByDetached.get(deviceName(req.source()));
            if (holder != null) {
                // The kernel's exclusive block-device claim: two superblocks writing one device
                // would overwrite each other's bitmaps and inode tables.
                throw new MmException(Errno.EBUSY, "vfs_get_tree", "block device " + deviceName(req.source())
                        + " is still held by a detached " + holder.type + " superblock (" + holder.openFiles
                        + " open file(s) of its old mount " + holder.mountpoint + "); it is free once they close");
            }
        }
        SuperBlock sb;
        try {
            sb = t.mount(req);
        } catch (MmException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MmException(Errno.EINVAL, "vfs_get_tree", t.name() + " failed to mount " + req.source() + ": "
                    + e.getMessage(), e);
        }
        if (sb == null) {
            throw new MmException(Errno.EINVAL, "vfs_get_tree", t.name() + " returned no superblock for " + req.source());
        }
        DeviceNumber dev = sb.device();
        boolean anon = dev == null;
        if (anon) {
            dev = anonDevs.allocate();
        }
        String opts = options == null ? "" : stripRoRw(options);
        Mount m = new Mount(nextMountId++, t.name(), req.source(), opts, sb, dev, anon,
                req.readOnly() || sb.forcedReadOnly(), internal);
        m.onDevice = t.requiresDevice();
        return m;
    }

    private static String stripRoRw(String options) {
        List<String> keep = new ArrayList<>();
        for (String o : options.split(",")) {
            if (!o.equals("ro") && !o.equals("rw") && !o.isEmpty()) {
                keep.add(o);
            }
        }
        return String.join(",", keep);
    }

    /**
     * {@code umount2(path, force ? MNT_DETACH : 0)}. Without {@code force} the mount must be
     * idle: no open files and no mounts stacked on it. With {@code force} it is detached at
     * once with everything stacked on it (the kernel's lazy umount); open files keep working
     * and the superblock is killed when the last one closes. Dirty pages are written back and
     * the file system synced before {@code kill_sb}.
     *
     * @param path the mount point
     * @param force detach even if busy
     * @throws MmException EINVAL if the path is not a mount point, EBUSY if busy without force
     */
    public void umount(String path, boolean force) {
        lock.lock();
        try {
            Nameidata nd = walkFrom(path);
            Frame f = nd.resolve(path, true);
            Mount m = f.mnt;
            if (f.inode.ino() != m.rootIno) {
                throw new MmException(Errno.EINVAL, "do_umount", nd.pathString() + " is not a mount point");
            }
            if (!force) {
                if (!m.children.isEmpty()) {
                    throw new MmException(Errno.EBUSY, "do_umount", m.mountpoint + " is busy: "
                            + m.children.get(0).mountpoint + " is mounted on it");
                }
                if (m.openFiles > 0) {
                    throw new MmException(Errno.EBUSY, "do_umount", m.mountpoint + " is busy: " + m.openFiles
                            + " open file(s)");
                }
            }
            detach(m);
        } finally {
            lock.unlock();
        }
    }

    /** {@code umount_tree}: detaches {@code m} and everything stacked on it, children first. */
    private void detach(Mount m) {
        for (Mount c : List.copyOf(m.children)) {
            detach(c);
        }
        if (m.parent != null) {
            m.parent.children.remove(m);
            mountpoints.remove(new MountKey(m.parent, m.mountpointIno));
        }
        if (rootMount == m) {
            rootMount = null;
        }
        mounts.remove(m);
        m.detached = true;
        LOG.log(System.Logger.Level.DEBUG, "detached {0}", m);
        if (m.openFiles == 0) {
            kill(m);
        } else if (m.onDevice) {
            heldByDetached.put(deviceName(m.source), m);
        }
    }

    /**
     * Registers a callback for the moment a detached superblock releases its block device (its
     * last open file closed), so that a mount refused with EBUSY meanwhile can be tried again.
     * The callback runs on the closing thread with the VFS lock held: it must not call back into
     * the VFS on that thread; hand the work to another.
     *
     * @param listener the callback
     */
    public void addDeviceReleaseListener(Runnable listener) {
        releaseListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** @param listener a callback given to {@link #addDeviceReleaseListener}; no longer called */
    public void removeDeviceReleaseListener(Runnable listener) {
        releaseListeners.remove(listener);
    }

    /** {@code deactivate_super}: write back, sync, kill, free the page caches and the device number. */
    private void kill(Mount m) {
        if (m.killed) {
            return;
        }
        m.killed = true;
        writeback(m);
        try {
            m.sb.sync();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "sync_fs of {0} failed: {1}", m.mountpoint, e.getMessage());
        }
        try {
            m.sb.kill();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "kill_sb of {0} failed: {1}", m.mountpoint, e.getMessage());
        }
        for (VfsInode vi : m.icache.values()) {
            vi.dropPageCache();
        }
        m.icache.clear();
        if (m.anonDev) {
            anonDevs.free(m.dev);
        }
        LOG.log(System.Logger.Level.DEBUG, "killed superblock of {0}", m);
        if (heldByDetached.remove(deviceName(m.source), m)) {
            for (Runnable r : releaseListeners) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "device release listener failed: {0}", e.toString());
                }
            }
        }
    }

    /** Writes back every dirty page of a mount; errors are logged, as {@code sync(2)} returns nothing. */
    private static void writeback(Mount m) {
        for (VfsInode vi : m.icache.values()) {
            if (vi.hasPageCache()) {
                try {
                    vi.mapping().fsync();
                } catch (MmException e) {
                    LOG.log(System.Logger.Level.WARNING, "write-back of {0} failed: {1}", vi, e.getMessage());
                }
            }
        }
    }

    /**
     * {@code sync(2)}: writes back every mount's dirty pages and syncs its file system, as
     * {@link #writebackAll()} does; failures are logged (sync returns nothing) and stay recorded
     * for each file's next {@code fsync}.
     */
    public void sync() {
        for (String failure : writebackAll()) {
            LOG.log(System.Logger.Level.WARNING, "sync: {0}", failure);
        }
    }

    /**
     * Background write-back, what the kernel's flusher ({@code wb_workfn}) does every
     * {@code dirty_writeback_centisecs}: writes every mount's dirty pages to its file system (pages
     * dirtied through shared mappings too, which write-back cleans over the reverse map) and then
     * syncs the file system's metadata. Unlike {@link #fsync(VfsFile)} it does not consume a
     * write-back error: the error stays recorded in the page cache for the next {@code fsync} of
     * the file, as the kernel's {@code errseq_t} keeps it for the file's own caller.
     *
     * @return a line per mount whose pages or metadata could not be written (empty when all went
     *         well), for the caller to report; nothing is thrown
     */
    public List<String> writebackAll() {
        List<String> failures = new ArrayList<>();
        lock.lock();
        try {
            for (Mount m : mounts) {
                long errorsBefore = 0;
                long errorsAfter = 0;
                for (VfsInode vi : m.icache.values()) {
                    if (vi.hasPageCache()) {
                        PageCache c = vi.pageCache();
                        errorsBefore += c.writebackErrorCount();
                        c.writeback(0, PageCache.MAX_INDEX + 1);
                        errorsAfter += c.writebackErrorCount();
                    }
                }
                if (errorsAfter > errorsBefore) {
                    failures.add(m.mountpoint + ": " + (errorsAfter - errorsBefore) + " page(s) could not be written back");
                }
                if (m.readOnly) {
                    continue; // nothing of a read-only mount's metadata can have changed
                }
                try {
                    m.sb.sync();
                } catch (RuntimeException e) {
                    failures.add(m.mountpoint + ": sync_fs failed: " + e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
        return failures;
    }

    /** @return the namespace's mounts in mount order ({@code /proc/self/mounts}) */
    public List<MountEntry> mounts() {
        lock.lock();
        try {
            List<MountEntry> out = new ArrayList<>();
            for (Mount m : mounts) {
                out.add(new MountEntry(m.source, m.mountpoint, m.type, m.readOnly, m.options, m.dev));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many anonymous device numbers are in use (one per live memory superblock) */
    public int anonymousDevicesInUse() {
        lock.lock();
        try {
            return anonDevs.inUse();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- path walk

    /**
     * The state of one path lookup ({@code struct nameidata}): the stack of directories from
     * the root to the current one, so that {@code ..} is a pop (the physical parent, also
     * across a mount boundary, since a mount's root sits where its mount point was), and the
     * number of symlinks followed.
     */
    private final class Nameidata {
        private final String path;
        private final Deque<Frame> stack = new ArrayDeque<>();
        private int links;

        Nameidata(String path) {
            this.path = path;
            checkPath(path, "path_lookupat");
            toRoot();
        }

        void toRoot() {
            if (rootMount == null) {
                throw new MmException(Errno.ENOENT, "path_lookupat", "no root file system is mounted (looking up "
                        + path + ")");
            }
            stack.clear();
            stack.push(new Frame(rootMount, rootMount.root, ""));
        }

        Frame current() {
            return stack.peek();
        }

        /** {@code link_path_walk}: walks every component but the last; null when there is none ("/"). */
        Last walkParent(String body) {
            if (body.startsWith("/")) {
                toRoot();
            }
            List<String> comps = components(body);
            for (int i = 0; i < comps.size() - 1; i++) {
                walkComponent(comps.get(i), true);
            }
            if (comps.isEmpty()) {
                return null;
            }
            return new Last(comps.get(comps.size() - 1), body.endsWith("/"));
        }

        /** {@code path_lookupat}: the whole path, the last component followed if asked or if a slash ends it. */
        Frame resolve(String body, boolean followLast) {
            Last last = walkParent(body);
            if (last != null) {
                walkComponent(last.name, followLast || last.trailingSlash);
                if (last.trailingSlash) {
                    requireDir(current(), "path_lookupat");
                }
            }
            return current();
        }

        /** {@code walk_component}: one name, with {@code .}, {@code ..}, mounts and symlinks. */
        void walkComponent(String name, boolean follow) {
            Frame cur = current();
            requireDir(cur, "path_lookupat");
            if (name.equals(".")) {
                return;
            }
            if (name.equals("..")) {
                // follow_dotdot: the root's parent is the root itself
                if (stack.size() > 1) {
                    stack.pop();
                }
                return;
            }
            FsInode child = cur.inode.lookup(name);
            if (child == null) {
                throw new MmException(Errno.ENOENT, "path_lookupat", path + ": " + name + " does not exist");
            }
            Frame next = followMount(new Frame(cur.mnt, child, name));
            if (follow && isSymlink(next.inode)) {
                followLink(next.inode);
            } else {
                stack.push(next);
            }
        }

        /** {@code pick_link} + walking the body: relative bodies start in the link's directory. */
        void followLink(FsInode link) {
            String body = nextLink(link);
            resolve(body, true);
        }

        /** Counts a symlink against {@link Fcntl#MAXSYMLINKS} and returns its checked body. */
        String nextLink(FsInode link) {
            if (++links > Fcntl.MAXSYMLINKS) {
                throw new MmException(Errno.ELOOP, "pick_link", path + ": more than " + Fcntl.MAXSYMLINKS
                        + " symbolic links");
            }
            String body = link.readlink();
            if (body == null || body.isEmpty()) {
                throw new MmException(Errno.ENOENT, "pick_link", path + ": empty symbolic link");
            }
            checkPath(body, "pick_link");
            if (body.startsWith("/")) {
                toRoot();
            }
            return body;
        }

        void push(Frame f) {
            stack.push(f);
        }

        /** @return the absolute path of the current frame, rebuilt from the walk ({@code d_path}) */
        String pathString() {
            StringBuilder sb = new StringBuilder();
            Iterator<Frame> it = stack.descendingIterator();
            it.next(); // the root
            while (it.hasNext()) {
                sb.append('/').append(it.next().name);
            }
            return sb.length() == 0 ? "/" : sb.toString();
        }

        /** @return the inode number of the current frame's parent ({@code ..} for readdir) */
        long parentIno() {
            if (stack.size() < 2) {
                return current().inode.ino();
            }
            Iterator<Frame> it = stack.iterator();
            it.next();
            return it.next().inode.ino();
        }

        /** @return whether (mount, ino) is the current frame or one of its ancestors */
        boolean hasAncestor(Mount m, long ino) {
            for (Frame f : stack) {
                if (f.mnt == m && f.inode.ino() == ino) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code follow_mount}: steps onto the root of whatever is mounted on the frame's directory. */
    private Frame followMount(Frame f) {
        Frame cur = f;
        Mount m;
        while ((m = mountpoints.get(new MountKey(cur.mnt, cur.inode.ino()))) != null) {
            cur = new Frame(m, m.root, cur.name);
        }
        return cur;
    }

    private static void checkPath(String path, String step) {
        if (path == null) {
            throw new MmException(Errno.EFAULT, step, "path is null");
        }
        if (path.isEmpty()) {
            throw new MmException(Errno.ENOENT, step, "empty path");
        }
        if (path.indexOf('\0') >= 0) {
            throw new MmException(Errno.EINVAL, step, "path contains a NUL byte");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length >= Fcntl.PATH_MAX) {
            throw new MmException(Errno.ENAMETOOLONG, step, "path of " + path.length() + " characters reaches PATH_MAX ("
                    + Fcntl.PATH_MAX + " bytes)");
        }
    }

    private static List<String> components(String body) {
        List<String> out = new ArrayList<>();
        for (String c : body.split("/")) {
            if (c.isEmpty()) {
                continue;
            }
            if (c.getBytes(StandardCharsets.UTF_8).length > Fcntl.NAME_MAX) {
                throw new MmException(Errno.ENAMETOOLONG, "path_lookupat", "component '" + c.substring(0, 16)
                        + "...' is longer than NAME_MAX (" + Fcntl.NAME_MAX + " bytes)");
            }
            out.add(c);
        }
        return out;
    }

    /** Absolute paths only: the model has no working directory to resolve a relative one against. */
    private Nameidata walkFrom(String path) {
        checkPath(path, "path_lookupat");
        if (!path.startsWith("/")) {
            throw new MmException(Errno.EINVAL, "path_lookupat", "relative path '" + path
                    + "': the VFS has no working directory, give an absolute path");
        }
        return new Nameidata(path);
    }

    private static InodeAttributes attrs(FsInode i) {
        return i.getattr();
    }

    private static boolean isDir(FsInode i) {
        return attrs(i).isDirectory();
    }

    private static boolean isSymlink(FsInode i) {
        return attrs(i).isSymlink();
    }

    private static void requireDir(Frame f, String step) {
        if (!isDir(f.inode)) {
            throw new MmException(Errno.ENOTDIR, step, (f.name.isEmpty() ? "/" : f.name) + " is not a directory");
        }
    }

    private static void requireWritable(Mount m, String step, String path) {
        if (m.readOnly) {
            throw new MmException(Errno.EROFS, step, path + " is on a read-only mount (" + m.mountpoint + ")");
        }
    }

    private boolean isMountpoint(Mount m, long ino) {
        return mountpoints.containsKey(new MountKey(m, ino));
    }

    // ---------------------------------------------------------------- open files

    /**
     * {@code open(path, flags, mode)} ({@code do_filp_open}).
     *
     * @param path an absolute path
     * @param flags {@code O_RDONLY}/{@code O_WRONLY}/{@code O_RDWR} with {@code O_CREAT},
     *        {@code O_EXCL}, {@code O_TRUNC}, {@code O_APPEND}, {@code O_DIRECTORY}, {@code O_NOFOLLOW}
     * @param mode permission bits for a created file
     * @return the open file; close it with {@link #close}
     * @throws MmException EINVAL for access mode 3, ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EEXIST
     *         ({@code O_CREAT|O_EXCL}), EISDIR (writing or creating a directory), EROFS, ENXIO
     *         (no file operations), a hook's errno from {@code open}
     */
    public OpenFile open(String path, int flags, int mode) {
        lock.lock();
        try {
            if ((flags & Fcntl.O_ACCMODE) == Fcntl.O_ACCMODE) {
                throw new MmException(Errno.EINVAL, "do_filp_open", "access mode 3 in flags 0" + Integer.toOctalString(flags));
            }
            Nameidata nd = walkFrom(path);
            boolean created = false;
            Frame target;
            if ((flags & Fcntl.O_CREAT) != 0) {
                String body = path;
                while (true) {
                    Last last = nd.walkParent(body);
                    if (last == null || last.isDot() || last.isDotDot()) {
                        throw new MmException(Errno.EISDIR, "open_last_lookups", path + " is a directory (O_CREAT)");
                    }
                    Frame dir = nd.current();
                    requireDir(dir, "open_last_lookups");
                    FsInode child = dir.inode.lookup(last.name);
                    if (child == null) {
                        if (last.trailingSlash) {
                            throw new MmException(Errno.EISDIR, "open_last_lookups", path
                                    + ": cannot create a regular file with a trailing slash");
                        }
                        requireWritable(dir.mnt, "open_last_lookups", path);
                        FsInode made = dir.inode.create(last.name, mode & FileType.PERMISSION_MASK);
                        target = new Frame(dir.mnt, made, last.name);
                        created = true;
                        break;
                    }
                    if ((flags & Fcntl.O_EXCL) != 0) {
                        throw new MmException(Errno.EEXIST, "open_last_lookups", path + " exists (O_CREAT|O_EXCL)");
                    }
                    Frame f = followMount(new Frame(dir.mnt, child, last.name));
                    if (isSymlink(f.inode)) {
                        if ((flags & Fcntl.O_NOFOLLOW) != 0) {
                            throw new MmException(Errno.ELOOP, "open_last_lookups", path + " is a symlink (O_NOFOLLOW)");
                        }
                        body = nd.nextLink(f.inode); // O_CREAT follows a trailing link to create its target
                        continue;
                    }
                    if (isDir(f.inode)) {
                        throw new MmException(Errno.EISDIR, "open_last_lookups", path + " is a directory (O_CREAT)");
                    }
                    if (last.trailingSlash) {
                        throw new MmException(Errno.ENOTDIR, "open_last_lookups", path + " is not a directory");
                    }
                    target = f;
                    break;
                }
                nd.push(target);
            } else {
                boolean follow = (flags & Fcntl.O_NOFOLLOW) == 0;
                target = nd.resolve(path, follow);
                if (!follow && isSymlink(target.inode)) {
                    throw new MmException(Errno.ELOOP, "do_open", path + " is a symlink (O_NOFOLLOW)");
                }
            }
            return openFrame(target, flags, nd.pathString(), created);
        } finally {
            lock.unlock();
        }
    }

    /** {@code do_open} + {@code vfs_open}: checks the inode against the flags and makes the file. */
    private OpenFile openFrame(Frame target, int flags, String path, boolean created) {
        InodeAttributes a = attrs(target.inode);
        int acc = flags & Fcntl.O_ACCMODE;
        boolean wantsWrite = acc != Fcntl.O_RDONLY || (flags & Fcntl.O_TRUNC) != 0;
        if (a.isDirectory()) {
            if (wantsWrite) {
                throw new MmException(Errno.EISDIR, "do_open", path + " is a directory (open for writing)");
            }
        } else if ((flags & Fcntl.O_DIRECTORY) != 0) {
            throw new MmException(Errno.ENOTDIR, "do_open", path + " is not a directory (O_DIRECTORY)");
        }
        if (wantsWrite && !created) {
            requireWritable(target.mnt, "do_open", path);
        }
        FileOperations fop = target.inode.fileOperations();
        if (a.type() == FileType.CHAR_DEVICE) {
            // def_chr_fops -> chrdev_open: the driver registered for i_rdev serves the file,
            // whichever file system holds the node.
            DeviceNumber rdev = a.rdev();
            fop = charDevices.lookup(rdev).map(CharDevices.Region::fops).orElseThrow(() -> new MmException(
                    Errno.ENXIO, "chrdev_open", path + " (character device " + rdev
                    + ") has no file operations: no driver is registered for that device number"));
        }
        if (fop == null) {
            if (!a.isDirectory()) {
                throw new MmException(Errno.ENXIO, "do_dentry_open", path + " (" + a.type()
                        + ") has no file operations");
            }
            fop = DIR_OPERATIONS;
        }
        if ((flags & Fcntl.O_TRUNC) != 0 && a.isRegular() && !created && a.size() != 0) {
            truncateInode(target.mnt, target.inode, 0, path);
        }
        VfsInode vi = igrab(target.mnt, target.inode);
        OpenFile file = new OpenFile(this, vi, fop, flags, path, a.isDirectory());
        vi.openCount++;
        target.mnt.openFiles++;
        FileOperations.OpenRelease openHook = fop.open();
        if (openHook != null) {
            int r = openHook.apply(vi, file);
            if (r != 0) {
                file.markClosed();
                putFile(file);
                throw new MmException(errnoOf(r), "do_dentry_open", fop.name() + ".open of " + path + " returned "
                        + Errno.describe(r));
            }
        }
        return file;
    }

    /**
     * {@code dentry_open} for kernel-internal files ({@code shmem_file_setup}): opens an inode
     * of a mount, named or not, without a path walk.
     *
     * @param mount the mount the inode belongs to
     * @param inode the inode
     * @param flags access mode and {@code O_*} flags as for {@link #open}
     * @param displayPath the path {@code /proc/PID/maps} shows
     * @return the open file
     * @throws MmException as {@link #open}
     */
    public OpenFile openInode(Mount mount, FsInode inode, int flags, String displayPath) {
        lock.lock();
        try {
            if (mount.killed) {
                throw new MmException(Errno.ENODEV, "dentry_open", "mount of " + displayPath + " is gone");
            }
            return openFrame(new Frame(mount, inode, displayPath), flags, displayPath, false);
        } finally {
            lock.unlock();
        }
    }

    /** {@code iget}: the platform's inode for (mount, ino), made on first use. */
    private VfsInode igrab(Mount m, FsInode inode) {
        VfsInode vi = m.icache.get(inode.ino());
        if (vi == null) {
            vi = new VfsInode(m, inode, ram, pageMemory);
            m.icache.put(inode.ino(), vi);
        } else {
            vi.refresh(inode);
        }
        return vi;
    }

    /**
     * {@code close}/{@code fput}: drops one reference to the file ({@link OpenFile#getFile()}
     * takes more); with the last one the file's {@code release} hook runs, an inode with no
     * links and no other users is evicted, and a lazily unmounted superblock dies with its
     * last file.
     *
     * @param file a file from {@link #open}; a close after the last reference does nothing
     * @throws MmException EBADF for a file that is not of this VFS
     */
    public void close(VfsFile file) {
        if (!(file instanceof OpenFile) || ((OpenFile) file).vfsInode() == null) {
            throw new MmException(Errno.EBADF, "filp_close", "not a file of this VFS: " + file);
        }
        OpenFile f = (OpenFile) file;
        if (!f.markClosed()) {
            return; // other references remain, or a close after the last one: nothing to release
        }
        FileOperations.OpenRelease release = f.fileOperations().release();
        if (release != null) {
            int r = release.apply(f.inode(), f);
            if (r != 0) {
                LOG.log(System.Logger.Level.DEBUG, "release of {0} returned {1} (ignored, as the kernel does)",
                        f.path(), Errno.describe(r));
            }
        }
        lock.lock();
        try {
            putFile(f);
        } finally {
            lock.unlock();
        }
    }

    private void putFile(OpenFile f) {
        VfsInode vi = f.vfsInode();
        Mount m = vi.mount();
        vi.openCount--;
        m.openFiles--;
        if (vi.openCount == 0 && !m.killed && attrs(vi.fsInode()).nlink() == 0) {
            evict(m, vi.fsInode());
        }
        if (m.detached && m.openFiles == 0) {
            kill(m);
        }
    }

    /** {@code iput_final}: an inode without links goes once nobody uses or maps it. */
    private void evict(Mount m, FsInode inode) {
        VfsInode vi = m.icache.get(inode.ino());
        if (vi != null) {
            if (vi.openCount > 0 || vi.reverseMap().mappingCount() > 0) {
                return; // the last close evicts it
            }
            vi.dropPageCache();
            m.icache.remove(inode.ino());
        }
        inode.evict();
    }

    /** After a name went away: evict the inode if that was its last link and nobody holds it. */
    private void dropped(Mount m, FsInode inode) {
        if (attrs(inode).nlink() == 0) {
            evict(m, inode);
        }
    }

    private OpenFile own(VfsFile file, String step) {
        if (!(file instanceof OpenFile) || ((OpenFile) file).vfsInode() == null) {
            throw new MmException(Errno.EBADF, step, "not a file of this VFS: " + file);
        }
        OpenFile f = (OpenFile) file;
        if (f.vfsInode().mount().killed) {
            throw new MmException(Errno.EBADF, step, f.path() + ": its file system is unmounted");
        }
        return f;
    }

    private OpenFile live(VfsFile file, String step) {
        OpenFile f = own(file, step);
        if (f.isClosed()) {
            throw new MmException(Errno.EBADF, step, f.path() + " is closed");
        }
        return f;
    }

    private static Errno errnoOf(long r) {
        Errno e = r < 0 && r >= -Errno.MAX_ERRNO ? Errno.ofNumber((int) -r) : null;
        return e == null ? Errno.EIO : e;
    }

    /**
     * {@code read(fd, buf)}: reads at the file position and advances it.
     *
     * @param file an open file
     * @param dst receives the bytes from its position to its limit
     * @return the bytes read, 0 at end of file
     * @throws MmException EBADF (closed, or not open for reading), EISDIR for a directory,
     *         EINVAL if the file system has no read, or the hook's errno
     */
    public long read(VfsFile file, ByteBuffer dst) {
        OpenFile f = live(file, "vfs_read");
        synchronized (f) {
            long n = doRead(f, dst, f.position(), "vfs_read");
            f.setPosition(f.position() + n);
            return n;
        }
    }

    /**
     * {@code pread(fd, buf, pos)}: reads at {@code pos}; the file position does not move.
     *
     * @param file an open file
     * @param dst receives the bytes
     * @param pos the file offset
     * @return the bytes read
     * @throws MmException as {@link #read}, and EINVAL for a negative offset
     */
    public long pread(VfsFile file, ByteBuffer dst, long pos) {
        OpenFile f = live(file, "vfs_read");
        if (pos < 0) {
            throw new MmException(Errno.EINVAL, "ksys_pread64", "negative offset " + pos);
        }
        return doRead(f, dst, pos, "vfs_read");
    }

    private long doRead(OpenFile f, ByteBuffer dst, long pos, String step) {
        if (!f.canRead()) {
            throw new MmException(Errno.EBADF, step, f.path() + " is not open for reading");
        }
        if (f.isDirectory()) {
            throw new MmException(Errno.EISDIR, step, f.path() + " is a directory");
        }
        FileOperations.ReadWrite hook = f.fileOperations().read();
        if (hook == null) {
            throw new MmException(Errno.EINVAL, step, f.fileOperations().name() + " has no read");
        }
        long r = hook.transfer(f, dst, pos);
        if (r < 0) {
            throw new MmException(errnoOf(r), step, f.fileOperations().name() + ".read of " + f.path() + " returned "
                    + Errno.describe((int) r));
        }
        return r;
    }

    /**
     * {@code write(fd, buf)}: writes at the file position (at end of file with
     * {@code O_APPEND}) and advances it.
     *
     * @param file an open file
     * @param src the bytes from its position to its limit
     * @return the bytes written
     * @throws MmException EBADF (closed, or not open for writing), EINVAL if the file system has
     *         no write, ENOSPC, EFBIG, or the hook's errno
     */
    public long write(VfsFile file, ByteBuffer src) {
        OpenFile f = live(file, "vfs_write");
        synchronized (f) {
            long pos = (f.flags() & Fcntl.O_APPEND) != 0 ? f.vfsInode().size() : f.position();
            long n = doWrite(f, src, pos, "vfs_write");
            f.setPosition(pos + n);
            return n;
        }
    }

    /**
     * {@code pwrite(fd, buf, pos)}: writes at {@code pos} (at end of file with {@code O_APPEND},
     * as Linux does); the file position does not move.
     *
     * @param file an open file
     * @param src the bytes
     * @param pos the file offset
     * @return the bytes written
     * @throws MmException as {@link #write}, and EINVAL for a negative offset
     */
    public long pwrite(VfsFile file, ByteBuffer src, long pos) {
        OpenFile f = live(file, "vfs_write");
        if (pos < 0) {
            throw new MmException(Errno.EINVAL, "ksys_pwrite64", "negative offset " + pos);
        }
        long at = (f.flags() & Fcntl.O_APPEND) != 0 ? f.vfsInode().size() : pos;
        return doWrite(f, src, at, "vfs_write");
    }

    private long doWrite(OpenFile f, ByteBuffer src, long pos, String step) {
        if (!f.canWrite()) {
            throw new MmException(Errno.EBADF, step, f.path() + " is not open for writing");
        }
        FileOperations.ReadWrite hook = f.fileOperations().write();
        if (hook == null) {
            throw new MmException(Errno.EINVAL, step, f.fileOperations().name() + " has no write");
        }
        long r = hook.transfer(f, src, pos);
        if (r < 0) {
            throw new MmException(errnoOf(r), step, f.fileOperations().name() + ".write of " + f.path() + " returned "
                    + Errno.describe((int) r));
        }
        return r;
    }

    /**
     * {@code lseek(fd, offset, whence)}: the file system's {@code llseek} if it has one, else
     * {@code generic_file_llseek} for {@code SEEK_SET}, {@code SEEK_CUR}, {@code SEEK_END}.
     *
     * @param file an open file
     * @param offset the offset
     * @param whence {@link Fcntl#SEEK_SET}, {@link Fcntl#SEEK_CUR} or {@link Fcntl#SEEK_END}
     * @return the new position
     * @throws MmException EBADF, EINVAL for a bad whence or a negative result, EOVERFLOW
     */
    public long lseek(VfsFile file, long offset, int whence) {
        OpenFile f = live(file, "vfs_llseek");
        synchronized (f) {
            FileOperations.Llseek hook = f.fileOperations().llseek();
            long pos;
            if (hook != null) {
                pos = hook.llseek(f, offset, whence);
                if (pos < 0) {
                    throw new MmException(errnoOf(pos), "vfs_llseek", f.fileOperations().name() + ".llseek returned "
                            + Errno.describe((int) pos));
                }
            } else {
                pos = genericSeek(f, offset, whence);
            }
            f.setPosition(pos);
            return pos;
        }
    }

    private static long genericSeek(OpenFile f, long offset, int whence) {
        long base;
        switch (whence) {
            case Fcntl.SEEK_SET:
                base = 0;
                break;
            case Fcntl.SEEK_CUR:
                base = f.position();
                break;
            case Fcntl.SEEK_END:
                base = f.vfsInode().size();
                break;
            default:
                throw new MmException(Errno.EINVAL, "generic_file_llseek", "unknown whence " + whence);
        }
        long pos;
        try {
            pos = Math.addExact(base, offset);
        } catch (ArithmeticException e) {
            throw new MmException(Errno.EOVERFLOW, "generic_file_llseek", "position overflows: " + base + " + " + offset);
        }
        if (pos < 0) {
            throw new MmException(Errno.EINVAL, "generic_file_llseek", "negative position " + pos);
        }
        return pos;
    }

    /**
     * {@code ftruncate(fd, length)}.
     *
     * @param file a file open for writing
     * @param length the new size
     * @throws MmException EBADF if closed, EINVAL if not open for writing, not a regular file,
     *         or a negative length, EROFS, or the file system's errno
     */
    public void ftruncate(VfsFile file, long length) {
        OpenFile f = live(file, "do_ftruncate");
        lock.lock();
        try {
            if (!f.canWrite()) {
                throw new MmException(Errno.EINVAL, "do_ftruncate", f.path() + " is not open for writing");
            }
            if (length < 0) {
                throw new MmException(Errno.EINVAL, "do_ftruncate", "negative length " + length);
            }
            if (f.isDirectory() || !attrs(f.fsInode()).isRegular()) {
                throw new MmException(Errno.EINVAL, "do_ftruncate", f.path() + " is not a regular file");
            }
            requireWritable(f.vfsInode().mount(), "do_ftruncate", f.path());
            truncateInode(f.vfsInode().mount(), f.fsInode(), length, f.path());
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code do_truncate} → {@code notify_change} → {@code truncate_pagecache}: the file system
     * changes the size, then the platform drops the cached pages beyond it and zeroes the tail
     * of the last page, so that a later extension reads zeros.
     */
    private void truncateInode(Mount m, FsInode inode, long length, String path) {
        InodeAttributes a = attrs(inode);
        if (a.isDirectory()) {
            throw new MmException(Errno.EISDIR, "do_truncate", path + " is a directory");
        }
        if (!a.isRegular()) {
            throw new MmException(Errno.EINVAL, "do_truncate", path + " is not a regular file");
        }
        long now = clock.getAsLong();
        inode.setattr(SetAttr.builder().size(length).mtime(now).ctime(now).build());
        truncatePagecache(m, inode, a.size(), length);
    }

    private void truncatePagecache(Mount m, FsInode inode, long oldSize, long newSize) {
        VfsInode vi = m.icache.get(inode.ino());
        if (vi == null) {
            return; // nobody opened or mapped it: no page cache, no mapping
        }
        if (newSize < oldSize && pageMemory != null) {
            // Shrinking: truncate_pagecache unmaps every page at or beyond the new end of file
            // from every VMA (private copies too), then drops the cache pages and zeroes the tail
            // of the new last page, so an access there later is a SIGBUS, not stale data.
            pageMemory.truncatePagecache(vi, newSize);
        } else if (vi.hasPageCache()) {
            // Growing: the old last page's tail beyond the old size may hold bytes written
            // through a mapping; zero it like pagecache_isize_extended so the hole reads zero.
            // (Without a kernel no process can map the file, so dropping the cache is enough.)
            vi.pageCache().truncateSize(Math.min(oldSize, newSize));
        }
    }

    /**
     * {@code fsync(fd)}: the file system's {@code fsync}, or a write-back of the page cache
     * with the write-back error check if it has none.
     *
     * @param file an open file
     * @throws MmException EBADF, EIO for a failed write-back (reported once), or the hook's errno
     */
    public void fsync(VfsFile file) {
        OpenFile f = live(file, "vfs_fsync");
        FileOperations.Fsync hook = f.fileOperations().fsync();
        if (hook != null) {
            int r = hook.fsync(f, 0, Long.MAX_VALUE, false);
            if (r != 0) {
                throw new MmException(errnoOf(r), "vfs_fsync", f.fileOperations().name() + ".fsync of " + f.path()
                        + " returned " + Errno.describe(r));
            }
        } else {
            f.mapping().fsync();
        }
    }

    // ---------------------------------------------------------------- names

    /**
     * {@code stat(path)}: follows a trailing symlink.
     *
     * @param path an absolute path
     * @return device and attributes
     * @throws MmException ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG
     */
    public Kstat stat(String path) {
        return stat(path, true);
    }

    /**
     * {@code lstat(path)}: does not follow a trailing symlink.
     *
     * @param path an absolute path
     * @return device and attributes
     * @throws MmException ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG
     */
    public Kstat lstat(String path) {
        return stat(path, false);
    }

    private Kstat stat(String path, boolean follow) {
        lock.lock();
        try {
            Frame f = walkFrom(path).resolve(path, follow);
            return new Kstat(f.mnt.dev, attrs(f.inode));
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code fstat(fd)}.
     *
     * @param file an open file
     * @return device and attributes
     * @throws MmException EBADF
     */
    public Kstat fstat(VfsFile file) {
        OpenFile f = live(file, "vfs_fstat");
        return new Kstat(f.vfsInode().mount().dev, attrs(f.fsInode()));
    }

    /**
     * {@code statfs(path)}.
     *
     * @param path an absolute path on the mount
     * @return the superblock's figures
     * @throws MmException as a lookup
     */
    public StatFs statfs(String path) {
        lock.lock();
        try {
            return walkFrom(path).resolve(path, true).mnt.sb.statfs();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code mkdir(path, mode)}.
     *
     * @param path an absolute path whose parent exists
     * @param mode permission bits
     * @throws MmException EEXIST, ENOENT, ENOTDIR, EROFS, ENAMETOOLONG, or the file system's errno
     */
    public void mkdir(String path, int mode) {
        lock.lock();
        try {
            Nameidata nd = walkFrom(path);
            Last last = nd.walkParent(path);
            if (last == null || last.isDot() || last.isDotDot()) {
                throw new MmException(Errno.EEXIST, "do_mkdirat", path + " exists");
            }
            Frame dir = nd.current();
            requireDir(dir, "do_mkdirat");
            if (dir.inode.lookup(last.name) != null) {
                throw new MmException(Errno.EEXIST, "do_mkdirat", path + " exists");
            }
            requireWritable(dir.mnt, "do_mkdirat", path);
            dir.inode.mkdir(last.name, mode & FileType.PERMISSION_MASK);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code mknod(path, mode, dev)}: a device node, FIFO, socket, or (with {@code S_IFREG}) an
     * empty regular file. Overlay's whiteout is {@code mknod(path, S_IFCHR, 0:0)}.
     *
     * @param path an absolute path whose parent exists
     * @param mode the full mode, type bits included
     * @param dev the device number of a device node, may be null for other types
     * @throws MmException EPERM for a directory mode, EINVAL for a bad type or a device node
     *         without a number, EEXIST, EROFS
     */
    public void mknod(String path, int mode, DeviceNumber dev) {
        lock.lock();
        try {
            FileType type;
            try {
                type = FileType.ofMode(mode);
            } catch (IllegalArgumentException e) {
                throw new MmException(Errno.EINVAL, "do_mknodat", e.getMessage(), e);
            }
            if (type == FileType.DIRECTORY) {
                throw new MmException(Errno.EPERM, "do_mknodat", "mknod cannot make directories; use mkdir");
            }
            if (type == FileType.SYMLINK) {
                throw new MmException(Errno.EINVAL, "do_mknodat", "mknod cannot make symlinks; use symlink");
            }
            if ((type == FileType.CHAR_DEVICE || type == FileType.BLOCK_DEVICE) && dev == null) {
                throw new MmException(Errno.EINVAL, "do_mknodat", "device node " + path + " needs a device number");
            }
            Nameidata nd = walkFrom(path);
            Last last = nd.walkParent(path);
            if (last == null || last.isDot() || last.isDotDot()) {
                throw new MmException(Errno.EEXIST, "do_mknodat", path + " exists");
            }
            Frame dir = nd.current();
            requireDir(dir, "do_mknodat");
            if (dir.inode.lookup(last.name) != null) {
                throw new MmException(Errno.EEXIST, "do_mknodat", path + " exists");
            }
            requireWritable(dir.mnt, "do_mknodat", path);
            if (type == FileType.REGULAR) {
                dir.inode.create(last.name, mode & FileType.PERMISSION_MASK);
            } else {
                dir.inode.mknod(last.name, mode, dev);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code unlink(path)}.
     *
     * @param path an absolute path naming a non-directory
     * @throws MmException ENOENT, EISDIR for a directory, ENOTDIR, EROFS, or the file system's errno
     */
    public void unlink(String path) {
        lock.lock();
        try {
            Nameidata nd = walkFrom(path);
            Last last = nd.walkParent(path);
            if (last == null || last.isDot() || last.isDotDot()) {
                throw new MmException(Errno.EISDIR, "do_unlinkat", path + " is a directory");
            }
            Frame dir = nd.current();
            requireDir(dir, "do_unlinkat");
            FsInode child = dir.inode.lookup(last.name);
            if (child == null) {
                throw new MmException(Errno.ENOENT, "do_unlinkat", path + " does not exist");
            }
            if (isDir(child)) {
                throw new MmException(Errno.EISDIR, "do_unlinkat", path + " is a directory (use rmdir)");
            }
            if (last.trailingSlash) {
                throw new MmException(Errno.ENOTDIR, "do_unlinkat", path + " is not a directory");
            }
            requireWritable(dir.mnt, "do_unlinkat", path);
            dir.inode.unlink(last.name);
            dropped(dir.mnt, child);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code rmdir(path)}.
     *
     * @param path an absolute path naming an empty directory
     * @throws MmException ENOENT, ENOTDIR, ENOTEMPTY, EBUSY for a mount point or the root,
     *         EINVAL for {@code "."}, EROFS
     */
    public void rmdir(String path) {
        lock.lock();
        try {
            Nameidata nd = walkFrom(path);
            Last last = nd.walkParent(path);
            if (last == null) {
                throw new MmException(Errno.EBUSY, "do_rmdir", "cannot remove the root directory");
            }
            if (last.isDot()) {
                throw new MmException(Errno.EINVAL, "do_rmdir", path + ": cannot remove '.'");
            }
            if (last.isDotDot()) {
                throw new MmException(Errno.ENOTEMPTY, "do_rmdir", path + ": cannot remove '..'");
            }
            Frame dir = nd.current();
            requireDir(dir, "do_rmdir");
            FsInode child = dir.inode.lookup(last.name);
            if (child == null) {
                throw new MmException(Errno.ENOENT, "do_rmdir", path + " does not exist");
            }
            if (!isDir(child)) {
                throw new MmException(Errno.ENOTDIR, "do_rmdir", path + " is not a directory");
            }
            if (isMountpoint(dir.mnt, child.ino())) {
                throw new MmException(Errno.EBUSY, "do_rmdir", path + " is a mount point");
            }
            requireWritable(dir.mnt, "do_rmdir", path);
            dir.inode.rmdir(last.name);
            dropped(dir.mnt, child);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code rename(old, new)}.
     *
     * @param oldPath the existing name
     * @param newPath the new name
     * @throws MmException as {@link #rename(String, String, int)}
     */
    public void rename(String oldPath, String newPath) {
        rename(oldPath, newPath, 0);
    }

    /**
     * {@code renameat2(old, new, flags)}.
     *
     * @param oldPath the existing name
     * @param newPath the new name
     * @param flags {@link Fcntl#RENAME_NOREPLACE}, {@link Fcntl#RENAME_EXCHANGE}, {@link Fcntl#RENAME_WHITEOUT}
     * @throws MmException EXDEV across mounts, ENOENT, EEXIST (NOREPLACE), ENOTDIR / EISDIR for
     *         type mismatches, ENOTEMPTY, EINVAL for moving a directory into itself or bad flags,
     *         EBUSY for mount points and {@code .}/{@code ..}, EROFS
     */
    public void rename(String oldPath, String newPath, int flags) {
        int known = Fcntl.RENAME_NOREPLACE | Fcntl.RENAME_EXCHANGE | Fcntl.RENAME_WHITEOUT;
        if ((flags & ~known) != 0 || ((flags & Fcntl.RENAME_EXCHANGE) != 0
                && (flags & (Fcntl.RENAME_NOREPLACE | Fcntl.RENAME_WHITEOUT)) != 0)) {
            throw new MmException(Errno.EINVAL, "do_renameat2", "bad rename flags " + flags);
        }
        boolean exchange = (flags & Fcntl.RENAME_EXCHANGE) != 0;
        lock.lock();
        try {
            Nameidata ndOld = walkFrom(oldPath);
            Last oldLast = ndOld.walkParent(oldPath);
            Nameidata ndNew = walkFrom(newPath);
            Last newLast = ndNew.walkParent(newPath);
            if (oldLast == null || newLast == null || oldLast.isDot() || oldLast.isDotDot() || newLast.isDot()
                    || newLast.isDotDot()) {
                throw new MmException(Errno.EBUSY, "do_renameat2", "cannot rename '/', '.' or '..'");
            }
            Frame oldDir = ndOld.current();
            Frame newDir = ndNew.current();
            requireDir(oldDir, "do_renameat2");
            requireDir(newDir, "do_renameat2");
            if (oldDir.mnt != newDir.mnt) {
                throw new MmException(Errno.EXDEV, "do_renameat2", oldPath + " and " + newPath
                        + " are on different mounts (" + oldDir.mnt.mountpoint + ", " + newDir.mnt.mountpoint + ")");
            }
            requireWritable(oldDir.mnt, "do_renameat2", oldPath);
            FsInode src = oldDir.inode.lookup(oldLast.name);
            if (src == null) {
                throw new MmException(Errno.ENOENT, "do_renameat2", oldPath + " does not exist");
            }
            FsInode dst = newDir.inode.lookup(newLast.name);
            if (dst != null && (flags & Fcntl.RENAME_NOREPLACE) != 0) {
                throw new MmException(Errno.EEXIST, "do_renameat2", newPath + " exists (RENAME_NOREPLACE)");
            }
            if (dst == null && exchange) {
                throw new MmException(Errno.ENOENT, "do_renameat2", newPath + " does not exist (RENAME_EXCHANGE)");
            }
            Mount m = oldDir.mnt;
            if (isMountpoint(m, src.ino()) || (dst != null && isMountpoint(m, dst.ino()))) {
                throw new MmException(Errno.EBUSY, "do_renameat2", "a mount point cannot be renamed or replaced");
            }
            boolean srcDir = isDir(src);
            boolean dstDir = dst != null && isDir(dst);
            if (!srcDir && (oldLast.trailingSlash || (newLast.trailingSlash && dst == null))) {
                throw new MmException(Errno.ENOTDIR, "do_renameat2", oldPath + " is not a directory");
            }
            if (dst != null && !exchange) {
                if (srcDir && !dstDir) {
                    throw new MmException(Errno.ENOTDIR, "do_renameat2", newPath + " is not a directory");
                }
                if (!srcDir && dstDir) {
                    throw new MmException(Errno.EISDIR, "do_renameat2", newPath + " is a directory");
                }
            }
            if (dst != null && dst.ino() == src.ino()) {
                return; // both names are links to one inode: POSIX says do nothing
            }
            if (srcDir && ndNew.hasAncestor(m, src.ino())) {
                throw new MmException(Errno.EINVAL, "do_renameat2", "cannot move " + oldPath + " into itself (" + newPath + ")");
            }
            if (exchange && dstDir && ndOld.hasAncestor(m, dst.ino())) {
                throw new MmException(Errno.EINVAL, "do_renameat2", "cannot move " + newPath + " into itself (" + oldPath + ")");
            }
            oldDir.inode.rename(oldLast.name, newDir.inode, newLast.name, flags);
            if (dst != null && !exchange) {
                dropped(m, dst);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code symlink(target, path)}.
     *
     * @param target the link's body, stored as is (need not exist)
     * @param path the new link's absolute path
     * @throws MmException ENOENT for an empty target, ENAMETOOLONG, EEXIST, EROFS
     */
    public void symlink(String target, String path) {
        if (target == null || target.isEmpty()) {
            throw new MmException(Errno.ENOENT, "do_symlinkat", "empty symlink target");
        }
        if (target.getBytes(StandardCharsets.UTF_8).length >= Fcntl.PATH_MAX) {
            throw new MmException(Errno.ENAMETOOLONG, "do_symlinkat", "symlink target reaches PATH_MAX");
        }
        lock.lock();
        try {
            Nameidata nd = walkFrom(path);
            Last last = nd.walkParent(path);
            if (last == null || last.isDot() || last.isDotDot()) {
                throw new MmException(Errno.EEXIST, "do_symlinkat", path + " exists");
            }
            Frame dir = nd.current();
            requireDir(dir, "do_symlinkat");
            if (dir.inode.lookup(last.name) != null) {
                throw new MmException(Errno.EEXIST, "do_symlinkat", path + " exists");
            }
            requireWritable(dir.mnt, "do_symlinkat", path);
            dir.inode.symlink(last.name, target);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code readlink(path)}.
     *
     * @param path an absolute path naming a symlink
     * @return its body
     * @throws MmException EINVAL if it is not a symlink, ENOENT
     */
    public String readlink(String path) {
        lock.lock();
        try {
            Frame f = walkFrom(path).resolve(path, false);
            if (!isSymlink(f.inode)) {
                throw new MmException(Errno.EINVAL, "do_readlinkat", path + " is not a symlink");
            }
            return f.inode.readlink();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code link(old, new)}: a hard link.
     *
     * @param oldPath an existing non-directory (a trailing symlink is not followed)
     * @param newPath the new name
     * @throws MmException EPERM for a directory, EXDEV across mounts, EEXIST, ENOENT, EROFS
     */
    public void link(String oldPath, String newPath) {
        lock.lock();
        try {
            Frame old = walkFrom(oldPath).resolve(oldPath, false);
            if (isDir(old.inode)) {
                throw new MmException(Errno.EPERM, "do_linkat", oldPath + " is a directory");
            }
            Nameidata nd = walkFrom(newPath);
            Last last = nd.walkParent(newPath);
            if (last == null || last.isDot() || last.isDotDot()) {
                throw new MmException(Errno.EEXIST, "do_linkat", newPath + " exists");
            }
            Frame dir = nd.current();
            requireDir(dir, "do_linkat");
            if (dir.mnt != old.mnt) {
                throw new MmException(Errno.EXDEV, "do_linkat", oldPath + " and " + newPath + " are on different mounts");
            }
            if (dir.inode.lookup(last.name) != null) {
                throw new MmException(Errno.EEXIST, "do_linkat", newPath + " exists");
            }
            requireWritable(dir.mnt, "do_linkat", newPath);
            dir.inode.link(old.inode, last.name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code getdents} of a whole directory: {@code "."} and {@code ".."} first (the parent
     * across a mount boundary for a mount's root), then the file system's entries.
     *
     * @param path an absolute path naming a directory
     * @return the entries
     * @throws MmException ENOTDIR, ENOENT
     */
    public List<DirEntry> readdir(String path) {
        lock.lock();
        try {
            Nameidata nd = walkFrom(path);
            Frame f = nd.resolve(path, true);
            requireDir(f, "iterate_dir");
            List<DirEntry> out = new ArrayList<>();
            out.add(new DirEntry(".", f.inode.ino(), FileType.DIRECTORY));
            out.add(new DirEntry("..", nd.parentIno(), FileType.DIRECTORY));
            out.addAll(f.inode.readdir());
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code notify_change} on a path ({@code chmod}, {@code chown}, {@code utimensat},
     * {@code truncate}): the change time is set to now unless the change gives one; a size
     * change drops the page cache beyond it.
     *
     * @param path an absolute path (a trailing symlink is followed)
     * @param change the attributes to change
     * @throws MmException EROFS, EISDIR / EINVAL for a size change of a non-regular file, or
     *         the file system's errno
     */
    public void setattr(String path, SetAttr change) {
        lock.lock();
        try {
            notifyChange(walkFrom(path).resolve(path, true), path, change);
        } finally {
            lock.unlock();
        }
    }

    /** {@code notify_change} on a resolved inode; the caller holds the lock. */
    private void notifyChange(Frame f, String path, SetAttr change) {
        requireWritable(f.mnt, "notify_change", path);
        InodeAttributes a = attrs(f.inode);
        if (change.hasSize()) {
            if (a.isDirectory()) {
                throw new MmException(Errno.EISDIR, "notify_change", path + " is a directory");
            }
            if (!a.isRegular()) {
                throw new MmException(Errno.EINVAL, "notify_change", path + " is not a regular file");
            }
        }
        SetAttr effective = change;
        if (!change.hasCtime()) {
            SetAttr.Builder b = SetAttr.builder().ctime(clock.getAsLong());
            if (change.hasMode()) {
                b.mode(change.mode());
            }
            if (change.hasUid()) {
                b.uid(change.uid());
            }
            if (change.hasGid()) {
                b.gid(change.gid());
            }
            if (change.hasSize()) {
                b.size(change.size());
            }
            if (change.hasAtime()) {
                b.atime(change.atimeNanos());
            }
            if (change.hasMtime()) {
                b.mtime(change.mtimeNanos());
            }
            effective = b.build();
        }
        f.inode.setattr(effective);
        if (change.hasSize()) {
            truncatePagecache(f.mnt, f.inode, a.size(), change.size());
        }
    }

    /**
     * {@code truncate(path, length)}.
     *
     * @param path an absolute path naming a regular file
     * @param length the new size
     * @throws MmException EINVAL for a negative length or non-regular file, EISDIR, EROFS
     */
    public void truncate(String path, long length) {
        if (length < 0) {
            throw new MmException(Errno.EINVAL, "do_sys_truncate", "negative length " + length);
        }
        lock.lock();
        try {
            Frame f = walkFrom(path).resolve(path, true);
            requireWritable(f.mnt, "do_sys_truncate", path);
            truncateInode(f.mnt, f.inode, length, path);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- xattrs

    private static void checkXattrName(String name, String step) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > XATTR_NAME_MAX) {
            throw new MmException(Errno.ERANGE, step, "xattr name must be 1.." + XATTR_NAME_MAX + " bytes");
        }
        for (String p : XATTR_PREFIXES) {
            if (name.startsWith(p) && name.length() > p.length()) {
                return;
            }
        }
        throw new MmException(Errno.EOPNOTSUPP, step, "xattr name '" + name
                + "' has no known namespace (user., trusted., security., system.)");
    }

    /**
     * {@code getxattr(path, name)}.
     *
     * @param path an absolute path (a trailing symlink is followed)
     * @param name the attribute's full name
     * @return its value
     * @throws MmException ENODATA, ERANGE / EOPNOTSUPP for a bad name, or the lookup's errno
     */
    public byte[] getxattr(String path, String name) {
        checkXattrName(name, "vfs_getxattr");
        lock.lock();
        try {
            return walkFrom(path).resolve(path, true).inode.getxattr(name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code listxattr(path)}.
     *
     * @param path an absolute path
     * @return the attribute names
     * @throws MmException EOPNOTSUPP, or the lookup's errno
     */
    public List<String> listxattr(String path) {
        lock.lock();
        try {
            return walkFrom(path).resolve(path, true).inode.listxattr();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code setxattr(path, name, value, flags)}.
     *
     * @param path an absolute path
     * @param name the attribute's full name
     * @param value the value, at most 64 KiB
     * @param flags 0, {@link Fcntl#XATTR_CREATE} or {@link Fcntl#XATTR_REPLACE}
     * @throws MmException EINVAL for bad flags, E2BIG for a big value, EEXIST / ENODATA for the
     *         flags, EROFS, ERANGE / EOPNOTSUPP for a bad name
     */
    public void setxattr(String path, String name, byte[] value, int flags) {
        checkXattrName(name, "vfs_setxattr");
        if ((flags & ~(Fcntl.XATTR_CREATE | Fcntl.XATTR_REPLACE)) != 0
                || flags == (Fcntl.XATTR_CREATE | Fcntl.XATTR_REPLACE)) {
            throw new MmException(Errno.EINVAL, "vfs_setxattr", "bad xattr flags " + flags);
        }
        Objects.requireNonNull(value, "value");
        if (value.length > XATTR_SIZE_MAX) {
            throw new MmException(Errno.E2BIG, "vfs_setxattr", "xattr value of " + value.length + " bytes exceeds "
                    + XATTR_SIZE_MAX);
        }
        lock.lock();
        try {
            Frame f = walkFrom(path).resolve(path, true);
            requireWritable(f.mnt, "vfs_setxattr", path);
            f.inode.setxattr(name, value.clone(), flags);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code removexattr(path, name)}.
     *
     * @param path an absolute path
     * @param name the attribute's full name
     * @throws MmException ENODATA, EROFS, ERANGE / EOPNOTSUPP for a bad name
     */
    public void removexattr(String path, String name) {
        checkXattrName(name, "vfs_removexattr");
        lock.lock();
        try {
            Frame f = walkFrom(path).resolve(path, true);
            requireWritable(f.mnt, "vfs_removexattr", path);
            f.inode.removexattr(name);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- services for file systems

    /** The {@link MountContext} handed to file systems: block devices and paths of other mounts. */
    private final class Context implements MountContext {
        @Override
        public Optional<BlockDevice> blockDevice(String name) {
            Objects.requireNonNull(name, "name");
            return blockDevices.apply(deviceName(name));
        }

        @Override
        public Optional<DeviceNumber> blockDeviceNumber(String name) {
            Objects.requireNonNull(name, "name");
            String n = deviceName(name);
            if (blockDevices.apply(n).isEmpty()) {
                return Optional.empty();
            }
            synchronized (blockNumbers) {
                return Optional.of(blockNumbers.computeIfAbsent(n, k -> {
                    int i = blockNumbers.size();
                    return i < SD_DISKS ? new DeviceNumber(SCSI_DISK_MAJOR, i * SD_MINORS)
                            : new DeviceNumber(BLOCK_EXT_MAJOR, i - SD_DISKS);
                }));
            }
        }

        @Override
        public VfsPath lookup(String path) {
            lock.lock();
            try {
                Nameidata nd = walkFrom(path);
                Frame f = nd.resolve(path, true);
                return new PathRef(f, nd.pathString());
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@link VfsPath}: a frame of a finished walk, usable after the lock is dropped. */
    private final class PathRef implements VfsPath {
        private final Frame frame;
        private final String path;

        PathRef(Frame frame, String path) {
            this.frame = frame;
            this.path = path;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public FsInode inode() {
            return frame.inode;
        }

        @Override
        public DeviceNumber device() {
            return frame.mnt.dev;
        }

        @Override
        public boolean readOnly() {
            return frame.mnt.readOnly;
        }

        @Override
        public VfsPath child(String name) {
            if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
                throw new MmException(Errno.EINVAL, "lookup_one", "bad name '" + name + "' under " + path);
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > Fcntl.NAME_MAX) {
                throw new MmException(Errno.ENAMETOOLONG, "lookup_one", "name longer than NAME_MAX under " + path);
            }
            lock.lock();
            try {
                requireDir(frame, "lookup_one");
                FsInode child = frame.inode.lookup(name);
                if (child == null) {
                    return null;
                }
                return new PathRef(followMount(new Frame(frame.mnt, child, name)),
                        (path.equals("/") ? "" : path) + "/" + name);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public VfsFile open(int flags) {
            lock.lock();
            try {
                if (frame.mnt.killed) {
                    throw new MmException(Errno.ENODEV, "dentry_open", path + ": its file system is unmounted");
                }
                return openFrame(frame, flags & (Fcntl.O_ACCMODE | Fcntl.O_TRUNC), path, false);
            } finally {
                lock.unlock();
            }
        }

        private void checkName(String name, String step) {
            if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
                throw new MmException(Errno.EINVAL, step, "bad name '" + name + "' under " + path);
            }
        }

        /** The existing child {@code name} of this directory, for a modifying call on a writable mount. */
        private FsInode existingChild(String name, String step) {
            checkName(name, step);
            requireDir(frame, step);
            requireWritable(frame.mnt, step, path);
            FsInode child = frame.inode.lookup(name);
            if (child == null) {
                throw new MmException(Errno.ENOENT, step, path + "/" + name + " does not exist");
            }
            if (isMountpoint(frame.mnt, child.ino())) {
                throw new MmException(Errno.EBUSY, step, path + "/" + name + " is a mount point");
            }
            return child;
        }

        @Override
        public void unlink(String name) {
            lock.lock();
            try {
                FsInode child = existingChild(name, "vfs_unlink");
                if (isDir(child)) {
                    throw new MmException(Errno.EISDIR, "vfs_unlink", path + "/" + name + " is a directory");
                }
                frame.inode.unlink(name);
                dropped(frame.mnt, child);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void rmdir(String name) {
            lock.lock();
            try {
                FsInode child = existingChild(name, "vfs_rmdir");
                if (!isDir(child)) {
                    throw new MmException(Errno.ENOTDIR, "vfs_rmdir", path + "/" + name + " is not a directory");
                }
                frame.inode.rmdir(name);
                dropped(frame.mnt, child);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void rename(String oldName, VfsPath newDir, String newName, int flags) {
            if (!(newDir instanceof PathRef) || ((PathRef) newDir).frame.mnt != frame.mnt) {
                throw new MmException(Errno.EXDEV, "vfs_rename", newDir + " is not on the mount of " + path);
            }
            Frame to = ((PathRef) newDir).frame;
            lock.lock();
            try {
                FsInode src = existingChild(oldName, "vfs_rename");
                checkName(newName, "vfs_rename");
                requireDir(to, "vfs_rename");
                FsInode dst = to.inode.lookup(newName);
                if (dst != null && isMountpoint(to.mnt, dst.ino())) {
                    throw new MmException(Errno.EBUSY, "vfs_rename", newDir.path() + "/" + newName + " is a mount point");
                }
                if (dst != null && dst.ino() == src.ino()) {
                    return;
                }
                frame.inode.rename(oldName, to.inode, newName, flags);
                if (dst != null && (flags & Fcntl.RENAME_EXCHANGE) == 0) {
                    dropped(frame.mnt, dst);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void setattr(SetAttr change) {
            lock.lock();
            try {
                notifyChange(frame, path, change);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "VfsPath[" + path + " on " + frame.mnt.dev + "]";
        }
    }

    /** @return the open files' count across all mounts, for tests and the shell */
    public int openFileCount() {
        lock.lock();
        try {
            int n = 0;
            for (Mount m : mounts) {
                n += m.openFiles;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
