package org.vfsgi.mm.internal.osgi;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.mm.core.Kernel;

/**
 * Gogo commands of scope {@code mm}, modelled on the memory system calls so that scenario
 * scripts read like the kernel's selftests. The work is done by {@link MmConsole}; this class is
 * the shell's view of it: every parameter is text, so that hexadecimal addresses, {@code rw-}
 * protections and {@code private,anonymous} flags reach the parser as typed, and every result is
 * text, because Gogo prints other objects as property dumps.
 *
 * <p>Errors: bad input is an {@link IllegalArgumentException} naming the bad value; a call the
 * kernel refuses throws its {@code MmException}, whose message {@code errno NAME: step: what}
 * the launcher prints as {@code error: errno NAME: step: what} before it exits 1.
 */
@Component(service = MmCommands.class, property = {
    "osgi.command.scope=mm",
    "osgi.command.function=spawn",
    "osgi.command.function=fork",
    "osgi.command.function=exit",
    "osgi.command.function=ps",
    "osgi.command.function=mmap",
    "osgi.command.function=munmap",
    "osgi.command.function=mprotect",
    "osgi.command.function=mremap",
    "osgi.command.function=maps",
    "osgi.command.function=smaps",
    "osgi.command.function=msync",
    "osgi.command.function=peek",
    "osgi.command.function=poke",
    "osgi.command.function=trace",
    "osgi.command.function=violations",
    "osgi.command.function=inject"})
public final class MmCommands {
    private static final String PID = "process id, as printed by mm:spawn or mm:fork";
    private static final String ADDR = "page-aligned address (decimal or 0x...)";
    private static final String LEN = "length in bytes (decimal or 0x...)";
    private static final String PROT = "protection: rwx letters with '-' (r--, rw-, r-x, rwx, ---),"
            + " or PROT_READ,PROT_WRITE,PROT_EXEC,PROT_NONE joined by ',' ('|' only in quotes)";

    private final MmConsole console;

    /** @param kernel the kernel that {@link KernelComponent} publishes */
    @Activate
    public MmCommands(@Reference(name = "kernel") Kernel kernel) {
        this.console = new MmConsole(kernel);
    }

    /** @return the new pid */
    @Descriptor("spawn a process with an empty address space; prints its pid")
    public String spawn() {
        return console.spawn();
    }

    /** @return the child's pid */
    @Descriptor("fork a process: the child gets a copy of its address space (DONTCOPY skipped, WIPEONFORK"
            + " emptied); prints the child's pid")
    public String fork(@Descriptor(PID) String pid) {
        return console.fork(pid);
    }

    /** @return a confirmation */
    @Descriptor("exit a process: every mapping is unmapped (vm_ops->close runs) and the pid is gone")
    public String exit(@Descriptor(PID) String pid) {
        return console.exit(pid);
    }

    /** @return the process table */
    @Descriptor("list the live processes: pid, number of VMAs, mapped size in KiB")
    public String ps() {
        return console.ps();
    }

    /** @return the mapped address */
    @Descriptor("mmap(ADDR, LEN, PROT, FLAGS, -1, 0): map anonymous memory; prints the address in hex")
    public String mmap(@Descriptor(PID) String pid,
            @Descriptor("address: a hint, or exact with fixed / fixed_noreplace; 0 lets the kernel choose") String addr,
            @Descriptor(LEN) String len,
            @Descriptor(PROT) String prot,
            @Descriptor("flags joined by ',' ('|' only in quotes): private or shared, anonymous, fixed,"
                    + " fixed_noreplace, noreserve, populate, ... (MAP_ prefix optional)") String flags) {
        return console.mmap(pid, addr, len, prot, flags);
    }

    /** @return the mapped address */
    @Descriptor("mmap(ADDR, LEN, PROT, FLAGS, FD, OFFSET): map a file of the process by descriptor (mm:open"
            + " made it); prints the address in hex")
    public String mmap(@Descriptor(PID) String pid,
            @Descriptor("address: a hint, or exact with fixed / fixed_noreplace; 0 lets the kernel choose") String addr,
            @Descriptor(LEN) String len,
            @Descriptor(PROT) String prot,
            @Descriptor("flags joined by ',': shared or private, fixed, fixed_noreplace, populate, ... (MAP_ prefix"
                    + " optional)") String flags,
            @Descriptor("file descriptor, as printed by mm:open (ignored with anonymous)") String fd,
            @Descriptor("file offset in bytes, page aligned (decimal or 0x...)") String offset) {
        return console.mmap(pid, addr, len, prot, flags, fd, offset);
    }

    /** @return a confirmation */
    @Descriptor("msync(ADDR, LEN, FLAGS): with sync, write the dirty pages of shared file mappings back")
    public String msync(@Descriptor(PID) String pid, @Descriptor(ADDR) String addr, @Descriptor(LEN) String len,
            @Descriptor("sync, async or invalidate, joined by ',' (MS_ prefix optional)") String flags) {
        return console.msync(pid, addr, len, flags);
    }

    /** @return the bytes as hexdump -C lines */
    @Descriptor("read user memory as the process would (copy_from_user, faulting pages in); prints hexdump -C"
            + " lines; a fault is SIGSEGV or SIGBUS")
    public String peek(@Descriptor(PID) String pid, @Descriptor("user address (decimal or 0x...)") String addr,
            @Descriptor("number of bytes") String len) {
        return console.peek(pid, addr, len);
    }

