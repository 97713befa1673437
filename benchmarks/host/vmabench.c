/*
 * vmabench: the host-kernel side of vfsgi's benchmarks.
 *
 * Times, in this process and on real mappings, the operations that vfsgi's JMH
 * benchmarks time on the model, so the two can be put side by side on one
 * machine: mmap/munmap of a shared tmpfs mapping, merges and splits, mprotect and
 * VMA lookup in address spaces of N VMAs, first-touch faults, and fork.
 *
 * Method: every operation runs warm-up batches, then several timed batches of k
 * operations each; a batch is timed as a whole with CLOCK_MONOTONIC (so the clock's
 * own cost is spread over k operations) and gives one ns-per-operation figure; the
 * median and p90 are taken over the batches. Anything that only prepares or undoes
 * a batch happens outside the timed window.
 *
 * It never changes anything system-wide: address-space sizes that would come
 * within 1000 of vm.max_map_count, or past RLIMIT_AS or available memory, are
 * skipped with a line saying so. The files it creates never have a name that could
 * be left behind (memfd_create, O_TMPFILE, or unlinked at once), so nothing
 * survives the process, whatever way it ends.
 *
 * Output: a tab-separated table on stdout, diagnostics on stderr. Linux only; C11
 * plus the Linux/GNU system interfaces.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux 4.17; older headers lack it */
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

/* Sizes of the N-VMA address spaces the brief asks for. */
static const size_t DEFAULT_SIZES[] = {1000, 10000, 100000, 1000000};
/* Headroom under vm.max_map_count: a size needing more than limit - this is skipped. */
#define MAP_COUNT_HEADROOM 1000
/* fork is measured in an address space of this many VMAs. */
#define FORK_VMAS 10000
/* Random lookup targets are drawn in advance, so the generator is not timed. */
#define LOOKUP_TARGETS 65536
#define MAX_BATCHES 64
#define MAX_SIZES 16

static const char *const OP_NAMES[] = {
    "null_syscall", "mmap_munmap_shared_64k", "mmap_merge", "munmap_split",
    "munmap_split_remap", "mprotect_split_merge", "vma_lookup", "vma_lookup_mincore",
    "fault_anon_write", "fault_file_read_cached", "fault_file_read_blockdev",
    "fault_file_read_blockdev_random", "fault_shared_write", "fork_10k",
};
#define OP_COUNT (sizeof OP_NAMES / sizeof OP_NAMES[0])

static struct {
    bool quick;
    bool only[OP_COUNT]; /* meaningful when only_given */
    bool only_given;
    size_t sizes[MAX_SIZES];
    size_t nsizes;
    const char *dir; /* where the disk-backed file is created */
    size_t warmup;
    size_t batches;
} cfg;

static size_t pg;              /* page size */
static volatile unsigned sink; /* keeps read-touch loops from being optimised away */

/* ---------------------------------------------------------------- failure */

/* A real failure: say which call failed and why, and stop. */
static void die(const char *call)
{
    int e = errno;
    fprintf(stderr, "vmabench: %s failed: %s (errno %d)\n", call, strerror(e), e);
    exit(1);
}

/* Like die(), for interfaces that return the error number instead of setting errno. */
static void die_err(const char *call, int e)
{
    errno = e;
    die(call);
}

__attribute__((format(printf, 1, 2))) static void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vmabench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        die("malloc");
    return p;
}

/* ---------------------------------------------------------------- time and statistics */

