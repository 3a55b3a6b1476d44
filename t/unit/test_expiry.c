/*
 * The query "tokens that expire before T" (svct_store_foreach_expiring) on a
 * DBM and a SQLite store, and the start-up warning's walk over the stores
 * of a configuration (src/expiry.h): each store read once however often it
 * is named, each token reported once, a store that cannot be read reported
 * without its parameters. PostgreSQL: t/sql/expiring.t, through svctoken
 * and httpd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "expiry.h"
#include "store.h"
#include "tap.h"
#include "store_test.h"

#define NOW INT64_C(1800000000)
#define DAY INT64_C(86400)

/* Token N, made 100 days before NOW, expiring at EXPIRES_AT (0: never). */
static svct_record_t token(const char *name, int n, int64_t expires_at, int enabled)
{
    svct_record_t r = make_record(name, n);

    r.created_at = r.updated_at = NOW - 100 * DAY;
    r.expires_at = expires_at;
    r.enabled = enabled;
    return r;
}

/* The tokens every store gets: which of them expire "within 7 days" is
 * in the name. */
static void fill(svct_store_t *st)
{
    const struct {
        const char *name;
        int64_t expires_at;
        int enabled;
    } t[] = {
        {"expired", NOW - DAY, 1},     {"in-6d", NOW + 6 * DAY, 1},
        {"in-8d", NOW + 8 * DAY, 1},   {"forever", 0, 1},
        {"off-6d", NOW + 6 * DAY, 0},  {"at-7d", NOW + 7 * DAY, 1},
        {"in-30d", NOW + 30 * DAY, 1},
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        svct_record_t r = token(t[i].name, (int)i + 1, t[i].expires_at, t[i].enabled);
        if (svct_store_insert(st, &r) != SVCT_STORE_OK) {
            printf("Bail out! insert %s: %s\n", t[i].name, svct_store_error(st));
            exit(255);
        }
    }
    if (svct_store_commit(st) != SVCT_STORE_OK) {
        printf("Bail out! commit: %s\n", svct_store_error(st));
        exit(255);
    }
}

/* The names visited, sorted, comma-separated. */
typedef struct {
    const char *names[16];
    int n;
} seen_t;

