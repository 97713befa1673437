/**
 * Thin Declarative Services adapters around {@link org.vfsgi.hw.internal}: the hardware platform
 * component (the {@code PhysicalAddressSpace} service and the managed service factory of factory PID
 * {@code org.vfsgi.hw.device}), its metatype, and the {@code hw:} Gogo commands. Private to the bundle.
 */
package org.vfsgi.hw.internal.osgi;
