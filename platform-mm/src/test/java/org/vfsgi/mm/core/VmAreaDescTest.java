package org.vfsgi.mm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.vfsgi.mm.Errno;
import org.vfsgi.mm.MmapAction;
import org.vfsgi.mm.MmapActionType;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlag;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.FileOperations;

/** The three tiers of vm_area_desc are enforced by the type a hook receives. */
class VmAreaDescTest {

    private static Set<String> methodNames() {
        return Arrays.stream(VmAreaDesc.class.getMethods()).map(Method::getName).collect(Collectors.toSet());
    }

    @Test
    void tiersAreVisibleInTheInterface() {
        Set<String> m = methodNames();
        for (String readOnly : new String[] {"mm", "file", "start", "end"}) {
            assertTrue(m.contains(readOnly), readOnly);
        }
        for (String absent : new String[] {"setMm", "setFile", "setStart", "setEnd", "vmOps", "privateData",
            "context", "setAction"}) {
            assertFalse(m.contains(absent), "a hook must not see " + absent);
        }
        for (String rw : new String[] {"pgoff", "setPgoff", "vmFile", "setVmFile", "flags", "setFlags", "pageProt",
            "setPageProt", "setVmOps", "setPrivateData", "setContext", "actionRemap", "actionErrorOverride"}) {
            assertTrue(m.contains(rw), rw);
        }
    }

