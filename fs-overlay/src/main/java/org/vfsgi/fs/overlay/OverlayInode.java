package org.vfsgi.fs.overlay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.VfsPath;

/**
 * An overlay inode ({@code struct ovl_inode} with its {@code ovl_entry}): the upper object if
 * there is one, and the lower objects it merges — for a directory every lower directory down
 * to an opaque one, for anything else the topmost lower object. One instance per overlay inode
 * number, so copy-up updates what every open file of it sees. Namespace calls are serialised by
 * the VFS; the layer fields are volatile because file operations read them without that lock.
 */
final class OverlayInode implements FsInode {
    private final OverlaySuperBlock sb;
    private final long ino;
    private volatile OverlayInode parent;
    private volatile String name;
    private volatile VfsPath upper;
    private volatile List<VfsPath> lowers;
    private volatile boolean unlinked;

    OverlayInode(OverlaySuperBlock sb, long ino) {
        this.sb = sb;
        this.ino = ino;
    }

    void set(OverlayInode newParent, String newName, VfsPath newUpper, List<VfsPath> newLowers) {
        parent = newParent;
        name = newName;
        upper = newUpper;
        lowers = List.copyOf(newLowers);
        unlinked = false;
    }

    OverlaySuperBlock superBlock() {
        return sb;
    }

    OverlayInode parent() {
        return parent;
    }

    String name() {
        return name;
    }

    /** @return the upper object, or null if the inode lives only in lower layers */
    VfsPath upper() {
        return upper;
    }

    /** @return the lower objects, topmost first */
    List<VfsPath> lowers() {
        return lowers;
    }

    /** Copy-up finished: the upper object now exists. */
    void setUpper(VfsPath u) {
        upper = u;
    }

    /** {@code ovl_path_real}: the upper object if there is one, else the topmost lower. */
    VfsPath real() {
        VfsPath u = upper;
        return u != null ? u : lowers.get(0);
    }

    /** @return the path inside the overlay, for messages ({@code "/dir/file"}) */
    String overlayPath() {
        OverlayInode p = parent;
        if (p == null) {
            return "/";
        }
        String pp = p.overlayPath();
        return (pp.equals("/") ? "" : pp) + "/" + name;
    }

    boolean isDirectory() {
        return real().inode().getattr().isDirectory();
    }

    @Override
    public long ino() {
        return ino;
    }

    /** {@code ovl_getattr}: the real object's attributes under the overlay's inode number. */
    @Override
    public InodeAttributes getattr() {
        InodeAttributes a = real().inode().getattr();
        return new InodeAttributes(ino, a.mode(), unlinked ? 0 : a.nlink(), a.uid(), a.gid(), a.size(), a.blocks(),
                a.atimeNanos(), a.mtimeNanos(), a.ctimeNanos(), a.rdev());
    }

    /** {@code ovl_setattr}: copy up, then {@code notify_change} on the upper object. */
    @Override
    public void setattr(SetAttr change) {
        CopyUp.copyUp(this);
        upper.setattr(change);
    }

    // ------------------------------------------------------------------ lookup and readdir

    /**
     * {@code ovl_lookup}: the upper layer first; a whiteout ends the search with nothing; an
     * upper non-directory hides everything below; a directory merges with the lower
     * directories of that name until an opaque one; a lower non-directory counts only if
     * nothing was found above it.
     */
    @Override
    public FsInode lookup(String child) {
        requireDir("ovl_lookup");
        VfsPath up = null;
        boolean stop = false;
        VfsPath u = upper;
        if (u != null) {
            VfsPath c = u.child(child);
            if (c != null) {
                InodeAttributes a = c.inode().getattr();
                if (a.isWhiteout()) {
                    return null;
                }
                up = c;
                stop = !a.isDirectory() || OverlaySuperBlock.isOpaque(c);
            }
        }
        List<VfsPath> lows = new ArrayList<>();
        if (!stop) {
            for (VfsPath l : lowers) {
                VfsPath c = l.child(child);
                if (c == null) {
                    continue;
                }
                InodeAttributes a = c.inode().getattr();
                if (a.isWhiteout()) {
                    break;
                }
                boolean foundAbove = up != null || !lows.isEmpty();
                if (!a.isDirectory()) {
                    if (!foundAbove) {
                        lows.add(c);
                    }
                    break; // a non-directory ends the stack; below a directory it is hidden
                }
                lows.add(c);
                if (OverlaySuperBlock.isOpaque(c)) {
                    break;
                }
            }
        }
        if (up == null && lows.isEmpty()) {
            return null;
        }
        return sb.node(this, child, up, lows);
    }

