/*
 * Unit tests of the per-process caches (src/cache.c) and of the
 * authentication decision through them (src/authn.c): a cache hit never
 * outlives the JWT, a store change made with the store API is seen by the
 * very next call for every DBM type (also twice within one second, and in
 * the same DBM page), revoke-sessions and deletion end cached sessions,
 * an issued session is reused only with the very claims a new one would
 * carry, and the tables stay bounded under many threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <apr_dbm.h>
#include <apr_general.h>

#include "authn.h"
#include "cache.h"
#include "clock.h"
#include "jwt.h"
#include "key.h"

/* Two store tags (store_tag.h). */
#define TAG_A "AAAAAAAAAAAAAAAAAAAAAA"
#define TAG_B "BBBBBBBBBBBBBBBBBBBBBB"
#include "secret.h"
#include "store.h"
#include "tap.h"
#include "store_test.h"

static char dir[] = "/tmp/svct-cache-XXXXXX";
static const char *secret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void settle(void)
{
    /* Stamps younger than SVCT_CACHE_SETTLE_NS are not trusted. */
    svct_clock_advance(SVCT_CACHE_SETTLE_NS);
}

static svct_record_t make_token(const char *name, int n)
{
    svct_record_t r;

    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.client_id, sizeof r.client_id, "%032x.access", n);
    svct_secret_hash(secret, strlen(secret), r.secret_hash);
    r.created_at = r.updated_at = time(NULL);
    r.expires_at = time(NULL) + 86400;
    r.enabled = 1;
    return r;
}

static void write_store(const char *path, const char *type, int op, svct_record_t *rec,
                        int64_t revoked)
{
    svct_store_t *st = open_or_die(path, type, SVCT_STORE_WRITE);

    if (op == 0)
        svct_store_insert(st, rec);
    else if (op == 1)
        svct_store_update(st, rec);
    else if (op == 2)
        svct_store_delete(st, rec);
    else
        svct_store_set_revoked_before(st, revoked);
    svct_store_commit(st);
    svct_store_close(st);
}

static svct_authn_rc_t by_secret(svct_authn_store_t *store, const svct_record_t *tok)
{
    svct_authn_result_t res;

    return svct_authn_secret(store, tok->client_id, strlen(tok->client_id), secret, strlen(secret),
                             time(NULL), pool, &res);
}

static svct_authn_rc_t by_session(svct_authn_store_t *store, const svct_session_t *s)
{
    svct_authn_result_t res;

    return svct_authn_session(store, s, time(NULL), pool, &res);
}

