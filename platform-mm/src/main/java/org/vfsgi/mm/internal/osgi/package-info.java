/**
 * Thin Declarative Services adapters around the OSGi-free core {@link org.vfsgi.mm.core}: the
 * kernel component (PID {@code org.vfsgi.mm}, its metatype, the Event Admin forwarding of trace
 * events) and the {@code mm:} Gogo commands. The parsing and formatting behind the commands live
 * in plain classes here ({@code SyscallArgs}, {@code MmConsole}) that unit tests drive without a
 * framework. Private to the bundle.
 */
package org.vfsgi.mm.internal.osgi;
