package org.vfsgi.hw;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The machine's physical address map: which device owns which PFN. Ranges never overlap; a
 * configuration that would make them overlap is refused.
 */
@ProviderType
public interface PhysicalAddressSpace {
    /** @return the range that owns {@code pfn}, if any */
    Optional<PhysicalRange> rangeOf(long pfn);

    /** @return every registered range, ordered by first PFN */
    List<PhysicalRange> ranges();
}
