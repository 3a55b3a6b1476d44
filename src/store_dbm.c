/*
 * The DBM calls of a token store handle (store_dbm.h): one key read,
 * written or removed, the copy of the store a change is written to, and
 * the DBM's errors made into one line.
 */
#include <string.h>

#include <apr_dbm.h>
#include <apr_strings.h>

#include "store_dbm.h"

apr_status_t svct_store_dbm_cleanup(void *data)
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
const char *svct_dbm_read_error(svct_store_t *st, apr_status_t rv)
{
    if (rv == APR_ENOSPC)
        return "a page of the file is damaged (svctoken check tells more)";
    return svct_dbm_error(st, rv);
}

svct_store_rc_t svct_store_usable(svct_store_t *st)
{
    if (st->dbm == NULL)
        return svct_store_fail(st, SVCT_STORE_EIO, "token store %s is unusable after an error",
                               st->path);
    return SVCT_STORE_OK;
}

/* One DBM fetch, copied into OUT (CAP bytes) before the next DBM call can
 * reuse the DBM's buffer. */
svct_store_rc_t svct_store_fetch(svct_store_t *st, const char *key, size_t klen, char *out,
                                 size_t cap, size_t *outlen)
{
    apr_datum_t k, v;
    apr_status_t rv;

    if (svct_store_usable(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
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

/* Closes the handle, if any, and opens the DBM at PATH with HOW. */
static apr_status_t svct_store_dbm_reopen_at(svct_store_t *st, const char *path, apr_int32_t how)
{
    apr_status_t rv;

    if (st->dbm != NULL)
        apr_dbm_close(st->dbm);
    st->dbm = NULL;
    apr_pool_clear(st->dbm_pool);
    rv = apr_dbm_open_ex(&st->dbm, st->type, path, how, SVCT_STORE_PERMS, st->dbm_pool);
    if (rv != APR_SUCCESS)
        st->dbm = NULL;
    return rv;
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
    apr_status_t rv = svct_store_dbm_reopen_at(st, st->files.newpath, APR_DBM_READWRITE);

    if (rv != APR_SUCCESS) {
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot reopen token store %s: %s", st->path,
                               apr_strerror(rv, buf, sizeof(buf)));
    }
    return SVCT_STORE_OK;
}

/* Opens the DBM at PATH (the store, or its copy) with HOW. */
svct_store_rc_t svct_store_dbm_open(svct_store_t *st, const char *path, apr_int32_t how)
{
    char buf[256];
    apr_status_t rv = svct_store_dbm_reopen_at(st, path, how);

    if (rv == APR_SUCCESS)
        return SVCT_STORE_OK;
    /* GDBM and DB failures arrive as codes without a text. */
    if (rv < APR_OS_START_ERROR)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot open token store %s: %s", st->path,
                               apr_strerror(rv, buf, sizeof(buf)));
    return svct_store_fail(
        st, SVCT_STORE_EIO,
        "cannot open token store %s: not a token store (not a DBM file of type %s)", st->path,
        st->type);
}

/* One key's last write in a change: its value, or removed. */
typedef struct {
    const char *val; /* NULL: removed */
    apr_size_t len;
} svct_store_written_t;

/* How many keys the open DBM holds, into *N; -1 when it cannot be read. */
static int svct_store_count(svct_store_t *st, long *n)
{
    apr_datum_t k;

    *n = 0;
    if (apr_dbm_firstkey(st->dbm, &k) != APR_SUCCESS)
        return -1;
    while (k.dptr != NULL) {
        (*n)++;
        if (apr_dbm_nextkey(st->dbm, &k) != APR_SUCCESS)
            return -1;
    }
    return 0;
}

/* 0 when every key the change wrote reads back as written (or is gone,
 * if removed) and the copy holds as many keys as it should. */
static int svct_store_reads_back(svct_store_t *st)
{
    apr_hash_index_t *hi;
    long n;

    for (hi = apr_hash_first(st->pool, st->written); hi != NULL; hi = apr_hash_next(hi)) {
        const void *key;
        apr_ssize_t klen;
        void *wv;
        const svct_store_written_t *w;
        apr_datum_t k, v;

        apr_hash_this(hi, &key, &klen, &wv);
        w = wv;
        k.dptr = (char *)key;
        k.dsize = (apr_size_t)klen;
        v.dptr = NULL;
        v.dsize = 0;
        if (apr_dbm_fetch(st->dbm, k, &v) != APR_SUCCESS)
            return -1;
        if (w->val == NULL
                ? v.dptr != NULL
                : v.dptr == NULL || v.dsize != w->len || memcmp(v.dptr, w->val, w->len) != 0)
            return -1;
    }
    return svct_store_count(st, &n) == 0 && n == st->nkeys ? 0 : -1;
}

svct_store_rc_t svct_store_dbm_verify(svct_store_t *st)
{
    char buf[256];
    apr_status_t rv = svct_store_dbm_reopen_at(st, st->files.newpath, APR_DBM_READONLY);

    if (rv == APR_SUCCESS && svct_store_reads_back(st) == 0)
        return SVCT_STORE_OK;
    if (rv == APR_SUCCESS)
        apr_dbm_close(st->dbm);
    st->dbm = NULL;
    svct_store_files_discard(&st->files);
    st->on_copy = 0;
    return svct_store_fail(st, SVCT_STORE_EIO, "cannot write token store %s: %s: nothing changed",
                           st->path,
                           rv != APR_SUCCESS ? apr_strerror(rv, buf, sizeof(buf))
                                             : "the new copy does not read back as written "
                                               "(is the disk full?)");
}

/* The first write of a handle moves it to a copy of the store, where every
 * write of the change goes until svct_store_commit (store_file.h). */
static svct_store_rc_t svct_store_begin_change(svct_store_t *st)
{
    char err[512];

    if (st->on_copy)
        return SVCT_STORE_OK;
    if (svct_store_usable(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
    apr_dbm_close(st->dbm);
    st->dbm = NULL;
    if (svct_store_files_copy(&st->files, err, sizeof err) != 0)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot write token store %s: %s", st->path,
                               err);
    st->on_copy = 1;
    if (svct_store_dbm_open(st, st->files.newpath, APR_DBM_READWRITE) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
    if (svct_store_count(st, &st->nkeys) != 0)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot read token store %s: %s", st->path,
                               svct_dbm_error(st, APR_EGENERAL));
    return SVCT_STORE_OK;
}

/* One key written (VAL, VLEN) or removed (VAL NULL), in the copy of the
 * store. */
static svct_store_rc_t svct_store_write(svct_store_t *st, const char *key, size_t klen,
                                        const char *val, size_t vlen)
{
    apr_datum_t k, v;
    apr_status_t rv;
    svct_store_rc_t rc;
    svct_store_written_t *w;
    int existed;

    if ((rc = svct_store_usable(st)) != SVCT_STORE_OK ||
        (rc = svct_store_begin_change(st)) != SVCT_STORE_OK)
        return rc;
    k.dptr = (char *)key;
    k.dsize = klen;
    v.dptr = (char *)val;
    v.dsize = vlen;
    existed = apr_dbm_exists(st->dbm, k);
    rv = val != NULL ? apr_dbm_store(st->dbm, k, v) : apr_dbm_delete(st->dbm, k);
    if (rv != APR_SUCCESS)
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot write token store %s: %s", st->path,
                               svct_dbm_error(st, rv));
    st->nkeys += (val != NULL) - existed;
    if (st->written == NULL)
        st->written = apr_hash_make(st->pool);
    w = apr_palloc(st->pool, sizeof(*w));
    w->val = val != NULL ? apr_pmemdup(st->pool, val, vlen) : NULL;
    w->len = vlen;
    apr_hash_set(st->written, apr_pmemdup(st->pool, key, klen), (apr_ssize_t)klen, w);
    return st->reopen_after_write ? svct_store_reopen(st) : SVCT_STORE_OK;
}

svct_store_rc_t svct_store_put(svct_store_t *st, const char *key, size_t klen, const char *val,
                               size_t vlen)
{
    return svct_store_write(st, key, klen, val, vlen);
}

svct_store_rc_t svct_store_del(svct_store_t *st, const char *key, size_t klen)
{
    return svct_store_write(st, key, klen, NULL, 0);
}

size_t svct_store_key(char *buf, const char *prefix, const char *s, size_t len)
{
    size_t plen = strlen(prefix);

    memcpy(buf, prefix, plen);
    memcpy(buf + plen, s, len);
    return plen + len;
}
