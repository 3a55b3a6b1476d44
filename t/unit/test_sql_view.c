/*
 * The child's view of a SQL store (sql_view.h), on SQLite, with the clock
 * driven by the test: warm lookups run no statement; the change counter is
 * read at most once per refresh and a change is seen after it; during an
 * outage only what was confirmed within the grace works, the rest is
 * UNAVAILABLE (never NOTFOUND, never admitted), logged at most once a
 * minute; the view recovers by itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "sql_view.h"
#include "store.h"
#include "tap.h"

#define SEC INT64_C(1000000)

static apr_pool_t *pool;
static const char *spec;
static int db_down; /* the test's outage */
static int connects;
/* A lookup made by another thread while the first read of the state is
 * under way: run from inside that read's connect. */
static void (*during_first_read)(void);

static svct_sql_t *connect_db(void *baton, const char **err)
{
    apr_pool_t *p = baton;
    svct_sql_t *sql = NULL;
    void (*nested)(void) = during_first_read;

    connects++;
    during_first_read = NULL;
    if (nested)
        nested();
    if (db_down) {
        *err = "connection refused (test)";
        return NULL;
    }
    if (svct_sql_open(&sql, spec, 0, 0, p, err) != SVCT_SQL_OK)
        return NULL;
    return sql;
}

static svct_record_t make_record(const char *name, int n)
{
    svct_record_t r;

    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "%s", name);
    snprintf(r.client_id, sizeof(r.client_id), "%032x.access", n);
    svct_secret_hash(name, strlen(name), r.secret_hash);
    r.created_at = r.updated_at = 1700000000;
    r.enabled = 1;
    return r;
}

/* One change through the store interface, as svctoken makes it. */
static void change(svct_record_t *rec, int insert, int64_t revoked)
{
    svct_store_t *st;
    const char *err;

    if (svct_store_open_dbd(&st, spec, SVCT_STORE_MODIFY, pool, &err) != SVCT_STORE_OK) {
        printf("Bail out! %s\n", err);
        exit(255);
    }
    if (rec)
        insert ? svct_store_insert(st, rec) : svct_store_update(st, rec);
    if (revoked)
        svct_store_set_revoked_before(st, revoked);
    svct_store_commit(st);
    svct_store_close(st);
}

static svct_view_rc_t look(svct_sql_view_t *v, int64_t now, const svct_record_t *want,
                           svct_record_t *got, int64_t *revoked, int *log_it)
{
    const char *err;
    apr_pool_t *p;
    svct_view_rc_t rc;

    apr_pool_create(&p, pool);
    rc = svct_sql_view_token(v, now, want->client_id, connect_db, p, p, got, revoked, &err, log_it);
    if (rc == SVCT_VIEW_UNAVAILABLE && (err == NULL || *err == '\0'))
        printf("# UNAVAILABLE without a reason\n");
    apr_pool_destroy(p);
    return rc;
}

static svct_sql_view_t *nested_view;
static int64_t nested_t, nested_revoked;
static const svct_record_t *nested_want;
static svct_view_rc_t nested_rc;
static int nested_tag_rc = -1;

static void lookup_nested(void)
{
    svct_record_t got;
    char tag[SVCT_STORE_TAG_LEN + 1];
    int log_it;

    nested_rc = look(nested_view, nested_t, nested_want, &got, &nested_revoked, &log_it);
    nested_tag_rc = svct_sql_view_store_tag(nested_view, tag);
}

