/**
 * The simulated hardware itself, free of OSGi so plain JUnit drives it: RAM
 * ({@link org.vfsgi.hw.internal.SimulatedRam}), image-file block devices
 * ({@link org.vfsgi.hw.internal.FileBlockDevice}), file-backed persistent memory
 * ({@link org.vfsgi.hw.internal.FilePersistentMemory}), MMIO windows
 * ({@link org.vfsgi.hw.internal.SimulatedMmioWindow}), the physical address map
 * ({@link org.vfsgi.hw.internal.PhysicalAddressMap}), and the path from a configuration to a
 * registered device: {@link org.vfsgi.hw.internal.DeviceConfig} checks its form,
 * {@link org.vfsgi.hw.internal.DeviceFactory} creates the device all-or-nothing, and
 * {@link org.vfsgi.hw.internal.DeviceManager} keeps one device per configuration. Private to the bundle.
 */
package org.vfsgi.hw.internal;
