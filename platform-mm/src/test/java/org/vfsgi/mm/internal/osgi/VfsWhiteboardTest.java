package org.vfsgi.mm.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vfsgi.hw.internal.SimulatedRam;
import org.vfsgi.mm.core.Kernel;
import org.vfsgi.mm.core.KernelConfig;
import org.vfsgi.mm.core.shmem.Tmpfs;
import org.vfsgi.mm.core.vfs.MountEntry;
import org.vfsgi.mm.core.vfs.Vfs;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SuperBlock;

/**
 * The whiteboard without a framework: types registered and unregistered by identity, a
 * replacement bound before the old instance goes, mounts that wait for their type, retry after
 * another mount, reject bad configurations in one line, and go when their configuration goes.
 */
class VfsWhiteboardTest {
    private final SimulatedRam ram = new SimulatedRam("ram0", 0, 512);
    private final Vfs vfs = new Kernel(KernelConfig.defaults(), ram).vfs();
    /** Retries the whiteboard handed off, run when the test says. */
    private final List<Runnable> retries = new ArrayList<>();
    private final VfsWhiteboard wb = new VfsWhiteboard(vfs, retries::add);

    /** A memory file system of another name, as a file-system bundle would publish one; counts its mounts. */
    private class MemFs implements FileSystemType {
        final String name;
        final Tmpfs inner = new Tmpfs(ram);
        int mounts;

        MemFs(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public SuperBlock mount(MountRequest request) {
            mounts++;
            return inner.mount(request);
        }

        @Override
        public String toString() {
            return "MemFs[" + name + "@" + Integer.toHexString(System.identityHashCode(this)) + "]";
        }
    }

    /** The same, claiming to live on a block device ({@code FS_REQUIRES_DEV}), as ext4 does. */
    private final class DiskFs extends MemFs {
        DiskFs() {
            super("diskfs");
        }

        @Override
        public boolean requiresDevice() {
            return true;
        }
    }

    @Test
    void aSwappedInTypeWaitsForTheDeviceUntilTheOldSuperblocksLastFileCloses() {
        DiskFs first = new DiskFs();
        wb.addType(first);
        vfs.mkdir("/d", 0755);
        wb.configure("org.vfsgi.mm.mount~d", Map.of("source", "disk7", "target", "/d", "type", "diskfs"));
        org.vfsgi.vfs.VfsFile open = vfs.open("/d/f", org.vfsgi.vfs.Fcntl.O_CREAT | org.vfsgi.vfs.Fcntl.O_RDWR, 0600);
        // The implementation is swapped while a file of its mount is open: the old superblock
        // lives on, detached, and may still write disk7.
        DiskFs replacement = new DiskFs();
        wb.removeType(first);
        wb.addType(replacement);
        assertEquals(0, replacement.mounts, "the device is held: the new implementation is not even asked");
        String status = wb.status().get("org.vfsgi.mm.mount~d");
        assertTrue(status.contains("failed (") && status.contains("block device disk7 is still held by a detached"
                + " diskfs superblock (1 open file(s) of its old mount /d)"), status);
        assertTrue(retries.isEmpty());
        vfs.close(open);
        assertEquals(1, retries.size(), "the release handed a retry off, not run on the closing thread");
        retries.remove(0).run();
        assertEquals(1, replacement.mounts);
        assertEquals("disk7 on /d type diskfs: mounted", wb.status().get("org.vfsgi.mm.mount~d"));
        wb.close();
        vfs.mkdir("/e", 0755);
        vfs.mount("disk8", "/e", "tmpfs", "");
        org.vfsgi.vfs.VfsFile other = vfs.open("/e/g", org.vfsgi.vfs.Fcntl.O_CREAT | org.vfsgi.vfs.Fcntl.O_RDWR, 0600);
        vfs.umount("/e", true);
        vfs.close(other);
        assertTrue(retries.isEmpty(), "a closed whiteboard hears nothing more, and tmpfs holds no device");
    }

    private List<String> mountLines() {
        List<String> out = new ArrayList<>();
        for (MountEntry m : vfs.mounts()) {
            out.add(m.toString());
        }
        return out;
    }

    @Test
    void typesComeAndGoByIdentityAndAReplacementTakesOver() {
        MemFs first = new MemFs("memfs");
        MemFs replacement = new MemFs("memfs");
        wb.addType(first);
        assertEquals(List.of("memfs", "tmpfs"), vfs.fileSystemTypes().stream().sorted().toList());
        wb.addType(replacement); // bound before the old one is unbound
        wb.removeType(new MemFs("memfs")); // not bound: nothing happens
        assertTrue(vfs.fileSystemTypes().contains("memfs"));
        wb.removeType(first);
        assertTrue(vfs.fileSystemTypes().contains("memfs"), "the replacement was registered when the old one left");
        vfs.mkdir("/m", 0755);
        vfs.mount("none", "/m", "memfs", "");
        assertEquals(0, first.mounts);
        assertEquals(1, replacement.mounts, "mounts reach the replacement");
        wb.removeType(first); // a late second unbind of the old instance removes nothing
        assertTrue(vfs.fileSystemTypes().contains("memfs"));
        wb.removeType(replacement);
        assertEquals(List.of("tmpfs"), vfs.fileSystemTypes());
    }