    private static VmAreaDescImpl desc() {
        Kernel k = new Kernel();
        Process p = k.spawn();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0).build());
        VmaFlags flags = VmaFlags.of(VmaFlag.READ, VmaFlag.WRITE, VmaFlag.MAYREAD, VmaFlag.MAYWRITE);
        return new VmAreaDescImpl(p.mm(), f, 0x10000, 0x14000, 3, f, flags, PageProt.fromFlags(flags));
    }

    @Test
    void initialValuesAndPlatformSide() {
        VmAreaDescImpl d = desc();
        assertSame(VmOperations.DUMMY, d.vmOps(), "vm_ops starts as the dummy ops");
        assertNull(d.privateData());
        assertNull(d.context());
        assertEquals(MmapAction.NOTHING, d.action());
        assertSame(d.file(), d.vmFile());
        assertEquals(4, d.pages());
        assertTrue(d.isCowMapping());
        assertTrue(d.rangeIn(0x11000, 0x14000));
        assertFalse(d.rangeIn(0x11000, 0x15000));
        d.setAnonymous();
        assertNull(d.vmOps());
        assertThrows(IllegalArgumentException.class, () -> d.setPgoff(-1));
        assertThrows(IllegalArgumentException.class, () -> d.setVmFile(null));
    }

    @Test
    void flagApiOnTheDescriptor() {
        VmAreaDescImpl d = desc();
        d.flagsSet(VmaFlag.DONTDUMP, VmaFlag.IO);
        assertTrue(d.flagsTest(VmaFlag.IO));
        assertTrue(d.flagsTestAny(VmaFlag.EXEC, VmaFlag.IO));
        assertTrue(d.flagsTestAll(VmaFlag.READ, VmaFlag.IO));
        assertTrue(d.flagsTestAnyMask(VmaFlags.SPECIAL));
        d.flagsClearMask(VmaFlags.SPECIAL);
        assertFalse(d.flagsTestAnyMask(VmaFlags.SPECIAL));
        d.flagsSetMask(VmaFlags.REMAP);
        assertTrue(d.flagsTestAllMask(VmaFlags.REMAP));
        d.flagsClear(VmaFlag.DONTDUMP);
        assertFalse(d.flagsTest(VmaFlag.DONTDUMP));
    }

    @Test
    void actionHelpersRecordTheirRequest() {
        VmAreaDescImpl d = desc();
        d.actionErrorOverride(Errno.EAGAIN.negative());
        d.actionHideFromRmapUntilComplete(true);
        PageProt before = d.pageProt();
        d.actionRemapFull(0x8000);
        d.setPageProt(before.withCacheMode(PageProt.CacheMode.UNCACHED));
        MmapAction a = d.action();
        assertEquals(MmapActionType.REMAP_PFN, a.type());
        assertEquals(0x10000, a.start());
        assertEquals(0x8000, a.pfn());
        assertEquals(0x4000, a.size());
        assertSame(before, a.prot(), "remap snapshots page_prot at call time");
        assertEquals(-11, a.errorOverride(), "other action fields survive the helper");
        assertTrue(a.hideFromRmapUntilComplete());

        d.actionIoremapFull(0x9000);
        assertEquals(MmapActionType.IO_REMAP_PFN, d.action().type());
        d.actionSimpleIoremap(0xfe000000L, 0x10000);
        assertEquals(MmapActionType.SIMPLE_IO_REMAP, d.action().type());
        assertEquals(0xfe000000L, d.action().physAddr());
        long[] pages = {1, 2, 3, 4};
        d.actionMapKernelPagesFull(pages);
        pages[0] = 99;
        assertEquals(MmapActionType.MAP_KERNEL_PAGES, d.action().type());
        assertArrayEquals(new long[] {1, 2, 3, 4}, d.action().kernelPages(), "the page list is copied");
        assertEquals(3, d.action().pgoff());
    }

    @Test
    void compatDescriptorFromVma() {
        Kernel k = new Kernel();
        Process p = k.spawn();
        VmOperations ops = VmOperations.builder().name("inner_ops").build();
        Fakes.TestFile f = Fakes.file(FileOperations.builder().mmapPrepare(d -> {
            d.setVmOps(ops);
            return 0;
        }).build());
        long a = p.mmap(0x20000, 0x2000, 3, 2 | 0x10, f, 0x3000);
        Vma v = p.mm().tree().lookup(a);
        Fakes.TestFile inner = Fakes.file(FileOperations.builder().mmapPrepare(d -> 0).build());
        VmAreaDescImpl d = VmAreaDescImpl.fromVma(inner, v);
        assertSame(inner, d.file());
        assertSame(f, d.vmFile(), "file and vm_file differ in a stacked call");
        assertEquals(3, d.pgoff());
        assertSame(ops, d.vmOps());
        assertEquals(v.flags(), d.flags());
        assertEquals(MmapAction.NOTHING, d.action());
    }

    @Test
    void vfsMmapPrepareShowsTheInnerFileToTheInnerHookAndWritesThrough() {
        VmAreaDescImpl d = desc();
        java.util.List<org.vfsgi.vfs.File> seen = new java.util.ArrayList<>();
        Fakes.TestFile inner = Fakes.file(FileOperations.builder().name("inner_fops").mmapPrepare(in -> {
            seen.add(in.file());
            in.setPgoff(9);
            in.setContext("inner");
            in.flagsSet(VmaFlag.DONTDUMP);
            return 0;
        }).build());
        org.vfsgi.vfs.File outer = d.file();
        assertEquals(0, d.vfsMmapPrepare(inner));
        assertEquals(java.util.List.of(inner), seen, "the inner hook sees its own file as file()");
        assertSame(outer, d.file(), "and the outer file is back afterwards");
        assertSame(outer, d.vmFile(), "vm_file is the caller's business");
        assertEquals(9, d.pgoff());
        assertEquals("inner", d.context());
        assertTrue(d.flagsTest(VmaFlag.DONTDUMP));

        Fakes.TestFile legacy = Fakes.file(FileOperations.builder().mmap((f, v) -> 0).build());
        assertEquals(Errno.ENODEV.negative(), d.vfsMmapPrepare(legacy));
        Fakes.TestFile failing = Fakes.file(FileOperations.builder().mmapPrepare(in -> Errno.EPERM.negative()).build());
        assertEquals(Errno.EPERM.negative(), d.vfsMmapPrepare(failing));
        Fakes.TestFile throwing = Fakes.file(FileOperations.builder().mmapPrepare(in -> {
            throw new IllegalStateException("driver bug");
        }).build());
        assertThrows(IllegalStateException.class, () -> d.vfsMmapPrepare(throwing));
        assertSame(outer, d.file(), "restored after a throw too");
    }
}