static void test_store_type(const char *type)
{
    char path[256];
    svct_cache_t *c = svct_cache_create(64, 64, 16);
    svct_authn_store_t store = {0};
    svct_record_t tok = make_token("cached", 1), other = make_token("other", 2);
    svct_session_t s;
    svct_cache_stats_t st0, st1;
    int i;

    snprintf(path, sizeof path, "%s/tokens-%s", dir, type);
    store.path = path;
    store.dbmtype = type;
    store.cache = c;
    store.tag = TAG_A;
    write_store(path, type, 0, &tok, 0);
    write_store(path, type, 0, &other, 0);

    is_int(by_secret(&store, &tok), SVCT_AUTHN_OK, "%s: fresh store, read from the file", type);
    svct_cache_get_stats(c, &st0);
    is_int(by_secret(&store, &tok), SVCT_AUTHN_OK, "%s: again", type);
    svct_cache_get_stats(c, &st1);
    is_int(st1.token_hits - st0.token_hits, 0, "%s: a store changed < 1 s ago is not cached", type);

    settle();
    for (i = 0; i < 3; i++)
        by_secret(&store, &tok);
    svct_cache_get_stats(c, &st0);
    is_int(by_secret(&store, &tok), SVCT_AUTHN_OK, "%s: settled store", type);
    svct_cache_get_stats(c, &st1);
    is_int(st1.token_hits - st0.token_hits, 1, "%s: ... is served from the cache", type);

    memset(&s, 0, sizeof s);
    memcpy(s.client_id, tok.client_id, sizeof s.client_id);
    s.iat = time(NULL) - 5;
    is_int(by_session(&store, &s), SVCT_AUTHN_FOREIGN_STORE,
           "%s: a session without a store tag is refused", type);
    memcpy(s.store_tag, TAG_B, sizeof s.store_tag);
    is_int(by_session(&store, &s), SVCT_AUTHN_FOREIGN_STORE, "%s: ... and one of another store",
           type);
    memcpy(s.store_tag, TAG_A, sizeof s.store_tag);
    is_int(by_session(&store, &s), SVCT_AUTHN_OK, "%s: session admitted", type);

    /* Changes are seen by the very next call, cached or not. */
    tok.enabled = 0;
    write_store(path, type, 1, &tok, 0);
    is_int(by_secret(&store, &tok), SVCT_AUTHN_DISABLED, "%s: disable seen at once", type);
    is_int(by_session(&store, &s), SVCT_AUTHN_DISABLED, "%s: ... by sessions too", type);
    tok.enabled = 1;
    write_store(path, type, 1, &tok, 0);
    is_int(by_secret(&store, &tok), SVCT_AUTHN_OK, "%s: enable within the same second", type);
    tok.enabled = 0;
    write_store(path, type, 1, &tok, 0);
    is_int(by_session(&store, &s), SVCT_AUTHN_DISABLED, "%s: and disable again", type);
    tok.enabled = 1;
    write_store(path, type, 1, &tok, 0);

    /* The same record rewritten after the cache settled on it: the case
     * where only the file's timestamps can tell (same size, same page). */
    settle();
    by_session(&store, &s);
    by_session(&store, &s);
    tok.enabled = 0;
    write_store(path, type, 1, &tok, 0);
    is_int(by_session(&store, &s), SVCT_AUTHN_DISABLED, "%s: in-place rewrite seen", type);
    tok.enabled = 1;
    write_store(path, type, 1, &tok, 0);

    settle();
    by_session(&store, &s);
    write_store(path, type, 3, NULL, time(NULL) - 1);
    is_int(by_session(&store, &s), SVCT_AUTHN_REVOKED, "%s: revoke-sessions seen at once", type);
    s.iat = time(NULL);
    is_int(by_session(&store, &s), SVCT_AUTHN_OK, "%s: a later session is fine", type);

    settle();
    by_secret(&store, &tok);
    by_secret(&store, &other);
    write_store(path, type, 2, &tok, 0);
    is_int(by_secret(&store, &tok), SVCT_AUTHN_UNKNOWN_ID, "%s: delete seen at once", type);
    is_int(by_session(&store, &s), SVCT_AUTHN_UNKNOWN_ID, "%s: ... by its sessions", type);
    is_int(by_secret(&store, &other), SVCT_AUTHN_OK, "%s: the other token still works", type);

    /* An unknown Client ID is remembered under the store's stamp, and
     * forgotten when the store changes. */
    {
        svct_record_t ghost = make_token("ghost", 3);

        settle();
        is_int(by_secret(&store, &ghost), SVCT_AUTHN_UNKNOWN_ID, "%s: unknown id", type);
        svct_cache_get_stats(c, &st0);
        is_int(by_secret(&store, &ghost), SVCT_AUTHN_UNKNOWN_ID, "%s: unknown again", type);
        svct_cache_get_stats(c, &st1);
        is_int(st1.unknown_hits - st0.unknown_hits, 1, "%s: ... answered from the cache", type);
        is_int(by_secret(&store, &other), SVCT_AUTHN_OK, "%s: a known token is not affected", type);
        write_store(path, type, 0, &ghost, 0);
        is_int(by_secret(&store, &ghost), SVCT_AUTHN_OK, "%s: created: admitted at once", type);
        svct_cache_get_stats(c, &st0);
        is_int(st0.unknown_hits, st1.unknown_hits, "%s: not from the cache", type);
    }
    svct_cache_destroy(c);
}

/* A change made without svctoken (no wait on close) is seen once
 * SVCT_CACHE_RECHECK_NS has passed; within it, one fstat() serves. */
static void test_recheck(const char *type)
{
    char path[256];
    svct_cache_t *c = svct_cache_create(8, 8, 8);
    svct_record_t tok = make_token("recheck", 7);
    svct_cache_store_t *cs;
    svct_store_stamp_t a, b, d;
    struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
    const char *file1 = NULL, *file2 = NULL;

    snprintf(path, sizeof path, "%s/recheck-%s", dir, type);
    write_store(path, type, 0, &tok, 0);
    apr_dbm_get_usednames_ex(pool, type, path, &file1, &file2);
    cs = svct_cache_store(c, path, type, pool);
    ok(cs != NULL, "%s: store entry", type);
    if (!cs) {
        svct_cache_destroy(c);
        return;
    }
    svct_cache_store_stamp(cs, &a);
    svct_cache_store_recent_stamp(cs, &b);
    ok(svct_cache_stamp_equal(&a, &b), "%s: a stamp serves the next request", type);
    times[1].tv_sec = 1000000000; /* a new mtime, written behind our back */
    utimensat(AT_FDCWD, file1, times, 0);
    svct_clock_advance(SVCT_CACHE_RECHECK_NS - 1);
    svct_cache_store_recent_stamp(cs, &d);
    ok(svct_cache_stamp_equal(&a, &d), "%s: ... and those of SVCT_CACHE_RECHECK_NS", type);
    svct_clock_advance(1);
    svct_cache_store_recent_stamp(cs, &d);
    ok(!svct_cache_stamp_equal(&a, &d), "%s: a change behind svctoken's back is seen after it",
       type);
    svct_cache_destroy(c);
}

