package org.vfsgi.hw.internal.osgi;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vfsgi.hw.Device;
import org.vfsgi.hw.PhysicalAddressSpace;
import org.vfsgi.hw.internal.HwConsole;

/**
 * Gogo commands of scope {@code hw}. They show every {@link Device} service, so devices published
 * by other bundles appear too. The work is done by {@link HwConsole}; this class is the shell's
 * view of it.
 */
@Component(service = HwCommands.class, property = {
    "osgi.command.scope=hw",
    "osgi.command.function=devices",
    "osgi.command.function=device",
    "osgi.command.function=mem",
    "osgi.command.function=peek",
    "osgi.command.function=poke",
    "osgi.command.function=doorbell",
    "osgi.command.function=flush"})
public final class HwCommands {
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Device> devices;

    private final HwConsole console;

    /** @param addressSpace resolves PFNs for peek and poke */
    @Activate
    public HwCommands(@Reference(name = "addressSpace") PhysicalAddressSpace addressSpace) {
        this.console = new HwConsole(() -> devices, addressSpace);
    }

    /** @return the device table */
    @Descriptor("list every simulated device: name, kind, size, PFN range and state")
    public String devices() {
        return console.devices();
    }

    /** @return one device's details */
    @Descriptor("show one device's details and counters (for mmio: registers, doorbell rings, ignored writes)")
    public String device(@Descriptor("device name, as listed by hw:devices") String name) {
        return console.device(name);
    }

    /** @return RAM usage */
    @Descriptor("show free and used page frames of the RAM devices")
    public String mem() {
        return console.mem();
    }

    /** @return a hex dump */
    @Descriptor("hex-dump bytes of a physical page frame")
    public String peek(@Descriptor("page frame number (decimal or 0x...)") String pfn,
            @Descriptor("byte offset in the frame (0-4095)") String offset,
            @Descriptor("number of bytes (at most to the end of the frame)") String length) {
        return console.peek(pfn, offset, length);
    }

    /** @return what was written */
    @Descriptor("write bytes into a physical page frame (MMIO registers see the write)")
    public String poke(@Descriptor("page frame number (decimal or 0x...)") String pfn,
            @Descriptor("byte offset in the frame (0-4095)") String offset,
            @Descriptor("bytes as hex digits, for example deadbeef or de:ad:be:ef") String bytes) {
        return console.poke(pfn, offset, bytes);
    }

    /** @return the ring count after ringing */
    @Descriptor("write a 32-bit value to an MMIO window's doorbell register")
    public String doorbell(@Descriptor("name of an mmio device") String name,
            @Descriptor("value to write (decimal or 0x...)") String value) {
        return console.doorbell(name, value);
    }

    /** @return confirmation */
    @Descriptor("make a block or pmem device's writes durable in its host file")
    public String flush(@Descriptor("name of a block or pmem device") String name) {
        return console.flush(name);
    }
}
