/*
 * The token store on top of APR DBM, with its lock file.
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
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_dbm.h>
#include <apr_strings.h>

#include "clock.h"
#include "decimal.h"
#include "store.h"
#include "store_dbm.h"
#include "store_sql.h"

const char *svct_store_type_name(const char *dbmtype)
{
    static const char *const types[] = {"default", "SDBM", "GDBM", "DB"};
    size_t i;

    if (dbmtype == NULL)
        return "default";
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(dbmtype, types[i]) == 0)
            return types[i];
    return NULL;
}

static apr_status_t svct_store_lock_cleanup(void *data)
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

static apr_status_t svct_store_dbm_cleanup(void *data)
{
    svct_store_t *st = data;

    /* A pre-cleanup: it runs before the DBM's pool and its own cleanups go,
     * and before the lock is released, so writers flush first. */
    if (st->dbm != NULL) {
        apr_dbm_close(st->dbm);
        st->dbm = NULL;
    }
    /* A change that was not committed is dropped whole. */
    if (st->on_copy) {
        svct_store_files_discard(&st->files);
        st->on_copy = 0;
    }
    return APR_SUCCESS;
}

svct_store_rc_t svct_store_fail(svct_store_t *st, svct_store_rc_t rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    st->error = apr_pvsprintf(st->pool, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *svct_dbm_error(svct_store_t *st, apr_status_t rv)
{
    char buf[256];
    int code = 0;

    buf[0] = '\0';
    if (st->dbm != NULL) {
        apr_dbm_geterror(st->dbm, &code, buf, sizeof(buf));
        if (buf[0] != '\0')
            return apr_pstrdup(st->pool, buf);
    }
    return apr_pstrdup(st->pool, apr_strerror(rv, buf, sizeof(buf)));
}

/* A read that fails: APR's SDBM reports a page whose layout does not check
 * as APR_ENOSPC, which no read can mean. */
static const char *svct_dbm_read_error(svct_store_t *st, apr_status_t rv)
{
    if (rv == APR_ENOSPC)
        return "a page of the file is damaged (svctoken check tells more)";
    return svct_dbm_error(st, rv);
}

/* Opens and locks "<path>.lock". A writer creates it; a reader of a store
 * made without svctoken finds none and reads unlocked. The inode check
 * catches a lock file that was removed and re-created while we waited,
 * which would otherwise let two writers in at once. */
static svct_store_rc_t svct_store_lock(svct_store_t *st)
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
static svct_store_rc_t svct_store_finish(svct_store_t *st)
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

/* Checks one of the DBM's files ourselves, because GDBM and Berkeley DB
 * report a missing or unreadable file with codes APR cannot explain.
 * Sets *EXISTS; fails for anything but a readable (writable) regular file. */
static svct_store_rc_t svct_store_probe(svct_store_t *st, const char *file, int *exists)
{
    struct stat sb;
    int fd, err;

    *exists = 0;
    fd = open(file, (st->writer ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        /* SDBM's files are PATH.dir and PATH.pag, the others' PATH itself:
         * finding the other kind means a -t (AuthDBMType) that does not
         * match the store, not a missing store. */
        if (err == ENOENT && strcmp(file, st->path) != 0 && stat(st->path, &sb) == 0)
            return svct_store_fail(st, SVCT_STORE_EIO,
                                   "cannot open token store %s: not a DBM file of type %s (it "
                                   "is one file: give its DBM type)",
                                   st->path, st->type);
        if (err == ENOENT && strcmp(file, st->path) == 0 &&
            stat(apr_pstrcat(st->pool, st->path, ".pag", NULL), &sb) == 0)
            return svct_store_fail(st, SVCT_STORE_EIO,
                                   "cannot open token store %s: not a DBM file of type %s (%s.pag "
                                   "exists: an SDBM store?)",
                                   st->path, st->type, st->path);
        if (err == ENOENT && st->mode == SVCT_STORE_WRITE)
            return SVCT_STORE_OK;
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot open token store %s: %s", st->path,
                               strerror(err));
    }
    err = fstat(fd, &sb) != 0 ? errno : !S_ISREG(sb.st_mode) ? EISDIR : 0;
    close(fd);
    if (err != 0) {
        if (err == EISDIR)
            return svct_store_fail(st, SVCT_STORE_EIO,
                                   "cannot open token store %s: %s is not a regular file", st->path,
                                   file);
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot open token store %s: %s", st->path,
                               strerror(err));
    }
    *exists = 1;
    return SVCT_STORE_OK;
}

/* One DBM fetch, copied into OUT (CAP bytes) before the next DBM call can
 * reuse the DBM's buffer. */
static svct_store_rc_t svct_store_fetch(svct_store_t *st, const char *key, size_t klen, char *out,
                                        size_t cap, size_t *outlen)
{
    apr_datum_t k, v;
    apr_status_t rv;

    if (st->dbm == NULL)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is unusable after an error",
                               st->path);
    k.dptr = (char *)key;
    k.dsize = klen;
    v.dptr = NULL;
    v.dsize = 0;
    rv = apr_dbm_fetch(st->dbm, k, &v);
    if (rv != APR_SUCCESS)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot read token store %s: %s", st->path,
                               svct_dbm_read_error(st, rv));
    if (v.dptr == NULL)
        return SVCT_STORE_NOTFOUND;
    if (v.dsize > cap) {
        apr_dbm_freedatum(st->dbm, v);
        return svct_store_fail(st, SVCT_STORE_CORRUPT, "token store %s: value of %.*s is too long",
                               st->path, (int)(klen > 64 ? 64 : klen), key);
    }
    memcpy(out, v.dptr, v.dsize);
    *outlen = v.dsize;
    apr_dbm_freedatum(st->dbm, v);
    return SVCT_STORE_OK;
}

