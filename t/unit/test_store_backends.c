/*
 * One suite of the store interface (store.h) run against each kind of
 * store: a DBM file, SQLite and PostgreSQL (the instance t/with-pg starts,
 * named by SVCT_PG_DBD; the test fails without one rather than skip it).
 * What is DBM-only (lock files, damaged DBM values) is in test_store.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "store.h"
#include "store_seen.h"
#include "store_sql.h"
#include "tap.h"
#include "store_test.h"

typedef struct {
    const char *kind;
    const char *path; /* DBM */
    const char *dbd;  /* SQL */
} backend_t;

static svct_store_rc_t open_store(const backend_t *b, svct_store_mode_t mode, svct_store_t **st,
                                  const char **err)
{
    *err = NULL;
    if (b->dbd)
        return svct_store_open_dbd(st, b->dbd, mode, pool, err);
    return svct_store_open(st, b->path, NULL, mode, pool, err);
}

static svct_store_t *must_open(const backend_t *b, svct_store_mode_t mode)
{
    svct_store_t *st = NULL;
    const char *err;

    if (open_store(b, mode, &st, &err) != SVCT_STORE_OK) {
        printf("Bail out! %s: cannot open: %s\n", b->kind, err ? err : "?");
        exit(255);
    }
    return st;
}

/* Drops the tables a previous run left, straight through apr_dbd. */
static void sql_reset(const char *spec)
{
    const char *drv, *params, *err = NULL;
    const apr_dbd_driver_t *driver;
    apr_dbd_t *h;
    int n;

    if (svct_sql_spec_parse(spec, pool, &drv, &params) != 0 ||
        apr_dbd_get_driver(pool, drv, &driver) != APR_SUCCESS ||
        apr_dbd_open_ex(driver, pool, params, &h, &err) != APR_SUCCESS) {
        printf("Bail out! cannot reach %s: %s\n", drv, err ? err : "?");
        exit(255);
    }
    apr_dbd_query(driver, h, &n, "DROP TABLE IF EXISTS svctoken_tokens");
    apr_dbd_query(driver, h, &n, "DROP TABLE IF EXISTS svctoken_state");
    apr_dbd_query(driver, h, &n, "DROP TABLE IF EXISTS svctoken_seen");
    apr_dbd_close(driver, h);
}

static int count_visit(void *baton, const svct_record_t *rec)
{
    (*(int *)baton)++;
    return 0;
}

static int stop_visit(void *baton, const svct_record_t *rec)
{
    return 7;
}

/* Last seen of the token A: never until recorded; on SQL, as the module
 * records it, at most once per interval whatever the callers. */
static void seen_suite(const backend_t *b, const svct_record_t *a)
{
    const char *k = b->kind, *err = NULL;
    svct_store_t *st = must_open(b, SVCT_STORE_READ);
    svct_sql_t *sql = NULL;
    int64_t when = -1;
    int upd = -1;

    is_int(svct_store_last_seen(st, a->client_id, &when), SVCT_STORE_OK, "%s: last seen", k);
    is_int((int)when, 0, "%s: never, for a new token", k);
    if (!b->dbd) {
        svct_store_close(st);
        return;
    }
    is_int(svct_sql_open(&sql, b->dbd, 0, 0, pool, &err), SVCT_SQL_OK, "%s: a reader", k);
    is_int(svct_sql_seen_record(sql, a->client_id, 100000, 300, &upd), SVCT_SQL_OK, "%s: record",
           k);
    is_int(upd, 1, "%s: the first use is written", k);
    svct_sql_seen_record(sql, a->client_id, 100299, 300, &upd);
    is_int(upd, 0, "%s: not again within the interval", k);
    svct_sql_seen_record(sql, a->client_id, 100300, 300, &upd);
    is_int(upd, 1, "%s: once it has passed", k);
    svct_sql_seen_record(sql, "ffffffffffffffffffffffffffffffff.access", 100300, 300, &upd);
    is_int(upd, 0, "%s: an unknown token gets no row", k);
    svct_sql_close(sql);
    is_int(svct_store_last_seen(st, a->client_id, &when), SVCT_STORE_OK, "%s: read back", k);
    is_int((int)when, 100300, "%s: the time recorded", k);
    svct_store_close(st);
}

