package org.vfsgi.mm.internal.osgi;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vfsgi.mm.core.Kernel;

/**
 * Gogo commands of scope {@code dev}: the character devices drivers published, and a process's
 * use of a device file ({@code mmap} of {@code /dev/NAME}, then loads and stores through the
 * mapping), so each driver can be toured from a script. The work is done by {@link DevConsole};
 * parameters and results are text, as with the {@code mm:} commands.
 */
@Component(service = DevCommands.class, property = {
    "osgi.command.scope=dev",
    "osgi.command.function=devices",
    "osgi.command.function=mmap",
    "osgi.command.function=peek",
    "osgi.command.function=poke",
    "osgi.command.function=cat"})
public final class DevCommands {
    private static final String PID = "process id, as printed by mm:spawn or mm:fork";
    private static final String ADDR = "page-aligned address (decimal or 0x...), 0 to let the kernel choose";

    private final DevConsole console;

    /** @param kernel the kernel that {@link KernelComponent} publishes */
    @Activate
    public DevCommands(@Reference(name = "kernel") Kernel kernel) {
        this.console = new DevConsole(kernel);
    }

    /** @return the character-device table */
    @Descriptor("list the character devices: major, minors, node under /dev, and the driver's file operations")
    public String devices() {
        return console.devices();
    }

    /** @return the mapped address */
    @Descriptor("open a device file, mmap it into a process and close the descriptor (the mapping keeps the file);"
            + " prints the address")
    public String mmap(@Descriptor(PID) String pid, @Descriptor(ADDR) String addr,
            @Descriptor("length in bytes (decimal or 0x...)") String len,
            @Descriptor("protection: r--, rw-, ... or PROT_READ,PROT_WRITE") String prot,
            @Descriptor("map flags: shared or private, plus fixed, populate, ... joined by ','") String flags,
            @Descriptor("the device file, for example /dev/uio0") String path,
            @Descriptor("file offset in bytes, a multiple of 4096 (for /dev/mem: the physical address)") String offset) {
        return console.mmap(pid, addr, len, prot, flags, path, offset);
    }

    /** @return a hex dump */
    @Descriptor("hex dump of what a process reads at an address (through its mappings; a fault is a signal)")
    public String peek(@Descriptor(PID) String pid, @Descriptor("address (decimal or 0x...)") String addr,
            @Descriptor("bytes, 1..4096") String len) {
        return console.peek(pid, addr, len);
    }

    /** @return a confirmation */
    @Descriptor("store bytes as a process would, for example 2a000000 (little-endian 42) into a doorbell register")
    public String poke(@Descriptor(PID) String pid, @Descriptor("address (decimal or 0x...)") String addr,
            @Descriptor("bytes as hex digits, for example 2a000000 or de:ad:be:ef") String bytes) {
        return console.poke(pid, addr, bytes);
    }

    /** @return the file's text */
    @Descriptor("read a device file from offset 0 (at most 4096 bytes), for example a driver's status line")
    public String cat(@Descriptor("the file, for example /dev/uio0") String path) {
        return console.cat(path);
    }
}
