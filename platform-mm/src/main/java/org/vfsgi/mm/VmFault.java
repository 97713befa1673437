package org.vfsgi.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A page fault being handled ({@code struct vm_fault}). The platform implements it and hands
 * it to {@code fault}, {@code huge_fault}, {@code page_mkwrite} and {@code pfn_mkwrite}.
 */
@ProviderType
public interface VmFault {
    /** @return the faulting VMA */
    VmArea vma();

    /** @return the faulting user address, page aligned */
    long address();

    /** @return the file offset of the faulting page, in pages */
    long pgoff();

    /** @return whether the access was a write */
    boolean isWrite();
}
