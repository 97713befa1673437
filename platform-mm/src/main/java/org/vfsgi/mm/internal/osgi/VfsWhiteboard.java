package org.vfsgi.mm.internal.osgi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.vfsgi.mm.MmException;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.FileSystemType;

/**
 * The VFS side of the whiteboard, without OSGi: file-system types as they come and go as
 * services, and the mounts that configurations ask for. {@link VfsComponent} feeds it from the
 * service registry and Configuration Admin; tests feed it directly.
 *
 * <p>Types: the first bound instance of a name is registered with the VFS; another instance of
 * the same name (a replacement bound before the old one is unbound, as Declarative Services may
 * do) waits and takes over when the registered one leaves. Unbinding checks identity, so the
 * late unbind of an old instance never removes its replacement.
 *
 * <p>Mounts: each configuration is one wanted mount. One whose type is not registered waits
 * and is mounted when the type arrives; one the VFS refuses (no such directory yet, say) is
 * retried after every change that could help (a type or another mount arriving). A bad
 * configuration or a refused mount is reported in one log line, once per configuration version,
 * and mounts nothing. Deleting the configuration unmounts (lazily, so open files keep working).
 * When the last implementation of a type leaves, its configured mounts are detached and wait
 * for the type again (mounts made by hand stay, as the VFS keeps them).
 */
final class VfsWhiteboard {
    private static final System.Logger LOG = System.getLogger(VfsWhiteboard.class.getName());

    /** Where a configured mount stands. */
    enum State {
        /** Its type is not registered yet. */
        WAITING_FOR_TYPE,
        /** The VFS refused it; retried after every change. */
        FAILED,
        /** Mounted. */
        MOUNTED
    }

    /** One configured mount and where it stands. */
    private static final class Wanted {
        final MountSpec spec;
        State state;
        String problem;

        Wanted(MountSpec spec) {
            this.spec = spec;
        }
    }

    private final Vfs vfs;
    /** Bound instances by type name, in bind order. */
    private final Map<String, List<FileSystemType>> bound = new LinkedHashMap<>();
    /** The instance registered with the VFS, by name (absent while the VFS refuses the name: a built-in). */
    private final Map<String, FileSystemType> registered = new LinkedHashMap<>();
    private final Map<String, Wanted> wanted = new LinkedHashMap<>();
    private final Runnable onDeviceRelease;

    /**
     * @param vfs the kernel's VFS
     * @param retries runs the retry after a detached superblock released its block device (a
     *        configured mount of that device was refused with EBUSY meanwhile, as after a
     *        hot swap under open files); never the releasing thread itself, which holds the VFS lock
     */
    VfsWhiteboard(Vfs vfs, java.util.concurrent.Executor retries) {
        this.vfs = Objects.requireNonNull(vfs, "vfs");
        Objects.requireNonNull(retries, "retries");
        onDeviceRelease = () -> retries.execute(this::retry);
        vfs.addDeviceReleaseListener(onDeviceRelease);
    }

    /** Tries the mounts that wait again: a block device they need may be free now. */
    synchronized void retry() {
        settle();
    }

    /**
     * A file-system type service arrived: register it unless another instance of its name is
     * registered, then mount what waited for it.
     *
     * @param type the service
     */
    synchronized void addType(FileSystemType type) {
        String name = type.name();
        bound.computeIfAbsent(name, n -> new ArrayList<>()).add(type);
        if (!registered.containsKey(name)) {
            register(name, type);
        }
        settle();
    }

