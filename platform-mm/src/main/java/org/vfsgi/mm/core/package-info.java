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
 */
package org.vfsgi.mm.core;