/* APR's SDBM can set a directory bit far beyond the end of its directory
 * file while it grows the bound it walks by one block only, so later walks
 * in the same handle stop short and writes land on pages that no freshly
 * opened handle looks at: tokens silently vanish once a store holds some
 * 100,000 of them. Opening the file again (we still hold our lock) makes the
 * bound match the file before every write. */
static svct_store_rc_t svct_store_reopen(svct_store_t *st)
{
    char buf[256];
    apr_status_t rv;

    apr_dbm_close(st->dbm);
    st->dbm = NULL;
    apr_pool_clear(st->dbm_pool);
    rv = apr_dbm_open_ex(&st->dbm, st->type, st->files.newpath, APR_DBM_READWRITE, SVCT_STORE_PERMS,
                         st->dbm_pool);
    if (rv != APR_SUCCESS) {
        st->dbm = NULL;
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot reopen token store %s: %s", st->path,
                               apr_strerror(rv, buf, sizeof(buf)));
    }
    return SVCT_STORE_OK;
}

/* Opens the DBM at PATH (the store, or its copy) with HOW. */
static svct_store_rc_t svct_store_dbm_open(svct_store_t *st, const char *path, apr_int32_t how)
{
    char buf[256];
    apr_status_t rv;

    if (st->dbm != NULL)
        apr_dbm_close(st->dbm);
    st->dbm = NULL;
    apr_pool_clear(st->dbm_pool);
    rv = apr_dbm_open_ex(&st->dbm, st->type, path, how, SVCT_STORE_PERMS, st->dbm_pool);
    if (rv == APR_SUCCESS)
        return SVCT_STORE_OK;
    st->dbm = NULL;
    /* GDBM and DB failures arrive as codes without a text. */
    if (rv < APR_OS_START_ERROR)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot open token store %s: %s", st->path,
                               apr_strerror(rv, buf, sizeof(buf)));
    return svct_store_fail(
        st, SVCT_STORE_EIO,
        "cannot open token store %s: not a token store (not a DBM file of type %s)", st->path,
        st->type);
}

/* The first write of a handle moves it to a copy of the store, where every
 * write of the change goes until svct_store_commit (store_file.h). */