static void test_sessions(svct_keyring_t *ring)
{
    svct_cache_t *c = svct_cache_create(8, 8, 8);
    svct_session_t in, out;
    svct_jwt_expect_t expect = {"https://iss", "aud", 0, 0};
    svct_cache_stats_t st;
    char jwt[SVCT_JWT_MAX + 1];
    const char *why = NULL;
    int64_t now = time(NULL);
    size_t len;

    memset(&in, 0, sizeof in);
    snprintf(in.client_id, sizeof in.client_id, "%032x.access", 7);
    snprintf(in.name, sizeof in.name, "seven");
    in.iat = in.nbf = now - 10;
    in.exp = now + 2;
    len = svct_jwt_sign(ring, "https://iss", "aud", &in, jwt, sizeof jwt);
    ok(len > 0, "signed a session");

    expect.now = now;
    is_int(svct_authn_verify_session(c, ring, jwt, len, &expect, &out, &why), 0, "verified");
    is_int(svct_authn_verify_session(c, ring, jwt, len, &expect, &out, &why), 0, "again");
    svct_cache_get_stats(c, &st);
    is_int(st.session_hits, 1, "the second time from the cache");
    is_str(out.client_id, in.client_id, "with its claims");
    is_int(out.exp, in.exp, "exp kept");

    expect.now = now + 2;
    ok(svct_authn_verify_session(c, ring, jwt, len, &expect, &out, &why) != 0,
       "a cached session is refused once it expires");
    is_str(why, "expired", "as expired");
    expect.leeway = 5;
    is_int(svct_authn_verify_session(c, ring, jwt, len, &expect, &out, &why), 0,
           "the clock skew applies as in svct_jwt_verify");
    expect.leeway = 0;
    expect.now = now;

    expect.aud = "other";
    ok(svct_authn_verify_session(c, ring, jwt, len, &expect, &out, &why) != 0,
       "a session cached for one audience is refused for another");
    is_str(why, "wrong audience", "wrong audience");
    expect.aud = "aud";
    expect.iss = "https://elsewhere";
    ok(svct_authn_verify_session(c, ring, jwt, len, &expect, &out, &why) != 0,
       "... and for another issuer");
    expect.iss = "https://iss";

    jwt[len - 2] = jwt[len - 2] == 'A' ? 'B' : 'A';
    ok(svct_authn_verify_session(c, ring, jwt, len, &expect, &out, &why) != 0,
       "a changed signature is verified, not taken from the cache");
    is_str(why, "bad signature", "bad signature");

    /* What a hit needs: the same JWT, byte for byte, the same keyring, iss
     * and aud. */
    svct_cache_session_put(c, ring, "i", "a", "x.y.z", 5, &in);
    ok(svct_cache_session_get(c, ring, "i", "a", "x.y.z", 5, &out), "a session put is found");
    ok(!svct_cache_session_get(c, ring, "i", "a", "x.y.Z", 5, &out), "not for another JWT");
    ok(!svct_cache_session_get(c, ring, "i", "a", "x.y.", 4, &out), "... nor for a prefix of it");
    ok(!svct_cache_session_get(c, (void *)1, "i", "a", "x.y.z", 5, &out),
       "... nor for another keyring");
    ok(!svct_cache_session_get(c, ring, "ia", "", "x.y.z", 5, &out),
       "... nor where iss ends and aud begins elsewhere");
    ok(!svct_cache_session_get(c, ring, "j", "a", "x.y.z", 5, &out), "... nor for another iss");
    ok(!svct_cache_session_get(c, ring, "i", "b", "x.y.z", 5, &out), "... nor for another aud");
    {
        static char big[1100];

        memset(big, 'A', sizeof big - 1);
        svct_cache_session_put(c, ring, "i", "a", big, 1023, &in);
        ok(!svct_cache_session_get(c, ring, "i", "a", big, 1023, &out),
           "iss, aud and JWT over 1 KB together are not cached");
        svct_cache_session_put(c, ring, "i", "a", big, 1022, &in);
        ok(svct_cache_session_get(c, ring, "i", "a", big, 1022, &out), "... 1 KB is");
    }

    is_str(svct_session_times_check(&in, now, 0), NULL, "times ok");
    in.nbf = now + 3;
    is_str(svct_session_times_check(&in, now, 0), "not yet valid", "nbf checked");
    in.nbf = now;
    in.iat = now + 3;
    is_str(svct_session_times_check(&in, now, 0), "issued in the future", "iat checked");
    is_str(svct_session_times_check(&in, now, 100000), NULL, "leeway capped like verify");
    in.iat = now + 90000;
    is_str(svct_session_times_check(&in, now, 100000), "issued in the future", "... at one day");
    svct_cache_destroy(c);
}

