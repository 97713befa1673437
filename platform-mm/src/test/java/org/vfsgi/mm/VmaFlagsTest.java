package org.vfsgi.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VmaFlagsTest {

    @Test
    void bitNumbersAreTheKernels() {
        assertEquals(0, VmaFlag.READ.bit());
        assertEquals(3, VmaFlag.SHARED.bit());
        assertEquals(10, VmaFlag.PFNMAP.bit());
        assertEquals(14, VmaFlag.IO.bit());
        assertEquals(27, VmaFlag.SOFTDIRTY.bit());
        assertEquals(32, VmaFlag.HIGH_ARCH_0.bit());
        assertEquals(42, VmaFlag.SEALED.bit());
        for (VmaFlag f : VmaFlag.values()) {
            assertSame(f, VmaFlag.ofBit(f.bit()));
        }
        assertEquals(43, VmaFlag.values().length);
    }

    @Test
    void testSetClearAndMasks() {
        VmaFlags f = VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE);
        assertTrue(f.test(VmaFlag.READ));
        assertFalse(f.test(VmaFlag.EXEC));
        assertTrue(f.testAny(VmaFlag.EXEC, VmaFlag.WRITE));
        assertFalse(f.testAny(VmaFlag.EXEC, VmaFlag.SHARED));
        assertFalse(f.testAny());
        assertTrue(f.testAll(VmaFlag.READ, VmaFlag.WRITE));
        assertFalse(f.testAll(VmaFlag.READ, VmaFlag.EXEC));
        assertTrue(f.testAll());

        VmaFlags g = f.set(VmaFlag.SEALED, VmaFlag.EXEC);
        assertEquals(VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.EXEC, VmaFlag.SEALED), g);
        assertEquals(VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE), f, "immutable: f unchanged");
        assertEquals(VmaFlags.of(VmaFlag.EXEC, VmaFlag.SEALED), g.clear(VmaFlag.READ, VmaFlag.WRITE));
        assertTrue(g.testAllMask(VmaFlags.ACCESS));
        assertFalse(f.testAllMask(VmaFlags.ACCESS));
        assertTrue(f.testAnyMask(VmaFlags.ACCESS));
        assertFalse(f.testAnyMask(VmaFlags.SPECIAL));
        assertEquals(VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND,
                VmaFlag.DONTDUMP), f.setMask(VmaFlags.REMAP));
        assertEquals(VmaFlags.of(VmaFlag.SEALED), g.clearMask(VmaFlags.ACCESS));
        assertSame(f, f.clearMask(VmaFlags.SPECIAL), "no change returns the same instance");
    }

    @Test
    void emptyDiffAndEquality() {
        assertTrue(VmaFlags.EMPTY.isEmpty());
        assertTrue(VmaFlags.of().isEmpty());
        assertSame(VmaFlags.EMPTY, VmaFlags.of(VmaFlag.READ).clear(VmaFlag.READ));
        VmaFlags a = VmaFlags.of(VmaFlag.READ, VmaFlag.SOFTDIRTY);
        VmaFlags b = VmaFlags.of(VmaFlag.READ, VmaFlag.MAYBE_GUARD);
        assertEquals(VmaFlags.of(VmaFlag.SOFTDIRTY, VmaFlag.MAYBE_GUARD), a.diff(b));
        assertEquals(VmaFlags.of(VmaFlag.READ), a.and(b));
        assertNotEquals(a, b);
        assertTrue(a.diff(b).clearMask(VmaFlags.STICKY).isEmpty(), "equal ignoring sticky flags");
        assertTrue(a.sameMask(b, VmaFlags.ACCESS));
        assertEquals(a.hashCode(), VmaFlags.of(VmaFlag.SOFTDIRTY, VmaFlag.READ).hashCode());
    }

    @Test
    void namedSetsAreTheContracts() {
        assertEquals(VmaFlags.of(VmaFlag.IO, VmaFlag.DONTEXPAND, VmaFlag.PFNMAP, VmaFlag.MIXEDMAP), VmaFlags.SPECIAL);
        assertEquals(VmaFlags.of(VmaFlag.IO, VmaFlag.PFNMAP, VmaFlag.DONTEXPAND, VmaFlag.DONTDUMP), VmaFlags.REMAP);
        assertEquals(VmaFlags.of(VmaFlag.SOFTDIRTY, VmaFlag.MAYBE_GUARD), VmaFlags.STICKY);
        assertEquals(VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.EXEC), VmaFlags.ACCESS);
    }

    @Test
    void legacyWordRoundTripAndGrowthPast64Bits() {
        VmaFlags f = VmaFlags.of(VmaFlag.READ, VmaFlag.MAYSHARE, VmaFlag.SEALED);
        assertEquals(1L | 1L << 7 | 1L << 42, f.toLegacy());
        assertEquals(f, VmaFlags.fromLegacy(f.toLegacy()));

        VmaFlags wide = VmaFlags.ofBits(0, 64, 130);
        assertTrue(wide.testBit(64));
        assertTrue(wide.testBit(130));
        assertFalse(wide.testBit(129));
        assertEquals(1L, wide.toLegacy(), "legacy conversion keeps word 0 only");
        assertEquals(VmaFlags.ofBits(64, 130), wide.clear(VmaFlag.READ));
        assertEquals(VmaFlags.ofBits(0), wide.and(VmaFlags.of(VmaFlag.READ)));
        assertTrue(wide.diff(VmaFlags.ofBits(0, 64)).testBit(130));
        assertEquals(3, wide.cardinality());
        assertEquals("[READ, bit64, bit130]", wide.toString());
        assertSame(wide.toString(), wide.toString(), "the text is made once (trace details print flags on every split)");
        assertEquals("[READ, bit64, bit130]", VmaFlags.ofBits(0, 64, 130).toString(), "equal sets, equal text");
        assertTrue(VmaFlags.ofBits(64).clearMask(VmaFlags.ofBits(64)).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> VmaFlags.ofBits(-1));
    }

    @Test
    void pageProtFollowsProtectionMap() {
        PageProt privWrite = PageProt.fromFlags(VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE));
        assertTrue(privWrite.read());
        assertFalse(privWrite.write(), "private writable maps read-only so the first write faults for CoW");
        PageProt sharedWrite = PageProt.fromFlags(VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.SHARED));
        assertTrue(sharedWrite.write());
        assertSame(PageProt.NONE, PageProt.fromFlags(VmaFlags.of(VmaFlag.SHARED)));
        assertSame(privWrite, PageProt.fromFlags(VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.MAYREAD)),
                "instances are shared, like protection_map");
        assertEquals(PageProt.CacheMode.UNCACHED, sharedWrite.withCacheMode(PageProt.CacheMode.UNCACHED).cacheMode());
    }

    @Test
    void errnoNumbersAndMessages() {
        assertEquals(12, Errno.ENOMEM.number());
        assertEquals(-22, Errno.EINVAL.negative());
        assertEquals(95, Errno.EOPNOTSUPP.number());
        assertEquals(75, Errno.EOVERFLOW.number());
        assertSame(Errno.EEXIST, Errno.fromReturn(-17));
        assertEquals(null, Errno.fromReturn(0));
        assertThrows(IllegalArgumentException.class, () -> Errno.fromReturn(5));
        assertThrows(IllegalArgumentException.class, () -> Errno.fromReturn(-4000));
        MmException e = new MmException(Errno.ENOMEM, "__mmap_new_vma", "VMA allocation failed");
        assertEquals("errno ENOMEM: __mmap_new_vma: VMA allocation failed", e.getMessage());
        assertEquals(-12, e.negative());
        SignalException s = new SignalException(Signal.SIGBUS, 7, 0x1000, "beyond end of file");
        assertEquals("SIGBUS in pid 7 at 0x1000: beyond end of file", s.getMessage());
        assertEquals(7, Signal.SIGBUS.number());
        assertEquals(11, Signal.SIGSEGV.number());
    }
}