static int seen_visit(void *baton, const svct_record_t *rec)
{
    seen_t *s = baton;

    if (s->n < 16)
        s->names[s->n++] = apr_pstrdup(pool, rec->name);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *seen_text(seen_t *s)
{
    const char *out = "";
    int i;

    qsort(s->names, (size_t)s->n, sizeof(s->names[0]), cmp_str);
    for (i = 0; i < s->n; i++)
        out = apr_pstrcat(pool, out, i ? "," : "", s->names[i], NULL);
    return out;
}

static int stop_visit(void *baton, const svct_record_t *rec)
{
    (*(int *)baton)++;
    return 7;
}

static void query(const char *kind, svct_store_t *st)
{
    seen_t s;
    int calls = 0, fn_rc = 0;

    memset(&s, 0, sizeof(s));
    is_int(svct_store_foreach_expiring(st, NOW + 7 * DAY, seen_visit, &s, NULL), SVCT_STORE_OK,
           "%s: expiring within 7 days", kind);
    is_str(seen_text(&s), "expired,in-6d",
           "%s: the expired and the 6-day token, not the 8-day, "
           "the disabled, the forever one, nor one at exactly 7d",
           kind);
    memset(&s, 0, sizeof(s));
    svct_store_foreach_expiring(st, NOW + 30 * DAY + 1, seen_visit, &s, NULL);
    is_str(seen_text(&s), "at-7d,expired,in-30d,in-6d,in-8d", "%s: within 30 days", kind);
    memset(&s, 0, sizeof(s));
    svct_store_foreach_expiring(st, NOW - 2 * DAY, seen_visit, &s, NULL);
    is_str(seen_text(&s), "", "%s: before a time none expires before: none", kind);
    is_int(svct_store_foreach_expiring(st, NOW + 30 * DAY, stop_visit, &calls, &fn_rc),
           SVCT_STORE_OK, "%s: a visitor may stop the walk", kind);
    ok(calls == 1 && fn_rc == 7, "%s: after one token, with its value", kind);
}

/* What the start-up warning's walk reported. */
typedef struct {
    const char *tokens; /* "STORE|NAME;" each */
    const char *fails;  /* "STORE|IS_SQL|WHY;" each */
} report_t;

static void on_token(void *baton, const char *store, const svct_record_t *rec)
{
    report_t *r = baton;

    r->tokens = apr_pstrcat(pool, r->tokens, store, "|", rec->name, ";", NULL);
}

static void on_fail(void *baton, const char *store, int is_sql, const char *why)
{
    report_t *r = baton;

    r->fails = apr_psprintf(pool, "%s%s|%d|%s;", r->fails, store, is_sql, why);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
        n++;
    return n;
}

int main(void)
{
    char dir[] = "/tmp/svct-expiry-XXXXXX";
    const char *db, *lite, *err = NULL;
    svct_store_t *st;
    svct_expiry_t *x;
    report_t r;

    store_test_start(dir);
    apr_dbd_init(pool);
    db = apr_pstrcat(pool, dir, "/tokens.db", NULL);
    lite = apr_pstrcat(pool, dir, "/tokens.sqlite", NULL);

    if (svct_store_open(&st, db, NULL, SVCT_STORE_WRITE, pool, &err) != SVCT_STORE_OK) {
        printf("Bail out! %s\n", err);
        return 255;
    }
    fill(st);
    query("DBM", st);
    svct_store_close(st);
    if (svct_store_open_dbd(&st, apr_pstrcat(pool, "sqlite3:", lite, NULL), SVCT_STORE_INIT, pool,
                            &err) != SVCT_STORE_OK) {
        printf("Bail out! %s\n", err);
        return 255;
    }
    fill(st);
    query("SQLite", st);
    svct_store_close(st);

    /* Two sections on one DBM store, two servers on one database: each is
     * read once, each token reported once. */
    x = svct_expiry_make(pool);
    svct_expiry_add_dbm(x, db, NULL);
    svct_expiry_add_dbd(x, "sqlite3", lite);
    svct_expiry_add_dbm(x, db, "default");
    svct_expiry_add_dbd(x, "sqlite3", lite);
    r.tokens = r.fails = "";
    svct_expiry_run(x, NOW, 7 * DAY, on_token, on_fail, &r);
    is_str(r.fails, "", "the walk: both stores read");
    is_int(count(r.tokens, ";"), 4, "the walk: two tokens of each store: %s", r.tokens);
    is_int(count(r.tokens, apr_pstrcat(pool, "token store ", db, "|expired;", NULL)), 1,
           "the walk: the DBM store's expired token, once, named by the store's path");
    is_int(count(r.tokens, apr_pstrcat(pool, "token store ", db, "|in-6d;", NULL)), 1,
           "the walk: its 6-day token, once");
    is_int(count(r.tokens, "the token database (sqlite3)|expired;"), 1,
           "the walk: the database's expired token, once, named by its driver");
    is_int(count(r.tokens, "the token database (sqlite3)|in-6d;"), 1,
           "the walk: its 6-day token, once");

    /* Stores that cannot be read: said once each, a SQL store's without
     * its parameters; a missing SQLite file is not created. */
    x = svct_expiry_make(pool);
    svct_expiry_add_dbm(x, apr_pstrcat(pool, dir, "/missing.db", NULL), NULL);
    svct_expiry_add_dbd(x, "sqlite3", apr_pstrcat(pool, dir, "/missing.sqlite", NULL));
    svct_expiry_add_dbd(x, "pgsql", "host=/nonexistent password=hunter2");
    r.tokens = r.fails = "";
    svct_expiry_run(x, NOW, 7 * DAY, on_token, on_fail, &r);
    is_str(r.tokens, "", "unreadable stores: no token");
    is_int(count(r.fails, ";"), 3, "unreadable stores: one line each: %s", r.fails);
    ok(strstr(r.fails, "missing.db") != NULL && count(r.fails, "|0|") == 1,
       "unreadable stores: the DBM store, named, as a DBM store");
    is_int(count(r.fails, "the token database (sqlite3)|1|"), 1,
           "unreadable stores: the SQLite database");
    ok(access(apr_pstrcat(pool, dir, "/missing.sqlite", NULL), F_OK) != 0,
       "unreadable stores: the missing SQLite file is not made");
    ok(count(r.fails, "the token database (pgsql)|1|") == 1 && strstr(r.fails, "hunter2") == NULL,
       "unreadable stores: the PostgreSQL one, without its password");

    return store_test_finish(dir);
}