static svct_store_rc_t svct_store_begin_change(svct_store_t *st)
{
    char err[512];

    if (st->on_copy)
        return SVCT_STORE_OK;
    if (st->dbm == NULL)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is unusable after an error",
                               st->path);
    apr_dbm_close(st->dbm);
    st->dbm = NULL;
    if (svct_store_files_copy(&st->files, err, sizeof err) != 0)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot write token store %s: %s", st->path,
                               err);
    st->on_copy = 1;
    return svct_store_dbm_open(st, st->files.newpath, APR_DBM_READWRITE);
}

svct_store_rc_t svct_store_put(svct_store_t *st, const char *key, size_t klen, const char *val,
                               size_t vlen)
{
    apr_datum_t k, v;
    apr_status_t rv;

    if (st->dbm == NULL)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is unusable after an error",
                               st->path);
    if (svct_store_begin_change(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
    k.dptr = (char *)key;
    k.dsize = klen;
    v.dptr = (char *)val;
    v.dsize = vlen;
    rv = apr_dbm_store(st->dbm, k, v);
    if (rv != APR_SUCCESS)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot write token store %s: %s", st->path,
                               svct_dbm_error(st, rv));
    return st->reopen_after_write ? svct_store_reopen(st) : SVCT_STORE_OK;
}

svct_store_rc_t svct_store_del(svct_store_t *st, const char *key, size_t klen)
{
    apr_datum_t k;
    apr_status_t rv;

    if (st->dbm == NULL)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is unusable after an error",
                               st->path);
    if (svct_store_begin_change(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
    k.dptr = (char *)key;
    k.dsize = klen;
    rv = apr_dbm_delete(st->dbm, k);
    if (rv != APR_SUCCESS)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot write token store %s: %s", st->path,
                               svct_dbm_error(st, rv));
    return st->reopen_after_write ? svct_store_reopen(st) : SVCT_STORE_OK;
}

size_t svct_store_key(char *buf, const char *prefix, const char *s, size_t len)
{
    size_t plen = strlen(prefix);

    memcpy(buf, prefix, plen);
    memcpy(buf + plen, s, len);
    return plen + len;
}

static svct_store_rc_t svct_store_check_format(svct_store_t *st)
{
    char val[16];
    size_t len = 0;
    svct_store_rc_t rc;

    rc = svct_store_fetch(st, SVCT_KEY_FORMAT, strlen(SVCT_KEY_FORMAT), val, sizeof(val), &len);
    /* An empty file, or a DBM some other program made, is not taken for a
     * store without tokens: that would answer "unknown client id" for a
     * store that was lost or misconfigured. */
    if (rc == SVCT_STORE_NOTFOUND)
        return svct_store_fail(st, SVCT_STORE_EIO,
                               "cannot open token store %s: not a token store (no format "
                               "marker)",
                               st->path);
    if (rc == SVCT_STORE_CORRUPT ||
        (rc == SVCT_STORE_OK &&
         (len != strlen(SVCT_STORE_FORMAT) || memcmp(val, SVCT_STORE_FORMAT, len) != 0)))
        return svct_store_fail(st, SVCT_STORE_EIO,
                               "cannot open token store %s: unsupported store format", st->path);
    return rc;
}

/* Notes which files the path names now, just before the DBM opens it. */
static void svct_store_note_ids(svct_store_t *st)
{
    struct stat sb;
    int i;

    st->nids = 0;
    for (i = 0; i < st->files.nfiles; i++) {
        if (stat(st->files.file[i], &sb) != 0)
            return;
        st->dev[i] = (uint64_t)sb.st_dev;
        st->ino[i] = (uint64_t)sb.st_ino;
    }
    st->nids = st->files.nfiles;
}

int svct_store_file_ids(const svct_store_t *st, uint64_t dev[2], uint64_t ino[2])
{
    int i;

    if (st == NULL || st->nids == 0 || st->on_copy)
        return 0;
    for (i = 0; i < st->nids; i++) {
        dev[i] = st->dev[i];
        ino[i] = st->ino[i];
    }
    return st->nids;
}

