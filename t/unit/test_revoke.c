/*
 * Unit tests of sessions and `revoke-sessions`: a session's iat is its issue
 * time, so the module never refuses its own session for an iat it chose
 * (even with no clock skew allowed); a session issued under a revocation,
 * even in its very second or under one set by a clock far ahead, is not
 * refused by it; every session issued before a later or a reset revocation
 * is. Through the store, the cache and the JWT code, as the module uses
 * them; the times are parameters, nothing waits.
 *
 * Also a tool for the httpd suite: `test_revoke set STORE TIME` records
 * TIME as the store's revocation time, as a `revoke-sessions` run by a
 * clock that is wrong would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>

#include "authn.h"
#include "store.h"
#include "store_tag.h"
#include "tap.h"

#define ISS "https://revoke.test"
#define AUD "app"
#define YEAR (365 * 86400)

static apr_pool_t *pool;
static char dir[] = "/tmp/svct-revoke-XXXXXX";
static char pathbuf[64];
static const char *path = pathbuf;
static svct_keyring_t *ring;
static svct_record_t token;
static char tag[SVCT_STORE_TAG_LEN + 1]; /* the store's (store_tag.h) */

static void set_revoked(int64_t when)
{
    svct_store_t *st;
    const char *err = NULL;

    if (svct_store_open(&st, path, NULL, SVCT_STORE_WRITE, pool, &err) != SVCT_STORE_OK ||
        svct_store_set_revoked_before(st, when) != SVCT_STORE_OK ||
        svct_store_commit(st) != SVCT_STORE_OK) {
        printf("Bail out! %s\n", err ? err : "cannot set the revocation time");
        exit(255);
    }
    svct_store_close(st);
}

/* Exchanges the token's secret at NOW and signs its session into JWT, as
 * check_secret() in the module does. */
static void issue(svct_cache_t *cache, int64_t now, char *jwt, size_t cap)
{
    svct_authn_store_t store = {.path = path, .cache = cache, .tag = tag};
    svct_authn_result_t res;
    svct_session_t by_id;

    /* The token and the revocation time, as a check of its secret reads
     * them. */
    memset(&by_id, 0, sizeof by_id);
    strcpy(by_id.client_id, token.client_id);
    strcpy(by_id.store_tag, tag);
    if (svct_authn_session(&store, &by_id, now, pool, &res) == SVCT_AUTHN_STORE_ERROR) {
        printf("Bail out! %s\n", res.store_error);
        exit(255);
    }
    res.store_tag = tag;
    if (!svct_authn_issue(cache, ring, ISS, AUD, &res, now, 3600, jwt, cap)) {
        printf("Bail out! cannot sign\n");
        exit(255);
    }
}

/* What the module decides for JWT at NOW with a clock skew of LEEWAY:
 * "ok", or the reason of the refusal. */
static const char *use(svct_cache_t *cache, const char *jwt, int64_t now, int64_t leeway,
                       svct_session_t *s)
{
    svct_authn_store_t store = {.path = path, .cache = cache, .tag = tag};
    svct_jwt_expect_t expect = {ISS, AUD, now, leeway};
    svct_authn_result_t res;
    const char *why = NULL;
    svct_authn_rc_t rc;

    if (svct_authn_verify_session(cache, ring, jwt, strlen(jwt), &expect, s, &why) != 0)
        return why;
    rc = svct_authn_session(&store, s, now, pool, &res);
    return rc == SVCT_AUTHN_OK ? "ok" : svct_authn_reason(rc);
}

