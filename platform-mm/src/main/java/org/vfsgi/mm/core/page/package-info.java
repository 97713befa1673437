/**
 * Page-level memory of the mm core: page tables ({@link org.vfsgi.mm.core.page.PageTable}), the
 * page cache of one inode with writeback ({@link org.vfsgi.mm.core.page.PageCache}), anonymous
 * and copy-on-write pages ({@link org.vfsgi.mm.core.page.AnonPages}), the fault core that
 * installs page-table entries ({@link org.vfsgi.mm.core.page.FaultCore}) and user memory access
 * ({@link org.vfsgi.mm.core.page.UserMemory}).
 *
 * <p>This package depends only on the JDK and the {@code org.vfsgi.hw} API, and knows nothing
 * of VMAs: the VMA layer describes a mapping with a {@link org.vfsgi.mm.core.page.FaultMapping}
 * and passes addresses and page indices. That keeps it drivable by plain JUnit tests, like the
 * kernel's {@code mm/} code under {@code tools/testing}.
 *
 * <p><b>Lock order</b> (outermost first): the address space's mmap lock (held by callers, never
 * taken here) → a page table's {@link org.vfsgi.mm.core.page.PageTable#ptl() ptl} → a page
 * cache's internal lock. {@link org.vfsgi.mm.core.page.PageIo} runs under the page cache's lock
 * and must not touch page tables; a {@link org.vfsgi.mm.core.page.PageCache.MkcleanHook} runs
 * with no lock of this package held.
 */
package org.vfsgi.mm.core.page;