svct_store_rc_t svct_store_open(svct_store_t **stp, const char *path, const char *dbmtype,
                                svct_store_mode_t mode, apr_pool_t *p, const char **err)
{
    apr_pool_t *sp;
    svct_store_t *st;
    const char *type = svct_store_type_name(dbmtype), *used1 = NULL, *used2 = NULL;
    int exists1 = 0, exists2 = 0;
    svct_store_rc_t rc;

    *stp = NULL;
    if (err != NULL)
        *err = NULL;
    if (path == NULL || *path == '\0') {
        if (err != NULL)
            *err = "no token store given";
        return SVCT_STORE_EIO;
    }
    if (mode == SVCT_STORE_INIT)
        mode = SVCT_STORE_WRITE;
    if (type == NULL) {
        if (err != NULL)
            *err = apr_psprintf(p,
                                "cannot open token store %s: unknown DBM type '%s' (use "
                                "default, SDBM, GDBM or DB)",
                                path, dbmtype);
        return SVCT_STORE_EIO;
    }
    if (apr_pool_create(&sp, p) != APR_SUCCESS) {
        if (err != NULL)
            *err = apr_psprintf(p, "cannot open token store %s: out of memory", path);
        return SVCT_STORE_EIO;
    }
    st = apr_pcalloc(sp, sizeof(*st));
    st->pool = sp;
    st->type = type;
    st->lockfd = -1;
    st->mode = mode;
    st->writer = mode != SVCT_STORE_READ;
    st->path = apr_pstrdup(sp, path);
    st->error = "";
    apr_pool_cleanup_register(sp, st, svct_store_lock_cleanup, apr_pool_cleanup_null);
    apr_pool_pre_cleanup_register(sp, st, svct_store_dbm_cleanup);

    rc = SVCT_STORE_OK;
    if (apr_pool_create(&st->dbm_pool, sp) != APR_SUCCESS)
        rc = svct_store_fail(st, SVCT_STORE_EIO, "cannot open token store %s: out of memory", path);
    if (mode != SVCT_STORE_READ && mode != SVCT_STORE_WRITE && mode != SVCT_STORE_MODIFY)
        rc = svct_store_fail(st, SVCT_STORE_EIO, "cannot open token store %s: bad open mode", path);
    if (rc == SVCT_STORE_OK &&
        apr_dbm_get_usednames_ex(sp, type, path, &used1, &used2) != APR_SUCCESS)
        rc =
            svct_store_fail(st, SVCT_STORE_EIO,
                            "cannot open token store %s: DBM type %s is not available", path, type);
    st->used1 = used1;
    /* Only SDBM keeps two files (.dir and .pag) among the types we accept. */
    st->reopen_after_write = st->writer && used2 != NULL;
    if (rc == SVCT_STORE_OK) {
        svct_store_files_init(&st->files, sp, st->path, used1, used2);
        rc = svct_store_lock(st);
    }
    if (rc == SVCT_STORE_OK && (st->writer || svct_store_files_pending(&st->files)))
        rc = svct_store_finish(st);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_probe(st, used1, &exists1);
    if (rc == SVCT_STORE_OK && used2 != NULL)
        rc = svct_store_probe(st, used2, &exists2);
    if (rc == SVCT_STORE_OK && st->writer && !exists1 && !exists2) {
        /* A new store is made beside its path too, and appears with its
         * format marker, whole, at svct_store_commit. */
        st->on_copy = 1;
        rc = svct_store_dbm_open(st, st->files.newpath, APR_DBM_RWCREATE);
        if (rc == SVCT_STORE_OK)
            rc = svct_store_put(st, SVCT_KEY_FORMAT, strlen(SVCT_KEY_FORMAT), SVCT_STORE_FORMAT,
                                strlen(SVCT_STORE_FORMAT));
    } else if (rc == SVCT_STORE_OK) {
        svct_store_note_ids(st);
        rc = svct_store_dbm_open(st, path, APR_DBM_READONLY);
        if (rc == SVCT_STORE_OK)
            rc = svct_store_check_format(st);
    }
    if (rc != SVCT_STORE_OK) {
        if (err != NULL)
            *err = apr_pstrdup(p, st->error);
        apr_pool_destroy(sp);
        return SVCT_STORE_EIO;
    }
    *stp = st;
    return SVCT_STORE_OK;
}

