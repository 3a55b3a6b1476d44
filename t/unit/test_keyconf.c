/*
 * Unit tests of the keys of the configuration (src/keyconf.c): a key file
 * is type-checked as the directive is read, a signing key any user may read
 * is refused and one its group may read reported; the keyring of a server
 * has the signing key or, without one, the parent's generated key (made
 * once per process pool, told about once); a kid twice or a key that
 * cannot be read stops start-up with its numbered line.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "keyconf.h"
#include "logrec.h"
#include "tap.h"

static apr_pool_t *pool;
static char dir[] = "/tmp/svct-keyconf-XXXXXX";

static const char *write_key(const char *name, svct_alg_t alg, mode_t mode)
{
    char err[256];
    const char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    svct_key_t *key = svct_key_generate(alg, err, sizeof err);

    if (!key || svct_key_write_file(key, path, err, sizeof err) != 0 || chmod(path, mode) != 0) {
        printf("Bail out! %s: %s\n", path, err);
        exit(255);
    }
    svct_key_free(key);
    return path;
}

static void test_check_file(void)
{
    const char *signing = write_key("sign.pem", SVCT_ALG_ES256, 0600);
    const char *kid = NULL;
    unsigned group = 1;

    is_str(svct_keyconf_check_file(pool, "ServiceTokenSigningKey", signing, &kid, &group), NULL,
           "a signing key of mode 600");
    ok(kid && *kid, "has its kid");
    is_int(group, 0, "its group cannot read it");
    chmod(signing, 0640);
    is_str(svct_keyconf_check_file(pool, "ServiceTokenSigningKey", signing, &kid, &group), NULL,
           "one of mode 640 is taken");
    is_int(group, 0640, "and its mode reported, to be warned about");
    chmod(signing, 0644);
    ok(strstr(svct_keyconf_check_file(pool, "ServiceTokenSigningKey", signing, &kid, &group),
              "can be read by any user (mode 0644); chown it to root and chmod 600 it") != NULL,
       "one any user may read is refused");
    chmod(signing, 0600);
    ok(!strncmp(svct_keyconf_check_file(pool, "ServiceTokenVerifyKey",
                                        apr_pstrcat(pool, dir, "/none.pem", NULL), &kid, &group),
                "ServiceTokenVerifyKey: ", 23),
       "a missing file is refused by the directive's name");
}

static void test_ring(void)
{
    const char *signing = write_key("sign2.pem", SVCT_ALG_ES256, 0600);
    const char *old = write_key("old.pem", SVCT_ALG_ES256, 0600);
    const char *files[2] = {old, old};
    const char *jwk;
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);
    svct_keyring_t *ring;
    int told = 0;

    ring = svct_keyconf_ring(pool, signing, NULL, files, 1, &told, &log);
    ok(ring && svct_key_alg(svct_keyring_signer(ring)) == SVCT_ALG_ES256,
       "a ring of a signing key and a verify key");
    is_int(rec.count, 0, "nothing logged");
    ring = svct_keyconf_ring(pool, signing, NULL, files, 2, &told, &log);
    ok(ring == NULL, "a verify key twice stops start-up");
    ok(strstr(rec.line, "SVCT0005: ServiceTokenVerifyKey ") == rec.line &&
           rec.level == SVCT_LOG_CRIT,
       "SVCT0005: %s", rec.line);
    ring = svct_keyconf_ring(pool, apr_pstrcat(pool, dir, "/none.pem", NULL), NULL, files, 0, &told,
                             &log);
    ok(ring == NULL && !strncmp(rec.line, "SVCT0001: ", 10), "an unreadable key: %s", rec.line);

    jwk = svct_keyconf_generated_jwk(pool);
    ok(jwk && strstr(jwk, "\"alg\":\"HS256\""), "a generated HS256 key");
    ok(svct_keyconf_generated_jwk(pool) == jwk, "made once per pool");
    log = logrec_sink(&rec);
    ring = svct_keyconf_ring(pool, NULL, jwk, files, 1, &told, &log);
    ok(ring && svct_key_alg(svct_keyring_signer(ring)) == SVCT_ALG_HS256,
       "signs a ring without a signing key");
    ok(told && !strncmp(rec.line, "SVCT0004: no ServiceTokenSigningKey", 35) &&
           rec.level == SVCT_LOG_NOTICE,
       "and is told about");
    log = logrec_sink(&rec);
    svct_keyconf_ring(pool, NULL, jwk, files, 0, &told, &log);
    is_int(rec.count, 0, "once");
    ok(svct_keyconf_ring(pool, NULL, NULL, files, 0, &told, &log) == NULL &&
           !strcmp(rec.line, "SVCT0003: cannot make a random signing key"),
       "no generated key: SVCT0003");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 255;
    }
    test_check_file();
    test_ring();
    apr_pool_destroy(pool);
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            printf("# could not remove %s\n", dir);
    }
    apr_terminate();
    return done_testing();
}
