package org.vfsgi.mm.core.vfs;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmException;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileMapping;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.Inode;
import org.vfsgi.vfs.VfsFile;

/**
 * An open file of the VFS ({@code struct file}): the inode, the access mode fixed at open
 * ({@code FMODE_READ} / {@code FMODE_WRITE}), the file system's operations taken from the
 * inode's {@code i_fop} at open, the position, and the file system's private data.
 */
public final class OpenFile implements VfsFile {
    private final Vfs vfs;
    private final VfsInode inode;
    private final FileOperations fop;
    private final int flags;
    private final String path;
    private final boolean directory;
    private volatile Object privateData;
    private long position;
    /** {@code f_count}: the opener's reference plus one per {@link #getFile()}; 0 once released. */
    private int refs = 1;

    OpenFile(Vfs vfs, VfsInode inode, FileOperations fop, int flags, String path, boolean directory) {
        this.vfs = vfs;
        this.inode = inode;
        this.fop = fop;
        this.flags = flags;
        this.path = path;
        this.directory = directory;
    }

    @Override
    public Inode inode() {
        return inode;
    }

    /** @return the platform's inode */
    public VfsInode vfsInode() {
        return inode;
    }

    @Override
    public FsInode fsInode() {
        return inode.fsInode();
    }

    @Override
    public FileOperations fileOperations() {
        return fop;
    }

    @Override
    public boolean canRead() {
        int acc = flags & Fcntl.O_ACCMODE;
        return acc == Fcntl.O_RDONLY || acc == Fcntl.O_RDWR;
    }

    @Override
    public boolean canWrite() {
        int acc = flags & Fcntl.O_ACCMODE;
        return acc == Fcntl.O_WRONLY || acc == Fcntl.O_RDWR;
    }

    @Override
    public Object privateData() {
        return privateData;
    }

    @Override
    public void setPrivateData(Object data) {
        privateData = data;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public FileMapping mapping() {
        return inode.mapping();
    }

    @Override
    public int flags() {
        return flags;
    }

    @Override
    public synchronized long position() {
        return position;
    }

    synchronized void setPosition(long pos) {
        position = pos;
    }

    /** @return whether the file is a directory */
    public boolean isDirectory() {
        return directory;
    }

    /** @return whether the last reference was dropped */
    public synchronized boolean isClosed() {
        return refs == 0;
    }

    /** @return the number of references ({@code file_count}) */
    public synchronized int fileCount() {
        return refs;
    }

    /**
     * {@code get_file}: takes another reference, for example for a VMA that maps the file
     * ({@code vm_file}), so that the file outlives the descriptor it was opened through; each
     * reference is dropped with {@link #close()} ({@code fput}).
     *
     * @return this file
     * @throws MmException EBADF if the file is already released
     */
    public synchronized OpenFile getFile() {
        if (refs == 0) {
            throw new MmException(Errno.EBADF, "get_file", path + " is closed");
        }
        refs++;
        return this;
    }

    /** {@code fput}'s count: drops one reference; true when it was the last one. */
    synchronized boolean markClosed() {
        if (refs == 0) {
            return false;
        }
        return --refs == 0;
    }

    /** Drops one reference ({@code fput}); the last one releases the file. Extra calls do nothing. */
    @Override
    public void close() {
        vfs.close(this);
    }

    /** The same as {@link #close()}: a VMA's reference is dropped exactly like the opener's. */
    @Override
    public void fput() {
        vfs.close(this);
    }

    @Override
    public String toString() {
        return "OpenFile[" + path + (canRead() ? " r" : " ") + (canWrite() ? "w" : "") + (isClosed() ? " closed" : "") + "]";
    }
}
