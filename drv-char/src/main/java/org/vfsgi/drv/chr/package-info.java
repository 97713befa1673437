/**
 * Character drivers modelled on the kernel's, each a real user of one piece of the mmap hook
 * contract, published as {@link org.vfsgi.vfs.CharDevice} services so the platform makes their
 * {@code /dev} nodes:
 * <ul>
 * <li>{@link org.vfsgi.drv.chr.MemDriver} ({@code /dev/mem}): {@code mmap_action_remap_full}, a
 * {@code range_is_allowed} policy, {@code error_override} EAGAIN;</li>
 * <li>{@link org.vfsgi.drv.chr.ZeroDriver} ({@code /dev/zero}): a substituted shmem
 * {@code vm_file}, or no VM operations (anonymous);</li>
 * <li>{@link org.vfsgi.drv.chr.UioDriver} ({@code /dev/uio0}): {@code mmap_action_ioremap_full}
 * of an MMIO window, a mapping count kept by {@code mapped}/{@code open}/{@code close};</li>
 * <li>{@link org.vfsgi.drv.chr.RingDriver} ({@code /dev/ring}): {@code map_kernel_pages} of
 * driver-owned pages;</li>
 * <li>{@link org.vfsgi.drv.chr.PseudoLockDriver} ({@code /dev/pseudo_lock}): a lock held from
 * {@code mmap_prepare} to {@code mmap_complete}/{@code mmap_abort}, and a custom action with two
 * partial remaps.</li>
 * </ul>
 * Private to the bundle: nothing is exported.
 */
package org.vfsgi.drv.chr;