static uint64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts))
        die("clock_gettime(CLOCK_MONOTONIC)");
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct result {
    double median;
    double p90;
    size_t iterations;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median and p90 (nearest rank) of per-batch ns/op figures. */
static struct result summarise(double *v, size_t n, size_t per_batch)
{
    qsort(v, n, sizeof v[0], cmp_double);
    struct result r;
    r.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    size_t rank = (9 * n + 9) / 10; /* ceil(0.9 n) */
    r.p90 = v[rank - 1];
    r.iterations = n * per_batch;
    return r;
}

/* One batch of k operations: returns the nanoseconds spent in the timed part. */
typedef uint64_t (*batch_fn)(void *ctx, size_t k);

static struct result measure(batch_fn fn, void *ctx, size_t k)
{
    double v[MAX_BATCHES];
    for (size_t w = 0; w < cfg.warmup; w++)
        fn(ctx, k);
    for (size_t b = 0; b < cfg.batches; b++)
        v[b] = (double)fn(ctx, k) / (double)k;
    return summarise(v, cfg.batches, k);
}

/* Batch size: the full run aims at a few milliseconds per batch, --quick at less. */
static size_t per_batch(size_t full, size_t quick)
{
    return cfg.quick ? quick : full;
}

/* ---------------------------------------------------------------- output */

static void print_n(size_t n)
{
    if (n)
        printf("%zu", n);
    else
        fputs("-", stdout); /* the operation has no size parameter */
}

__attribute__((format(printf, 1, 0))) static void vnote(const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    for (char *c = buf; *c; c++) /* the note is one tab-free field */
        if (*c == '\t' || *c == '\n')
            *c = ' ';
    fputs(buf, stdout);
}

__attribute__((format(printf, 4, 5))) static void emit(const char *op, size_t n,
                                                      const struct result *r, const char *fmt, ...)
{
    printf("%s\t", op);
    print_n(n);
    printf("\t%.1f\t%.1f\t%zu\t", r->median, r->p90, r->iterations);
    va_list ap;
    va_start(ap, fmt);
    vnote(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void emit_skip(const char *op, size_t n, const char *why)
{
    printf("%s\t", op);
    print_n(n);
    printf("\t-\t-\t0\tskipped: %s\n", why);
    fflush(stdout);
    if (n)
        diag("skipped %s n=%zu: %s", op, n, why);
    else
        diag("skipped %s: %s", op, why);
}

/* ---------------------------------------------------------------- /proc and /sys */

/* Whole contents of a /proc or /sys file, NUL-terminated; NULL if it cannot be opened. */
static char *slurp(const char *path, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - len < 4096) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                die("realloc");
            buf = nb;
        }
        ssize_t got = read(fd, buf + len, cap - len - 1);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            die("read(/proc or /sys file)");
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

/* Number of VMAs in this process: one line of /proc/self/maps each. */
static size_t count_vmas(void)
{
    size_t len;
    char *m = slurp("/proc/self/maps", &len);
    if (!m)
        die("open(/proc/self/maps)");
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += m[i] == '\n';
    free(m);
    return n;
}

/* Bounds of the VMA that contains addr, from /proc/self/maps; false if none does. */
static bool vma_bounds(const void *addr, uintptr_t *start, uintptr_t *end)
{
    char *m = slurp("/proc/self/maps", NULL);
    if (!m)
        die("open(/proc/self/maps)");
    uintptr_t a = (uintptr_t)addr;
    bool found = false;
    for (char *line = m; *line;) {
        char *next = strchr(line, '\n');
        unsigned long long s, e;
        if (sscanf(line, "%llx-%llx", &s, &e) == 2 && a >= s && a < e) {
            *start = (uintptr_t)s;
            *end = (uintptr_t)e;
            found = true;
            break;
        }
        if (!next)
            break;
        line = next + 1;
    }
    free(m);
    return found;
}

/* True if exactly one VMA spans [lo, hi). */
static bool one_vma(const void *lo, const void *hi)
{
    uintptr_t s, e;
    return vma_bounds(lo, &s, &e) && s == (uintptr_t)lo && e == (uintptr_t)hi;
}

static long read_long(const char *path, long fallback)
{
    char *s = slurp(path, NULL);
    if (!s)
        return fallback;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s)
        v = fallback;
    free(s);
    return v;
}

/* Value of a "Key:   123 kB" line of /proc/meminfo, in bytes; 0 if absent. */
static uint64_t meminfo_bytes(const char *key)
{
    char *m = slurp("/proc/meminfo", NULL);
    if (!m)
        return 0;
    uint64_t v = 0;
    char *p = strstr(m, key);
    if (p)
        v = strtoull(p + strlen(key) + 1, NULL, 10) * 1024;
    free(m);
    return v;
}

/* Print one line of /sys state that changes what the figures mean (THP, clock). */
static void diag_sysfile(const char *label, const char *path)
{
    char *s = slurp(path, NULL);
    if (!s) {
        diag("%s: (%s not readable)", label, path);
        return;
    }
    s[strcspn(s, "\n")] = '\0';
    diag("%s: %s", label, s);
    free(s);
}

/* ---------------------------------------------------------------- mappings and files */

static void xmunmap(void *p, size_t len)
{
    if (munmap(p, len))
        die("munmap");
}

/* Keep transparent huge pages out of a fault measurement: with THP a single fault
 * could map 512 pages and the per-page figure would mean something else. EINVAL
 * means a kernel without THP, where there is nothing to disable. */
static void no_thp(void *p, size_t len)
{
    if (madvise(p, len, MADV_NOHUGEPAGE) && errno != EINVAL)
        die("madvise(MADV_NOHUGEPAGE)");
}

/* A hole of len bytes in the address space: map it to let the kernel choose the
 * place, then unmap. The process is single-threaded and nothing maps between this
 * and the caller's MAP_FIXED_NOREPLACE/MAP_FIXED calls, so the hole stays free. */
static char *find_hole(size_t len)
{
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        die("mmap(PROT_NONE reservation)");
    xmunmap(p, len);
    return p;
}

static void map_at(void *addr, size_t len, int prot, int flags, int fd, off_t off,
                   const char *call)
{
    void *p = mmap(addr, len, prot, flags, fd, off);
    if (p == MAP_FAILED)
        die(call);
    if (p != addr) { /* a kernel that ignores MAP_FIXED_NOREPLACE treats it as a hint */
        xmunmap(p, len);
        errno = EEXIST;
        die(call);
    }
}

/*
 * The tmpfs file is a memfd rather than a file in /dev/shm: both are shmem inodes
 * with the same mmap, fault and page-cache code, but a memfd has no name, so it is
 * gone the moment the process ends however it ends (nothing to clean up after a
 * crash), and it does not depend on /dev/shm being mounted or on that mount's
 * size= and huge= options.
 */
static int tmpfs_file(const char *name, size_t size)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    if (ftruncate(fd, (off_t)size))
        die("ftruncate(memfd)");
    return fd;
}

/* Fill a file with non-zero data through write(2), so its pages are in the page cache. */
static void fill_file(int fd, size_t size)
{
    char *buf = xmalloc(pg);
    memset(buf, 0x5a, pg);
    for (size_t off = 0; off < size; off += pg) {
        ssize_t w = pwrite(fd, buf, pg, (off_t)off);
        if (w < 0)
            die("pwrite");
        if ((size_t)w != pg) {
            errno = EIO;
            die("pwrite (short write)");
        }
    }
    free(buf);
}

/* ---------------------------------------------------------------- baseline */

static uint64_t b_null(void *ctx, size_t k)
{
    (void)ctx;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < k; i++)
        sink += (unsigned)getppid(); /* glibc does not cache getppid: a real syscall */
    return now_ns() - t0;
}