    /**
     * {@code ovl_iterate} of a merged directory: every layer's names, upper first, each name
     * once; a whiteout hides the name in the layers below and is not listed itself.
     */
    @Override
    public List<DirEntry> readdir() {
        requireDir("ovl_iterate");
        List<VfsPath> layers = new ArrayList<>();
        if (upper != null) {
            layers.add(upper);
        }
        layers.addAll(lowers);
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (VfsPath layer : layers) {
            for (DirEntry e : layer.inode().readdir()) {
                if (seen.add(e.name()) && !isWhiteoutEntry(layer, e)) {
                    names.add(e.name());
                }
            }
        }
        List<DirEntry> out = new ArrayList<>();
        for (String n : names) {
            FsInode c = lookup(n);
            if (c != null) { // a lower name under an upper non-directory's directory is never listed twice
                out.add(new DirEntry(n, c.ino(), c.getattr().type()));
            }
        }
        return out;
    }

    private static boolean isWhiteoutEntry(VfsPath layer, DirEntry e) {
        if (e.type() != FileType.CHAR_DEVICE) {
            return false;
        }
        VfsPath c = layer.child(e.name());
        return c != null && c.inode().getattr().isWhiteout();
    }

    private void requireDir(String step) {
        if (!isDirectory()) {
            throw new MmException(Errno.ENOTDIR, step, "overlay: " + overlayPath() + " is not a directory");
        }
    }

    // ------------------------------------------------------------------ creating

    @Override
    public FsInode create(String child, int mode) {
        return createObject(child, false, (dir, n) -> dir.inode().create(n, mode));
    }

    @Override
    public FsInode mkdir(String child, int mode) {
        return createObject(child, true, (dir, n) -> dir.inode().mkdir(n, mode));
    }

    @Override
    public FsInode mknod(String child, int mode, DeviceNumber rdev) {
        if (FileType.ofMode(mode) == FileType.CHAR_DEVICE && DeviceNumber.WHITEOUT.equals(rdev)) {
            // A user's 0:0 device would read as a whiteout in the upper layer: overlayfs refuses it too.
            throw new MmException(Errno.EPERM, "ovl_mknod", "overlay: cannot create a whiteout device at "
                    + childPath(child));
        }
        return createObject(child, false, (dir, n) -> dir.inode().mknod(n, mode, rdev));
    }

    @Override
    public FsInode symlink(String child, String target) {
        return createObject(child, false, (dir, n) -> dir.inode().symlink(n, target));
    }