    @Test
    void aTypeNamedLikeTheBuiltInIsRefusedAndTheBuiltInStays() {
        MemFs impostor = new MemFs("tmpfs");
        wb.addType(impostor);
        wb.removeType(impostor);
        assertEquals(List.of("tmpfs"), vfs.fileSystemTypes(), "the built-in tmpfs was never unregistered");
    }

    @Test
    void aMountWaitsForItsTypeAndGoesWithItsConfiguration() {
        vfs.mkdir("/data", 0755);
        wb.configure("org.vfsgi.mm.mount~data", Map.of("target", "/data", "type", "memfs", "options", "size=64k"));
        assertEquals(List.of("none / tmpfs rw 0 0"), mountLines());
        assertEquals("none on /data type memfs (size=64k): waiting_for_type (waiting for file-system type memfs)",
                wb.status().get("org.vfsgi.mm.mount~data"));
        MemFs memfs = new MemFs("memfs");
        wb.addType(memfs);
        assertEquals(List.of("none / tmpfs rw 0 0", "none /data memfs rw,size=64k 0 0"), mountLines());
        assertEquals("none on /data type memfs (size=64k): mounted", wb.status().get("org.vfsgi.mm.mount~data"));
        wb.configure("org.vfsgi.mm.mount~data", Map.of("target", "/data", "type", "memfs", "options", "size=64k"));
        assertEquals(1, memfs.mounts, "the same configuration again changes nothing");
        wb.configure("org.vfsgi.mm.mount~data", Map.of("target", "/data", "type", "memfs", "options", "size=128k"));
        assertEquals(List.of("none / tmpfs rw 0 0", "none /data memfs rw,size=128k 0 0"), mountLines(),
                "a changed configuration remounts");
        wb.removeType(memfs);
        assertEquals(List.of("none / tmpfs rw 0 0"), mountLines(), "the type's last implementation left");
        assertEquals("none on /data type memfs (size=128k): waiting_for_type (waiting for file-system type memfs)",
                wb.status().get("org.vfsgi.mm.mount~data"));
        MemFs back = new MemFs("memfs");
        wb.addType(back);
        assertEquals(List.of("none / tmpfs rw 0 0", "none /data memfs rw,size=128k 0 0"), mountLines(),
                "mounted again when the type comes back");
        assertEquals(1, back.mounts);
        wb.deleted("org.vfsgi.mm.mount~data");
        assertEquals(List.of("none / tmpfs rw 0 0"), mountLines());
        assertTrue(wb.status().isEmpty());
    }

    @Test
    void aMountOnADirectoryOfAnotherMountIsRetriedWhenThatOneArrives() {
        vfs.mkdir("/outer", 0755);
        MemFs memfs = new MemFs("memfs");
        // the inner mount point exists only inside the outer mount, which waits for memfs
        wb.configure("inner", Map.of("target", "/outer/inner", "type", "tmpfs"));
        assertTrue(wb.status().get("inner").startsWith("none on /outer/inner type tmpfs: failed (errno ENOENT: "),
                wb.status().get("inner"));
        wb.configure("outer", Map.of("target", "/outer", "type", "memfs"));
        wb.addType(memfs);
        assertEquals(List.of("none / tmpfs rw 0 0", "none /outer memfs rw 0 0"), mountLines());
        vfs.mkdir("/outer/inner", 0755);
        wb.configure("outer-again", Map.of("target", "/", "type", "nothing-yet"));
        assertEquals(List.of("none / tmpfs rw 0 0", "none /outer memfs rw 0 0", "none /outer/inner tmpfs rw 0 0"),
                mountLines(), "any change retries the failed mounts");
        wb.close();
        assertEquals(List.of("none / tmpfs rw 0 0"), mountLines(), "close unmounts what configurations mounted");
        assertEquals(List.of("tmpfs"), vfs.fileSystemTypes());
    }

    @Test
    void badConfigurationsAreRejectedInOneLineAndMountNothing() {
        assertEquals("mount configuration p rejected, nothing mounted: target is missing",
                assertThrows(IllegalArgumentException.class, () -> MountSpec.from("p", Map.of("type", "tmpfs")))
                        .getMessage());
        assertEquals("mount configuration p rejected, nothing mounted: target 'mnt' is not an absolute path",
                assertThrows(IllegalArgumentException.class,
                    () -> MountSpec.from("p", Map.of("type", "tmpfs", "target", "mnt"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> MountSpec.from("p", Map.of("type", "tmp fs", "target", "/"))).getMessage()
                .endsWith("type 'tmp fs' is not a file-system type name (letters, digits, '_', '.', '+', '-')"));
        assertEquals("mount configuration p rejected, nothing mounted: options must be text, was Integer 3",
                assertThrows(IllegalArgumentException.class,
                    () -> MountSpec.from("p", Map.of("type", "tmpfs", "target", "/", "options", 3))).getMessage());
        assertEquals(new MountSpec("none", "/x", "tmpfs", ""), MountSpec.from("p", Map.of("type", " tmpfs ",
                "target", "/x", "source", "")));

        vfs.mkdir("/ok", 0755);
        wb.configure("p", Map.of("target", "/ok", "type", "tmpfs"));
        assertEquals(2, vfs.mounts().size());
        wb.configure("p", Map.of("target", "ok", "type", "tmpfs"));
        assertEquals(List.of("none / tmpfs rw 0 0"), mountLines(), "a bad new version unmounts the old one");
        assertTrue(wb.status().isEmpty());
    }
}
