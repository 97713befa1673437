package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which images mount, which mount read-only and why, and what a clean unmount leaves behind. */
class MountRulesTest {
    @TempDir
    Path tmp;

    private byte[] pristine;

    @BeforeEach
    void image() throws Exception {
        Path img = tmp.resolve("m.img");
        E2fsTools.mkfs(img, null, 4096, 4L * 1024 * 1024);
        pristine = Files.readAllBytes(img);
    }

    /** Changes a superblock field and re-signs the superblock, as a tool that set a feature would. */
    private byte[] withSuper(int off, int orBits, int andBits) {
        byte[] img = pristine.clone();
        Superblock sb = new Superblock(Arrays.copyOfRange(img, 1024, 2048));
        int v = Le.s32(sb.raw, off);
        Le.put32(sb.raw, off, ((v & andBits) | orBits) & 0xFFFFFFFFL);
        sb.updateChecksum();
        System.arraycopy(sb.raw, 0, img, 1024, 1024);
        return img;
    }

    private static Ext4Exception mountFails(byte[] img, boolean ro) {
        MemDevice dev = new MemDevice(img, false);
        byte[] before = img.clone();
        Ext4Exception e = assertThrows(Ext4Exception.class, () -> Ext4Volume.mount(dev, ro));
        assertEquals(0, dev.writes, "a failed mount wrote");
        assertArrayEquals(before, img);
        return e;
    }

    @Test
    void mke2fsDefaultsMountReadWrite() {
        Ext4Volume v = Ext4Volume.mount(new MemDevice(pristine.clone(), false), false);
        assertFalse(v.readOnly());
        assertNull(v.readOnlyReason());
        Ext4StatFs s = v.statfs();
        assertEquals(1024, s.blocks());
        assertTrue(s.freeBlocks() > 0 && s.freeBlocks() < s.blocks());
        assertEquals(255, s.nameMax());
        v.unmount();
    }

    @Test
    void unsupportedIncompatibleFeaturesAreRefusedByName() {
        Ext4Exception e = mountFails(withSuper(0x60, Superblock.INCOMPAT_INLINE_DATA | Superblock.INCOMPAT_ENCRYPT, -1),
                true);
        assertEquals("EOPNOTSUPP", e.errno());
        assertTrue(e.getMessage().contains("inline_data") && e.getMessage().contains("encrypt"), e.getMessage());
        assertTrue(mountFails(withSuper(0x60, Superblock.INCOMPAT_RECOVER, -1), false).getMessage()
                .contains("needs_recovery"));
    }

    @Test
    void unsupportedReadOnlyFeaturesForceReadOnly() {
        byte[] img = withSuper(0x64, Superblock.RO_COMPAT_QUOTA | Superblock.RO_COMPAT_VERITY, -1);
        MemDevice dev = new MemDevice(img, false);
        Ext4Volume v = Ext4Volume.mount(dev, false);
        assertTrue(v.readOnly());
        assertTrue(v.readOnlyReason().contains("quota") && v.readOnlyReason().contains("verity"),
                v.readOnlyReason());
        assertEquals("EROFS", assertThrows(Ext4Exception.class, () -> v.mkdir(2, "x", 0755)).errno());
        v.unmount();
        assertEquals(0, dev.writes);
    }

    @Test
    void anUncleanImageMountsReadWriteAsTheKernelsDoesButOneWithErrorsReadOnly() {
        // s_state is the high half of the word at 0x38
        byte[] img = withSuper(0x38, 0, ~(Superblock.STATE_VALID_FS << 16));
        Ext4Volume v = Ext4Volume.mount(new MemDevice(img, false), false);
        assertFalse(v.readOnly(), "ext4_setup_super only warns about an unchecked file system");
        assertNull(v.readOnlyReason());
        v.unmount();
        assertEquals(Superblock.STATE_VALID_FS, new Superblock(Arrays.copyOfRange(img, 1024, 2048)).state());

        img = withSuper(0x38, Superblock.STATE_ERROR_FS << 16, -1);
        MemDevice dev = new MemDevice(img, false);
        v = Ext4Volume.mount(dev, false);
        assertTrue(v.readOnly());
        assertTrue(v.readOnlyReason().contains("has errors; run e2fsck"), v.readOnlyReason());
        v.unmount();
        assertEquals(0, dev.writes);
    }

    @Test
    void badMagicChecksumAndTruncationFailTheMount() {
        byte[] img = pristine.clone();
        img[1024 + 0x38] = 0x12;
        assertEquals("EINVAL", mountFails(img, true).errno());
        img = pristine.clone();
        img[1024 + 0x20] ^= 1; // s_blocks_per_group, checksum left stale
        assertEquals("EFSBADCRC", mountFails(img, true).errno());
        assertEquals("EBADMSG", mountFails(img, true).kernelErrno());
        assertEquals("EINVAL", mountFails(Arrays.copyOf(pristine, pristine.length / 2), true).errno());
        assertEquals("EINVAL", mountFails(Arrays.copyOf(pristine, 1536), true).errno());
        // absurd geometry with a valid checksum
        assertEquals("EFSCORRUPTED", mountFails(withSuper(0x28, 0x7FFFFFF8, 0), true).errno());
        assertEquals("EFSCORRUPTED", mountFails(withSuper(0x58, 0, 0xFFFF0000 | 100), true).errno());
    }

    @Test
    void aCleanUnmountCountsTheMountAndTheKilobytesWritten() throws Exception {
        Path img = tmp.resolve("m.img");
        long kbBefore;
        int mountsBefore;
        try (ImageDevice dev = new ImageDevice(img, false)) {
            Ext4Volume v = Ext4Volume.mount(dev, false);
            Superblock sb = new Superblock(Arrays.copyOfRange(Files.readAllBytes(img), 1024, 2048));
            assertEquals(0, sb.state() & Superblock.STATE_VALID_FS, "mounted read-write means not clean on disk");
            mountsBefore = sb.mntCount() - 1;
            kbBefore = sb.kbytesWritten();
            long f = v.create(2, "f", 0644);
            v.write(f, 0, new byte[300_000], 0, 300_000);
            v.unmount();
        }
        Superblock sb = new Superblock(Arrays.copyOfRange(Files.readAllBytes(img), 1024, 2048));
        assertEquals(Superblock.STATE_VALID_FS, sb.state());
        assertEquals(mountsBefore + 1, sb.mntCount());
        assertTrue(sb.kbytesWritten() >= kbBefore + 300, sb.kbytesWritten() + " vs " + kbBefore);
        assertEquals(sb.computeChecksum(), sb.checksum());
        assertEquals(0, E2fsTools.fsck(img).exit(), E2fsTools.fsck(img).outText());
    }
}