    /**
     * {@code ovl_create_object}: straight into the upper directory, or over a whiteout
     * ({@code ovl_create_over_whiteout}) made in the work directory and renamed into place, a new
     * directory then marked opaque so the lower one it replaces stays hidden.
     */
    private FsInode createObject(String child, boolean directory, BiConsumer<VfsPath, String> make) {
        CopyUp.copyUp(this);
        VfsPath u = upper;
        VfsPath existing = u.child(child);
        if (existing == null) {
            make.accept(u, child);
        } else {
            if (!existing.inode().getattr().isWhiteout()) {
                throw new MmException(Errno.EEXIST, "ovl_create_object", "overlay: " + childPath(child) + " exists");
            }
            String tmp = sb.tempName();
            make.accept(sb.work, tmp);
            try {
                if (directory) {
                    // A directory cannot replace a whiteout: exchange the two, then drop the whiteout.
                    sb.work.child(tmp).inode().setxattr(OverlaySuperBlock.OPAQUE, new byte[] {'y'}, 0);
                    sb.work.rename(tmp, u, child, Fcntl.RENAME_EXCHANGE);
                } else {
                    sb.work.rename(tmp, u, child, 0);
                }
            } finally {
                CopyUp.cleanup(sb.work, tmp); // the half-made object, or the exchanged whiteout
            }
        }
        FsInode made = lookup(child);
        if (made == null) {
            throw new MmException(Errno.EIO, "ovl_create_object", "overlay: " + childPath(child)
                    + " vanished right after it was created");
        }
        return made;
    }

    // ------------------------------------------------------------------ removing and renaming

    /** {@code ovl_unlink}: a plain unlink for a pure upper object, else a whiteout over it. */
    @Override
    public void unlink(String child) {
        OverlayInode victim = existing(child, "ovl_unlink");
        boolean lowerPositive = lowerPositive(child);
        CopyUp.copyUp(this);
        if (lowerPositive) {
            CopyUp.whiteout(this, child);
        } else {
            upper.unlink(child);
        }
        victim.unlinked = true;
    }

    /**
     * {@code ovl_rmdir}: the merged directory must be empty; its upper directory (holding only
     * whiteouts then) is removed, and a whiteout hides the lower ones.
     */
    @Override
    public void rmdir(String child) {
        OverlayInode victim = existing(child, "ovl_rmdir");
        if (!victim.readdir().isEmpty()) {
            throw new MmException(Errno.ENOTEMPTY, "ovl_rmdir", "overlay: " + childPath(child) + " is not empty");
        }
        boolean lowerPositive = lowerPositive(child);
        CopyUp.copyUp(this);
        VfsPath vu = victim.upper;
        if (vu != null) {
            for (DirEntry e : vu.inode().readdir()) {
                vu.unlink(e.name()); // only whiteouts are left in an empty merged directory
            }
            upper.rmdir(child);
        }
        if (lowerPositive) { // a lower directory of that name (merged, or hidden by opacity): keep it hidden
            CopyUp.whiteout(this, child);
        }
        victim.unlinked = true;
    }

    /**
     * {@code ovl_rename} without {@code redirect_dir}: files are copied up and renamed in the
     * upper layer, a whiteout left where a lower one was; a directory that merges lower layers
     * cannot be moved (EXDEV, so {@code mv} falls back to copying), nor can flags beyond
     * {@link Fcntl#RENAME_NOREPLACE} be honoured.
     */
    @Override
    public void rename(String oldName, FsInode newDirInode, String newName, int flags) {
        if ((flags & ~Fcntl.RENAME_NOREPLACE) != 0) {
            throw new MmException(Errno.EINVAL, "ovl_rename", "overlay: rename flags " + flags
                    + " are not supported (only RENAME_NOREPLACE)");
        }
        if (!(newDirInode instanceof OverlayInode) || ((OverlayInode) newDirInode).sb != sb) {
            throw new MmException(Errno.EXDEV, "ovl_rename", "overlay: target directory is not of this overlay");
        }
        OverlayInode newDir = (OverlayInode) newDirInode;
        OverlayInode src = existing(oldName, "ovl_rename");
        boolean srcDir = src.isDirectory();
        if (srcDir && !src.lowers.isEmpty()) {
            throw new MmException(Errno.EXDEV, "ovl_rename", "overlay: directory " + childPath(oldName)
                    + " merges lower layers and cannot be renamed without redirect_dir");
        }
        OverlayInode dst = (OverlayInode) newDir.lookup(newName);
        if (dst != null && dst.isDirectory() && !dst.lowers.isEmpty()) {
            throw new MmException(Errno.EXDEV, "ovl_rename", "overlay: directory " + newDir.childPath(newName)
                    + " merges lower layers and cannot be replaced without redirect_dir");
        }
        boolean leaveWhiteout = lowerPositive(oldName);
        CopyUp.copyUp(src);
        CopyUp.copyUp(newDir);
        upper.rename(oldName, newDir.upper, newName, flags);
        if (leaveWhiteout) {
            CopyUp.whiteout(this, oldName);
        }
        if (dst != null) {
            dst.unlinked = true;
        }
        // The renamed object now lives at its new name in the upper layer only.
        src.set(newDir, newName, newDir.upper.child(newName), List.of());
    }

