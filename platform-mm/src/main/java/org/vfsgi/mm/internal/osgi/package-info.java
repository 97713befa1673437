/**
 * Thin Declarative Services adapters around the OSGi-free core {@link org.vfsgi.mm.core}: the
 * kernel component (PID {@code org.vfsgi.mm}, its metatype, the RAM and physical-address-map
 * references, the Event Admin forwarding of trace events), the VFS whiteboard (file-system type
 * services and mount configurations of factory PID {@code org.vfsgi.mm.mount}) and the
 * {@code mm:} Gogo commands. The parsing, formatting and bookkeeping behind them live in plain
 * classes here ({@code SyscallArgs}, {@code MmConsole}, {@code FilesConsole},
 * {@code VfsWhiteboard}, {@code MountSpec}) that unit tests drive without a framework. Private to
 * the bundle.
 */
package org.vfsgi.mm.internal.osgi;
