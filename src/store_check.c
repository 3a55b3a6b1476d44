/*
 * svct_store_verify (store.h): a walk over every key of a DBM store, each
 * checked against the rest through the store's own lookups.
 */
#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>

#include "store_dbm.h"

/* One entry of the store that verify found wrong, reported through FN. */
static void svct_store_problem(svct_store_t *st, svct_store_problem_fn fn, void *baton,
                               long *problems, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void svct_store_problem(svct_store_t *st, svct_store_problem_fn fn, void *baton,
                               long *problems, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = apr_pvsprintf(st->pool, fmt, ap);
    va_end(ap);
    (*problems)++;
    if (fn != NULL)
        fn(baton, text);
}

/* Checks the key K (of KLEN bytes) against the rest of the store, looked up
 * through ST's own handle; with REPAIR, adds or removes name entries. */
static svct_store_rc_t svct_store_verify_key(svct_store_t *st, const char *k, size_t klen,
                                             int repair, svct_store_problem_fn fn, void *baton,
                                             svct_store_verify_t *v)
{
    size_t idp = strlen(SVCT_KEY_ID), namep = strlen(SVCT_KEY_NAME), metap = strlen("meta:");
    char id[SVCT_CLIENT_ID_LEN + 1], key[SVCT_KEY_MAX];
    svct_record_t rec;
    svct_store_rc_t rc;
    int64_t when;

    if (klen == idp + SVCT_CLIENT_ID_LEN && memcmp(k, SVCT_KEY_ID, idp) == 0) {
        memcpy(id, k + idp, SVCT_CLIENT_ID_LEN);
        id[SVCT_CLIENT_ID_LEN] = '\0';
        rc = svct_store_get_by_id(st, id, &rec);
        if (rc == SVCT_STORE_EIO)
            return rc;
        if (rc != SVCT_STORE_OK) {
            svct_store_problem(st, fn, baton, &v->problems, "the record of %s does not parse", id);
            return SVCT_STORE_OK;
        }
        v->tokens++;
        rc = svct_store_name_target(st, rec.name, strlen(rec.name), id);
        if (rc == SVCT_STORE_EIO)
            return rc;
        if (rc == SVCT_STORE_OK && strcmp(id, rec.client_id) == 0)
            return SVCT_STORE_OK;
        svct_store_problem(st, fn, baton, &v->problems, "token %s is missing from the name index",
                           rec.client_id);
        if (!repair)
            return SVCT_STORE_OK;
        v->repaired++;
        return svct_store_put(st, key,
                              svct_store_key(key, SVCT_KEY_NAME, rec.name, strlen(rec.name)),
                              rec.client_id, SVCT_CLIENT_ID_LEN);
    }
    if (klen > namep && klen <= namep + SVCT_NAME_MAX_BYTES &&
        memcmp(k, SVCT_KEY_NAME, namep) == 0) {
        char name[SVCT_NAME_MAX_BYTES + 1];

        memcpy(name, k + namep, klen - namep);
        name[klen - namep] = '\0';
        rc = svct_store_get_by_name(st, name, &rec);
        if (rc == SVCT_STORE_EIO)
            return rc;
        if (rc == SVCT_STORE_OK)
            return SVCT_STORE_OK;
        /* An entry that points to a record that does not parse is that
         * record's problem, reported with it. */
        if (rc == SVCT_STORE_CORRUPT &&
            svct_store_name_target(st, name, klen - namep, id) == SVCT_STORE_OK &&
            svct_store_get_by_id(st, id, &rec) == SVCT_STORE_CORRUPT)
            return SVCT_STORE_OK;
        svct_store_problem(st, fn, baton, &v->problems,
                           "a name index entry (%" APR_SIZE_T_FMT
                           " bytes) points to no token of that name",
                           klen - namep);
        if (!repair)
            return SVCT_STORE_OK;
        v->repaired++;
        return svct_store_del(st, k, klen);
    }
    if (klen == strlen(SVCT_KEY_REVOKED) && memcmp(k, SVCT_KEY_REVOKED, klen) == 0) {
        if (svct_store_get_revoked_before(st, &when) == SVCT_STORE_CORRUPT)
            svct_store_problem(st, fn, baton, &v->problems, "%s does not parse", SVCT_KEY_REVOKED);
        return SVCT_STORE_OK;
    }
    if (klen < metap || memcmp(k, "meta:", metap) != 0)
        svct_store_problem(st, fn, baton, &v->problems,
                           "a key of %" APR_SIZE_T_FMT " bytes is not a store key", klen);
    return SVCT_STORE_OK;
}

svct_store_rc_t svct_store_verify(svct_store_t *st, int repair, svct_store_problem_fn fn,
                                  void *baton, svct_store_verify_t *v)
{
    apr_pool_t *ip;
    apr_dbm_t *walk;
    apr_datum_t key, prev;
    apr_status_t rv;
    svct_store_rc_t rc = SVCT_STORE_OK;

    memset(v, 0, sizeof *v);
    if (repair && (rc = svct_store_writable(st)) != SVCT_STORE_OK)
        return rc;
    if (svct_store_usable(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
    /* The walk has a handle of its own on the store as it was opened: the
     * lookups (and repairs, on the copy) would disturb an SDBM walk. */
    if (apr_pool_create(&ip, st->pool) != APR_SUCCESS)
        return svct_store_fail(st, SVCT_STORE_EIO, "out of memory");
    rv = apr_dbm_open_ex(&walk, st->type, st->path, APR_DBM_READONLY, SVCT_STORE_PERMS, ip);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(ip);
        return svct_store_fail(st, SVCT_STORE_EIO, "cannot read token store %s", st->path);
    }
    key.dptr = NULL;
    key.dsize = 0;
    rv = apr_dbm_firstkey(walk, &key);
    while (rc == SVCT_STORE_OK && rv == APR_SUCCESS && key.dptr != NULL) {
        char k[SVCT_KEY_MAX];
        size_t klen = key.dsize < sizeof k ? key.dsize : sizeof k;

        memcpy(k, key.dptr, klen);
        rc = svct_store_verify_key(st, k, key.dsize, repair, fn, baton, v);
        prev = key;
        rv = apr_dbm_nextkey(walk, &key);
        apr_dbm_freedatum(walk, prev);
    }
    if (rc == SVCT_STORE_OK && rv != APR_SUCCESS)
        rc = svct_store_fail(st, SVCT_STORE_EIO, "cannot read token store %s", st->path);
    apr_dbm_close(walk);
    apr_pool_destroy(ip);
    return rc;
}