    private void register(String name, FileSystemType type) {
        try {
            vfs.registerFileSystem(type);
            registered.put(name, type);
        } catch (MmException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "file-system type service {0} not registered: {1}", type,
                    e.getMessage());
        }
    }

    /**
     * A file-system type service went: unregister it if it is the registered instance (its
     * mounts' dirty pages are written back first) and register the next bound instance of its
     * name, if any.
     *
     * @param type the service
     */
    synchronized void removeType(FileSystemType type) {
        String name = type.name();
        List<FileSystemType> instances = bound.get(name);
        if (instances == null || !removeIdentical(instances, type)) {
            return;
        }
        if (registered.get(name) == type) {
            vfs.unregisterFileSystem(type);
            registered.remove(name);
            if (!instances.isEmpty()) {
                register(name, instances.get(0));
            } else {
                detachMountsOf(name);
            }
        }
        if (instances.isEmpty()) {
            bound.remove(name);
        }
        settle();
    }

    /**
     * The last implementation of a type left: its configured mounts are detached (after the
     * write-back {@code unregisterFileSystem} did) and wait for the type to come back, so no
     * new lookup reaches a superblock whose code is gone.
     */
    private void detachMountsOf(String name) {
        for (Map.Entry<String, Wanted> e : wanted.entrySet()) {
            Wanted w = e.getValue();
            if (w.state == State.MOUNTED && w.spec.type().equals(name)) {
                try {
                    vfs.umount(w.spec.target(), true);
                } catch (MmException ex) {
                    LOG.log(System.Logger.Level.DEBUG, "{0} was no longer mounted: {1}", w.spec.target(),
                            ex.getMessage());
                }
                w.state = null;
                LOG.log(System.Logger.Level.INFO, "mount configuration {0}: {1} detached, file-system type {2} is gone",
                        e.getKey(), w.spec.target(), name);
            }
        }
    }

    private static boolean removeIdentical(List<FileSystemType> list, FileSystemType type) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == type) {
                list.remove(i);
                return true;
            }
        }
        return false;
    }

    /**
     * A mount configuration was created or changed. A bad one is logged and mounts nothing
     * (a previous version's mount is unmounted first, as for any change).
     *
     * @param pid the configuration's PID
     * @param properties its properties
     */
    synchronized void configure(String pid, Map<String, ?> properties) {
        MountSpec spec;
        try {
            spec = MountSpec.from(pid, properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
            unmount(pid);
            return;
        }
        Wanted old = wanted.get(pid);
        if (old != null && old.spec.equals(spec)) {
            return;
        }
        unmount(pid);
        wanted.put(pid, new Wanted(spec));
        settle();
    }

    /**
     * A mount configuration was deleted: unmount its mount (lazily: open files keep working).
     *
     * @param pid the configuration's PID
     */
    synchronized void deleted(String pid) {
        unmount(pid);
    }

    private void unmount(String pid) {
        Wanted w = wanted.remove(pid);
        if (w == null || w.state != State.MOUNTED) {
            return;
        }
        try {
            vfs.umount(w.spec.target(), true);
            LOG.log(System.Logger.Level.DEBUG, "unmounted {0} of configuration {1}", w.spec.target(), pid);
        } catch (MmException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0} of configuration {1} is no longer mounted: {2}", w.spec.target(),
                    pid, e.getMessage());
        }
    }

    /** Mounts every wanted mount that can be mounted now, until a round mounts nothing more. */
    private void settle() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Map.Entry<String, Wanted> e : wanted.entrySet()) {
                Wanted w = e.getValue();
                if (w.state == State.MOUNTED) {
                    continue;
                }
                if (!vfs.fileSystemTypes().contains(w.spec.type())) {
                    if (w.state != State.WAITING_FOR_TYPE) {
                        w.state = State.WAITING_FOR_TYPE;
                        w.problem = "waiting for file-system type " + w.spec.type();
                        LOG.log(System.Logger.Level.INFO, "mount configuration {0}: {1} waits for file-system type"
                                + " {2}", e.getKey(), w.spec.target(), w.spec.type());
                    }
                    continue;
                }
                try {
                    vfs.mount(w.spec.source(), w.spec.target(), w.spec.type(), w.spec.options());
                    w.state = State.MOUNTED;
                    w.problem = null;
                    progress = true;
                    LOG.log(System.Logger.Level.DEBUG, "mounted {0} for configuration {1}", w.spec, e.getKey());
                } catch (MmException ex) {
                    if (w.state != State.FAILED || !ex.getMessage().equals(w.problem)) {
                        LOG.log(System.Logger.Level.WARNING, "mount configuration {0} ({1}) not mounted: {2}",
                                e.getKey(), w.spec, ex.getMessage());
                    }
                    w.state = State.FAILED;
                    w.problem = ex.getMessage();
                }
            }
        }
    }

    /**
     * Unmounts every configured mount and unregisters every type this whiteboard registered, for
     * a kernel that is going away.
     */
    synchronized void close() {
        vfs.removeDeviceReleaseListener(onDeviceRelease);
        for (String pid : new ArrayList<>(wanted.keySet())) {
            unmount(pid);
        }
        for (FileSystemType t : new ArrayList<>(registered.values())) {
            vfs.unregisterFileSystem(t);
        }
        registered.clear();
        bound.clear();
    }

    /**
     * @return each configured mount, by PID, with its state and, unless mounted, why not
     */
    synchronized Map<String, String> status() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Wanted> e : wanted.entrySet()) {
            Wanted w = e.getValue();
            out.put(e.getKey(), w.spec + ": " + (w.state == null ? "new" : w.state.name().toLowerCase(java.util.Locale.ROOT))
                    + (w.problem == null ? "" : " (" + w.problem + ")"));
        }
        return out;
    }
}
