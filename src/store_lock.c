/*
 * The lock of a DBM token store (store_lock.h).
 *
 * Every DBM type keeps a token in two keys ("id:" and "name:"), and SDBM, GDBM
 * and Berkeley DB each lock (or do not lock) in their own way, some failing at
 * once instead of waiting. So the store takes its own flock on "<path>.lock"
 * before it opens the DBM: shared for readers, exclusive for writers, always
 * blocking. Readers therefore never see half of a change and never fail
 * because a writer is busy, and the DBM's own locks never meet a conflict.
 * It is flock() and not apr_file_lock(): on Linux APR takes fcntl() record
 * locks, which belong to the process rather than the descriptor, so one
 * thread of an httpd child closing the file would drop the shared lock
 * another thread still reads under.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>

#include "clock.h"
#include "store_dbm.h"
#include "store_lock.h"

apr_status_t svct_store_lock_cleanup(void *data)
{
    svct_store_t *st = data;

    /* Closing the only descriptor of the open file releases the flock. */
    if (st->lockfd >= 0) {
        close(st->lockfd);
        st->lockfd = -1;
    }
    /* Runs after the DBM has been closed and flushed (a pre-cleanup), so
     * the last write is on the files now: let every reader's next re-check
     * of them come first (store.h, "Visibility"). */
    if (st->changed) {
        st->changed = 0;
        svct_clock_sleep_ns(SVCT_STORE_VISIBLE_NS);
    }
    return APR_SUCCESS;
}

/* Opens and locks "<path>.lock". A writer creates it; a reader of a store
 * made without svctoken finds none and reads unlocked. The inode check
 * catches a lock file that was removed and re-created while we waited,
 * which would otherwise let two writers in at once. */
svct_store_rc_t svct_store_lock(svct_store_t *st)
{
    const char *lockpath = apr_pstrcat(st->pool, st->path, ".lock", NULL);
    int attempt;

    for (attempt = 0; attempt < 10; attempt++) {
        struct stat fdst, pathst;
        int fd, flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;

        if (st->mode == SVCT_STORE_WRITE)
            flags |= O_CREAT;
        fd = open(lockpath, flags, SVCT_LOCK_MODE);
        if (fd < 0 && errno == ENOENT && st->mode == SVCT_STORE_MODIFY) {
            /* Only a store that exists gets a lock file from MODIFY, so a
             * mistyped path leaves nothing behind. */
            if (stat(st->used1, &pathst) != 0)
                return svct_store_fail(st, SVCT_STORE_EIO, "cannot open token store %s: %s",
                                       st->path, strerror(errno));
            fd = open(lockpath, flags | O_CREAT, SVCT_LOCK_MODE);
        }
        if (fd < 0) {
            if (errno == ENOENT && st->mode == SVCT_STORE_READ)
                return SVCT_STORE_OK;
            return svct_store_fail(st, SVCT_STORE_EIO, "cannot lock token store %s: %s: %s",
                                   st->path, lockpath, strerror(errno));
        }
        st->lockfd = fd;
        while (flock(fd, st->writer ? LOCK_EX : LOCK_SH) != 0) {
            if (errno != EINTR)
                return svct_store_fail(st, SVCT_STORE_EIO, "cannot lock token store %s: %s: %s",
                                       st->path, lockpath, strerror(errno));
        }
        if (fstat(fd, &fdst) == 0 && stat(lockpath, &pathst) == 0 && fdst.st_dev == pathst.st_dev &&
            fdst.st_ino == pathst.st_ino)
            return SVCT_STORE_OK;
        svct_store_lock_cleanup(st);
    }
    return svct_store_fail(st, SVCT_STORE_EIO, "cannot lock token store %s: %s keeps changing",
                           st->path, lockpath);
}

/* Finishes or drops a change that a writer left when it died (store_file.h):
 * a reader takes the exclusive lock for it, so it never reads half of an
 * SDBM change. */
svct_store_rc_t svct_store_finish(svct_store_t *st)
{
    char err[512];
    int done = 0, rc;

    if (st->lockfd < 0)
        return svct_store_fail(st, SVCT_STORE_EIO,
                               "token store %s: an interrupted change must be finished: run "
                               "svctoken check",
                               st->path);
    if (!st->writer && flock(st->lockfd, LOCK_EX) != 0)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot lock token store %s: %s", st->path,
                               strerror(errno));
    rc = svct_store_files_recover(&st->files, &done, err, sizeof err);
    if (!st->writer && flock(st->lockfd, LOCK_SH) != 0 && rc == 0)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot lock token store %s: %s", st->path,
                               strerror(errno));
    if (rc != 0)
        return svct_store_fail(st, SVCT_STORE_EIO,
                               "token store %s: an interrupted change could not be finished: "
                               "%s (run svctoken check as the store's owner)",
                               st->path, err);
    return SVCT_STORE_OK;
}