/* ---- the SQL store: every call of a handle with SQL goes to store_sql.c ---- */

static svct_store_rc_t svct_store_sql_rc(svct_store_t *st, svct_sql_rc_t rc)
{
    switch (rc) {
    case SVCT_SQL_OK:
        return SVCT_STORE_OK;
    case SVCT_SQL_NOTFOUND:
        return SVCT_STORE_NOTFOUND;
    case SVCT_SQL_EXISTS:
        return SVCT_STORE_EXISTS;
    case SVCT_SQL_CORRUPT:
        return SVCT_STORE_CORRUPT;
    case SVCT_SQL_EIO:
        break;
    }
    return SVCT_STORE_EIO;
}

svct_store_rc_t svct_store_open_dbd(svct_store_t **stp, const char *spec, svct_store_mode_t mode,
                                    apr_pool_t *p, const char **err)
{
    apr_pool_t *sp;
    svct_store_t *st;
    const char *msg = NULL;

    *stp = NULL;
    if (apr_pool_create(&sp, p) != APR_SUCCESS) {
        if (err != NULL)
            *err = "out of memory";
        return SVCT_STORE_EIO;
    }
    st = apr_pcalloc(sp, sizeof(*st));
    st->pool = sp;
    st->lockfd = -1;
    st->mode = mode;
    st->writer = mode != SVCT_STORE_READ;
    st->path = "";
    st->error = "";
    if (svct_sql_open(&st->sql, spec, st->writer, mode == SVCT_STORE_INIT, sp, &msg) !=
        SVCT_SQL_OK) {
        if (err != NULL)
            *err = apr_pstrdup(p, msg);
        apr_pool_destroy(sp);
        return SVCT_STORE_EIO;
    }
    *stp = st;
    return SVCT_STORE_OK;
}

svct_store_rc_t svct_store_commit(svct_store_t *st)
{
    char err[512];
    int rc;

    if (st == NULL)
        return SVCT_STORE_EIO;
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_commit(st->sql));
    if (!st->on_copy)
        return st->dbm != NULL
                   ? SVCT_STORE_OK
                   : svct_store_fail(st, SVCT_STORE_EIO,
                                     "token store %s is unusable after an error", st->path);
    if (st->dbm == NULL)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is unusable after an error",
                               st->path);
    /* Closing flushes what the DBM library still holds. */
    apr_dbm_close(st->dbm);
    st->dbm = NULL;
    st->on_copy = 0;
    rc = svct_store_files_commit(&st->files, err, sizeof err);
    if (rc == 0) {
        st->changed = 1;
        return svct_store_dbm_open(st, st->path, APR_DBM_READONLY);
    }
    if (rc > 0) {
        st->changed = 1;
        return svct_store_fail(st, SVCT_STORE_EIO,
                               "token store %s: the change is made, but %s (run svctoken check)",
                               st->path, err);
    }
    return svct_store_fail(st, SVCT_STORE_EIO, "cannot write token store %s: %s: nothing changed",
                           st->path, err);
}

void svct_store_close(svct_store_t *st)
{
    if (st != NULL)
        apr_pool_destroy(st->pool);
}

const char *svct_store_error(const svct_store_t *st)
{
    if (st != NULL && st->sql != NULL && (st->error == NULL || *st->error == '\0'))
        return svct_sql_error(st->sql);
    return st != NULL && st->error != NULL ? st->error : "";
}

