package org.vfsgi.mm.core.vfs;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vfsgi.vfs.AddressSpaceOperations;
import org.vfsgi.vfs.DirEntry;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.FileType;
import org.vfsgi.vfs.FsInode;
import org.vfsgi.vfs.InodeAttributes;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SetAttr;
import org.vfsgi.vfs.StatFs;
import org.vfsgi.vfs.SuperBlock;

/**
 * A test file system with one directory holding one regular file whose data lives in a map
 * of "disk" pages: it exercises what tmpfs does not (a page cache with address-space
 * operations, write-back, failing writes, open/release hooks). Its test fields record
 * {@code sync_fs} and {@code kill_sb}.
 */
final class ProbeFs implements FileSystemType {
    final Node root = new Node(1, FileType.DIRECTORY);
    final Node file = new Node(2, FileType.REGULAR);
    final FileOperations fop;
    boolean synced;
    boolean killed;

    ProbeFs(FileOperations fop) {
        this.fop = fop;
    }

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public SuperBlock mount(MountRequest request) {
        return new SuperBlock() {
            @Override
            public FsInode root() {
                return root;
            }

            @Override
            public StatFs statfs() {
                return new StatFs(0x1234, 4096, 0, 0, 0, 0, 0, 255);
            }

            @Override
            public void sync() {
                synced = true;
            }

            @Override
            public void kill() {
                killed = true;
            }
        };
    }

    /** An inode of the probe file system; the file's pages are kept in {@link #disk}. */
    final class Node implements FsInode, AddressSpaceOperations {
        final long ino;
        final FileType type;
        final Map<Long, byte[]> disk = new HashMap<>();
        long size;
        boolean failWrites;

        Node(long ino, FileType type) {
            this.ino = ino;
            this.type = type;
        }

        synchronized void grow(long end) {
            size = Math.max(size, end);
        }

        @Override
        public long ino() {
            return ino;
        }

        @Override
        public synchronized InodeAttributes getattr() {
            return new InodeAttributes(ino, type.mode(0644), 1, 0, 0, size, 0, 0, 0, 0, null);
        }

        @Override
        public synchronized void setattr(SetAttr change) {
            if (change.hasSize()) {
                size = change.size();
            }
        }

        @Override
        public FsInode lookup(String name) {
            if (type != FileType.DIRECTORY) {
                return FsInode.super.lookup(name);
            }
            return name.equals("file") ? file : null;
        }

        @Override
        public List<DirEntry> readdir() {
            return List.of(new DirEntry("file", 2, FileType.REGULAR));
        }

        @Override
        public FileOperations fileOperations() {
            return type == FileType.REGULAR ? fop : null;
        }

        @Override
        public AddressSpaceOperations addressSpaceOperations() {
            return type == FileType.REGULAR ? this : null;
        }

        @Override
        public int readPage(long index, byte[] buf) {
            byte[] page = disk.get(index);
            if (page == null) {
                return 0;
            }
            System.arraycopy(page, 0, buf, 0, page.length);
            return page.length;
        }

        @Override
        public void writePage(long index, byte[] buf, int len) throws IOException {
            if (failWrites) {
                throw new IOException("simulated media error");
            }
            disk.put(index, java.util.Arrays.copyOf(buf, len));
        }
    }
}
