/** The Declarative Services component that publishes the overlay type. */
package org.vfsgi.fs.overlay.internal.osgi;
