package org.vfsgi.mm.core.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PteTest {
    @Test
    void makeKeepsPfnAndFlagsAndAddsPresent() {
        long pte = Pte.make(0x12345, Pte.WRITE | Pte.USER | Pte.ANON);
        assertEquals(0x12345, Pte.pfn(pte));
        assertTrue(Pte.isPresent(pte));
        assertTrue(Pte.isWritable(pte));
        assertTrue(Pte.isUser(pte));
        assertTrue(Pte.isAnon(pte));
        assertFalse(Pte.isDirty(pte));
        assertFalse(Pte.isAccessed(pte));
        assertFalse(Pte.isSpecial(pte));
        assertFalse(Pte.isSoftDirty(pte));
        assertTrue(Pte.isRefcounted(pte));
        assertEquals(Pte.PRESENT | Pte.WRITE | Pte.USER | Pte.ANON, Pte.flags(pte));
    }

    @Test
    void largestPfnRoundTrips() {
        assertEquals(Pte.MAX_PFN, Pte.pfn(Pte.make(Pte.MAX_PFN, Pte.SPECIAL)));
        assertThrows(IllegalArgumentException.class, () -> Pte.make(Pte.MAX_PFN + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Pte.make(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> Pte.make(1, 1L << 12));
    }

    @Test
    void modifiersChangeOnlyTheirBits() {
        long pte = Pte.make(7, Pte.USER);
        long dirty = Pte.mkdirty(pte);
        assertTrue(Pte.isDirty(dirty));
        assertTrue(Pte.isSoftDirty(dirty), "pte_mkdirty sets soft-dirty too, as on x86");
        assertFalse(Pte.isDirty(Pte.mkclean(dirty)));
        assertTrue(Pte.isSoftDirty(Pte.mkclean(dirty)), "mkclean keeps soft-dirty");
        assertFalse(Pte.isSoftDirty(Pte.clearSoftDirty(dirty)));
        assertTrue(Pte.isWritable(Pte.mkwrite(pte)));
        assertFalse(Pte.isWritable(Pte.wrprotect(Pte.mkwrite(pte))));
        assertTrue(Pte.isAccessed(Pte.mkyoung(pte)));
        assertFalse(Pte.isAccessed(Pte.mkold(Pte.mkyoung(pte))));
        assertEquals(7, Pte.pfn(Pte.mkold(Pte.mkclean(Pte.wrprotect(Pte.mkdirty(Pte.mkwrite(pte)))))));
    }

    @Test
    void specialEntriesOwnNoReference() {
        assertFalse(Pte.isRefcounted(Pte.make(1, Pte.SPECIAL)));
        assertFalse(Pte.isRefcounted(Pte.NONE));
        assertTrue(Pte.isNone(Pte.NONE));
    }

    @Test
    void rendersForTraces() {
        assertEquals("none", Pte.toString(Pte.NONE));
        assertEquals("pfn=0x1a P W U A D anon soft-dirty",
                Pte.toString(Pte.mkdirty(Pte.make(0x1a, Pte.WRITE | Pte.USER | Pte.ACCESSED | Pte.ANON))));
        assertEquals("pfn=0x2 P special", Pte.toString(Pte.make(2, Pte.SPECIAL)));
    }
}
