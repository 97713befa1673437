package org.vfsgi.mm.core;

import java.util.Objects;
import org.vfsgi.mm.AddressSpace;
import org.vfsgi.mm.PageProt;
import org.vfsgi.mm.VmArea;
import org.vfsgi.mm.VmAreaDesc;
import org.vfsgi.mm.VmOperations;
import org.vfsgi.mm.VmaFlags;
import org.vfsgi.vfs.File;

/**
 * A VMA of the core ({@code struct vm_area_struct}). The fields are package-private because
 * the VMA algorithms of this package edit them directly under the mmap write lock, as the
 * kernel's {@code mm/vma.c} does; outside code goes through the {@link VmArea} view.
 *
 * <p>Kept lean on purpose (a million of them must fit in a few hundred MB): no per-VMA lock
 * object — the VMA write lock is a sequence number compared with the address space's, as the
 * kernel's {@code vm_lock_seq} against {@code mm_lock_seq}.
 */
public final class Vma implements VmArea {
    private static final byte DETACHED = 1;
    private static final byte FORK_CHILD = 2;
    /** Set by {@link MmStruct#revoke}: every later fault gets SIGBUS. */
    private static final byte REVOKED = 4;

    final MmStruct mm;
    long start;
    long end;
    long pgoff;
    VmaFlags flags;
    PageProt pageProt;
    File file;
    VmOperations vmOps;
    Object privateData;
    AnonVma anonVma;
    /** The address space's lock sequence when this VMA was write-locked; -1 never. */
    int vmLockSeq = -1;
    byte state = DETACHED;
    /** The id of the VmaTree leaf holding this VMA, -1 while detached (the tree finds prev/next through it). */
    int leaf = -1;

    Vma(MmStruct mm, long start, long end, long pgoff, VmaFlags flags, PageProt pageProt) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
        this.flags = flags;
        this.pageProt = pageProt;
        this.vmOps = VmOperations.DUMMY;
    }

    /**
     * {@code vm_area_dup}: a copy with the same range, flags, file, ops, private data and
     * anonymous state, not attached to any tree.
     *
     * @param into the address space of the copy
     * @return the copy
     */
    Vma dup(MmStruct into) {
        Vma v = new Vma(into, start, end, pgoff, flags, pageProt);
        // Every caller (split, copy_vma, dup_mmap) takes get_file for the copy's vm_file; the
        // copy's removal drops it, so the file lives exactly as long as some VMA maps it.
        v.file = file == null ? null : file.getFile();
        v.vmOps = vmOps;
        v.privateData = privateData;
        v.anonVma = anonVma;
        // Copies of a revoked VMA (split pieces, mremap and fork copies) stay revoked.
        v.state = (byte) (DETACHED | (state & (FORK_CHILD | REVOKED)));
        return v;
    }

    @Override
    public AddressSpace mm() {
        return mm;
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long end() {
        return end;
    }

    @Override
    public long pgoff() {
        return pgoff;
    }

    @Override
    public File file() {
        return file;
    }

    @Override
    public VmaFlags flags() {
        return flags;
    }

    @Override
    public PageProt pageProt() {
        return pageProt;
    }

    @Override
    public VmOperations vmOps() {
        return vmOps;
    }

    @Override
    public Object privateData() {
        return privateData;
    }

    /** @return the anonymous-memory state, or null if no private page was ever faulted in */
    public AnonVma anonVma() {
        return anonVma;
    }

    /** @return whether the anonymous state was inherited by fork (the kernel's non-singular anon_vma chain) */
    public boolean isForkChild() {
        return (state & FORK_CHILD) != 0;
    }

    void setForkChild(boolean child) {
        state = (byte) (child ? state | FORK_CHILD : state & ~FORK_CHILD);
    }

    /**
     * @return whether the mapping was revoked (its file system went away or refused to re-prepare
     *         it): its page tables were cleared and every later access gets SIGBUS
     */
    public boolean isRevoked() {
        return (state & REVOKED) != 0;
    }

    void setRevoked() {
        state = (byte) (state | REVOKED);
    }

    /** @return whether the VMA is not in its address space's tree */
    public boolean isDetached() {
        return (state & DETACHED) != 0;
    }

    void setDetached(boolean detached) {
        state = (byte) (detached ? state | DETACHED : state & ~DETACHED);
    }

    /**
     * {@code anon_vma_prepare}: gives the VMA anonymous-memory state if it has none (the first
     * private page fault does this).
     *
     * @return the VMA's anon_vma
     */
    public AnonVma anonVmaPrepare() {
        if (anonVma == null) {
            anonVma = new AnonVma(null);
        }
        return anonVma;
    }

    /** {@code vma_start_write}: write-locks the VMA until the mmap write lock is fully released. */
    void startWrite() {
        vmLockSeq = mm.mmLockSeq();
    }

    @Override
    public boolean isWriteLocked() {
        return mm.isMmapWriteLocked() && vmLockSeq == mm.mmLockSeq();
    }

    private void checkWritable(String what) {
        if (!isDetached() && !isWriteLocked()) {
            throw new IllegalStateException("cannot change " + what + " of VMA " + this
                    + ": the VMA is not write-locked (take the mmap write lock; the platform write-locks VMAs)");
        }
    }

    @Override
    public void setFlags(VmaFlags newFlags) {
        Objects.requireNonNull(newFlags, "flags");
        checkWritable("flags");
        flags = newFlags;
    }

    @Override
    public void setPageProt(PageProt prot) {
        Objects.requireNonNull(prot, "prot");
        checkWritable("page protection");
        pageProt = prot;
    }

    @Override
    public void setVmOps(VmOperations ops) {
        checkWritable("vm_ops");
        vmOps = ops;
    }

    @Override
    public void setPrivateData(Object data) {
        checkWritable("private data");
        privateData = data;
    }

    /**
     * {@code vma_set_file}: takes a reference on the new file and drops the one on the old, so a
     * driver (or {@code shmem_zero_setup}) that substitutes the file leaves the counts right.
     */
    @Override
    public void setFile(File f) {
        Objects.requireNonNull(f, "file");
        checkWritable("file");
        File old = file;
        file = f.getFile();
        if (old != null) {
            old.fput();
        }
    }

    @Override
    public int vfsMmap(File f) {
        return CompatMmap.vfsMmap(this, f);
    }

    @Override
    public int compatVmaMmap(File f) {
        return CompatMmap.compatVmaMmap(this, f);
    }

    @Override
    public VmAreaDesc compatSetDescFromVma(File f) {
        return VmAreaDescImpl.fromVma(Objects.requireNonNull(f, "file"), this);
    }

    @Override
    public int compatVmaMmapPrepared(VmAreaDesc desc) {
        return CompatMmap.compatVmaMmapPrepared(this, desc);
    }

    @Override
    public int compatVmaMapped(File f) {
        return CompatMmap.compatVmaMapped(this, f);
    }

    @Override
    public int descActionPrepare(VmAreaDesc desc) {
        return CompatMmap.descActionPrepare(this, desc);
    }

    @Override
    public int descActionComplete(VmAreaDesc desc) {
        return CompatMmap.descActionComplete(this, desc);
    }

    /** @return the file path for traces, or null */
    String path() {
        return file == null ? null : file.path();
    }

    @Override
    public String toString() {
        return TraceDetails.vmaText(start, end, pgoff, flags, path());
    }
}
