/*
 * The start-up warning of tokens that expire soon (expiry.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "expiry.h"
#include "store.h"

typedef struct svct_expiry_store {
    const char *path, *dbmtype; /* a DBM store */
    const char *spec;           /* or a SQL store: "DRIVER:PARAMS" */
    const char *file;           /* SQLite's database file, which it would create */
    const char *shown;          /* the store as a log line names it */
} svct_expiry_store_t;

struct svct_expiry {
    apr_pool_t *pool;
    apr_array_header_t *stores; /* of svct_expiry_store_t */
    apr_hash_t *seen;           /* what was added, so that each store is read once */
};

svct_expiry_t *svct_expiry_make(apr_pool_t *p)
{
    svct_expiry_t *x = apr_pcalloc(p, sizeof(*x));

    x->pool = p;
    x->stores = apr_array_make(p, 4, sizeof(svct_expiry_store_t));
    x->seen = apr_hash_make(p);
    return x;
}

/* 1 (and KEY remembered) the first time KEY is seen. */
static int svct_expiry_first(svct_expiry_t *x, const char *key)
{
    if (apr_hash_get(x->seen, key, APR_HASH_KEY_STRING) != NULL)
        return 0;
    apr_hash_set(x->seen, key, APR_HASH_KEY_STRING, "");
    return 1;
}

void svct_expiry_add_dbm(svct_expiry_t *x, const char *path, const char *dbmtype)
{
    svct_expiry_store_t *st;

    if (!svct_expiry_first(x, apr_pstrcat(x->pool, "dbm:", path, NULL)))
        return;
    st = apr_array_push(x->stores);
    memset(st, 0, sizeof(*st));
    st->path = apr_pstrdup(x->pool, path);
    st->dbmtype = dbmtype ? apr_pstrdup(x->pool, dbmtype) : NULL;
    st->shown = apr_pstrcat(x->pool, "token store ", st->path, NULL);
}

void svct_expiry_add_dbd(svct_expiry_t *x, const char *driver, const char *params)
{
    svct_expiry_store_t *st;
    const char *spec = apr_pstrcat(x->pool, driver, ":", params, NULL);

    if (!svct_expiry_first(x, apr_pstrcat(x->pool, "dbd:", spec, NULL)))
        return;
    st = apr_array_push(x->stores);
    memset(st, 0, sizeof(*st));
    /* libpq takes the last of a parameter given twice, so a connect_timeout
     * in DBDParams wins over ours. */
    if (strcmp(driver, "pgsql") == 0)
        spec = apr_psprintf(x->pool, "pgsql:connect_timeout=%d %s", SVCT_EXPIRY_CONNECT_TIMEOUT,
                            params);
    /* Opening a SQLite file that is not there would make an empty one,
     * owned by whoever runs httpd's parent. */
    if (strcmp(driver, "sqlite3") == 0)
        st->file = apr_pstrdup(x->pool, params);
    st->spec = spec;
    st->shown = apr_psprintf(x->pool, "the token database (%s)", driver);
}

typedef struct svct_expiry_visit {
    const char *store;
    svct_expiry_token_fn token;
    void *baton;
} svct_expiry_visit_t;

static int svct_expiry_visit(void *baton, const svct_record_t *rec)
{
    const svct_expiry_visit_t *v = baton;

    v->token(v->baton, v->store, rec);
    return 0;
}

void svct_expiry_run(svct_expiry_t *x, int64_t now, int64_t within, svct_expiry_token_fn token,
                     svct_expiry_fail_fn fail, void *baton)
{
    int i;

    for (i = 0; i < x->stores->nelts; i++) {
        const svct_expiry_store_t *s = &APR_ARRAY_IDX(x->stores, i, svct_expiry_store_t);
        svct_expiry_visit_t v = {s->shown, token, baton};
        const char *why = NULL;
        svct_store_t *st = NULL;
        svct_store_rc_t rc;
        apr_pool_t *p;

        if (apr_pool_create(&p, x->pool) != APR_SUCCESS) {
            fail(baton, s->shown, s->spec != NULL, "out of memory");
            continue;
        }
        if (s->file != NULL && access(s->file, F_OK) != 0) {
            fail(baton, s->shown, 1, apr_psprintf(p, "%s: %s", s->file, strerror(errno)));
            apr_pool_destroy(p);
            continue;
        }
        rc = s->spec ? svct_store_open_dbd(&st, s->spec, SVCT_STORE_READ, p, &why)
                     : svct_store_open(&st, s->path, s->dbmtype, SVCT_STORE_READ, p, &why);
        if (rc == SVCT_STORE_OK) {
            rc = svct_store_foreach_expiring(st, now + within, svct_expiry_visit, &v, NULL);
            if (rc != SVCT_STORE_OK)
                why = apr_pstrdup(p, svct_store_error(st));
            svct_store_close(st);
        }
        if (rc != SVCT_STORE_OK)
            fail(baton, s->shown, s->spec != NULL, why && *why ? why : "cannot read it");
        apr_pool_destroy(p);
    }
}