int main(void)
{
    char dir[] = "/tmp/svct-view-XXXXXX";
    svct_store_t *st;
    const char *err;
    svct_record_t a = make_record("alpha", 1), b = make_record("beta", 2), got;
    svct_record_t never = make_record("never", 3), ghost = make_record("ghost", 4);
    int64_t t = 1000 * SEC, revoked = -1;
    uint64_t q;
    int log_it = 0, logs, i;
    svct_sql_view_t *v;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (mkdtemp(dir) == NULL)
        return 255;
    spec = apr_pstrcat(pool, "sqlite3:", dir, "/t.sqlite", NULL);
    if (svct_store_open_dbd(&st, spec, SVCT_STORE_INIT, pool, &err) != SVCT_STORE_OK) {
        printf("Bail out! %s\n", err);
        return 255;
    }
    svct_store_commit(st);
    svct_store_close(st);
    change(&a, 1, 0);
    change(&b, 1, 0);

    /* A request arriving while a new child's first state read is under
     * way reads the state too: it never goes on without a revocation time
     * or a store tag. */
    change(NULL, 0, 1600000000);
    {
        svct_sql_view_t *fresh = svct_sql_view_create(1 * SEC, 300 * SEC, 16);
        char tag[SVCT_STORE_TAG_LEN + 1];

        nested_view = fresh;
        nested_t = t;
        nested_want = &a;
        during_first_read = lookup_nested;
        look(fresh, t, &a, &got, &revoked, &log_it);
        is_int(nested_rc, SVCT_VIEW_OK, "first moments: a concurrent lookup finds the token");
        is_int(nested_revoked, 1600000000, "with the revocation time, read for it");
        ok(nested_tag_rc == 0, "and the store's tag known when it returns");
        ok(svct_sql_view_store_tag(fresh, tag) == 0, "the first read ends with the state too");
        svct_sql_view_destroy(fresh);
    }
    change(NULL, 0, 0);

    ok(svct_sql_view_create(0, 0, 16) == NULL, "a refresh of 0 is refused");
    v = svct_sql_view_create(1 * SEC, 300 * SEC, 16);
    ok(v != NULL, "view made");
    {
        char id[SVCT_SQL_STORE_ID_MAX + 1];
        char none[SVCT_STORE_TAG_LEN + 1];
        ok(svct_sql_view_store_id(v, id, sizeof(id)) == -1, "no store identity before a read");
        ok(svct_sql_view_store_tag(v, none) == -1, "nor a tag");
        look(v, t, &a, &got, &revoked, &log_it);
        ok(svct_sql_view_store_id(v, id, sizeof(id)) == 0 && strlen(id) == 32,
           "the store's identity after it: %s", id);
        ok(svct_sql_view_store_id(v, id, 8) == -1, "not cut short");
        {
            char tag[SVCT_STORE_TAG_LEN + 1], want[SVCT_STORE_TAG_LEN + 1];
            ok(svct_sql_view_store_tag(v, tag) == 0 &&
                   svct_store_tag(id, strlen(id), want) == 0 && strcmp(tag, want) == 0,
               "and the tag of that identity, made when the state was read: %s", tag);
        }
    }

    is_int(look(v, t, &a, &got, &revoked, &log_it), SVCT_VIEW_OK, "cold: found");
    ok(strcmp(got.name, "alpha") == 0, "the record");
    is_int(svct_sql_view_queries(v), 2, "the state and the token were read once");
    for (i = 0; i < 100; i++)
        look(v, t + i * 5000, &a, &got, &revoked, &log_it);
    is_int(svct_sql_view_queries(v), 2, "100 warm lookups within the refresh: no statement");
    look(v, t + 1 * SEC, &a, &got, &revoked, &log_it);
    is_int(svct_sql_view_queries(v), 3, "after the refresh: the state once");
    look(v, t + 1 * SEC + 1, &a, &got, &revoked, &log_it);
    is_int(svct_sql_view_queries(v), 3, "and not again within it");
    look(v, t + 1 * SEC - 1000, &a, &got, &revoked, &log_it);
    is_int(svct_sql_view_queries(v), 3,
           "a thread whose request began just before the read does not read again");
    q = svct_sql_view_queries(v);
    is_int(look(v, t + 1 * SEC, &never, &got, &revoked, &log_it), SVCT_VIEW_NOTFOUND,
           "an unknown id: NOTFOUND");
    is_int(svct_sql_view_queries(v), q + 1, "after one query");
    for (i = 0; i < 20; i++)
        look(v, t + 1 * SEC, &never, &got, &revoked, &log_it);
    is_int(svct_sql_view_queries(v), q + 1, "asked again: remembered, no query");

    /* Created since: the change makes the view ask again. */
    change(&never, 1, 0);
    is_int(look(v, t + 2 * SEC, &never, &got, &revoked, &log_it), SVCT_VIEW_OK,
           "an unknown id created meanwhile is found after the refresh");

    /* A change is seen after the next refresh, not before. */
    t += 10 * SEC;
    look(v, t, &a, &got, &revoked, &log_it);
    a.enabled = 0;
    a.updated_at++;
    change(&a, 0, 1750000000);
    look(v, t + SEC / 2, &a, &got, &revoked, &log_it);
    is_int(got.enabled, 1, "within the refresh: the view as it was");
    look(v, t + SEC, &a, &got, &revoked, &log_it);
    is_int(got.enabled, 0, "after it: the change");
    is_int(revoked, 1750000000, "and revoked_before with it");
    q = svct_sql_view_queries(v);
    look(v, t + SEC, &b, &got, &revoked, &log_it);
    is_int(svct_sql_view_queries(v), q + 1, "every token is read again after a change");

    /* The database goes away at t + 2 s. */
    a.enabled = 1;
    a.updated_at++;
    change(&a, 0, 0);
    t += 2 * SEC;
    look(v, t, &a, &got, &revoked, &log_it);
    look(v, t, &b, &got, &revoked, &log_it);
    db_down = 1;
    is_int(look(v, t + 2 * SEC, &a, &got, &revoked, &log_it), SVCT_VIEW_OK,
           "outage: a confirmed token works");
    is_int(log_it, 1, "and the outage is to be logged at once");
    is_int(look(v, t + 2 * SEC, &ghost, &got, &revoked, &log_it), SVCT_VIEW_UNAVAILABLE,
           "outage: an unknown id is UNAVAILABLE, not NOTFOUND");
    is_int(log_it, 0, "but not logged again");
    connects = 0;
    for (i = 0; i < 50; i++)
        look(v, t + 2 * SEC + i * 1000, &ghost, &got, &revoked, &log_it);
    is_int(connects, 0, "an outage costs requests no connection attempt within the refresh");
    logs = 0;
    for (i = 0; i < 120; i++) {
        look(v, t + 3 * SEC + i * SEC, &ghost, &got, &revoked, &log_it);
        logs += log_it;
    }
    is_int(logs, 2, "two minutes of outage: logged twice");
    is_int(look(v, t + 299 * SEC, &b, &got, &revoked, &log_it), SVCT_VIEW_OK,
           "a confirmed token within the grace");
    is_int(look(v, t + 301 * SEC, &b, &got, &revoked, &log_it), SVCT_VIEW_UNAVAILABLE,
           "and UNAVAILABLE after it");
    db_down = 0;
    is_int(look(v, t + 302 * SEC, &ghost, &got, &revoked, &log_it), SVCT_VIEW_NOTFOUND,
           "the database is back: answers again by itself");
    is_int(look(v, t + 302 * SEC, &b, &got, &revoked, &log_it), SVCT_VIEW_OK, "and admits");
    svct_sql_view_destroy(v);

    /* No grace: an outage refuses even what was confirmed a moment ago. */
    v = svct_sql_view_create(1 * SEC, 0, 16);
    look(v, t, &b, &got, &revoked, &log_it);
    db_down = 1;
    is_int(look(v, t + SEC, &b, &got, &revoked, &log_it), SVCT_VIEW_UNAVAILABLE,
           "grace 0: UNAVAILABLE at once");
    svct_sql_view_destroy(v);

    /* Down from the start: tried once per refresh, not once per request. */
    v = svct_sql_view_create(1 * SEC, 300 * SEC, 16);
    connects = 0;
    for (i = 0; i < 10; i++)
        is_int(look(v, t + i * 1000, &b, &got, &revoked, &log_it), SVCT_VIEW_UNAVAILABLE,
               "down since start-up: UNAVAILABLE (%d)", i);
    is_int(connects, 1, "and the database tried once within the refresh");
    svct_sql_view_destroy(v);

    /* Disabled before the outage and read as such: still disabled during
     * it (the view holds what the database said). */
    db_down = 0;
    v = svct_sql_view_create(1 * SEC, 300 * SEC, 16);
    b.enabled = 0;
    b.updated_at++;
    change(&b, 0, 0);
    look(v, t, &b, &got, &revoked, &log_it);
    db_down = 1;
    ok(look(v, t + SEC, &b, &got, &revoked, &log_it) == SVCT_VIEW_OK && got.enabled == 0,
       "outage: a token the database had disabled stays disabled");
    svct_sql_view_destroy(v);

    unlink(apr_pstrcat(pool, dir, "/t.sqlite", NULL));
    rmdir(dir);
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
