/*
 * Unit tests of the cost of forged sessions: a signature is checked only for
 * a JWT that could be accepted here (svct_jwt_precheck), never twice for the
 * same bytes that failed (badsig.h), and of several cookies only the one
 * svct_authn_pick_session chooses is checked.
 */
#include <string.h>
#include <time.h>

#include <apr_general.h>

#include "authn.h"
#include "badsig.h"
#include "tap.h"

#define ISS "https://forged.test"

static svct_keyring_t *ring;

static size_t sign(const char *aud, int64_t iat, char *out, size_t cap)
{
    svct_session_t s;

    memset(&s, 0, sizeof s);
    strcpy(s.client_id, "0123456789abcdef0123456789abcdef.access");
    strcpy(s.name, "forged");
    s.iat = s.nbf = iat;
    s.exp = iat + 3600;
    return svct_jwt_sign(ring, ISS, aud, &s, out, cap);
}

/* JWT with its signature's first character changed: well formed, bad. */
static void forge(char *jwt, int variant)
{
    char *sig = strrchr(jwt, '.') + 1;

    sig[1] = sig[1] == 'A' + variant ? 'B' + variant : 'A' + variant;
}

static void test_badsig_table(void)
{
    svct_badsig_t *b = svct_badsig_create(4);
    int other;

    ok(b != NULL, "created");
    ok(!svct_badsig_seen(b, ring, "a.b.c", 5), "nothing seen yet");
    svct_badsig_note(b, ring, "a.b.c", 5);
    ok(svct_badsig_seen(b, ring, "a.b.c", 5), "seen once noted");
    ok(!svct_badsig_seen(b, &other, "a.b.c", 5), "not for another keyring");
    ok(!svct_badsig_seen(b, ring, "a.b.d", 5), "not for other bytes");
    ok(!svct_badsig_seen(b, ring, "a.b.c", 4), "not for a prefix");
    ok(!svct_badsig_seen(NULL, ring, "a.b.c", 5), "no table: nothing seen");
    svct_badsig_note(NULL, ring, "a.b.c", 5);
    svct_badsig_destroy(b);
    svct_badsig_destroy(NULL);
}

static void test_check_session(void)
{
    svct_badsig_t *bad = svct_badsig_create(SVCT_BADSIG_SLOTS);
    svct_cache_t *cache = svct_cache_create(16, 16, 16);
    int64_t now = (int64_t)time(NULL);
    svct_jwt_expect_t expect = {ISS, "app", now, 10};
    char good[SVCT_JWT_MAX + 1], forged[SVCT_JWT_MAX + 1], foreign[SVCT_JWT_MAX + 1];
    svct_session_t s;
    const char *why = NULL;
    int verified;

    sign("app", now, good, sizeof good);
    strcpy(forged, good);
    forge(forged, 0);
    sign("other", now, foreign, sizeof foreign);
    forge(foreign, 0);

    is_int(svct_authn_check_session(cache, bad, ring, forged, strlen(forged), &expect, &s, &why,
                                    &verified),
           -1, "a forged session is refused");
    is_str(why, "bad signature", "for its signature");
    is_int(verified, 1, "after one signature check");
    is_int(svct_authn_check_session(cache, bad, ring, forged, strlen(forged), &expect, &s, &why,
                                    &verified),
           -1, "sent again, refused");
    is_str(why, SVCT_AUTHN_BADSIG_SEEN, "as seen before");
    is_int(verified, 0, "with no signature check");
    is_int(svct_authn_check_session(cache, bad, ring, foreign, strlen(foreign), &expect, &s, &why,
                                    &verified),
           -1, "a forged session of another audience is refused");
    is_str(why, "wrong audience", "for its audience");
    is_int(verified, 0, "with no signature check");
    expect.now = now + 7200;
    is_int(svct_authn_check_session(cache, bad, ring, forged, strlen(forged), &expect, &s, &why,
                                    &verified),
           -1, "an expired forged session");
    is_int(verified, 0, "costs no signature check");
    expect.now = now;
    is_int(svct_authn_check_session(cache, bad, ring, good, strlen(good), &expect, &s, &why,
                                    &verified),
           0, "the real session is admitted");
    is_int(verified, 1, "after one signature check");
    is_int(svct_authn_check_session(cache, bad, ring, good, strlen(good), &expect, &s, &why,
                                    &verified),
           0, "and again");
    is_int(verified, 0, "from the cache");
    svct_cache_destroy(cache);
    svct_badsig_destroy(bad);
}

static void test_pick(void)
{
    svct_cache_t *cache = svct_cache_create(16, 16, 16);
    int64_t now = (int64_t)time(NULL);
    svct_jwt_expect_t expect = {ISS, "app", now, 10};
    char good[SVCT_JWT_MAX + 1], f1[SVCT_JWT_MAX + 1], f2[SVCT_JWT_MAX + 1],
        foreign[SVCT_JWT_MAX + 1], old[SVCT_JWT_MAX + 1];
    const char *why = NULL;
    svct_session_t s;
    int verified;

    sign("app", now, good, sizeof good);
    strcpy(f1, good);
    forge(f1, 0);
    strcpy(f2, good);
    forge(f2, 2);
    sign("other", now, foreign, sizeof foreign);
    sign("app", now - 7200, old, sizeof old);
    {
        const char *jwts[] = {foreign, old, f1, f2};
        size_t lens[] = {strlen(foreign), strlen(old), strlen(f1), strlen(f2)};

        is_int(svct_authn_pick_session(cache, NULL, ring, &expect, jwts, lens, 4, &why), 2,
               "the first that could be accepted here, past a foreign and an expired one");
    }
    {
        const char *jwts[] = {foreign, old, "x.y", foreign};
        size_t lens[] = {strlen(foreign), strlen(old), 3, strlen(foreign)};

        is_int(svct_authn_pick_session(cache, NULL, ring, &expect, jwts, lens, 4, &why), -1,
               "none");
        is_str(why, "wrong audience", "with the first one's reason");
    }
    svct_authn_check_session(cache, NULL, ring, good, strlen(good), &expect, &s, &why, &verified);
    {
        const char *jwts[] = {f1, f1, f2, good};
        size_t lens[] = {strlen(f1), strlen(f1), strlen(f2), strlen(good)};

        is_int(svct_authn_pick_session(cache, NULL, ring, &expect, jwts, lens, 4, &why), 3,
               "one verified before wins over the forged ones in front of it");
        is_int(svct_authn_pick_session(NULL, NULL, ring, &expect, jwts, lens, 4, &why), 0,
               "without a cache, the first that could be");
    }
    {
        svct_badsig_t *bad = svct_badsig_create(16);
        const char *jwts[] = {foreign, f2, good};
        size_t lens[] = {strlen(foreign), strlen(f2), strlen(good)};

        svct_badsig_note(bad, ring, f2, strlen(f2));
        is_int(svct_authn_pick_session(NULL, bad, ring, &expect, jwts, lens, 3, &why), 1,
               "one whose signature failed before is picked, to be refused at once");
        svct_badsig_destroy(bad);
    }
    svct_cache_destroy(cache);
}

int main(void)
{
    char err[256];

    apr_initialize();
    ring = svct_keyring_new();
    if (!ring ||
        svct_keyring_set_signer(ring, svct_key_generate(SVCT_ALG_ES256, err, sizeof err)) != 0) {
        printf("Bail out! %s\n", err);
        return 255;
    }
    test_badsig_table();
    test_check_session();
    test_pick();
    svct_keyring_free(ring);
    apr_terminate();
    return done_testing();
}
