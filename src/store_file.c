/*
 * Atomic replacement of a DBM store's files: copy, flush, rename (see
 * store_file.h for the protocol and why SDBM needs a marker).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>

#include "store_file.h"

void svct_store_files_init(svct_store_files_t *f, apr_pool_t *p, const char *path,
                           const char *used1, const char *used2)
{
    size_t plen = strlen(path);
    int i;

    memset(f, 0, sizeof *f);
    f->path = path;
    f->newpath = apr_pstrcat(p, path, ".new", NULL);
    f->file[0] = used1;
    f->file[1] = used2;
    f->nfiles = used2 != NULL ? 2 : 1;
    /* The DBM derives its file names from the path it is given, by adding
     * a suffix (SDBM) or none: the copies' names follow from ".new". */
    for (i = 0; i < f->nfiles; i++)
        f->newfile[i] = strncmp(f->file[i], path, plen) == 0
                            ? apr_pstrcat(p, f->newpath, f->file[i] + plen, NULL)
                            : apr_pstrcat(p, f->file[i], ".new", NULL);
    if (f->nfiles == 2)
        f->marker = apr_pstrcat(p, path, ".commit", NULL);
}

static int svct_files_fail(char *err, size_t errlen, const char *what, const char *file, int e)
{
    snprintf(err, errlen, "%s %s: %s", what, file, strerror(e));
    return -1;
}

/* Flushes the directory holding PATH, so that renames and new names in it
 * survive a power loss. */
static int svct_files_sync_dir(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    int fd, rc = 0;

    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return svct_files_fail(err, errlen, "cannot open the directory", dir, errno);
    /* Some file systems cannot fsync a directory (EINVAL): they have
     * nothing to flush for it. */
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = svct_files_fail(err, errlen, "cannot flush the directory", dir, errno);
    close(fd);
    return rc;
}

static int svct_files_sync(const char *file, char *err, size_t errlen)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc = 0;

    if (fd < 0)
        return svct_files_fail(err, errlen, "cannot open", file, errno);
    if (fsync(fd) != 0)
        rc = svct_files_fail(err, errlen, "cannot write", file, errno);
    if (close(fd) != 0 && rc == 0)
        rc = svct_files_fail(err, errlen, "cannot write", file, errno);
    return rc;
}

int svct_store_files_pending(const svct_store_files_t *f)
{
    return f->marker != NULL && access(f->marker, F_OK) == 0;
}

void svct_store_files_discard(svct_store_files_t *f)
{
    int i;

    for (i = 0; i < f->nfiles; i++)
        unlink(f->newfile[i]);
}

static int svct_files_rename_all(svct_store_files_t *f, char *err, size_t errlen)
{
    int i;

    for (i = 0; i < f->nfiles; i++) {
        if (rename(f->newfile[i], f->file[i]) != 0 && errno != ENOENT)
            return svct_files_fail(err, errlen, "cannot replace", f->file[i], errno);
    }
    return svct_files_sync_dir(f->path, err, errlen);
}

int svct_store_files_recover(svct_store_files_t *f, int *done, char *err, size_t errlen)
{
    *done = 0;
    if (svct_store_files_pending(f)) {
        /* The marker was written after both copies were flushed: they are
         * the store now, whichever of them has been renamed already. */
        if (svct_files_rename_all(f, err, errlen) != 0)
            return -1;
        if (unlink(f->marker) != 0 && errno != ENOENT)
            return svct_files_fail(err, errlen, "cannot remove", f->marker, errno);
        *done = 1;
        return svct_files_sync_dir(f->path, err, errlen);
    }
    svct_store_files_discard(f);
    return 0;
}

/* Copies FROM (open) into TO (open, empty), in the kernel where it can. */
static int svct_files_copy_fd(int from, int to)
{
    char buf[65536];
    ssize_t n;

    for (;;) {
        n = copy_file_range(from, NULL, to, NULL, (size_t)1 << 30, 0);
        if (n == 0)
            return 0;
        if (n < 0)
            break;
    }
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
        return -1;
    /* Nothing was copied yet when copy_file_range is not supported. */
    while ((n = read(from, buf, sizeof buf)) > 0) {
        char *p = buf;
        while (n > 0) {
            ssize_t w = write(to, p, (size_t)n);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            p += w;
            n -= w;
        }
    }
    return n < 0 ? -1 : 0;
}