static void op_null(void)
{
    struct result r = measure(b_null, NULL, per_batch(200000, 20000));
    emit("null_syscall", 0, &r, "getppid(): syscall entry+exit, subtract from syscall ops");
}

/* ---------------------------------------------------------------- mmap + munmap */

static uint64_t b_mmap_munmap(void *ctx, size_t k)
{
    int fd = *(int *)ctx;
    size_t len = 64 * 1024;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < k; i++) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            die("mmap(64 KiB MAP_SHARED memfd)");
        if (munmap(p, len))
            die("munmap(64 KiB MAP_SHARED memfd)");
    }
    return now_ns() - t0;
}

static void op_mmap_munmap(void)
{
    int fd = tmpfs_file("vmabench-64k", 64 * 1024);
    struct result r = measure(b_mmap_munmap, &fd, per_batch(5000, 500));
    emit("mmap_munmap_shared_64k", 0, &r,
         "mmap+munmap pair, MAP_SHARED RW of a memfd (shmem), no page touched");
    close(fd);
}

/* ---------------------------------------------------------------- merge and split */

struct file_ctx {
    int fd;
    size_t bad;    /* batches whose merge or split was not seen in /proc/self/maps */
    size_t checks; /* batches checked */
};

/*
 * mmap_merge: one page of the file is mapped (untimed), then each timed mmap maps
 * the next page of the file right after the previous one, so every call extends the
 * existing VMA (file and page offset contiguous, same flags) instead of creating
 * one. MAP_FIXED_NOREPLACE places it exactly and fails rather than clobber.
 */
static uint64_t b_merge(void *ctx, size_t k)
{
    struct file_ctx *c = ctx;
    char *base = find_hole((k + 3) * pg) + pg; /* a free page on each side */
    map_at(base, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, c->fd, 0,
           "mmap(MAP_FIXED_NOREPLACE, first page)");
    uint64_t t0 = now_ns();
    for (size_t i = 1; i <= k; i++) {
        void *want = base + i * pg;
        void *p = mmap(want, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, c->fd,
                       (off_t)(i * pg));
        if (p != want) {
            if (p != MAP_FAILED)
                errno = EEXIST;
            die("mmap(MAP_FIXED_NOREPLACE, adjacent page)");
        }
    }
    uint64_t t = now_ns() - t0;
    c->checks++;
    if (!one_vma(base, base + (k + 1) * pg))
        c->bad++;
    xmunmap(base, (k + 1) * pg);
    return t;
}

static void op_merge(void)
{
    size_t k = per_batch(5000, 500);
    struct file_ctx c = {tmpfs_file("vmabench-merge", (k + 1) * pg), 0, 0};
    /* Check once before timing that the kernel does merge here at all. */
    char *base = find_hole(4 * pg) + pg;
    map_at(base, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, c.fd, 0,
           "mmap(merge check, first page)");
    map_at(base + pg, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, c.fd,
           (off_t)pg, "mmap(merge check, second page)");
    bool merged = one_vma(base, base + 2 * pg);
    xmunmap(base, 2 * pg);
    if (!merged)
        diag("mmap_merge: setup check: the adjacent mapping did NOT merge (two VMAs in /proc/self/maps)");

    struct result r = measure(b_merge, &c, k);
    if (merged && c.bad == 0)
        emit("mmap_merge", 0, &r,
             "1-page MAP_SHARED memfd mmap extending the previous VMA; merge seen in /proc/self/maps (setup + %zu batches)",
             c.checks);
    else
        emit("mmap_merge", 0, &r,
             "MERGE NOT OBSERVED (setup %s, %zu/%zu batches not one VMA): figure is not a merge",
             merged ? "ok" : "failed", c.bad, c.checks);
    close(c.fd);
}

/*
 * munmap_split: k separate 3-page MAP_SHARED VMAs of the file (a free page between
 * each, so they cannot merge with each other) are built untimed; the timed loop
 * unmaps the middle page of each, splitting every VMA in two. Each batch builds
 * fresh VMAs and throws them away, so no restore is needed inside the timing.
 * The restore (MAP_FIXED of the middle page, merging with both sides) is a
 * different kernel path, timed on its own as munmap_split_remap.
 */
static char *build_triples(int fd, size_t k)
{
    char *base = find_hole((4 * k + 2) * pg) + pg;
    for (size_t i = 0; i < k; i++)
        map_at(base + 4 * i * pg, 3 * pg, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0, "mmap(3-page VMA)");
    return base;
}

static bool split_seen(char *v)
{
    return one_vma(v, v + pg) && one_vma(v + 2 * pg, v + 3 * pg);
}

static uint64_t b_split(void *ctx, size_t k)
{
    struct file_ctx *c = ctx;
    char *base = build_triples(c->fd, k);
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < k; i++)
        if (munmap(base + (4 * i + 1) * pg, pg))
            die("munmap(middle page)");
    uint64_t t = now_ns() - t0;
    c->checks++;
    if (!split_seen(base) || !split_seen(base + 4 * (k - 1) * pg))
        c->bad++;
    xmunmap(base, 4 * k * pg);
    return t;
}

