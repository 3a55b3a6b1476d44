/*
 * Unit tests of the check of a request (src/admission.c) against a real
 * DBM store: a secret admits its token and a new session admits it again,
 * from the header or from one of several cookies; each refusal has its
 * outcome and its numbered line at its level (a wrong secret, an unknown
 * or malformed Client ID, an address outside --allow-from, a forged or
 * expired session, unusable one-header credentials, half or no
 * credentials).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "admission.h"
#include "logrec.h"
#include "tap.h"
#include "store_test.h"

#define TAG "AAAAAAAAAAAAAAAAAAAAAA"
#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define ID "0123456789abcdef0123456789abcdef.access"

static char dir[] = "/tmp/svct-admission-XXXXXX";
static svct_lograte_t unknown_ids;
static logrec_t rec;

static void make_store(const char *path, const char *allow)
{
    svct_record_t r = make_record("ci-deployer", 1);
    svct_store_t *st;

    snprintf(r.client_id, sizeof r.client_id, ID);
    svct_secret_hash(SECRET, strlen(SECRET), r.secret_hash);
    r.expires_at = time(NULL) + 86400;
    if (allow && svct_cidr_list_parse(allow, r.allow_from, &r.n_allow, NULL, NULL) != 0) {
        printf("Bail out! %s\n", allow);
        exit(255);
    }
    st = open_or_die(path, "default", SVCT_STORE_WRITE);
    svct_store_insert(st, &r);
    svct_store_commit(st);
    svct_store_close(st);
}

/* 1 when the last line logged begins with PREFIX. */
static int starts(const char *prefix)
{
    return !strncmp(rec.line, prefix, strlen(prefix));
}

static svct_admission_t admission(const char *path, const svct_keyring_t *ring, const char *ip)
{
    svct_admission_t a;

    memset(&a, 0, sizeof a);
    a.store.path = path;
    a.store.dbmtype = "default";
    a.store.tag = TAG;
    a.keyring = ring;
    a.unknown_ids = &unknown_ids;
    a.issuer = "https://www.example";
    a.audience = "https://www.example/app";
    a.leeway = 10;
    a.client_ip = ip;
    a.now = time(NULL);
    a.pool = pool;
    a.log = logrec_sink(&rec);
    return a;
}

static void test_secret(const char *path, const svct_keyring_t *ring)
{
    svct_admission_t a = admission(path, ring, "192.0.2.1");
    svct_authn_result_t res;

    is_int(svct_admission_secret(&a, ID, SECRET, &res), SVCT_ADMIT_OK, "the secret admits");
    is_str(res.token.name, "ci-deployer", "its token");
    is_int(rec.count, 0, "and nothing is logged");
    is_int(svct_admission_secret(&a, ID, "11" SECRET, &res), SVCT_ADMIT_REFUSED,
           "a wrong secret is refused");
    is_str(rec.line, "SVCT0204: access refused: bad secret, token \"ci-deployer\", client id " ID,
           "SVCT0204 names the token");
    is_int(rec.level, SVCT_LOG_WARNING, "at warn");
    is_int(svct_admission_secret(&a, "nope", SECRET, &res), SVCT_ADMIT_REFUSED,
           "a malformed Client ID is refused");
    is_str(rec.line, "SVCT0202: access refused: malformed client id", "and not logged");
    is_int(svct_admission_secret(&a, "fedcba9876543210fedcba9876543210.access", SECRET, &res),
           SVCT_ADMIT_REFUSED, "an unknown Client ID is refused");
    ok(strstr(rec.line, "SVCT0203: access refused: unknown client id "
                        "fedcba9876543210fedcba9876543210.access (unknown client id 1 of this "
                        "process; one in 100 is logged at this level)") == rec.line &&
           rec.level == SVCT_LOG_WARNING,
       "the first at warn, with the count");
    svct_admission_secret(&a, "fedcba9876543210fedcba9876543210.access", SECRET, &res);
    is_int(rec.level, SVCT_LOG_DEBUG, "the next at debug");
}

static void test_address(const char *path, const svct_keyring_t *ring)
{
    svct_admission_t a = admission(path, ring, "198.51.100.7");
    svct_authn_result_t res;

    is_int(svct_admission_secret(&a, ID, SECRET, &res), SVCT_ADMIT_REFUSED,
           "a secret from outside --allow-from is refused");
    is_str(rec.line,
           "SVCT1202: access refused: client address 198.51.100.7 is outside the --allow-from "
           "of token \"ci-deployer\", client id " ID,
           "SVCT1202 says from where");
    a = admission(path, ring, "192.0.2.9");
    is_int(svct_admission_secret(&a, ID, SECRET, &res), SVCT_ADMIT_OK, "one from inside admits");
}

