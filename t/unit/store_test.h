/*
 * What the token store's unit tests share: the set-up (APR, a pool, a new
 * temporary directory) and its undoing, a token record made from a name and a number, a
 * store opened or the test bailed out, and a key written straight into a
 * DBM as damage or an older tool would. Include after tap.h.
 */
#ifndef SVCT_STORE_TEST_H
#define SVCT_STORE_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_dbm.h>
#include <apr_general.h>

#include "secret.h"
#include "store.h"

static apr_pool_t *pool;

/* Initializes APR and POOL and makes the directory DIR, a mkdtemp template
 * that is changed in place; bails out if it cannot. */
static inline void store_test_start(char *dir)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (mkdtemp(dir) == NULL) {
        printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
        exit(255);
    }
}

/* Removes DIR and all in it, releases POOL and APR; returns the exit
 * status of the test (done_testing). */
static inline int store_test_finish(const char *dir)
{
    char cmd[300];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}

/* Token N: name NAME, Client ID N in hex, the hash of "secret-N", made at
 * 1700000000 + N, expiring at 1800000000. */
static inline svct_record_t make_record(const char *name, int n)
{
    svct_record_t r;
    char secret[32];

    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "%s", name);
    snprintf(r.client_id, sizeof(r.client_id), "%032x.access", n);
    snprintf(secret, sizeof(secret), "secret-%d", n);
    svct_secret_hash(secret, strlen(secret), r.secret_hash);
    r.created_at = r.updated_at = 1700000000 + n;
    r.expires_at = 1800000000;
    r.enabled = 1;
    return r;
}

static inline svct_store_t *open_or_die(const char *path, const char *type, svct_store_mode_t mode)
{
    svct_store_t *st = NULL;
    const char *err = NULL;

    if (svct_store_open(&st, path, type, mode, pool, &err) != SVCT_STORE_OK) {
        printf("Bail out! cannot open %s (%s): %s\n", path, type ? type : "default",
               err ? err : "?");
        exit(255);
    }
    return st;
}

/* Writes KEY -> VAL straight into the DBM of TYPE at PATH, without the
 * store's lock; no handle of the store may be open. */
static inline void raw_put(const char *path, const char *type, const char *key, const char *val)
{
    apr_dbm_t *dbm;
    apr_datum_t k, v;

    if (apr_dbm_open_ex(&dbm, type ? type : "default", path, APR_DBM_RWCREATE, APR_OS_DEFAULT,
                        pool) != APR_SUCCESS) {
        printf("Bail out! raw open of %s failed\n", path);
        exit(255);
    }
    k.dptr = (char *)key;
    k.dsize = strlen(key);
    v.dptr = (char *)val;
    v.dsize = strlen(val);
    apr_dbm_store(dbm, k, v);
    apr_dbm_close(dbm);
}

#endif