svct_store_rc_t svct_store_get_by_id(svct_store_t *st, const char *client_id, svct_record_t *rec)
{
    char key[SVCT_KEY_MAX], val[SVCT_RECORD_MAX];
    size_t idlen, klen, vlen = 0;
    svct_record_t r;
    svct_store_rc_t rc;
    if (st != NULL && st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_get(st->sql, 0, client_id, rec));

    if (st == NULL || client_id == NULL || rec == NULL)
        return SVCT_STORE_NOTFOUND;
    /* Only a well-formed id can be a key, so hostile input costs no lookup. */
    idlen = strnlen(client_id, SVCT_CLIENT_ID_LEN + 1);
    if (!svct_client_id_valid(client_id, idlen))
        return SVCT_STORE_NOTFOUND;
    klen = svct_store_key(key, SVCT_KEY_ID, client_id, idlen);
    rc = svct_store_fetch(st, key, klen, val, sizeof(val), &vlen);
    if (rc != SVCT_STORE_OK)
        return rc;
    if (svct_record_decode(val, vlen, &r) != 0 || strcmp(r.client_id, client_id) != 0)
        return svct_store_fail(st, SVCT_STORE_CORRUPT,
                               "token store %s: the record of %s does not parse", st->path,
                               client_id);
    *rec = r;
    return SVCT_STORE_OK;
}

/* The Client ID that "name:NAME" points to, into ID (SVCT_CLIENT_ID_LEN+1). */
svct_store_rc_t svct_store_name_target(svct_store_t *st, const char *name, size_t namelen, char *id)
{
    char key[SVCT_KEY_MAX];
    size_t klen, vlen = 0;
    svct_store_rc_t rc;

    klen = svct_store_key(key, SVCT_KEY_NAME, name, namelen);
    rc = svct_store_fetch(st, key, klen, id, SVCT_CLIENT_ID_LEN, &vlen);
    if (rc == SVCT_STORE_CORRUPT || (rc == SVCT_STORE_OK && !svct_client_id_valid(id, vlen)))
        return svct_store_fail(st, SVCT_STORE_CORRUPT,
                               "token store %s: the index entry of a name does not parse",
                               st->path);
    if (rc == SVCT_STORE_OK)
        id[vlen] = '\0';
    return rc;
}

svct_store_rc_t svct_store_get_by_name(svct_store_t *st, const char *name, svct_record_t *rec)
{
    char id[SVCT_CLIENT_ID_LEN + 1];
    size_t namelen;
    svct_record_t r;
    svct_store_rc_t rc;
    if (st != NULL && st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_get(st->sql, 1, name, rec));

    if (st == NULL || name == NULL || rec == NULL)
        return SVCT_STORE_NOTFOUND;
    namelen = strnlen(name, SVCT_NAME_MAX_BYTES + 1);
    if (!svct_name_valid(name, namelen))
        return SVCT_STORE_NOTFOUND;
    rc = svct_store_name_target(st, name, namelen, id);
    if (rc != SVCT_STORE_OK)
        return rc;
    /* NOTFOUND here is an index entry left by an interrupted delete: the
     * token is gone, and insert reuses the name. */
    rc = svct_store_get_by_id(st, id, &r);
    if (rc != SVCT_STORE_OK)
        return rc;
    if (strcmp(r.name, name) != 0)
        return svct_store_fail(st, SVCT_STORE_CORRUPT,
                               "token store %s: name index and record of %s disagree", st->path,
                               id);
    *rec = r;
    return SVCT_STORE_OK;
}

svct_store_rc_t svct_store_find(svct_store_t *st, const char *key, svct_record_t *rec)
{
    if (key != NULL && svct_client_id_valid(key, strnlen(key, SVCT_CLIENT_ID_LEN + 1)))
        return svct_store_get_by_id(st, key, rec);
    return svct_store_get_by_name(st, key, rec);
}

svct_store_rc_t svct_store_writable(svct_store_t *st)
{
    if (!st->writer)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is open read-only", st->path);
    return SVCT_STORE_OK;
}