static void test_session(const char *path, const svct_keyring_t *ring)
{
    svct_admission_t a = admission(path, ring, "192.0.2.1");
    svct_authn_result_t res;
    const char *jwt, *got = NULL, *cookies;
    int64_t lifetime = 0;
    int tried = 0;

    svct_admission_secret(&a, ID, SECRET, &res);
    jwt = svct_admission_issue(&a, &res, 3600, &lifetime);
    ok(jwt != NULL, "a session is signed");
    is_int(lifetime, 3600, "for the duration asked");
    is_int(svct_admission_session(&a, jwt, NULL, &tried, &res, &got), SVCT_ADMIT_OK,
           "it admits from the header");
    ok(tried && got && !strcmp(got, jwt), "that very session");
    tried = 0;
    is_int(svct_admission_session(&a, NULL, NULL, &tried, &res, &got), SVCT_ADMIT_DECLINED,
           "no session: declined");
    is_int(tried, 0, "with nothing tried");
    cookies = apr_pstrcat(pool, "a=b; CF_Authorization=x.y.z; CF_Authorization=", jwt, NULL);
    is_int(svct_admission_session(&a, NULL, cookies, &tried, &res, &got), SVCT_ADMIT_OK,
           "the good one of two cookies admits");
    a.log = logrec_sink(&rec);
    is_int(svct_admission_session(&a, "x.y.z", NULL, &tried, &res, &got), SVCT_ADMIT_DECLINED,
           "a broken session is declined");
    ok(starts("SVCT0101: bad session (header): ") && rec.level == SVCT_LOG_WARNING,
       "SVCT0101 at warn: %s", rec.line);
    a.now += 7200;
    is_int(svct_admission_session(&a, jwt, NULL, &tried, &res, &got), SVCT_ADMIT_DECLINED,
           "an expired session is declined");
    ok(starts("SVCT0101: bad session (header): ") && rec.level == SVCT_LOG_INFO,
       "SVCT0101 at info: it ended in the normal course: %s", rec.line);
    a = admission(path, ring, "198.51.100.7");
    is_int(svct_admission_session(&a, jwt, NULL, &tried, &res, &got), SVCT_ADMIT_DECLINED,
           "a session from outside --allow-from is declined");
    ok(starts("SVCT1201: session refused (header): client address 198.51.100.7"), "SVCT1201: %s",
       rec.line);
}

static void test_credentials(const char *path, const svct_keyring_t *ring)
{
    svct_admission_t a = admission(path, ring, "192.0.2.1");
    svct_presented_t in = {NULL, NULL, "X-Creds", NULL, 0};
    svct_authn_result_t res;

    in.creds_value =
        "{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET "\"}";
    is_int(svct_admission_credentials(&a, &in, &res), SVCT_ADMIT_OK,
           "one-header credentials admit");
    is_str(res.token.name, "ci-deployer", "their token");
    in.creds_value = "{}";
    is_int(svct_admission_credentials(&a, &in, &res), SVCT_ADMIT_REFUSED,
           "unusable ones are refused");
    ok(starts("SVCT1203: access refused: the X-Creds header is not usable credentials: ") &&
           rec.level == SVCT_LOG_ERR,
       "SVCT1203 says why: %s", rec.line);
    in.client_id = ID;
    is_int(svct_admission_credentials(&a, &in, &res), SVCT_ADMIT_REFUSED,
           "a Client ID without its secret is refused");
    is_str(rec.line, "SVCT0302: access refused: CF-Access-Client-Secret header missing",
           "SVCT0302 names the header missing");
    in.client_secret = SECRET;
    is_int(svct_admission_credentials(&a, &in, &res), SVCT_ADMIT_OK, "both headers admit");
    in.client_id = in.client_secret = in.creds_value = NULL;
    a.log = logrec_sink(&rec);
    is_int(svct_admission_credentials(&a, &in, &res), SVCT_ADMIT_REFUSED, "nothing is refused");
    ok(!strcmp(rec.line, "SVCT0303: access refused: no credentials") && rec.level == SVCT_LOG_INFO,
       "SVCT0303 at info");
    in.tried_session = 1;
    a.log = logrec_sink(&rec);
    svct_admission_credentials(&a, &in, &res);
    is_int(rec.count, 0, "not logged again after a refused session");
}

int main(void)
{
    svct_keyring_t *ring;
    char err[256], path[300], bound[300];

    store_test_start(dir);
    ring = svct_keyring_new();
    if (!ring ||
        svct_keyring_set_signer(ring, svct_key_generate(SVCT_ALG_ES256, err, sizeof err)) != 0) {
        printf("Bail out! keyring: %s\n", err);
        return 255;
    }
    snprintf(path, sizeof path, "%s/tokens.db", dir);
    snprintf(bound, sizeof bound, "%s/bound.db", dir);
    make_store(path, NULL);
    make_store(bound, "192.0.2.0/24");
    test_secret(path, ring);
    test_address(bound, ring);
    test_session(bound, ring);
    test_credentials(path, ring);
    svct_keyring_free(ring);
    return store_test_finish(dir);
}