static void suite(const backend_t *b)
{
    const char *k = b->kind, *err = NULL;
    svct_store_rc_t rc;
    svct_store_t *st;
    svct_record_t a = make_record("alpha", 1), got, bad;
    int64_t when = -1;
    int n, fn_rc;
    /* Names that break naive SQL, shells and terminals; all valid. */
    static const char *const hostile[] = {
        "it's",
        "back\\slash",
        "'; DROP TABLE svctoken_tokens; --",
        "\"quoted\"",
        "%s%d%n",
        "\xe2\x82\xac\xe2\x82\xac\xf0\x9f\x94\x91 \xe6\x97\xa5\xe6\x9c\xac",
    };
    char longname[SVCT_NAME_MAX_BYTES + 1];
    size_t i;

    /* A store that does not exist is not made by reading or modifying. */
    rc = open_store(b, SVCT_STORE_MODIFY, &st, &err);
    ok(rc == SVCT_STORE_EIO && err && *err, "%s: MODIFY of a missing store fails: %s", k,
       err ? err : "");
    rc = open_store(b, SVCT_STORE_READ, &st, &err);
    ok(rc == SVCT_STORE_EIO, "%s: so does READ", k);

    st = must_open(b, SVCT_STORE_INIT);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: init", k);
    svct_store_close(st);
    st = must_open(b, SVCT_STORE_INIT);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: init again changes nothing", k);
    svct_store_close(st);

    st = must_open(b, SVCT_STORE_MODIFY);
    is_int(svct_store_insert(st, &a), SVCT_STORE_OK, "%s: insert", k);
    is_int(svct_store_get_by_id(st, a.client_id, &got), SVCT_STORE_OK,
           "%s: found in the same transaction", k);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: commit", k);
    svct_store_close(st);

    st = must_open(b, SVCT_STORE_READ);
    is_int(svct_store_get_by_id(st, a.client_id, &got), SVCT_STORE_OK, "%s: by id", k);
    ok(memcmp(&got, &a, sizeof(got)) == 0, "%s: the same record back", k);
    is_int(svct_store_get_by_name(st, "alpha", &got), SVCT_STORE_OK, "%s: by name", k);
    is_int(svct_store_find(st, "alpha", &got), SVCT_STORE_OK, "%s: find by name", k);
    is_int(svct_store_find(st, a.client_id, &got), SVCT_STORE_OK, "%s: find by id", k);
    is_int(svct_store_get_by_name(st, "ALPHA", &got), SVCT_STORE_NOTFOUND,
           "%s: names are case-sensitive", k);
    is_int(svct_store_get_by_id(st, "nope", &got), SVCT_STORE_NOTFOUND, "%s: malformed id", k);
    is_int(svct_store_insert(st, &a), SVCT_STORE_EIO, "%s: a reader cannot write", k);
    ok(*svct_store_error(st) != '\0', "%s: and says why", k);
    is_int(svct_store_get_revoked_before(st, &when), SVCT_STORE_OK, "%s: revoked_before", k);
    is_int(when, 0, "%s: 0 until set", k);
    svct_store_close(st);

    st = must_open(b, SVCT_STORE_MODIFY);
    bad = make_record("alpha", 2);
    is_int(svct_store_insert(st, &bad), SVCT_STORE_EXISTS, "%s: a taken name is refused", k);
    bad = make_record("other", 1);
    is_int(svct_store_insert(st, &bad), SVCT_STORE_EXISTS, "%s: a taken id is refused", k);
    bad = make_record("x", 3);
    bad.name[0] = '\t';
    is_int(svct_store_insert(st, &bad), SVCT_STORE_CORRUPT, "%s: a control character is refused",
           k);
    got = a;
    got.enabled = 0;
    got.updated_at++;
    is_int(svct_store_update(st, &got), SVCT_STORE_OK, "%s: update", k);
    snprintf(got.name, sizeof(got.name), "renamed");
    is_int(svct_store_update(st, &got), SVCT_STORE_CORRUPT, "%s: no rename", k);
    bad = make_record("ghost", 99);
    is_int(svct_store_update(st, &bad), SVCT_STORE_NOTFOUND, "%s: update of a missing token", k);
    is_int(svct_store_set_revoked_before(st, 1750000000), SVCT_STORE_OK, "%s: set revoked", k);
    for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        svct_record_t h = make_record(hostile[i], 100 + (int)i);
        is_int(svct_store_insert(st, &h), SVCT_STORE_OK, "%s: insert name #%zu", k, i);
    }
    /* 64 code points of 4 bytes: the longest name there is. */
    for (i = 0; i < SVCT_NAME_MAX_CHARS; i++)
        memcpy(longname + 4 * i, "\xf0\x9f\x94\x91", 4);
    longname[SVCT_NAME_MAX_BYTES] = '\0';
    {
        svct_record_t l = make_record(longname, 200);
        is_int(svct_store_insert(st, &l), SVCT_STORE_OK, "%s: the longest name", k);
    }
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: commit", k);
    svct_store_close(st);

    st = must_open(b, SVCT_STORE_READ);
    is_int(svct_store_get_by_id(st, a.client_id, &got), SVCT_STORE_OK, "%s: read back", k);
    is_int(got.enabled, 0, "%s: the update stuck", k);
    is_int(svct_store_get_revoked_before(st, &when), SVCT_STORE_OK, "%s: revoked_before", k);
    is_int(when, 1750000000, "%s: as set", k);
    for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        ok(svct_store_get_by_name(st, hostile[i], &got) == SVCT_STORE_OK &&
               strcmp(got.name, hostile[i]) == 0,
           "%s: name #%zu verbatim", k, i);
    }
    ok(svct_store_get_by_name(st, longname, &got) == SVCT_STORE_OK &&
           strcmp(got.name, longname) == 0,
       "%s: the longest name verbatim", k);
    n = 0;
    is_int(svct_store_foreach(st, count_visit, &n, &fn_rc), SVCT_STORE_OK, "%s: foreach", k);
    is_int(n, 1 + (int)(sizeof(hostile) / sizeof(hostile[0])) + 1, "%s: visits every token", k);
    is_int(svct_store_foreach(st, stop_visit, NULL, &fn_rc), SVCT_STORE_OK, "%s: stopped", k);
    is_int(fn_rc, 7, "%s: with the visitor's value", k);
    /* The handle still works after a walk that stopped early. */
    is_int(svct_store_get_by_name(st, "alpha", &got), SVCT_STORE_OK, "%s: usable after", k);
    svct_store_close(st);

    st = must_open(b, SVCT_STORE_MODIFY);
    is_int(svct_store_delete(st, &a), SVCT_STORE_OK, "%s: delete", k);
    is_int(svct_store_get_by_name(st, "alpha", &got), SVCT_STORE_NOTFOUND, "%s: name gone", k);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: commit", k);
    svct_store_close(st);
    st = must_open(b, SVCT_STORE_MODIFY);
    is_int(svct_store_delete(st, &a), SVCT_STORE_NOTFOUND, "%s: delete twice", k);
    a = make_record("alpha", 5);
    is_int(svct_store_insert(st, &a), SVCT_STORE_OK, "%s: the name can be taken again", k);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: commit", k);
    svct_store_close(st);

    if (b->dbd) {
        /* A SQL writer's changes exist only once committed. */
        svct_record_t c = make_record("uncommitted", 300);
        st = must_open(b, SVCT_STORE_MODIFY);
        is_int(svct_store_insert(st, &c), SVCT_STORE_OK, "%s: insert, no commit", k);
        svct_store_close(st);
        st = must_open(b, SVCT_STORE_READ);
        is_int(svct_store_get_by_name(st, "uncommitted", &got), SVCT_STORE_NOTFOUND,
               "%s: closed without a commit: rolled back", k);
        svct_store_close(st);
    }
    seen_suite(b, &a);
}

