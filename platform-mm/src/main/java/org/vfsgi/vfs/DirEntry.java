package org.vfsgi.vfs;

import java.util.Objects;

/**
 * One directory entry as {@code readdir} reports it ({@code struct linux_dirent64} without the
 * offset): name, inode number and type.
 *
 * @param name the entry's name, not empty, no {@code '/'}
 * @param ino the inode number
 * @param type the inode's type ({@code d_type})
 */
public record DirEntry(String name, long ino, FileType type) {
    /**
     * @param name as the record component
     * @param ino as the record component
     * @param type as the record component
     * @throws IllegalArgumentException if the name is empty or contains {@code '/'} or NUL
     * @throws NullPointerException if name or type is null
     */
    public DirEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad directory entry name '" + name + "'");
        }
    }
}