    /** @return a confirmation */
    @Descriptor("write user memory as the process would (copy_to_user, faulting pages in, copy-on-write); a"
            + " fault is SIGSEGV or SIGBUS")
    public String poke(@Descriptor(PID) String pid, @Descriptor("user address (decimal or 0x...)") String addr,
            @Descriptor("text to write, or hex: followed by byte pairs (hex:48690a)") String data) {
        return console.poke(pid, addr, data);
    }

    /** @return the smaps text */
    @Descriptor("show /proc/PID/smaps: each VMA's maps line with its sizes, resident, shared/private clean/dirty")
    public String smaps(@Descriptor(PID) String pid) {
        return console.smaps(pid);
    }

    /** @return a confirmation */
    @Descriptor("munmap(ADDR, LEN): unmap a range, splitting VMAs at its ends")
    public String munmap(@Descriptor(PID) String pid, @Descriptor(ADDR) String addr, @Descriptor(LEN) String len) {
        return console.munmap(pid, addr, len);
    }

    /** @return a confirmation */
    @Descriptor("mprotect(ADDR, LEN, PROT): change the protection of a range, splitting or merging VMAs")
    public String mprotect(@Descriptor(PID) String pid, @Descriptor(ADDR) String addr, @Descriptor(LEN) String len,
            @Descriptor(PROT) String prot) {
        return console.mprotect(pid, addr, len, prot);
    }

    /** @return the new address */
    @Descriptor("mremap(OLD, OLDLEN, NEWLEN, 0): resize a mapping in place; prints its address in hex")
    public String mremap(@Descriptor(PID) String pid, @Descriptor("old address (decimal or 0x...)") String oldAddr,
            @Descriptor("old length in bytes") String oldLen, @Descriptor("new length in bytes") String newLen) {
        return console.mremap(pid, oldAddr, oldLen, newLen, null, null);
    }

    /** @return the new address */
    @Descriptor("mremap(OLD, OLDLEN, NEWLEN, FLAGS): resize, and move if maymove allows; prints the address in hex")
    public String mremap(@Descriptor(PID) String pid, @Descriptor("old address (decimal or 0x...)") String oldAddr,
            @Descriptor("old length in bytes") String oldLen, @Descriptor("new length in bytes") String newLen,
            @Descriptor("maymove, or 0 (MREMAP_ prefix optional)") String flags) {
        return console.mremap(pid, oldAddr, oldLen, newLen, flags, null);
    }

    /** @return the new address */
    @Descriptor("mremap(OLD, OLDLEN, NEWLEN, FLAGS, NEWADDR): move to NEWADDR with maymove,fixed; prints the"
            + " address in hex")
    public String mremap(@Descriptor(PID) String pid, @Descriptor("old address (decimal or 0x...)") String oldAddr,
            @Descriptor("old length in bytes") String oldLen, @Descriptor("new length in bytes") String newLen,
            @Descriptor("maymove,fixed (MREMAP_ prefix optional)") String flags,
            @Descriptor("new address with fixed (decimal or 0x...)") String newAddr) {
        return console.mremap(pid, oldAddr, oldLen, newLen, flags, newAddr);
    }

    /** @return the maps text */
    @Descriptor("show the address space exactly as Linux /proc/PID/maps does")
    public String maps(@Descriptor(PID) String pid) {
        return console.maps(pid);
    }

    /** @return the latest trace events */
    @Descriptor("show the latest " + MmConsole.DEFAULT_TRACE_EVENTS + " trace events, oldest first")
    public String trace() {
        return console.trace(null);
    }

    /** @return the latest trace events */
    @Descriptor("show the latest N trace events, oldest first: step, range, file, outcome")
    public String trace(@Descriptor("how many events (decimal or 0x...)") String n) {
        return console.trace(n);
    }

    /** @return the counters */
    @Descriptor("show how often each rule of the mmap hook contract was broken")
    public String violations() {
        return console.violations();
    }

    /** @return the injection points */
    @Descriptor("list the failure-injection points: calls so far and whether each is armed")
    public String inject() {
        return console.injectStatus();
    }

    /** @return a confirmation */
    @Descriptor("arm an injection point so its next call fails with ENOMEM; 'inject clear' disarms every point")
    public String inject(@Descriptor("injection point (vma_alloc, tree_prealloc, split, before_prepare, ...)"
            + " or clear") String point) {
        return console.inject(point, null, null);
    }

    /** @return a confirmation */
    @Descriptor("arm an injection point so its NTH call from now fails with ENOMEM")
    public String inject(@Descriptor("injection point (vma_alloc, tree_prealloc, split, before_prepare, ...)")
            String point, @Descriptor("which call from now fails; 1 is the next") String nth) {
        return console.inject(point, nth, null);
    }

    /** @return a confirmation */
    @Descriptor("arm an injection point so its NTH call from now fails with ERRNO")
    public String inject(@Descriptor("injection point (vma_alloc, tree_prealloc, split, before_prepare, ...)")
            String point, @Descriptor("which call from now fails; 1 is the next") String nth,
            @Descriptor("errno name or number, for example ENOMEM or 12") String errno) {
        return console.inject(point, nth, errno);
    }
}
