/**
 * The mm core of vfsgi: address spaces, the VMA tree, the mmap path and its hook contract,
 * merge, split, munmap, mprotect, mremap and fork, tracing, contract checking and failure
 * injection.
 *
 * <p>Like the kernel's {@code mm/vma.c}, this package depends on nothing but the API
 * packages and the JDK: no OSGi import and no static mutable state, so plain JUnit tests
 * drive it directly. Every piece of shared state hangs off a {@link org.vfsgi.mm.core.Kernel}.
 * Multi-step operations are explicit state objects named after the kernel's
 * ({@link org.vfsgi.mm.core.MmapState} for {@code struct mmap_state},
 * {@link org.vfsgi.mm.core.VmaMergeStruct} for {@code struct vma_merge_struct}).
 * Not exported: the platform's OSGi layer wraps it.
 *
 * <p><b>Actions and the compat layer.</b> {@code MmapActions} holds what the direct mmap path,
 * the compat layer ({@code CompatMmap}: {@code vfs_mmap}, {@code compat_vma_mmap},
 * {@code __compat_vma_mmap}, reached from a legacy hook through {@link org.vfsgi.mm.VmArea}) and a
 * custom action's partial actions share: action prepare and complete, the success and error
 * hooks, {@code vm_ops->mapped} and the {@code mmap_complete} lock assertion. What differs —
 * unmapping, {@code error_override}, the rmap lock — stays with each path.
 *
 * <p><b>Page level.</b> A kernel made with a {@link org.vfsgi.hw.PhysicalMemory} has a
 * {@link org.vfsgi.mm.core.PageMemory} (one zero page, fault core and user-memory accessor over
 * that RAM) and gives every address space a page table. {@link org.vfsgi.mm.core.CorePageTables}
 * keeps the page tables in step with the VMA operations, {@code FaultHandler} resolves faults
 * (contract section 5) for {@link org.vfsgi.mm.core.Process#readMemory} and
 * {@link org.vfsgi.mm.core.Process#writeMemory}, {@code PageActionHandler} populates remap and
 * kernel-page actions, and an inode's page cache lives in its {@link org.vfsgi.mm.core.FileRmap}.
 * A kernel made without physical memory keeps the VMA layer only, as the VMA tests want.
 *
 * <p><b>Lock order</b>, outermost first: an address space's mmap lock → an inode's rmap lock
 * ({@code i_mmap_rwsem}: rmap walks such as the page cache's mkclean) → a page table's lock →
 * a page cache's lock. Fault hooks ({@code fault}, {@code page_mkwrite}, {@code pfn_mkwrite})
 * run under the mmap read lock and no lock of the page level; {@code msync} drops the mmap lock
 * before writing back, as the kernel does.
 */
package org.vfsgi.mm.core;
