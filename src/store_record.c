/*
 * The tokens of a store (store.h): found by Client ID or name, inserted,
 * updated, deleted and walked, and the store-wide revocation time. A DBM
 * store keeps a token as "id:<client id>" -> record and an index entry
 * "name:<name>" -> client id; a SQL store does it all in store_sql.c.
 */
#include <string.h>

#include <apr_dbm.h>
#include <apr_strings.h>

#include "decimal.h"
#include "store.h"
#include "store_dbm.h"
#include "store_sql.h"

/* The record of a well-formed CLIENT_ID (of IDLEN bytes) in a DBM store. */
static svct_store_rc_t svct_store_dbm_get_by_id(svct_store_t *st, const char *client_id,
                                                size_t idlen, svct_record_t *rec)
{
    char key[SVCT_KEY_MAX], val[SVCT_RECORD_MAX];
    size_t klen, vlen = 0;
    svct_record_t r;
    svct_store_rc_t rc;

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

/* The record of a well-formed NAME (of NAMELEN bytes) in a DBM store:
 * through the name index, then by Client ID. */
static svct_store_rc_t svct_store_dbm_get_by_name(svct_store_t *st, const char *name,
                                                  size_t namelen, svct_record_t *rec)
{
    char id[SVCT_CLIENT_ID_LEN + 1];
    svct_record_t r;
    svct_store_rc_t rc;

    rc = svct_store_name_target(st, name, namelen, id);
    if (rc != SVCT_STORE_OK)
        return rc;
    /* NOTFOUND here is an index entry left by an interrupted delete: the
     * token is gone, and insert reuses the name. */
    rc = svct_store_dbm_get_by_id(st, id, SVCT_CLIENT_ID_LEN, &r);
    if (rc != SVCT_STORE_OK)
        return rc;
    if (strcmp(r.name, name) != 0)
        return svct_store_fail(st, SVCT_STORE_CORRUPT,
                               "token store %s: name index and record of %s disagree", st->path,
                               id);
    *rec = r;
    return SVCT_STORE_OK;
}

/* Both lookups, on either kind of store. Only a well-formed key can name a
 * token, so hostile input costs no lookup. */
static svct_store_rc_t svct_store_get(svct_store_t *st, int by_name, const char *key,
                                      svct_record_t *rec)
{
    size_t len;

    if (st == NULL || key == NULL || rec == NULL)
        return SVCT_STORE_NOTFOUND;
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_get(st->sql, by_name, key, rec));
    len = strnlen(key, by_name ? SVCT_NAME_MAX_BYTES + 1 : SVCT_CLIENT_ID_LEN + 1);
    if (by_name ? !svct_name_valid(key, len) : !svct_client_id_valid(key, len))
        return SVCT_STORE_NOTFOUND;
    return by_name ? svct_store_dbm_get_by_name(st, key, len, rec)
                   : svct_store_dbm_get_by_id(st, key, len, rec);
}

svct_store_rc_t svct_store_get_by_id(svct_store_t *st, const char *client_id, svct_record_t *rec)
{
    return svct_store_get(st, 0, client_id, rec);
}

svct_store_rc_t svct_store_get_by_name(svct_store_t *st, const char *name, svct_record_t *rec)
{
    return svct_store_get(st, 1, name, rec);
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

/* The start of a write of REC: EIO unless the handle may write, CORRUPT for
 * a record that does not encode (into VAL, SVCT_RECORD_MAX bytes); else
 * what the lookup of REC's Client ID returns, with the record in OLD. */
static svct_store_rc_t svct_store_begin_write(svct_store_t *st, const svct_record_t *rec, char *val,
                                              size_t *vlen, svct_record_t *old)
{
    svct_store_rc_t rc;

    if ((rc = svct_store_writable(st)) != SVCT_STORE_OK)
        return rc;
    *vlen = svct_record_encode(rec, val, SVCT_RECORD_MAX);
    if (*vlen == 0)
        return svct_store_fail(st, SVCT_STORE_CORRUPT, "refusing to store an invalid record");
    return svct_store_get_by_id(st, rec->client_id, old);
}

svct_store_rc_t svct_store_insert(svct_store_t *st, const svct_record_t *rec)
{
    char key[SVCT_KEY_MAX], val[SVCT_RECORD_MAX], id[SVCT_CLIENT_ID_LEN + 1];
    size_t klen, vlen, namelen;
    svct_record_t old;
    svct_store_rc_t rc;
    if (st->sql != NULL)
        return svct_store_sql_rc(st, svct_sql_insert(st->sql, rec));

    rc = svct_store_begin_write(st, rec, val, &vlen, &old);
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

    rc = svct_store_begin_write(st, rec, val, &vlen, &old);
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
    if (svct_store_usable(st) != SVCT_STORE_OK)
        return SVCT_STORE_EIO;
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
