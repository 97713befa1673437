package org.vfsgi.hw.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.vfsgi.hw.HwException;
import org.vfsgi.hw.PersistentMemory;

/**
 * A persistent-memory region whose media is a host file.
 *
 * <p><b>What "durable" means here.</b> Stores land in a simulated CPU cache: a page-sized copy
 * of the media held on the heap and marked dirty. Loads see those stores at once. A store
 * becomes durable when {@link #flush(long, long)} covers it: every dirty page that intersects
 * the flushed range is written to the file with positional {@link java.nio.channels.FileChannel}
 * writes and the file is then forced to the storage device ({@code force(false)}); the page
 * leaves the cache. Until then the store is not in the file at all, so a process that dies
 * loses it, as unflushed cache lines are lost on power failure. Durability granularity is a
 * page: flushing one byte writes back the whole dirty page around it, which real hardware may
 * also do (cache lines are evicted whenever the CPU likes). {@link #close()} is an orderly
 * shutdown and writes everything back first.
 *
 * <p>Heap use is bounded by the dirty data: pages that are only read are read from the file.
 */
public final class FilePersistentMemory implements PersistentMemory, SimulatedDevice {
    private static final System.Logger LOG = System.getLogger(FilePersistentMemory.class.getName());

    private final String name;
    private final DeviceFile file;
    private final long size;
    private final long pfnStart;
    /** The simulated CPU cache: dirty pages by page index, ordered so a flush walks a range. */
    private final TreeMap<Long, byte[]> dirty = new TreeMap<>();
    private long flushes;
    private long pagesWrittenBack;

    private FilePersistentMemory(String name, DeviceFile file, long size, long pfnStart) {
        this.name = name;
        this.file = file;
        this.size = size;
        this.pfnStart = pfnStart;
    }

    /**
     * Opens a region over the first {@code size} bytes of an existing file.
     *
     * @param size the region's size, a positive multiple of the page size
     * @throws HwException EINVAL if {@code size} is not a positive page multiple or the file is
     *         smaller than {@code size}, EIO if it cannot be opened
     */
    public static FilePersistentMemory open(String name, Path path, long size, long pfnStart, HostFiles files) {
        if (size <= 0 || size % PAGE_SIZE != 0) {
            throw new HwException("EINVAL", "size " + size + " of pmem device '" + name
                    + "' is not a positive multiple of the " + PAGE_SIZE + "-byte page size");
        }
        OpenOption[] options = {StandardOpenOption.READ, StandardOpenOption.WRITE};
        return DeviceFile.open(files, path, options, "pmem device '" + name + "'", "media",
                "cannot read the size of '" + path + "'", (file, fileSize) -> {
                    if (fileSize < size) {
                        throw new HwException("EINVAL", "media '" + path + "' of pmem device '" + name + "' holds "
                                + fileSize + " bytes, fewer than its size of " + size);
                    }
                    LOG.log(System.Logger.Level.DEBUG, "pmem {0}: {1,number,#} bytes of {2} at PFN {3}", name, size,
                            path, Checks.hex(pfnStart));
                    return new FilePersistentMemory(name, file, size, pfnStart);
                });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return Kind.PMEM;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long pfnStart() {
        return pfnStart;
    }

    @Override
    public long pfnCount() {
        return size / PAGE_SIZE;
    }

    /** @return the host file holding the media */
    public Path path() {
        return file.path();
    }

    @Override
    public synchronized void readBytes(long offset, byte[] dst, int dstOff, int len) {
        checkAccess(offset, dst, dstOff, len);
        forEachPage(offset, len, (page, inPage, done, n) -> {
            byte[] cached = dirty.get(page);
            if (cached != null) {
                System.arraycopy(cached, inPage, dst, dstOff + done, n);
            } else {
                readMedia(page * PAGE_SIZE + inPage, dst, dstOff + done, n);
            }
        });
    }

    @Override
    public synchronized void writeBytes(long offset, byte[] src, int srcOff, int len) {
        checkAccess(offset, src, srcOff, len);
        forEachPage(offset, len, (page, inPage, done, n) -> {
            byte[] cached = dirty.get(page);
            if (cached == null) {
                cached = new byte[PAGE_SIZE];
                // A partial store must not lose the rest of the page when it is written back.
                if (n < PAGE_SIZE) {
                    readMedia(page * PAGE_SIZE, cached, 0, PAGE_SIZE);
                }
                dirty.put(page, cached);
            }
            System.arraycopy(src, srcOff + done, cached, inPage, n);
        });
    }

    @Override
    public synchronized void flush(long offset, long len) {
        file.ensureNotRemoved();
        Checks.byteRange(this, offset, len, size);
        if (len == 0) {
            return;
        }
        long firstPage = offset / PAGE_SIZE;
        long lastPage = (offset + len - 1) / PAGE_SIZE;
        writeBack(dirty.subMap(firstPage, true, lastPage, true));
        flushes++;
    }

    /** @return how many pages hold stores that are not durable yet */
    public synchronized int dirtyPages() {
        return dirty.size();
    }

    @Override
    public void read(long pfn, int offset, byte[] dst, int dstOff, int len) {
        int frame = Checks.frameIndex(this, pfn, offset, dst, dstOff, len);
        readBytes((long) frame * PAGE_SIZE + offset, dst, dstOff, len);
    }

    @Override
    public void write(long pfn, int offset, byte[] src, int srcOff, int len) {
        int frame = Checks.frameIndex(this, pfn, offset, src, srcOff, len);
        writeBytes((long) frame * PAGE_SIZE + offset, src, srcOff, len);
    }

    @Override
    public synchronized String state() {
        return file.isRemoved() ? "removed" : dirty.isEmpty() ? "clean" : dirty.size() + " dirty pages";
    }

    @Override
    public synchronized Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kind", kind().id());
        d.put("size", Checks.humanSize(size) + " (" + size + " bytes)");
        d.put("PFNs", Checks.pfnRange(pfnStart, pfnCount()));
        d.put("media", file.path().toString());
        d.put("dirty pages", Integer.toString(dirty.size()));
        d.put("flushes", Long.toString(flushes));
        d.put("pages written back", Long.toString(pagesWrittenBack));
        return d;
    }