static void run(svct_cache_t *cache, const char *with)
{
    char before[SVCT_JWT_MAX + 1], during[SVCT_JWT_MAX + 1], ahead[SVCT_JWT_MAX + 1],
        after[SVCT_JWT_MAX + 1];
    int64_t now = (int64_t)time(NULL);
    svct_session_t s;

    set_revoked(0);
    issue(cache, now, before, sizeof before);
    is_str(use(cache, before, now, 0, &s), "ok", "%s: a session is used at once with skew 0", with);

    /* revoke-sessions in this very second records now + 1. */
    set_revoked(now + 1);
    is_str(use(cache, before, now, 0, &s), "session revoked",
           "%s: the session issued before the revocation is refused", with);
    issue(cache, now, during, sizeof during);
    ok(strcmp(before, during) != 0, "%s: a new session, not the one issued before", with);
    is_str(use(cache, during, now, 0, &s), "ok",
           "%s: one issued in the revocation's second, after it, is used at once with skew 0",
           with);
    is_int(s.iat, now, "%s: its iat is its issue time, not the revocation's", with);
    is_int(s.revoked_before, now + 1, "%s: it carries the revocation it was issued under", with);
    is_str(use(cache, during, now + 1, 0, &s), "ok", "%s: and a second later", with);

    /* A revocation recorded by a clock a year ahead. */
    set_revoked(now + YEAR);
    is_str(use(cache, during, now, 0, &s), "session revoked",
           "%s: it revokes what was issued before", with);
    issue(cache, now, ahead, sizeof ahead);
    is_str(use(cache, ahead, now, 0, &s), "ok", "%s: but a session issued under it is used at once",
           with);
    is_int(s.iat, now, "%s: with iat capped at its issue time", with);

    /* Reset to the right time: what was issued under the wrong one is
     * refused too. */
    set_revoked(now + 2);
    is_str(use(cache, ahead, now + 2, 0, &s), "session revoked",
           "%s: after a reset, the session issued under the wrong time is refused", with);
    is_str(use(cache, during, now + 2, 0, &s), "session revoked", "%s: as are the earlier ones",
           with);
    issue(cache, now + 2, after, sizeof after);
    is_str(use(cache, after, now + 2, 0, &s), "ok", "%s: a new session is used at once", with);
}

int main(int argc, char **argv)
{
    svct_store_t *st;
    const char *err = NULL;
    char kerr[256];
    svct_cache_t *cache;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (argc == 4 && strcmp(argv[1], "set") == 0) {
        path = argv[2];
        set_revoked(strtoll(argv[3], NULL, 10));
        return 0;
    }
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 255;
    }
    snprintf(pathbuf, sizeof pathbuf, "%s/tokens", dir);
    {
        char id[256];
        size_t n = svct_store_dbm_identity(path, NULL, id, sizeof id);

        if (!n || svct_store_tag(id, n, tag) != 0) {
            printf("Bail out! no store tag\n");
            return 255;
        }
    }
    ring = svct_keyring_new();
    if (!ring ||
        svct_keyring_set_signer(ring, svct_key_generate(SVCT_ALG_HS256, kerr, sizeof kerr)) != 0) {
        printf("Bail out! %s\n", kerr);
        return 255;
    }
    memset(&token, 0, sizeof token);
    strcpy(token.name, "revoked");
    svct_client_id_new(token.client_id);
    svct_secret_hash("x", 1, token.secret_hash);
    token.created_at = token.updated_at = (int64_t)time(NULL);
    token.enabled = 1;
    if (svct_store_open(&st, path, NULL, SVCT_STORE_WRITE, pool, &err) != SVCT_STORE_OK ||
        svct_store_insert(st, &token) != SVCT_STORE_OK || svct_store_commit(st) != SVCT_STORE_OK) {
        printf("Bail out! %s\n", err ? err : "insert");
        return 255;
    }
    svct_store_close(st);

    run(NULL, "no cache");
    cache = svct_cache_create(16, 16, 16);
    run(cache, "cached");
    svct_cache_destroy(cache);

    svct_keyring_free(ring);
    apr_pool_destroy(pool);
    apr_terminate();
    snprintf(kerr, sizeof kerr, "rm -rf '%s'", dir);
    if (system(kerr) != 0)
        printf("# could not remove %s\n", dir);
    return done_testing();
}
