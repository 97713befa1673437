package org.vfsgi.fs.overlay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vfsgi.mm.VmOperations;
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
import org.vfsgi.vfs.VfsFile;

/**
 * A read-only lower file system whose files use the whole new hook set — {@code mmap_prepare}
 * (which sets a context), {@code mmap_complete} and {@code mmap_abort} — and record every call
 * in {@link #calls}, so the tests see which of the real file's hooks ran under an overlay and
 * with what. Its data is fixed at construction and served through the page cache
 * ({@code filemap_fault} over {@code read_folio}), as a disk file system's would be.
 */
final class HookCountingFs implements FileSystemType {
    static final String NAME = "hookfs";
    /** The context {@code mmap_prepare} hands to {@code mmap_complete} / {@code mmap_abort}. */
    static final String CONTEXT = "prepared-context";

    final List<String> calls = new ArrayList<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final VmOperations vmOps = VmOperations.builder().name("hookfs_vm_ops").fault(VmOperations.FILEMAP_FAULT)
            .build();
    private final FileOperations fops = FileOperations.builder().name("hookfs_file_operations")
            .mmapPrepare(desc -> {
                calls.add("prepare " + desc.file().path());
                desc.setVmOps(vmOps);
                desc.setContext(CONTEXT);
                return 0;
            })
            .mmapComplete((file, vma, ctx) -> {
                calls.add("complete " + file.path() + " " + ctx);
                return 0;
            })
            .mmapAbort((file, pd, ctx) -> calls.add("abort " + file.path() + " " + ctx))
            .read((file, dst, pos) -> {
                calls.add("read " + file.path() + " @" + pos);
                byte[] d = ((Regular) ((VfsFile) file).fsInode()).data;
                int n = (int) Math.max(0, Math.min(dst.remaining(), d.length - pos));
                dst.put(d, (int) Math.min(pos, d.length), n);
                return n;
            })
            .fsync((file, start, end, datasync) -> {
                calls.add("fsync " + file.path());
                return 0;
            })
            .build();

    HookCountingFs(Map<String, byte[]> content) {
        files.putAll(content);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SuperBlock mount(MountRequest request) {
        Dir root = new Dir();
        return new SuperBlock() {
            @Override
            public FsInode root() {
                return root;
            }

            @Override
            public StatFs statfs() {
                return new StatFs(0x4b4f4f48, 4096, 0, 0, 0, 0, 0, 255);
            }

            @Override
            public void sync() {
            }

            @Override
            public void kill() {
            }

            @Override
            public boolean forcedReadOnly() {
                return true;
            }
        };
    }

    private static InodeAttributes attrs(long ino, int mode, long size) {
        return new InodeAttributes(ino, mode, 1, 0, 0, size, 0, 0, 0, 0, null);
    }

    private final class Dir implements FsInode {
        @Override
        public long ino() {
            return 1;
        }

        @Override
        public InodeAttributes getattr() {
            return attrs(1, FileType.DIRECTORY.mode(0755), 0);
        }

        @Override
        public void setattr(SetAttr change) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public FsInode lookup(String name) {
            int i = new ArrayList<>(files.keySet()).indexOf(name);
            return i < 0 ? null : new Regular(i + 2, files.get(name));
        }

        @Override
        public List<DirEntry> readdir() {
            List<DirEntry> out = new ArrayList<>();
            int i = 2;
            for (String n : files.keySet()) {
                out.add(new DirEntry(n, i++, FileType.REGULAR));
            }
            return out;
        }
    }

    private final class Regular implements FsInode {
        private final long ino;
        private final byte[] data;

        Regular(long ino, byte[] data) {
            this.ino = ino;
            this.data = data;
        }

        @Override
        public long ino() {
            return ino;
        }

        @Override
        public InodeAttributes getattr() {
            return attrs(ino, FileType.REGULAR.mode(0644), data.length);
        }

        @Override
        public void setattr(SetAttr change) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public FileOperations fileOperations() {
            return fops;
        }

        @Override
        public AddressSpaceOperations addressSpaceOperations() {
            return new AddressSpaceOperations() {
                @Override
                public int readPage(long index, byte[] buf) {
                    long from = index * buf.length;
                    int n = (int) Math.max(0, Math.min(buf.length, data.length - from));
                    System.arraycopy(data, (int) from, buf, 0, n);
                    return n;
                }

                @Override
                public void writePage(long index, byte[] buf, int len) {
                    throw new IllegalStateException("read-only");
                }
            };
        }
    }

    @Override
    public String toString() {
        return "HookCountingFs" + files.keySet();
    }
}
