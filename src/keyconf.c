/*
 * The keys of the configuration (keyconf.h).
 */
#include <string.h>
#include <sys/stat.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <openssl/crypto.h>

#include "b64url.h"
#include "keyconf.h"

const char *svct_keyconf_check_file(apr_pool_t *p, const char *name, const char *path,
                                    const char **kid, unsigned *group_mode)
{
    char err[256];
    struct stat sb;
    svct_key_t *key = svct_key_load_file(path, err, sizeof err);
    int can_sign;

    *group_mode = 0;
    if (!key)
        return apr_pstrcat(p, name, ": ", err, NULL);
    can_sign = svct_key_can_sign(key);
    *kid = apr_pstrdup(p, svct_key_kid(key));
    svct_key_free(key);
    if (!can_sign || stat(path, &sb) != 0)
        return NULL;
    if (sb.st_mode & S_IROTH)
        return apr_psprintf(p,
                            "%s: key file %s can be read by any user (mode %04o); "
                            "chown it to root and chmod 600 it",
                            name, path, (unsigned)(sb.st_mode & 07777));
    if (sb.st_mode & S_IRGRP)
        *group_mode = (unsigned)(sb.st_mode & 07777);
    return NULL;
}

#define SVCT_GENERATED_KEY "access_svctoken:generated-key"

static apr_status_t wipe_generated_key(void *jwk)
{
    OPENSSL_cleanse(jwk, strlen(jwk));
    return APR_SUCCESS;
}

const char *svct_keyconf_generated_jwk(apr_pool_t *pp)
{
    unsigned char secret[32], kid[12];
    char k[64], kidtext[24];
    void *jwk = NULL;

    apr_pool_userdata_get(&jwk, SVCT_GENERATED_KEY, pp);
    if (jwk)
        return jwk;
    if (apr_generate_random_bytes(secret, sizeof secret) != APR_SUCCESS ||
        apr_generate_random_bytes(kid, sizeof kid) != APR_SUCCESS ||
        svct_b64url_encode(secret, sizeof secret, k, sizeof k) == (size_t)-1 ||
        svct_b64url_encode(kid, sizeof kid, kidtext, sizeof kidtext) == (size_t)-1)
        return NULL;
    jwk = apr_psprintf(pp, "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"%s\",\"k\":\"%s\"}",
                       kidtext, k);
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse(k, sizeof k);
    apr_pool_cleanup_register(pp, jwk, wipe_generated_key, apr_pool_cleanup_null);
    apr_pool_userdata_set(jwk, SVCT_GENERATED_KEY, apr_pool_cleanup_null, pp);
    return jwk;
}

static svct_key_t *load_key(const char *file, const svct_log_t *log)
{
    char err[256];
    struct stat sb;
    svct_key_t *key = svct_key_load_file(file, err, sizeof err);

    if (!key) {
        svct_log(log, SVCT_LOG_CRIT, "SVCT0001: %s", err);
        return NULL;
    }
    if (svct_key_can_sign(key) && stat(file, &sb) == 0 && (sb.st_mode & 0077))
        svct_log(log, SVCT_LOG_WARNING,
                 "SVCT0002: key file %s can be read by other users than its owner "
                 "(mode %04o); chmod 600 it",
                 file, (unsigned)(sb.st_mode & 07777));
    return key;
}

static svct_key_t *generated_key(const char *jwk, int *told, const svct_log_t *log)
{
    char err[256] = "cannot make a random signing key";
    svct_key_t *key = jwk ? svct_key_parse(jwk, strlen(jwk), err, sizeof err) : NULL;

    if (!key)
        svct_log(log, SVCT_LOG_CRIT, "SVCT0003: %s", err);
    else if (!*told) {
        *told = 1;
        svct_log(log, SVCT_LOG_NOTICE,
                 "SVCT0004: no ServiceTokenSigningKey: sessions are signed with a random key "
                 "kept until httpd stops (graceful and plain restarts keep it); sessions end "
                 "when httpd stops, and servers that share sessions need one shared "
                 "ServiceTokenSigningKey");
    }
    return key;
}

static apr_status_t free_keyring(void *ring)
{
    svct_keyring_free(ring);
    return APR_SUCCESS;
}

/* Adds the keys of FILES to RING; OWNERS maps a kid to the file that brought
 * it, to name both files of a duplicate. */
static int add_verifiers(svct_keyring_t *ring, apr_hash_t *owners, const char *const *files, int n,
                         const svct_log_t *log)
{
    int i;

    for (i = 0; i < n; i++) {
        svct_key_t *key = load_key(files[i], log);
        const char *owner;

        if (!key)
            return -1;
        owner = apr_hash_get(owners, svct_key_kid(key), APR_HASH_KEY_STRING);
        if (owner || svct_keyring_add_verifier(ring, key) != 0) {
            svct_log(log, SVCT_LOG_CRIT,
                     "SVCT0005: ServiceTokenVerifyKey %s has the kid %s of %s: a key may be "
                     "listed only once",
                     files[i], svct_key_kid(key), owner ? owner : "another key");
            svct_key_free(key);
            return -1;
        }
        apr_hash_set(owners, svct_key_kid(key), APR_HASH_KEY_STRING, files[i]);
    }
    return 0;
}

svct_keyring_t *svct_keyconf_ring(apr_pool_t *pool, const char *signing_file,
                                  const char *generated_jwk, const char *const *verify_files, int n,
                                  int *told, const svct_log_t *log)
{
    svct_keyring_t *ring = svct_keyring_new();
    apr_hash_t *owners;
    svct_key_t *key;

    if (!ring)
        return NULL;
    apr_pool_cleanup_register(pool, ring, free_keyring, apr_pool_cleanup_null);
    key = signing_file ? load_key(signing_file, log) : generated_key(generated_jwk, told, log);
    if (!key)
        return NULL;
    svct_keyring_set_signer(ring, key);
    owners = apr_hash_make(pool);
    apr_hash_set(owners, svct_key_kid(key), APR_HASH_KEY_STRING,
                 signing_file ? signing_file : "the generated key");
    return add_verifiers(ring, owners, verify_files, n, log) == 0 ? ring : NULL;
}
