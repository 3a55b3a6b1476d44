/*
 * An LD_PRELOAD library for t/cli/crash_safety.t: it counts the calls that
 * change files (writes, flushes, renames, removals, truncations, copies)
 * made by svctoken and the DBM libraries it loads, and at the Nth one
 * either dies on the spot, as kill -9 would (SVCT_FAULT=crash), or makes it
 * and every later one fail with ENOSPC, as a full disk would
 * (SVCT_FAULT=enospc). SVCT_FAULT_AT=N picks the call; when the fault has
 * struck, the file SVCT_FAULT_FIRED is created, so a test can step N up
 * until a run goes through untouched. Writes to standard output and error
 * are not counted: they are what the test reads.
 *
 * SVCT_FAULT=enospc-close counts only the calls made while apr_dbm_close()
 * runs, and fails the Nth and every later one inside a close with ENOSPC:
 * a DBM library that flushes its cache when closed (Berkeley DB) has no way
 * to report that, as apr_dbm_close() returns nothing. Calls outside a close
 * all go through, as on a disk that was full only for a moment.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long fault_calls;
static int fault_in_close;

/* 1 when this call must fail (errno set), 0 to let it through; does not
 * return for a crash. */
static int fault_now(int fd)
{
    const char *at = getenv("SVCT_FAULT_AT"), *mode = getenv("SVCT_FAULT"), *fired;
    long n;

    if (fd >= 0 && fd <= 2)
        return 0;
    if (at == NULL || mode == NULL || (n = atol(at)) <= 0)
        return 0;
    if (strcmp(mode, "enospc-close") == 0 && !fault_in_close)
        return 0;
    if (++fault_calls < n)
        return 0;
    if (fault_calls == n && (fired = getenv("SVCT_FAULT_FIRED")) != NULL) {
        int saved = errno;
        int ffd = open(fired, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (ffd >= 0)
            close(ffd);
        errno = saved;
    }
    if (strcmp(mode, "crash") == 0)
        _exit(137);
    errno = ENOSPC;
    return 1;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t n)
{
    return fault_now(fd) ? -1 : REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return fault_now(fd) ? -1 : REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    return fault_now(fd) ? -1 : REAL(pwrite64)(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    return fault_now(fd) ? -1 : REAL(writev)(fd, iov, cnt);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return fault_now(fd) ? -1 : REAL(pwritev)(fd, iov, cnt, off);
}

int fsync(int fd)
{
    return fault_now(fd) ? -1 : REAL(fsync)(fd);
}

int fdatasync(int fd)
{
    return fault_now(fd) ? -1 : REAL(fdatasync)(fd);
}

int ftruncate(int fd, off_t len)
{
    return fault_now(fd) ? -1 : REAL(ftruncate)(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
    return fault_now(fd) ? -1 : REAL(ftruncate64)(fd, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
    return fault_now(fd) ? -1 : REAL(fallocate)(fd, mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len)
{
    return fault_now(fd) ? ENOSPC : REAL(posix_fallocate)(fd, off, len);
}

ssize_t copy_file_range(int in, off64_t *inoff, int out, off64_t *outoff, size_t n, unsigned flags)
{
    return fault_now(out) ? -1 : REAL(copy_file_range)(in, inoff, out, outoff, n, flags);
}

int rename(const char *from, const char *to)
{
    return fault_now(-1) ? -1 : REAL(rename)(from, to);
}

int renameat(int dfrom, const char *from, int dto, const char *to)
{
    return fault_now(-1) ? -1 : REAL(renameat)(dfrom, from, dto, to);
}

int unlink(const char *path)
{
    return fault_now(-1) ? -1 : REAL(unlink)(path);
}

int msync(void *addr, size_t len, int flags)
{
    return fault_now(-1) ? -1 : REAL(msync)(addr, len, flags);
}

/* The apr_dbm_t is opaque here: only the pointer is passed on. */
void apr_dbm_close(void *dbm)
{
    void (*real)(void *) = (void (*)(void *))dlsym(RTLD_NEXT, "apr_dbm_close");

    fault_in_close++;
    real(dbm);
    fault_in_close--;
}