svct_store_rc_t svct_store_insert(svct_store_t *st, const svct_record_t *rec)
{
    char key[SVCT_KEY_MAX], val[SVCT_RECORD_MAX], id[SVCT_CLIENT_ID_LEN + 1];
    size_t klen, vlen, namelen;
    svct_record_t old;
    svct_store_rc_t rc;
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_insert(st->sql, rec));

    if ((rc = svct_store_writable(st)) != SVCT_STORE_OK)
        return rc;
    vlen = svct_record_encode(rec, val, sizeof(val));
    if (vlen == 0)
        return svct_store_fail(st, SVCT_STORE_CORRUPT, "refusing to store an invalid record");
    rc = svct_store_get_by_id(st, rec->client_id, &old);
    if (rc == SVCT_STORE_OK)
        return svct_store_fail(st, SVCT_STORE_EXISTS, "Client ID %s exists", rec->client_id);
    if (rc != SVCT_STORE_NOTFOUND)
        return rc;
    namelen = strlen(rec->name);
    rc = svct_store_name_target(st, rec->name, namelen, id);
    if (rc == SVCT_STORE_OK) {
        rc = svct_store_get_by_id(st, id, &old);
        if (rc == SVCT_STORE_OK)
            return svct_store_fail(st, SVCT_STORE_EXISTS, "a token named \"%s\" exists", rec->name);
    }
    if (rc != SVCT_STORE_NOTFOUND)
        return rc;
    /* Index first: if we die between the two writes, what is left is a
     * dangling name that the next insert reuses, never a token that works
     * but cannot be found by name. */
    klen = svct_store_key(key, SVCT_KEY_NAME, rec->name, namelen);
    rc = svct_store_put(st, key, klen, rec->client_id, SVCT_CLIENT_ID_LEN);
    if (rc != SVCT_STORE_OK)
        return rc;
    klen = svct_store_key(key, SVCT_KEY_ID, rec->client_id, SVCT_CLIENT_ID_LEN);
    return svct_store_put(st, key, klen, val, vlen);
}

svct_store_rc_t svct_store_update(svct_store_t *st, const svct_record_t *rec)
{
    char key[SVCT_KEY_MAX], val[SVCT_RECORD_MAX];
    size_t klen, vlen;
    svct_record_t old;
    svct_store_rc_t rc;
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_update(st->sql, rec));

    if ((rc = svct_store_writable(st)) != SVCT_STORE_OK)
        return rc;
    vlen = svct_record_encode(rec, val, sizeof(val));
    if (vlen == 0)
        return svct_store_fail(st, SVCT_STORE_CORRUPT, "refusing to store an invalid record");
    rc = svct_store_get_by_id(st, rec->client_id, &old);
    if (rc != SVCT_STORE_OK)
        return rc;
    if (strcmp(old.name, rec->name) != 0)
        return svct_store_fail(st, SVCT_STORE_CORRUPT, "a token cannot be renamed");
    klen = svct_store_key(key, SVCT_KEY_ID, rec->client_id, SVCT_CLIENT_ID_LEN);
    return svct_store_put(st, key, klen, val, vlen);
}

svct_store_rc_t svct_store_delete(svct_store_t *st, const svct_record_t *rec)
{
    char key[SVCT_KEY_MAX], id[SVCT_CLIENT_ID_LEN + 1];
    size_t klen, namelen;
    svct_record_t old;
    svct_store_rc_t rc;
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_delete(st->sql, rec));

    if ((rc = svct_store_writable(st)) != SVCT_STORE_OK)
        return rc;
    rc = svct_store_get_by_id(st, rec->client_id, &old);
    if (rc != SVCT_STORE_OK)
        return rc;
    /* The record first: once it is gone the token no longer works, even if
     * we die before the index entry goes too. */
    klen = svct_store_key(key, SVCT_KEY_ID, old.client_id, SVCT_CLIENT_ID_LEN);
    rc = svct_store_del(st, key, klen);
    if (rc != SVCT_STORE_OK)
        return rc;
    namelen = strlen(old.name);
    rc = svct_store_name_target(st, old.name, namelen, id);
    if (rc == SVCT_STORE_NOTFOUND || (rc == SVCT_STORE_OK && strcmp(id, old.client_id) != 0))
        return SVCT_STORE_OK;
    if (rc != SVCT_STORE_OK)
        return rc;
    klen = svct_store_key(key, SVCT_KEY_NAME, old.name, namelen);
    return svct_store_del(st, key, klen);
}