static uint64_t b_remap(void *ctx, size_t k)
{
    struct file_ctx *c = ctx;
    char *base = build_triples(c->fd, k);
    for (size_t i = 0; i < k; i++)
        if (munmap(base + (4 * i + 1) * pg, pg))
            die("munmap(middle page)");
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < k; i++) {
        void *want = base + (4 * i + 1) * pg;
        void *p = mmap(want, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, c->fd,
                       (off_t)pg);
        if (p == MAP_FAILED)
            die("mmap(MAP_FIXED, restore middle page)");
    }
    uint64_t t = now_ns() - t0;
    c->checks++;
    if (!one_vma(base, base + 3 * pg) || !one_vma(base + 4 * (k - 1) * pg, base + (4 * k - 1) * pg))
        c->bad++;
    xmunmap(base, 4 * k * pg);
    return t;
}

static void op_split(bool remap)
{
    struct file_ctx c = {tmpfs_file("vmabench-split", 3 * pg), 0, 0};
    size_t k = per_batch(2000, 200);
    struct result r = measure(remap ? b_remap : b_split, &c, k);
    const char *op = remap ? "munmap_split_remap" : "munmap_split";
    if (c.bad)
        emit(op, 0, &r, "%s NOT OBSERVED in %zu/%zu batches", remap ? "3-way merge" : "split",
             c.bad, c.checks);
    else if (remap)
        emit(op, 0, &r,
             "MAP_FIXED mmap of the hole left by munmap_split, merging with both neighbours; merge seen in /proc/self/maps");
    else
        emit(op, 0, &r,
             "munmap of the middle page of a 3-page MAP_SHARED memfd VMA; split seen in /proc/self/maps");
    close(c.fd);
}

/* ---------------------------------------------------------------- N-VMA address spaces */

/*
 * An address space of n VMAs: one anonymous mapping of M pages whose odd pages are
 * made read-only, so every page is a VMA of its own (neighbours differ in protection
 * and cannot merge), except a few 3-page read-write VMAs spread evenly over it (pages
 * mid..mid+2) that the mprotect benchmark splits and merges. M is chosen so that the
 * process as a whole holds n VMAs. MAP_NORESERVE: nothing is ever written, so no
 * commit charge is taken for what can be gigabytes of address space.
 */
#define MPROTECT_TARGETS 64

struct space {
    char *base;
    size_t pages;
    size_t mids[MPROTECT_TARGETS]; /* first page of each 3-page VMA; even */
    size_t nmids;
    size_t n;    /* nominal size */
    size_t vmas; /* measured after building */
    char **targets;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u; /* fixed seed: runs are comparable */

static uint64_t rng_next(void)
{
    /* xorshift64*: plenty for picking page indices */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

/* Builds the space, or returns false with the reason it must be skipped. */
static bool space_build(struct space *s, size_t n, char *why, size_t whylen)
{
    long limit = read_long("/proc/sys/vm/max_map_count", -1);
    if (limit < 0) {
        snprintf(why, whylen, "cannot read /proc/sys/vm/max_map_count");
        return false;
    }
    if (n + MAP_COUNT_HEADROOM > (size_t)limit) {
        snprintf(why, whylen, "needs %zu VMAs > vm.max_map_count %ld - %d (not raised)", n, limit,
                 MAP_COUNT_HEADROOM);
        return false;
    }
    size_t baseline = count_vmas();
    if (n < baseline + 8) {
        snprintf(why, whylen, "size %zu is not above the %zu VMAs the process already has", n,
                 baseline);
        return false;
    }
    /* At least 8 pages per 3-page VMA, so the runs never touch each other. */
    size_t nmids = (n - baseline) / 8;
    if (nmids > MPROTECT_TARGETS)
        nmids = MPROTECT_TARGETS;
    size_t pages = n - baseline + 2 * nmids; /* each 3-page run is one VMA, not three */
    size_t bytes = pages * pg;

    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as))
        die("getrlimit(RLIMIT_AS)");
    if (as.rlim_cur != RLIM_INFINITY) {
        size_t vsz = (size_t)read_long("/proc/self/statm", 0) * pg;
        if (vsz + bytes > as.rlim_cur) {
            snprintf(why, whylen, "needs %zu MiB of address space, RLIMIT_AS allows %llu MiB",
                     (vsz + bytes) >> 20, (unsigned long long)as.rlim_cur >> 20);
            return false;
        }
    }
    /* Each VMA costs the kernel a few hundred bytes (vm_area_struct, maple tree);
     * a fork doubles it. Ask for 1 KiB per VMA within half of what is available. */
    uint64_t avail = meminfo_bytes("MemAvailable:");
    if (avail && (uint64_t)n * 1024 > avail / 2) {
        snprintf(why, whylen, "needs ~%zu MiB of kernel memory, only %llu MiB available",
                 (n * 1024) >> 20, (unsigned long long)(avail >> 20));
        return false;
    }

    char *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        die("mmap(N-VMA region)");
    size_t stride = pages / nmids;
    for (size_t j = 0; j < nmids; j++) /* even: pages mid-1 and mid+3 stay read-only */
        s->mids[j] = (j * stride + stride / 2) & ~(size_t)1;
    size_t j = 0;
    for (size_t i = 1; i < pages; i += 2) {
        while (j < nmids && s->mids[j] + 1 < i)
            j++;
        if (j < nmids && s->mids[j] + 1 == i)
            continue; /* keeps mid..mid+2 one read-write VMA */
        if (mprotect(base + i * pg, pg, PROT_READ))
            die("mprotect(building the N-VMA region)");
    }
    s->base = base;
    s->pages = pages;
    s->nmids = nmids;
    s->n = n;
    s->vmas = count_vmas();
    s->targets = xmalloc(LOOKUP_TARGETS * sizeof s->targets[0]);
    for (size_t i = 0; i < LOOKUP_TARGETS; i++)
        s->targets[i] = base + (rng_next() % pages) * pg;
    return true;
}

