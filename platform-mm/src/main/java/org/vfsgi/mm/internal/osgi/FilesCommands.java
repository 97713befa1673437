package org.vfsgi.mm.internal.osgi;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.mm.core.Kernel;

/**
 * Gogo commands of scope {@code mm} for the VFS and file descriptors, modelled on the system
 * calls ({@code mount}, {@code open}, {@code read}, {@code pwrite}, {@code ftruncate}, ...), so a
 * scenario script reads like a kernel selftest: {@code fd = (mm:open $p /f rdwr,creat)},
 * {@code a = (mm:mmap $p 0 0x1000 rw- shared $fd 0)}. A second component of the same scope as
 * {@link MmCommands}, so the memory calls and the file calls each stay readable. Every result is
 * text; values later commands take (descriptors, counts, positions) are printed bare.
 *
 * <p>Errors: bad input is an {@link IllegalArgumentException} naming the bad value; a call the
 * kernel refuses throws its {@code MmException} ({@code errno NAME: step: what}).
 */
@Component(service = FilesCommands.class, property = {
    "osgi.command.scope=mm",
    "osgi.command.function=mount",
    "osgi.command.function=umount",
    "osgi.command.function=mounts",
    "osgi.command.function=filesystems",
    "osgi.command.function=statfs",
    "osgi.command.function=df",
    "osgi.command.function=sync",
    "osgi.command.function=mkdir",
    "osgi.command.function=rmdir",
    "osgi.command.function=ls",
    "osgi.command.function=stat",
    "osgi.command.function=unlink",
    "osgi.command.function=truncate",
    "osgi.command.function=open",
    "osgi.command.function=close",
    "osgi.command.function=dup",
    "osgi.command.function=read",
    "osgi.command.function=pread",
    "osgi.command.function=write",
    "osgi.command.function=pwrite",
    "osgi.command.function=lseek",
    "osgi.command.function=ftruncate",
    "osgi.command.function=fsync",
    "osgi.command.function=fstat",
    "osgi.command.function=fds"})
public final class FilesCommands {
    private static final String PID = "process id, as printed by mm:spawn or mm:fork";
    private static final String FD = "file descriptor, as printed by mm:open";
    private static final String PATH = "absolute path";
    private static final String DATA = "text to write, or hex: followed by byte pairs (hex:48690a)";

    private final FilesConsole console;

    /** @param kernel the kernel that {@link KernelComponent} publishes */
    @Activate
    public FilesCommands(@Reference(name = "kernel") Kernel kernel) {
        this.console = new FilesConsole(kernel);
    }

    /** @return a confirmation */
    @Descriptor("mount(SOURCE, TARGET, TYPE, \"\"): mount a file system of a registered type")
    public String mount(@Descriptor("source: a block device name, or none") String source,
            @Descriptor("mount point, an existing directory") String target,
            @Descriptor("file-system type (mm:filesystems lists them)") String type) {
        return console.mount(source, target, type, null);
    }

    /** @return a confirmation */
    @Descriptor("mount(SOURCE, TARGET, TYPE, OPTIONS): mount with mount -o options (ro, size=..., ...)")
    public String mount(@Descriptor("source: a block device name, or none") String source,
            @Descriptor("mount point, an existing directory") String target,
            @Descriptor("file-system type (mm:filesystems lists them)") String type,
            @Descriptor("options joined by ','") String options) {
        return console.mount(source, target, type, options);
    }

    /** @return a confirmation */
    @Descriptor("umount(TARGET): unmount an idle mount (EBUSY while files are open on it)")
    public String umount(@Descriptor("mount point") String target) {
        return console.umount(target, null);
    }

    /** @return a confirmation */
    @Descriptor("umount2(TARGET, MNT_DETACH): detach now, even if busy; open files keep the file system alive")
    public String umount(@Descriptor("mount point") String target, @Descriptor("detach") String how) {
        return console.umount(target, how);
    }

    /** @return the mount list */
    @Descriptor("show the mounts as /proc/self/mounts does: source, mount point, type, options")
    public String mounts() {
        return console.mounts();
    }

    /** @return the type names */
    @Descriptor("list the registered file-system types (built-in tmpfs and those of file-system bundles)")
    public String filesystems() {
        return console.filesystems();
    }

    /** @return the statfs text */
    @Descriptor("statfs(PATH): sizes and inode counts of the file system holding PATH, as stat -f prints them")
    public String statfs(@Descriptor(PATH) String path) {
        return console.statfs(path);
    }

    /** @return the df table */
    @Descriptor("df: size, use and inodes of every mount, in KiB")
    public String df() {
        return console.df(null);
    }

    /** @return the df line */
    @Descriptor("df PATH: size, use and inodes of the mount holding PATH, in KiB")
    public String df(@Descriptor(PATH) String path) {
        return console.df(path);
    }

    /** @return a confirmation */
    @Descriptor("sync(): write every mount's dirty pages back and sync each file system, as sync(1) does")
    public String sync() {
        return console.sync();
    }

    /** @return a confirmation */
    @Descriptor("mkdir(PATH, 0755)")
    public String mkdir(@Descriptor(PATH) String path) {
        return console.mkdir(path, null);
    }

    /** @return a confirmation */
    @Descriptor("mkdir(PATH, MODE)")
    public String mkdir(@Descriptor(PATH) String path, @Descriptor("permission bits in octal, like 0700") String mode) {
        return console.mkdir(path, mode);
    }