static void test_issue(svct_keyring_t *ring)
{
    svct_cache_t *c = svct_cache_create(8, 8, 8);
    svct_authn_result_t res;
    char a[SVCT_JWT_MAX + 1], b[SVCT_JWT_MAX + 1];
    svct_cache_stats_t st0, st;
    int64_t now = time(NULL);
    size_t la, lb;

    memset(&res, 0, sizeof res);
    res.token = make_token("issuer", 9);
    is_int(svct_authn_issue(c, ring, "https://iss", "aud", &res, now, 3600, a, sizeof a), 0,
           "no session without the tag of the store that admitted the token");
    res.store_tag = TAG_B;
    lb = svct_authn_issue(c, ring, "https://iss", "aud", &res, now, 3600, b, sizeof b);
    res.store_tag = TAG_A;
    la = svct_authn_issue(c, ring, "https://iss", "aud", &res, now, 3600, a, sizeof a);
    ok(la > 0 && lb > 0 && strcmp(a, b), "another store, another session");
    ok(strstr(a, ".") != NULL, "a session is signed");
    svct_cache_get_stats(c, &st0);
    la = svct_authn_issue(c, ring, "https://iss", "aud", &res, now, 3600, a, sizeof a);
    lb = svct_authn_issue(c, ring, "https://iss", "aud", &res, now, 3600, b, sizeof b);
    ok(la > 0 && la == lb && !strcmp(a, b), "the same second reuses the session");
    svct_cache_get_stats(c, &st);
    is_int(st.issued_hits - st0.issued_hits, 2, "from the cache");
    lb = svct_authn_issue(c, ring, "https://iss", "aud", &res, now + 1, 3600, b, sizeof b);
    ok(lb > 0 && strcmp(a, b), "a second later, a new one (new iat)");
    lb = svct_authn_issue(c, ring, "https://iss", "aud2", &res, now + 1, 3600, b, sizeof b);
    lb = svct_authn_issue(c, ring, "https://iss", "aud", &res, now + 1, 600, a, sizeof a);
    ok(lb > 0 && strcmp(a, b), "another audience or duration, another session");
    la = svct_authn_issue(c, ring, "https://iss", "aud", &res, now + 1, 3600, a, sizeof a);
    res.revoked_before = now + 2;
    lb = svct_authn_issue(c, ring, "https://iss", "aud", &res, now + 1, 3600, b, sizeof b);
    ok(lb > 0 && strcmp(a, b), "after revoke-sessions, never the earlier session");
    {
        svct_issued_key_t key = {ring, "i", "a", "id", "n", TAG_A, 60, 0};
        static char big[1100];

        memset(big, 'J', sizeof big - 1);
        svct_cache_issued_put(c, &key, 5, big, 1024);
        is_int(svct_cache_issued_get(c, &key, 5, a, sizeof a), 0,
               "an issued JWT of 1 KB is not kept");
        svct_cache_issued_put(c, &key, 5, big, 1023);
        is_int(svct_cache_issued_get(c, &key, 5, a, sizeof a), 1023, "... one byte less is");
        is_int(svct_cache_issued_get(c, &key, 5, a, 1023), 0,
               "... and not copied into a buffer too small");
        is_int(svct_cache_issued_get(c, &key, 6, a, sizeof a), 0, "... nor under another iat");
    }
    {
        /* Every part of the key is compared, not only the ones that pick
         * the slot: a table of one slot makes every key collide. */
        svct_cache_t *one = svct_cache_create(1, 1, 1);
        svct_issued_key_t k = {ring, "iss", "aud", "id", "name", TAG_A, 60, 0}, o;
        char out[64];

        svct_cache_issued_put(one, &k, 5, "jwt", 3);
        is_int(svct_cache_issued_get(one, &k, 5, out, sizeof out), 3, "the same key finds its JWT");
        o = k, o.ring = NULL;
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0,
               "... another keyring does not");
        o = k, o.iss = "iss2";
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0, "... nor another issuer");
        o = k, o.aud = "aud2";
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0, "... nor another audience");
        o = k, o.client_id = "id2";
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0, "... nor another Client ID");
        o = k, o.name = "name2";
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0, "... nor another name");
        o = k, o.store_tag = TAG_B;
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0, "... nor another store");
        o = k, o.duration = 61;
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0, "... nor another duration");
        /* The parts are kept with their lengths: moving a byte from one
         * part to the next is another key. */
        o = k, o.iss = "issa", o.aud = "ud";
        is_int(svct_cache_issued_get(one, &o, 5, out, sizeof out), 0,
               "... nor the same bytes cut elsewhere");
        svct_cache_destroy(one);
    }
    {
        /* A key over 1 KB is not cached; the session is signed each time. */
        static char aud[1100];
        svct_issued_key_t k = {ring, "i", aud, "id", "n", TAG_A, 60, 0};
        char out[64];

        memset(aud, 'a', sizeof aud - 1);
        svct_cache_issued_put(c, &k, 5, "jwt", 3);
        is_int(svct_cache_issued_get(c, &k, 5, out, sizeof out), 0, "a key over 1 KB is not kept");
        aud[1000] = '\0';
        svct_cache_issued_put(c, &k, 5, "jwt", 3);
        is_int(svct_cache_issued_get(c, &k, 5, out, sizeof out), 3, "... one of 1004 bytes is");
    }
    svct_cache_destroy(c);
}