    /**
     * {@code ovl_lower_positive}: whether a lower layer has {@code child} in this directory, so
     * that removing or moving the name needs a whiteout (an upper non-directory stops the lookup
     * before the lower layers, so this asks them directly).
     */
    private boolean lowerPositive(String child) {
        for (VfsPath l : lowers) {
            VfsPath c = l.child(child);
            if (c != null) {
                return !c.inode().getattr().isWhiteout();
            }
        }
        return false;
    }

    private OverlayInode existing(String child, String step) {
        OverlayInode c = (OverlayInode) lookup(child);
        if (c == null) {
            throw new MmException(Errno.ENOENT, step, "overlay: " + childPath(child) + " does not exist");
        }
        return c;
    }

    private String childPath(String child) {
        String p = overlayPath();
        return (p.equals("/") ? "" : p) + "/" + child;
    }

    // ------------------------------------------------------------------ links and xattrs

    @Override
    public String readlink() {
        return real().inode().readlink();
    }

    /** {@code ovl_listxattr}: the real object's attributes without overlay's own. */
    @Override
    public List<String> listxattr() {
        List<String> out = new ArrayList<>();
        for (String n : real().inode().listxattr()) {
            if (!n.startsWith(OverlaySuperBlock.PRIVATE_PREFIX)) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public byte[] getxattr(String xname) {
        if (xname.startsWith(OverlaySuperBlock.PRIVATE_PREFIX)) {
            throw new MmException(Errno.ENODATA, "ovl_xattr_get", "overlay: " + xname + " is overlay's own");
        }
        return real().inode().getxattr(xname);
    }

    /** {@code ovl_xattr_set}: copy up, then set on the upper object. */
    @Override
    public void setxattr(String xname, byte[] value, int flags) {
        refusePrivate(xname, "ovl_xattr_set");
        CopyUp.copyUp(this);
        upper.inode().setxattr(xname, value, flags);
    }

    @Override
    public void removexattr(String xname) {
        refusePrivate(xname, "ovl_xattr_set");
        CopyUp.copyUp(this);
        upper.inode().removexattr(xname);
    }

    private void refusePrivate(String xname, String step) {
        if (xname.startsWith(OverlaySuperBlock.PRIVATE_PREFIX)) {
            throw new MmException(Errno.EPERM, step, "overlay: " + xname + " is reserved for overlay itself");
        }
    }

    /** Regular files get overlay's file operations (which open the real file); others have none. */
    @Override
    public FileOperations fileOperations() {
        return real().inode().getattr().isRegular() ? sb.fileOperations : null;
    }

    @Override
    public String toString() {
        return "OverlayInode[" + ino + " " + overlayPath() + (upper != null ? " upper" : "") + " lowers="
                + lowers.size() + "]";
    }

    /** The extended attributes of a layer inode that copy-up carries over: all but overlay's own. */
    static Map<String, byte[]> userXattrs(FsInode inode) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<String> names;
        try {
            names = inode.listxattr();
        } catch (MmException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                return out;
            }
            throw e;
        }
        for (String n : names) {
            if (!n.startsWith(OverlaySuperBlock.PRIVATE_PREFIX)) {
                byte[] v = OverlaySuperBlock.xattr(inode, n);
                if (v != null) {
                    out.put(n, v);
                }
            }
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