static void space_free(struct space *s)
{
    xmunmap(s->base, s->pages * pg);
    free(s->targets);
}

/*
 * mprotect_split_merge: the middle page of a 3-page VMA goes to PROT_NONE (the VMA
 * splits in three) and back to read-write (the three merge again). One operation is
 * the pair of calls. Successive operations take the 3-page VMAs in turn: the cost
 * depends on where the VMA sits in its maple-tree node (a full node must split to
 * take the two new entries), and one fixed target would make the figure an accident
 * of that position rather than a property of n.
 */
static uint64_t b_mprotect(void *ctx, size_t k)
{
    struct space *s = ctx;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < k; i++) {
        char *t = s->base + (s->mids[i % s->nmids] + 1) * pg;
        if (mprotect(t, pg, PROT_NONE))
            die("mprotect(split)");
        if (mprotect(t, pg, PROT_READ | PROT_WRITE))
            die("mprotect(merge)");
    }
    return now_ns() - t0;
}

/* Does splitting and merging the 3-page VMA at page mid show in /proc/self/maps? */
static void check_split_merge(struct space *s, size_t mid, bool *split, bool *merged)
{
    char *v = s->base + mid * pg;
    if (mprotect(v + pg, pg, PROT_NONE))
        die("mprotect(split check)");
    *split = *split && one_vma(v, v + pg) && one_vma(v + pg, v + 2 * pg) &&
             one_vma(v + 2 * pg, v + 3 * pg);
    if (mprotect(v + pg, pg, PROT_READ | PROT_WRITE))
        die("mprotect(merge check)");
    *merged = *merged && one_vma(v, v + 3 * pg);
}

static void op_mprotect(struct space *s)
{
    /* First, middle and last target: reading /proc/self/maps for each of them would
     * cost more than the benchmark at large n. */
    bool split = true, merged = true;
    check_split_merge(s, s->mids[0], &split, &merged);
    check_split_merge(s, s->mids[s->nmids / 2], &split, &merged);
    check_split_merge(s, s->mids[s->nmids - 1], &split, &merged);
    if (!split || !merged)
        diag("mprotect_split_merge n=%zu: split %s, merge %s in /proc/self/maps", s->n,
             split ? "seen" : "NOT seen", merged ? "seen" : "NOT seen");
    struct result r = measure(b_mprotect, s, per_batch(2000, 200));
    emit("mprotect_split_merge", s->n, &r,
         "ns per split+merge pair (2 mprotect calls), %zu 3-page VMAs in turn; vmas=%zu; split %s, merge %s",
         s->nmids, s->vmas, split ? "seen" : "NOT SEEN", merged ? "seen" : "NOT SEEN");
}

/*
 * vma_lookup: msync(addr, one page, MS_ASYNC) on a random page of the region. Since
 * Linux 2.6.19 MS_ASYNC does no I/O: the call takes mmap_lock for reading, finds the
 * VMA with find_vma() once, checks two flags and returns. That makes it the syscall
 * whose work is most purely a VMA lookup (madvise(MADV_NORMAL) takes mmap_lock for
 * writing and walks the range; mincore also walks page tables and copies a byte
 * out). The remaining overhead is syscall entry/exit (see null_syscall) and the
 * uncontended read lock. vma_lookup_mincore is the cross-check with mincore().
 */
static uint64_t b_lookup_msync(void *ctx, size_t k)
{
    struct space *s = ctx;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < k; i++)
        if (msync(s->targets[i % LOOKUP_TARGETS], pg, MS_ASYNC))
            die("msync(MS_ASYNC)");
    return now_ns() - t0;
}

static uint64_t b_lookup_mincore(void *ctx, size_t k)
{
    struct space *s = ctx;
    unsigned char vec;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < k; i++) {
        if (mincore(s->targets[i % LOOKUP_TARGETS], pg, &vec))
            die("mincore");
        sink += vec;
    }
    return now_ns() - t0;
}

static void op_lookup(struct space *s, bool use_mincore)
{
    struct result r = measure(use_mincore ? b_lookup_mincore : b_lookup_msync, s,
                              per_batch(50000, 5000));
    if (use_mincore)
        emit("vma_lookup_mincore", s->n, &r,
             "mincore() of 1 random page (lookup + page-table walk + 1-byte copy); vmas=%zu", s->vmas);
    else
        emit("vma_lookup", s->n, &r,
             "msync(MS_ASYNC) of 1 random page = read lock + one find_vma; includes syscall cost; vmas=%zu",
             s->vmas);
}

/* ---------------------------------------------------------------- first-touch faults */

struct fault_ctx {
    int fd;
    bool random;       /* MADV_RANDOM: no readahead */
    uint64_t touches;  /* pages touched in timed windows */
    uint64_t minflt;   /* faults counted by getrusage across those windows */
    uint64_t majflt;
    uint64_t resident; /* pages still cached when a disk batch started */
    uint64_t checked;  /* pages checked with mincore */
};

static void rusage_faults(long *minflt, long *majflt)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        die("getrusage");
    *minflt = ru.ru_minflt;
    *majflt = ru.ru_majflt;
}

