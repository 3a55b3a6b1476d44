/*
 * A token store handle (store.h): opening a DBM store (its type, its files,
 * its format marker) or a SQL one, committing a change and closing. The
 * lock is store_lock.c's, the DBM calls store_dbm.c's, and the tokens'
 * records store_record.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_dbm.h>
#include <apr_strings.h>

#include "store.h"
#include "store_dbm.h"
#include "store_lock.h"
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

svct_store_rc_t svct_store_sql_rc(svct_store_t *st, svct_sql_rc_t rc)
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
    if (svct_store_usable(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
    if (!st->on_copy)
        return SVCT_STORE_OK;
    /* Closing flushes what the DBM library still holds; what it could not
     * write shows when the copy is read back. */
    if (svct_store_dbm_verify(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
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