typedef struct {
    svct_cache_t *c;
    int seed;
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    svct_session_t s;
    svct_issued_key_t key = {NULL, "i", "a", NULL, "n", TAG_A, 0, 0};
    char jwt[64], buf[128];
    int i;

    memset(&s, 0, sizeof s);
    for (i = 0; i < 20000; i++) {
        int n = snprintf(jwt, sizeof jwt, "jwt-%d-%d", w->seed, i % 500);
        if (!svct_cache_session_get(w->c, NULL, "i", "a", jwt, (size_t)n, &s)) {
            s.exp = i;
            svct_cache_session_put(w->c, NULL, "i", "a", jwt, (size_t)n, &s);
        }
        key.client_id = jwt;
        if (svct_cache_issued_get(w->c, &key, i % 7, buf, sizeof buf) == 0)
            svct_cache_issued_put(w->c, &key, i % 7, jwt, (size_t)n);
    }
    return NULL;
}

static void test_threads(void)
{
    svct_cache_t *c = svct_cache_create(32, 32, 32);
    pthread_t t[4];
    worker_t w[4];
    svct_cache_stats_t st;
    int i;

    for (i = 0; i < 4; i++) {
        w[i].c = c;
        w[i].seed = i;
        pthread_create(&t[i], NULL, worker, &w[i]);
    }
    for (i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    svct_cache_get_stats(c, &st);
    is_int(st.session_hits + st.session_misses, 80000, "4 threads, 80000 lookups, no crash");
    svct_cache_destroy(c);
    ok(svct_cache_memory(SVCT_CACHE_SESSIONS, SVCT_CACHE_TOKENS, SVCT_CACHE_ISSUED) <
           4 * 1024 * 1024,
       "default caches take %zu bytes per child",
       svct_cache_memory(SVCT_CACHE_SESSIONS, SVCT_CACHE_TOKENS, SVCT_CACHE_ISSUED));
    c = svct_cache_create(0, 0, 0);
    ok(c != NULL, "a cache with every table off can be made");
    svct_cache_destroy(c);
}

int main(void)
{
    static const char *const types[] = {"default", "SDBM", "GDBM"};
    svct_keyring_t *ring;
    char err[256];
    size_t i;

    store_test_start(dir);
    svct_clock_manual();
    ring = svct_keyring_new();
    if (!ring ||
        svct_keyring_set_signer(ring, svct_key_generate(SVCT_ALG_HS256, err, sizeof err)) != 0) {
        printf("Bail out! keyring: %s\n", err);
        return 255;
    }
    test_sessions(ring);
    test_issue(ring);
    test_threads();
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        test_store_type(types[i]);
        test_recheck(types[i]);
    }
    svct_keyring_free(ring);
    return store_test_finish(dir);
}