/* Time touching every page of p once (write or read), and count the faults. */
static uint64_t touch_pages(struct fault_ctx *c, char *p, size_t k, bool write)
{
    long mn0, mj0, mn1, mj1;
    volatile char *v = p;
    unsigned acc = 0;
    rusage_faults(&mn0, &mj0);
    uint64_t t0 = now_ns();
    if (write)
        for (size_t i = 0; i < k; i++)
            v[i * pg] = (char)i;
    else
        for (size_t i = 0; i < k; i++)
            acc += (unsigned char)v[i * pg];
    uint64_t t = now_ns() - t0;
    rusage_faults(&mn1, &mj1);
    sink += acc;
    c->touches += k;
    c->minflt += (uint64_t)(mn1 - mn0);
    c->majflt += (uint64_t)(mj1 - mj0);
    return t;
}

static uint64_t b_anon_write(void *ctx, size_t k)
{
    struct fault_ctx *c = ctx;
    char *p = mmap(NULL, k * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap(anonymous)");
    no_thp(p, k * pg);
    uint64_t t = touch_pages(c, p, k, true);
    xmunmap(p, k * pg);
    return t;
}

static uint64_t b_cached_read(void *ctx, size_t k)
{
    struct fault_ctx *c = ctx;
    char *p = mmap(NULL, k * pg, PROT_READ, MAP_PRIVATE, c->fd, 0);
    if (p == MAP_FAILED)
        die("mmap(memfd, PROT_READ MAP_PRIVATE)");
    no_thp(p, k * pg);
    uint64_t t = touch_pages(c, p, k, false);
    xmunmap(p, k * pg);
    return t;
}

static uint64_t b_shared_write(void *ctx, size_t k)
{
    struct fault_ctx *c = ctx;
    /* Empty the file (untimed), so each write fault allocates its page. */
    if (ftruncate(c->fd, 0) || ftruncate(c->fd, (off_t)(k * pg)))
        die("ftruncate(memfd)");
    char *p = mmap(NULL, k * pg, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
    if (p == MAP_FAILED)
        die("mmap(memfd, MAP_SHARED RW)");
    no_thp(p, k * pg);
    uint64_t t = touch_pages(c, p, k, true);
    xmunmap(p, k * pg);
    return t;
}

/*
 * Disk-backed read faults: the file's pages are dropped from the page cache with
 * POSIX_FADV_DONTNEED (possible because the file is fsync'ed, so clean, and not
 * mapped at that moment), mincore() then says how many pages really left, and the
 * timed loop read-touches every page, each miss going to the block layer.
 */
static uint64_t b_disk_read(void *ctx, size_t k)
{
    struct fault_ctx *c = ctx;
    size_t len = k * pg;
    int e = posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
    if (e)
        die_err("posix_fadvise(POSIX_FADV_DONTNEED)", e);
    char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, c->fd, 0);
    if (p == MAP_FAILED)
        die("mmap(disk file, PROT_READ MAP_PRIVATE)");
    no_thp(p, len);
    if (c->random && madvise(p, len, MADV_RANDOM))
        die("madvise(MADV_RANDOM)");
    unsigned char *vec = xmalloc(k);
    if (mincore(p, len, vec))
        die("mincore(disk file)");
    for (size_t i = 0; i < k; i++)
        c->resident += vec[i] & 1;
    c->checked += k;
    free(vec);
    uint64_t t = touch_pages(c, p, k, false);
    xmunmap(p, len);
    return t;
}

static void emit_faults(const char *op, const struct result *r, const struct fault_ctx *c,
                        const char *what)
{
    double minpp = (double)c->minflt / (double)c->touches;
    double majpp = (double)c->majflt / (double)c->touches;
    double faults = minpp + majpp;
    if (faults > 0)
        emit(op, 0, r, "ns per page touched; %s; faults/page=%.3f (maj %.3f) => ~%.0f ns/fault",
             what, faults, majpp, r->median / faults);
    else
        emit(op, 0, r, "ns per page touched; %s; no faults counted", what);
}

static void op_fault_anon(void)
{
    struct fault_ctx c = {.fd = -1};
    struct result r = measure(b_anon_write, &c, per_batch(8192, 1024));
    emit_faults("fault_anon_write", &r, &c, "write, private anonymous, MADV_NOHUGEPAGE");
}

static void op_fault_cached(void)
{
    size_t k = per_batch(8192, 1024);
    struct fault_ctx c = {.fd = tmpfs_file("vmabench-cached", k * pg)};
    fill_file(c.fd, k * pg);
    struct result r = measure(b_cached_read, &c, k);
    emit_faults("fault_file_read_cached", &r, &c,
                "read, memfd (shmem) pages in cache, MAP_PRIVATE, fault-around on");
    close(c.fd);
}

static void op_fault_shared_write(void)
{
    size_t k = per_batch(8192, 1024);
    struct fault_ctx c = {.fd = tmpfs_file("vmabench-shared", k * pg)};
    struct result r = measure(b_shared_write, &c, k);
    emit_faults("fault_shared_write", &r, &c,
                "write, MAP_SHARED memfd (shmem), page allocated by the fault");
    close(c.fd);
}

static const char *fs_name(unsigned long magic)
{
    switch (magic) {
    case 0xEF53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    case 0x6969: return "nfs";
    case TMPFS_MAGIC: return "tmpfs";
    case RAMFS_MAGIC: return "ramfs";
    default: return "other";
    }
}

/*
 * A regular file on the disk file system holding cfg.dir. O_TMPFILE gives a file
 * that never has a name; where the file system lacks it, a mkstemp name is unlinked
 * at once. Either way nothing is left behind.
 */
static int disk_file(size_t size, char *fsdesc, size_t desclen, char *why, size_t whylen)
{
    char call[PATH_MAX + 64];
    struct statfs sf;
    if (statfs(cfg.dir, &sf)) {
        snprintf(call, sizeof call, "statfs(%s) (the --dir for disk faults)", cfg.dir);
        die(call);
    }
    unsigned long magic = (unsigned long)sf.f_type;
    if (magic == TMPFS_MAGIC || magic == RAMFS_MAGIC) {
        snprintf(why, whylen, "%s is on %s, not a disk: pass --dir DIR on a disk file system",
                 cfg.dir, fs_name(magic));
        return -1;
    }
    snprintf(fsdesc, desclen, "%s on %s", cfg.dir, fs_name(magic));
    int fd = open(cfg.dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
            snprintf(call, sizeof call, "open(%s, O_TMPFILE)", cfg.dir);
            die(call);
        }
        size_t plen = strlen(cfg.dir) + 32;
        char *path = xmalloc(plen);
        snprintf(path, plen, "%s/vmabench.XXXXXX", cfg.dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd < 0) {
            snprintf(call, sizeof call, "mkostemp(%s)", path);
            die(call);
        }
        if (unlink(path))
            die("unlink(temporary file)");
        free(path);
    }
    fill_file(fd, size);
    if (fsync(fd)) /* clean pages are what POSIX_FADV_DONTNEED can drop */
        die("fsync(disk file)");
    return fd;
}