svct_store_rc_t svct_store_get_revoked_before(svct_store_t *st, int64_t *when)
{
    char val[24];
    size_t len = 0;
    int64_t v = 0;
    svct_store_rc_t rc;
    if (st->sql != NULL) {
        svct_sql_state_t state;
        rc = svct_store_sql_rc(st, svct_sql_get_state(st->sql, &state));
        if (rc == SVCT_STORE_OK)
            *when = state.revoked_before;
        return rc;
    }

    rc = svct_store_fetch(st, SVCT_KEY_REVOKED, strlen(SVCT_KEY_REVOKED), val, sizeof(val), &len);
    if (rc == SVCT_STORE_NOTFOUND) {
        *when = 0;
        return SVCT_STORE_OK;
    }
    if (rc == SVCT_STORE_OK) {
        /* Fails closed: a value that does not parse refuses every session
         * rather than none. */
        if (svct_decimal_parse(val, len, SVCT_TIME_MAX + 1, &v) != 0)
            rc = SVCT_STORE_CORRUPT;
    }
    if (rc == SVCT_STORE_CORRUPT)
        return svct_store_fail(st, rc, "token store %s: %s does not parse", st->path,
                               SVCT_KEY_REVOKED);
    if (rc == SVCT_STORE_OK)
        *when = v;
    return rc;
}

svct_store_rc_t svct_store_set_revoked_before(svct_store_t *st, int64_t when)
{
    char val[24];
    svct_store_rc_t rc;
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_set_revoked_before(st->sql, when));

    if ((rc = svct_store_writable(st)) != SVCT_STORE_OK)
        return rc;
    if (when < 0 || when > SVCT_TIME_MAX + 1)
        return svct_store_fail(st, SVCT_STORE_CORRUPT, "revocation time out of range");
    apr_snprintf(val, sizeof(val), "%" APR_INT64_T_FMT, (apr_int64_t)when);
    return svct_store_put(st, SVCT_KEY_REVOKED, strlen(SVCT_KEY_REVOKED), val, strlen(val));
}

svct_store_rc_t svct_store_foreach(svct_store_t *st, svct_store_visit_fn fn, void *baton,
                                   int *fn_rc)
{
    apr_datum_t key, prev;
    apr_status_t rv;
    svct_store_rc_t rc = SVCT_STORE_OK;
    size_t plen = strlen(SVCT_KEY_ID);
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_foreach(st->sql, fn, baton, fn_rc));

    if (fn_rc != NULL)
        *fn_rc = 0;
    if (st->dbm == NULL)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is unusable after an error",
                               st->path);
    key.dptr = NULL;
    key.dsize = 0;
    rv = apr_dbm_firstkey(st->dbm, &key);
    while (rv == APR_SUCCESS && key.dptr != NULL) {
        if (key.dsize == plen + SVCT_CLIENT_ID_LEN && memcmp(key.dptr, SVCT_KEY_ID, plen) == 0) {
            char id[SVCT_CLIENT_ID_LEN + 1];
            svct_record_t rec;
            int r;

            /* Fetching the key just returned keeps SDBM's iteration intact:
             * the key lives on the page the iterator has loaded. */
            memcpy(id, key.dptr + plen, SVCT_CLIENT_ID_LEN);
            id[SVCT_CLIENT_ID_LEN] = '\0';
            rc = svct_store_get_by_id(st, id, &rec);
            if (rc == SVCT_STORE_NOTFOUND)
                rc = svct_store_fail(st, SVCT_STORE_CORRUPT, "token store %s: malformed key for %s",
                                     st->path, id);
            if (rc != SVCT_STORE_OK)
                break;
            r = fn(baton, &rec);
            if (r != 0) {
                if (fn_rc != NULL)
                    *fn_rc = r;
                break;
            }
        }
        prev = key;
        rv = apr_dbm_nextkey(st->dbm, &key);
        apr_dbm_freedatum(st->dbm, prev);
    }
    if (key.dptr != NULL)
        apr_dbm_freedatum(st->dbm, key);
    if (rc == SVCT_STORE_OK && rv != APR_SUCCESS)
        rc = svct_store_fail(st, SVCT_STORE_EIO, "cannot read token store %s: %s", st->path,
                             svct_dbm_read_error(st, rv));
    return rc;
}
