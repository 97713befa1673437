package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vfsgi.mm.core.vfs.VfsFixture.expect;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.vfs.DeviceNumber;
import org.vfsgi.vfs.Fcntl;
import org.vfsgi.vfs.FileOperations;
import org.vfsgi.vfs.FileType;

/**
 * The character-device table and devtmpfs-like nodes: opening an {@code S_IFCHR} inode of any
 * file system reaches the driver registered for its device number ({@code chrdev_open}), ENXIO
 * when none is; registrations never overlap; dynamic majors come from the kernel's ranges; a
 * driver's node appears under {@code /dev} and goes with it.
 */
class CharDevicesTest {
    private final VfsFixture fx = new VfsFixture();
    private final Vfs vfs = fx.vfs;
    private final List<String> calls = new ArrayList<>();

    private FileOperations fops(String name) {
        return FileOperations.builder().name(name).open((inode, f) -> {
            calls.add(name + " open " + inode.ino());
            return 0;
        }).read((f, buf, pos) -> {
            int n = buf.remaining();
            while (buf.hasRemaining()) {
                buf.put((byte) 'z');
            }
            return n;
        }).release((inode, f) -> {
            calls.add(name + " release");
            return 0;
        }).build();
    }

    @Test
    void openingADeviceNodeDispatchesToItsDriver() {
        vfs.mknod("/mnt/zero", FileType.CHAR_DEVICE.mode(0666), new DeviceNumber(1, 5));
        expect(Errno.ENXIO, () -> vfs.open("/mnt/zero", Fcntl.O_RDONLY, 0));
        FileOperations zero = fops("zero_fops");
        assertEquals(new DeviceNumber(1, 5), vfs.charDevices().register(1, 5, 1, "zero", zero));
        OpenFile f = vfs.open("/mnt/zero", Fcntl.O_RDWR, 0);
        assertSame(zero, f.fileOperations(), "the node's file system has no say: the driver serves it");
        ByteBuffer buf = ByteBuffer.allocate(3);
        assertEquals(3, vfs.read(f, buf));
        assertEquals("zzz", new String(buf.array()));
        f.close();
        assertEquals(List.of("zero_fops open " + f.vfsInode().ino(), "zero_fops release"), calls);
        assertTrue(vfs.charDevices().unregister(new DeviceNumber(1, 5)));
        expect(Errno.ENXIO, () -> vfs.open("/mnt/zero", Fcntl.O_RDONLY, 0));
    }

    @Test
    void whiteoutHasNoDriver() {
        vfs.mknod("/wh", FileType.CHAR_DEVICE.mode(0), DeviceNumber.WHITEOUT);
        expect(Errno.ENXIO, () -> vfs.open("/wh", Fcntl.O_RDONLY, 0));
    }

    @Test
    void regionsNeverOverlapAndNumbersAreChecked() {
        CharDevices t = vfs.charDevices();
        t.register(10, 0, 4, "four", fops("a"));
        expect(Errno.EBUSY, () -> t.register(10, 3, 2, "overlap", fops("b")));
        assertEquals(new DeviceNumber(10, 4), t.register(10, 4, 1, "next", fops("c")));
        expect(Errno.EINVAL, () -> t.register(512, 0, 1, "big", fops("d")));
        expect(Errno.EINVAL, () -> t.register(5, 0, 0, "none", fops("d")));
        expect(Errno.EINVAL, () -> t.register(5, 0xfffff, 2, "past", fops("d")));
        expect(Errno.EINVAL, () -> t.register(5, 0, 1, "", fops("d")));
        assertEquals("four", t.lookup(new DeviceNumber(10, 3)).orElseThrow().name());
        assertFalse(t.lookup(new DeviceNumber(10, 5)).isPresent());
        assertFalse(t.unregister(new DeviceNumber(10, 1)), "only the first number of a region unregisters it");
    }

    @Test
    void dynamicMajorsComeFromTheKernelsRanges() {
        CharDevices t = vfs.charDevices();
        assertEquals(254, t.register(0, 0, 1, "d1", fops("a")).major());
        assertEquals(253, t.register(0, 0, 1, "d2", fops("b")).major());
        for (int m = 252; m >= 234; m--) {
            t.register(m, 0, 1, "static" + m, fops("s"));
        }
        assertEquals(511, t.register(0, 0, 1, "d3", fops("c")).major(), "the second range after 254..234");
        assertEquals(List.of(234, 235), t.regions().stream().limit(2).map(CharDevices.Region::major).toList());
    }

    @Test
    void devtmpfsCreatesAndRemovesTheNode() {
        Devtmpfs dev = new Devtmpfs(vfs);
        DeviceNumber mem = dev.addCharDevice("mem", 1, 1, 0640, fops("mem_fops"));
        Kstat st = vfs.stat("/dev/mem");
        assertEquals(FileType.CHAR_DEVICE, st.attributes().type());
        assertEquals(mem, st.attributes().rdev());
        assertEquals(0640, st.attributes().mode() & 07777);
        vfs.open("/dev/mem", Fcntl.O_RDONLY, 0).close();
        assertEquals("mem_fops release", calls.get(calls.size() - 1));

        expect(Errno.EBUSY, () -> dev.addCharDevice("mem2", 1, 1, 0600, fops("x")));
        vfs.mknod("/dev/taken", FileType.CHAR_DEVICE.mode(0600), new DeviceNumber(9, 9));
        expect(Errno.EEXIST, () -> dev.addCharDevice("taken", 1, 2, 0600, fops("y")));
        assertFalse(vfs.charDevices().lookup(new DeviceNumber(1, 2)).isPresent(), "a refused node leaves no region");
        expect(Errno.EINVAL, () -> dev.addCharDevice("a/b", 1, 3, 0600, fops("z")));

        dev.removeCharDevice("mem", mem);
        expect(Errno.ENOENT, () -> vfs.stat("/dev/mem"));
        assertFalse(vfs.charDevices().lookup(mem).isPresent());
    }

    @Test
    void anOpenFileKeepsItsDriverAfterRemoval() {
        Devtmpfs dev = new Devtmpfs(vfs);
        DeviceNumber n = dev.addCharDevice("ring", 0, 0, 0666, fops("ring_fops"));
        OpenFile f = vfs.open("/dev/ring", Fcntl.O_RDONLY, 0);
        dev.removeCharDevice("ring", n);
        assertEquals(1, vfs.read(f, ByteBuffer.allocate(1)), "the open file still reaches the driver it opened");
        f.close();
        assertEquals("ring_fops release", calls.get(calls.size() - 1));
    }
}