static void op_fault_disk(bool random)
{
    const char *op = random ? "fault_file_read_blockdev_random" : "fault_file_read_blockdev";
    size_t k = random ? per_batch(2048, 256) : per_batch(8192, 1024);
    char fsdesc[256] = "", why[512];
    int fd = disk_file(k * pg, fsdesc, sizeof fsdesc, why, sizeof why);
    if (fd < 0) {
        emit_skip(op, 0, why);
        return;
    }
    struct fault_ctx c = {.fd = fd, .random = random};
    struct result r = measure(b_disk_read, &c, k);
    double evicted = 100.0 * (1.0 - (double)c.resident / (double)c.checked);
    char what[512];
    snprintf(what, sizeof what,
             "read, %s, MAP_PRIVATE, %s, after FADV_DONTNEED: %.1f%% of pages evicted (mincore)%s",
             fsdesc, random ? "MADV_RANDOM (no readahead)" : "default readahead", evicted,
             evicted < 99.0 ? " - EVICTION INCOMPLETE, partly cached" : "");
    emit_faults(op, &r, &c, what);
    close(fd);
}

/* ---------------------------------------------------------------- fork */

/*
 * fork_10k: fork of this process while it holds 10^4 VMAs; the child _exit(0)s at
 * once. fork_10k is fork + waitpid (the whole copy, the child's exit and teardown of
 * its address space, and the wake-up); fork_10k_parent is fork alone, until it
 * returns in the parent. The region's pages were never touched, so there are no
 * page tables or anonymous pages to copy: the cost is duplicating the VMAs.
 */
static void op_fork(void)
{
    struct space s;
    char why[256];
    if (!space_build(&s, FORK_VMAS, why, sizeof why)) {
        emit_skip("fork_10k", FORK_VMAS, why);
        emit_skip("fork_10k_parent", FORK_VMAS, why);
        return;
    }
    size_t k = per_batch(20, 4);
    double whole[MAX_BATCHES], parent[MAX_BATCHES];
    fflush(NULL); /* the child must not inherit unflushed output */
    for (size_t b = 0; b < cfg.warmup + cfg.batches; b++) {
        uint64_t sum_whole = 0, sum_parent = 0;
        for (size_t i = 0; i < k; i++) {
            uint64_t t0 = now_ns();
            pid_t pid = fork();
            if (pid == 0)
                _exit(0);
            uint64_t t1 = now_ns();
            if (pid < 0)
                die("fork");
            int st;
            while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                    die("waitpid");
            uint64_t t2 = now_ns();
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                errno = ECHILD;
                die("fork child exit status");
            }
            sum_whole += t2 - t0;
            sum_parent += t1 - t0;
        }
        if (b >= cfg.warmup) {
            whole[b - cfg.warmup] = (double)sum_whole / (double)k;
            parent[b - cfg.warmup] = (double)sum_parent / (double)k;
        }
    }
    struct result rw = summarise(whole, cfg.batches, k);
    struct result rp = summarise(parent, cfg.batches, k);
    emit("fork_10k", FORK_VMAS, &rw,
         "fork + child _exit(0) + waitpid; vmas=%zu, never-touched anonymous pages", s.vmas);
    emit("fork_10k_parent", FORK_VMAS, &rp, "fork() until it returns in the parent; vmas=%zu",
         s.vmas);
    space_free(&s);
}

/* ---------------------------------------------------------------- command line */

static bool selected(const char *op)
{
    if (!cfg.only_given)
        return true;
    for (size_t i = 0; i < OP_COUNT; i++)
        if (strcmp(OP_NAMES[i], op) == 0)
            return cfg.only[i];
    return false;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vmabench [--quick] [--only OP[,OP...]] [--sizes N[,N...]] [--dir DIR]\n"
            "\n"
            "Times mmap operations of the host kernel on real mappings, in this process.\n"
            "Writes a tab-separated table to stdout:\n"
            "  op  n  median_ns  p90_ns  iterations  note\n"
            "median and p90 are of ns per operation over the timed batches; n is the\n"
            "number of VMAs in the address space for sized operations, '-' otherwise;\n"
            "a skipped row has '-' times, 0 iterations and the reason in the note.\n"
            "\n"
            "  --quick        few iterations, for a CI smoke run (a few seconds)\n"
            "  --only OPS     run only these operations (comma-separated)\n"
            "  --sizes LIST   N-VMA sizes (default 1000,10000,100000,1000000); sizes above\n"
            "                 vm.max_map_count - %d are skipped, nothing is raised\n"
            "  --dir DIR      disk file system for the blockdev faults (default /var/tmp)\n"
            "  --help         this text\n"
            "\noperations:",
            MAP_COUNT_HEADROOM);
    for (size_t i = 0; i < OP_COUNT; i++)
        fprintf(out, "\n  %s", OP_NAMES[i]);
    fputs("\n(fork_10k gives two rows: fork_10k and fork_10k_parent; the sizes of\n"
          "mprotect_split_merge, vma_lookup and vma_lookup_mincore come from --sizes)\n",
          out);
}