    /** Writes every dirty page back, then closes the file; the file is closed even if writing fails. */
    @Override
    public synchronized void close() {
        if (file.isRemoved()) {
            return;
        }
        try {
            writeBack(dirty);
        } finally {
            file.markRemoved();
            dirty.clear();
            try {
                file.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "pmem {0}: closing {1} failed: {2}", name, file.path(),
                        e.toString());
            }
            LOG.log(System.Logger.Level.DEBUG, "pmem {0} closed", name);
        }
    }

    @Override
    public String toString() {
        return "pmem '" + name + "' PFNs " + Checks.pfnRange(pfnStart, pfnCount()) + " on " + file.path();
    }

    private void writeBack(Map<Long, byte[]> pages) {
        if (pages.isEmpty()) {
            return;
        }
        FileChannel ch = file.channel();
        try {
            for (Iterator<Map.Entry<Long, byte[]>> it = pages.entrySet().iterator(); it.hasNext();) {
                Map.Entry<Long, byte[]> e = it.next();
                byte[] page = e.getValue();
                file.writeFully(ch, e.getKey() * PAGE_SIZE, page, 0, page.length);
                // Only forget the page once it is in the file: a failed write keeps it dirty.
                it.remove();
                pagesWrittenBack++;
            }
            ch.force(false);
        } catch (ClosedChannelException e) {
            throw closed(ch, "writing back");
        } catch (IOException e) {
            throw new HwException("EIO", "writing back pmem device '" + name + "' to '" + file.path() + "': " + e);
        }
    }

    /** Checks a {@link #readBytes}/{@link #writeBytes} access: the device is here, the range and the buffer fit. */
    private void checkAccess(long offset, byte[] buf, int bufOff, int len) {
        file.ensureNotRemoved();
        Checks.byteRange(this, offset, len, size);
        Checks.buffer(buf, bufOff, len);
    }

    /** The part of an access that falls into one page. */
    @FunctionalInterface
    private interface PagePart {
        /**
         * @param page the page's index
         * @param inPage where the part starts in the page
         * @param done how many bytes of the access come before the part
         * @param n the part's length in bytes
         */
        void accept(long page, int inPage, int done, int n);
    }

    /** Splits {@code [offset, offset + len)} at page boundaries and hands over the parts in order. */
    private static void forEachPage(long offset, int len, PagePart part) {
        int done = 0;
        while (done < len) {
            long pos = offset + done;
            int inPage = (int) (pos % PAGE_SIZE);
            int n = Math.min(len - done, PAGE_SIZE - inPage);
            part.accept(pos / PAGE_SIZE, inPage, done, n);
            done += n;
        }
    }

    private void readMedia(long position, byte[] dst, int off, int len) {
        FileChannel ch = file.channel();
        try {
            file.readFully(ch, position, dst, off, len);
        } catch (ClosedChannelException e) {
            throw closed(ch, "reading");
        } catch (IOException e) {
            throw new HwException("EIO", "reading pmem device '" + name + "' from '" + file.path() + "': " + e);
        }
    }

    /**
     * The channel was closed under an operation: by {@link #close()}, or by an interrupted thread;
     * see {@link DeviceFile#closedUnder}. After an interrupt, pages not yet written back stay dirty.
     */
    private HwException closed(FileChannel ch, String what) {
        return file.closedUnder(ch, what + " pmem device '" + name + "'");
    }
}