    /** @return a confirmation */
    @Descriptor("rmdir(PATH): remove an empty directory")
    public String rmdir(@Descriptor(PATH) String path) {
        return console.rmdir(path);
    }

    /** @return the entries */
    @Descriptor("getdents(PATH): the directory's entries, one a line: type letter, inode number, name")
    public String ls(@Descriptor(PATH) String path) {
        return console.ls(path);
    }

    /** @return the stat text */
    @Descriptor("stat(PATH): size, blocks, type, device, inode, links and mode, as stat(1) prints them")
    public String stat(@Descriptor(PATH) String path) {
        return console.stat(path);
    }

    /** @return a confirmation */
    @Descriptor("unlink(PATH): remove a name; the file lives on while it is open or mapped")
    public String unlink(@Descriptor(PATH) String path) {
        return console.unlink(path);
    }

    /** @return a confirmation */
    @Descriptor("truncate(PATH, LENGTH): set a file's size; mapped pages beyond the end are unmapped")
    public String truncate(@Descriptor(PATH) String path, @Descriptor("new size in bytes") String length) {
        return console.truncate(path, length);
    }

    /** @return the descriptor */
    @Descriptor("open(PATH, FLAGS, 0644) in a process; prints the new file descriptor")
    public String open(@Descriptor(PID) String pid, @Descriptor(PATH) String path,
            @Descriptor("rdonly, wronly or rdwr, with creat, excl, trunc, append, directory, nofollow joined by ','"
                    + " (O_ prefix optional)") String flags) {
        return console.open(pid, path, flags, null);
    }

    /** @return the descriptor */
    @Descriptor("open(PATH, FLAGS, MODE) in a process; prints the new file descriptor")
    public String open(@Descriptor(PID) String pid, @Descriptor(PATH) String path,
            @Descriptor("rdonly, wronly or rdwr, with creat, excl, trunc, append, directory, nofollow joined by ','"
                    + " (O_ prefix optional)") String flags,
            @Descriptor("permission bits of a created file, octal") String mode) {
        return console.open(pid, path, flags, mode);
    }

    /** @return a confirmation */
    @Descriptor("close(FD): the file is released when no descriptor or mapping holds it")
    public String close(@Descriptor(PID) String pid, @Descriptor(FD) String fd) {
        return console.close(pid, fd);
    }

    /** @return the new descriptor */
    @Descriptor("dup(FD): a second descriptor sharing the open file and its position; prints it")
    public String dup(@Descriptor(PID) String pid, @Descriptor(FD) String fd) {
        return console.dup(pid, fd);
    }

    /** @return the bytes as text */
    @Descriptor("read(FD, COUNT): read at the file position and advance it; prints the bytes as text,"
            + " non-printable ones as \\xNN")
    public String read(@Descriptor(PID) String pid, @Descriptor(FD) String fd,
            @Descriptor("most bytes to read") String count) {
        return console.read(pid, fd, count);
    }

    /** @return the bytes as text */
    @Descriptor("pread(FD, COUNT, OFFSET): read at OFFSET; the position stays")
    public String pread(@Descriptor(PID) String pid, @Descriptor(FD) String fd,
            @Descriptor("most bytes to read") String count, @Descriptor("file offset") String offset) {
        return console.pread(pid, fd, count, offset);
    }

    /** @return the count written */
    @Descriptor("write(FD, DATA): write at the file position (the end with append); prints the bytes written")
    public String write(@Descriptor(PID) String pid, @Descriptor(FD) String fd, @Descriptor(DATA) String data) {
        return console.write(pid, fd, data);
    }

    /** @return the count written */
    @Descriptor("pwrite(FD, DATA, OFFSET): write at OFFSET; the position stays")
    public String pwrite(@Descriptor(PID) String pid, @Descriptor(FD) String fd, @Descriptor(DATA) String data,
            @Descriptor("file offset") String offset) {
        return console.pwrite(pid, fd, data, offset);
    }

    /** @return the new position */
    @Descriptor("lseek(FD, OFFSET, WHENCE): move the file position; prints it")
    public String lseek(@Descriptor(PID) String pid, @Descriptor(FD) String fd,
            @Descriptor("offset, may be negative") String offset,
            @Descriptor("set, cur or end (SEEK_ prefix optional)") String whence) {
        return console.lseek(pid, fd, offset, whence);
    }

    /** @return a confirmation */
    @Descriptor("ftruncate(FD, LENGTH): set the size of a file open for writing")
    public String ftruncate(@Descriptor(PID) String pid, @Descriptor(FD) String fd,
            @Descriptor("new size in bytes") String length) {
        return console.ftruncate(pid, fd, length);
    }

    /** @return a confirmation */
    @Descriptor("fsync(FD): write the file's dirty pages back and sync its file system")
    public String fsync(@Descriptor(PID) String pid, @Descriptor(FD) String fd) {
        return console.fsync(pid, fd);
    }

    /** @return the stat text */
    @Descriptor("fstat(FD): as stat, for an open file")
    public String fstat(@Descriptor(PID) String pid, @Descriptor(FD) String fd) {
        return console.fstat(pid, fd);
    }

    /** @return the descriptor list */
    @Descriptor("list a process's open file descriptors (/proc/PID/fd): path, access and position")
    public String fds(@Descriptor(PID) String pid) {
        return console.fds(pid);
    }
}