__attribute__((format(printf, 1, 2))) static void bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vmabench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    usage(stderr);
    exit(2);
}

static void parse_only(char *list)
{
    cfg.only_given = true;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        size_t i = 0;
        while (i < OP_COUNT && strcmp(OP_NAMES[i], tok) != 0)
            i++;
        if (i == OP_COUNT)
            bad_usage("--only: unknown operation '%s'", tok);
        cfg.only[i] = true;
    }
}

static void parse_sizes(char *list)
{
    cfg.nsizes = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(tok, &end, 10);
        if (errno || *end || end == tok || v == 0 || v > 100000000ull || tok[0] == '-')
            bad_usage("--sizes: '%s' is not a VMA count between 1 and 10^8", tok);
        if (cfg.nsizes == MAX_SIZES)
            bad_usage("--sizes: more than %d sizes given", MAX_SIZES);
        cfg.sizes[cfg.nsizes++] = (size_t)v;
    }
    if (cfg.nsizes == 0)
        bad_usage("--sizes: no size given");
}

static void parse_args(int argc, char **argv)
{
    cfg.nsizes = sizeof DEFAULT_SIZES / sizeof DEFAULT_SIZES[0];
    memcpy(cfg.sizes, DEFAULT_SIZES, sizeof DEFAULT_SIZES);
    cfg.dir = "/var/tmp";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--quick") == 0) {
            cfg.quick = true;
        } else if (strcmp(a, "--only") == 0 && has_value) {
            parse_only(argv[++i]);
        } else if (strcmp(a, "--sizes") == 0 && has_value) {
            parse_sizes(argv[++i]);
        } else if (strcmp(a, "--dir") == 0 && has_value) {
            cfg.dir = argv[++i];
        } else if (strcmp(a, "--only") == 0 || strcmp(a, "--sizes") == 0 ||
                   strcmp(a, "--dir") == 0) {
            bad_usage("%s needs a value", a);
        } else {
            bad_usage("unknown argument '%s'", a);
        }
    }
    cfg.warmup = cfg.quick ? 1 : 2;
    cfg.batches = cfg.quick ? 5 : 21;
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0)
        die("sysconf(_SC_PAGESIZE)");
    pg = (size_t)ps;

    struct utsname u;
    if (uname(&u) == 0)
        diag("kernel %s %s %s, page %zu, %s mode, %zu batches", u.sysname, u.release, u.machine,
             pg, cfg.quick ? "quick" : "full", cfg.batches);
    diag("vm.max_map_count: %ld; VMAs in this process at start: %zu",
         read_long("/proc/sys/vm/max_map_count", -1), count_vmas());
    diag_sysfile("THP enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
    diag_sysfile("THP shmem_enabled", "/sys/kernel/mm/transparent_hugepage/shmem_enabled");
    diag_sysfile("clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
    /* Other work on the machine shows up as noise in every figure: say how busy it was. */
    diag_sysfile("loadavg at start", "/proc/loadavg");

    printf("op\tn\tmedian_ns\tp90_ns\titerations\tnote\n");
    fflush(stdout);

    if (selected("null_syscall"))
        op_null();
    if (selected("mmap_munmap_shared_64k"))
        op_mmap_munmap();
    if (selected("mmap_merge"))
        op_merge();
    if (selected("munmap_split"))
        op_split(false);
    if (selected("munmap_split_remap"))
        op_split(true);

    bool want_mprotect = selected("mprotect_split_merge");
    bool want_lookup = selected("vma_lookup");
    bool want_mincore = selected("vma_lookup_mincore");
    if (want_mprotect || want_lookup || want_mincore) {
        for (size_t i = 0; i < cfg.nsizes; i++) {
            struct space s;
            char why[256];
            if (!space_build(&s, cfg.sizes[i], why, sizeof why)) {
                if (want_mprotect)
                    emit_skip("mprotect_split_merge", cfg.sizes[i], why);
                if (want_lookup)
                    emit_skip("vma_lookup", cfg.sizes[i], why);
                if (want_mincore)
                    emit_skip("vma_lookup_mincore", cfg.sizes[i], why);
                continue;
            }
            if (want_mprotect)
                op_mprotect(&s);
            if (want_lookup)
                op_lookup(&s, false);
            if (want_mincore)
                op_lookup(&s, true);
            space_free(&s);
        }
    }

    if (selected("fault_anon_write"))
        op_fault_anon();
    if (selected("fault_file_read_cached"))
        op_fault_cached();
    if (selected("fault_file_read_blockdev"))
        op_fault_disk(false);
    if (selected("fault_file_read_blockdev_random"))
        op_fault_disk(true);
    if (selected("fault_shared_write"))
        op_fault_shared_write();
    if (selected("fork_10k"))
        op_fork();
    diag_sysfile("loadavg at end", "/proc/loadavg");
    return 0;
}
