package org.vfsgi.vfs;

/**
 * Flag constants of the VFS system calls, with their Linux (x86-64, asm-generic) values:
 * {@code open(2)} flags from {@code fcntl.h}, {@code lseek(2)} whence values,
 * {@code renameat2(2)} flags and {@code setxattr(2)} flags.
 */
public final class Fcntl {
    private Fcntl() {
    }

    /** Open for reading only. */
    public static final int O_RDONLY = 0;
    /** Open for writing only. */
    public static final int O_WRONLY = 1;
    /** Open for reading and writing. */
    public static final int O_RDWR = 2;
    /** Mask of the access mode bits. */
    public static final int O_ACCMODE = 3;
    /** Create the file if it does not exist. */
    public static final int O_CREAT = 0100;
    /** With {@link #O_CREAT}: fail with EEXIST if the name exists (a trailing symlink is not followed). */
    public static final int O_EXCL = 0200;
    /** Truncate a regular file to length 0 (needs write access). */
    public static final int O_TRUNC = 01000;
    /** Every write goes to the end of the file. */
    public static final int O_APPEND = 02000;
    /** Fail with ENOTDIR unless the path names a directory. */
    public static final int O_DIRECTORY = 0200000;
    /** Fail with ELOOP if the last component is a symlink. */
    public static final int O_NOFOLLOW = 0400000;

    /** {@code lseek}: the offset is absolute. */
    public static final int SEEK_SET = 0;
    /** {@code lseek}: the offset is relative to the current position. */
    public static final int SEEK_CUR = 1;
    /** {@code lseek}: the offset is relative to the end of the file. */
    public static final int SEEK_END = 2;

    /** {@code renameat2}: fail with EEXIST if the target exists. */
    public static final int RENAME_NOREPLACE = 1;
    /** {@code renameat2}: atomically exchange source and target (both must exist). */
    public static final int RENAME_EXCHANGE = 2;
    /** {@code renameat2}: leave a whiteout (char device 0:0) where the source was; overlay uses it. */
    public static final int RENAME_WHITEOUT = 4;

    /** {@code setxattr}: fail with EEXIST if the attribute exists. */
    public static final int XATTR_CREATE = 1;
    /** {@code setxattr}: fail with ENODATA if the attribute does not exist. */
    public static final int XATTR_REPLACE = 2;

    /** The longest file-name component, in bytes ({@code NAME_MAX}). */
    public static final int NAME_MAX = 255;
    /** The longest path, in bytes, including its terminating NUL ({@code PATH_MAX}). */
    public static final int PATH_MAX = 4096;
    /** The most symlinks one path lookup follows before ELOOP ({@code MAXSYMLINKS}). */
    public static final int MAXSYMLINKS = 40;
}
