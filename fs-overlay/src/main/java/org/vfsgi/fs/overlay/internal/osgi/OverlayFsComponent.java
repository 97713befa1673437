package org.vfsgi.fs.overlay.internal.osgi;

import org.osgi.service.component.annotations.Component;
import org.vfsgi.fs.overlay.OverlayFs;
import org.vfsgi.vfs.FileSystemType;
import org.vfsgi.vfs.MountRequest;
import org.vfsgi.vfs.SuperBlock;

/**
 * Publishes the overlay type as a {@link FileSystemType} service with
 * {@code vfsgi.fs.type=overlay}, for the platform's file-system whiteboard. The type holds no
 * state beyond its mounts' superblocks, so the component only delegates.
 */
@Component(service = FileSystemType.class, property = FileSystemType.TYPE + "=" + OverlayFs.NAME)
public final class OverlayFsComponent implements FileSystemType {
    private final OverlayFs type = new OverlayFs();

    @Override
    public String name() {
        return type.name();
    }

    @Override
    public SuperBlock mount(MountRequest request) {
        return type.mount(request);
    }

    @Override
    public String toString() {
        return "OverlayFsComponent[" + type.name() + "]";
    }
}