int main(void)
{
    char dir[] = "/tmp/svct-backends-XXXXXX";
    const char *pg = getenv("SVCT_PG_DBD");
    svct_store_t *st;
    const char *err;
    backend_t dbm, lite, pgsql;

    store_test_start(dir);
    apr_dbd_init(pool);
    dbm.kind = "DBM";
    dbm.path = apr_pstrcat(pool, dir, "/tokens.db", NULL);
    dbm.dbd = NULL;
    lite.kind = "SQLite";
    lite.path = NULL;
    lite.dbd = apr_pstrcat(pool, "sqlite3:", dir, "/tokens.sqlite", NULL);
    pgsql.kind = "PostgreSQL";
    pgsql.path = NULL;
    pgsql.dbd = pg;

    suite(&dbm);
    /* SQLite makes an empty file on connect: "missing" is a missing table. */
    suite(&lite);
    if (pg == NULL || *pg == '\0') {
        ok(0, "PostgreSQL: SVCT_PG_DBD names the test database (run under t/with-pg)");
    } else {
        sql_reset(pg);
        suite(&pgsql);
        sql_reset(pg);
    }

    /* Errors that name what is wrong without the parameters. */
    {
        svct_store_rc_t rc =
            svct_store_open_dbd(&st, "nosuchdriver:x", SVCT_STORE_READ, pool, &err);
        ok(rc == SVCT_STORE_EIO && strstr(err, "nosuchdriver") != NULL,
           "an unknown driver is named: %s", err);
        rc = svct_store_open_dbd(&st, "no-colon", SVCT_STORE_READ, pool, &err);
        ok(rc == SVCT_STORE_EIO && strstr(err, "DRIVER:PARAMS") != NULL,
           "a spec without a driver: %s", err);
        rc = svct_store_open_dbd(&st, "pgsql:host=/nonexistent password=hunter2", SVCT_STORE_READ,
                                 pool, &err);
        ok(rc == SVCT_STORE_EIO && strstr(err, "hunter2") == NULL,
           "a failed connection does not show the password: %s", err);
    }

    return store_test_finish(dir);
}