static int svct_files_copy_one(const char *from, const char *to, char *err, size_t errlen)
{
    struct stat sb;
    int in, out, rc = 0;

    in = open(from, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (in < 0)
        return svct_files_fail(err, errlen, "cannot read", from, errno);
    if (fstat(in, &sb) != 0) {
        rc = svct_files_fail(err, errlen, "cannot read", from, errno);
        close(in);
        return rc;
    }
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    if (out < 0) {
        rc = svct_files_fail(err, errlen, "cannot create", to, errno);
        close(in);
        return rc;
    }
    /* The copy becomes the store: it keeps the owner and group that let
     * httpd read it (chgrp www-data), and the mode. Only root can give a
     * file away; anyone may keep a group they belong to. */
    if (fchown(out, sb.st_uid, sb.st_gid) != 0 && fchown(out, (uid_t)-1, sb.st_gid) != 0) {
        /* The copy stays the caller's: readable as its umask allowed. */
    }
    if (fchmod(out, sb.st_mode & 07777) != 0 || svct_files_copy_fd(in, out) != 0)
        rc = svct_files_fail(err, errlen, "cannot write", to, errno);
    close(in);
    if (close(out) != 0 && rc == 0)
        rc = svct_files_fail(err, errlen, "cannot write", to, errno);
    return rc;
}

int svct_store_files_copy(svct_store_files_t *f, char *err, size_t errlen)
{
    int i;

    svct_store_files_discard(f);
    for (i = 0; i < f->nfiles; i++) {
        if (svct_files_copy_one(f->file[i], f->newfile[i], err, errlen) != 0) {
            svct_store_files_discard(f);
            return -1;
        }
    }
    return 0;
}

static int svct_files_write_marker(svct_store_files_t *f, char *err, size_t errlen)
{
    int fd = open(f->marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    int rc = 0;

    if (fd < 0)
        return svct_files_fail(err, errlen, "cannot create", f->marker, errno);
    if (fsync(fd) != 0)
        rc = svct_files_fail(err, errlen, "cannot write", f->marker, errno);
    if (close(fd) != 0 && rc == 0)
        rc = svct_files_fail(err, errlen, "cannot write", f->marker, errno);
    if (rc == 0)
        rc = svct_files_sync_dir(f->path, err, errlen);
    /* A marker that cannot be removed again commits the change after all:
     * the copies it points to are complete. */
    if (rc != 0 && unlink(f->marker) != 0 && errno != ENOENT)
        return 1;
    return rc;
}

int svct_store_files_commit(svct_store_files_t *f, char *err, size_t errlen)
{
    int i, done, rc;

    for (i = 0; i < f->nfiles; i++) {
        if (svct_files_sync(f->newfile[i], err, errlen) != 0) {
            svct_store_files_discard(f);
            return -1;
        }
    }
    if (f->marker == NULL) {
        /* One file: one rename is the whole commit. */
        if (rename(f->newfile[0], f->file[0]) != 0) {
            svct_files_fail(err, errlen, "cannot replace", f->file[0], errno);
            svct_store_files_discard(f);
            return -1;
        }
        return svct_files_sync_dir(f->path, err, errlen) == 0 ? 0 : 1;
    }
    rc = svct_files_write_marker(f, err, errlen);
    if (rc < 0) {
        svct_store_files_discard(f);
        return -1;
    }
    if (rc > 0) {
        char later[256]; /* ERR keeps the first failure */
        svct_store_files_recover(f, &done, later, sizeof later);
        return 1;
    }
    /* From here on the change is committed: a failure leaves it for the
     * next holder of the lock to finish. */
    return svct_store_files_recover(f, &done, err, errlen) == 0 ? 0 : 1;
}
