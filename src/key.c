/*
 * Session signing keys: algorithm names, kids, and building a key from an
 * OpenSSL key or an HS256 secret, checked for a supported type and size and
 * tested by signing once before it is used.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "key_internal.h"

void svct_key_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    ERR_clear_error();
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* "WHO is WHAT of N UNIT; at least MIN are required" (or at most MAX
 * supported), for a key of a size outside [MIN, MAX]. */
static void svct_key_size_fail(char *err, size_t errlen, const char *who, const char *what, long n,
                               const char *unit, long min, long max)
{
    svct_key_fail(err, errlen, "%s is %s of %ld %s; %s %ld are %s", who, what, n, unit,
                  n < min ? "at least" : "at most", n < min ? min : max,
                  n < min ? "required" : "supported");
}

svct_alg_t svct_alg_from_name(const char *name)
{
    if (!name)
        return SVCT_ALG_NONE;
    if (strcmp(name, "HS256") == 0)
        return SVCT_ALG_HS256;
    if (strcmp(name, "ES256") == 0)
        return SVCT_ALG_ES256;
    if (strcmp(name, "RS256") == 0)
        return SVCT_ALG_RS256;
    if (strcmp(name, "EdDSA") == 0)
        return SVCT_ALG_EDDSA;
    return SVCT_ALG_NONE;
}

const char *svct_alg_name(svct_alg_t alg)
{
    switch (alg) {
    case SVCT_ALG_HS256:
        return "HS256";
    case SVCT_ALG_ES256:
        return "ES256";
    case SVCT_ALG_RS256:
        return "RS256";
    case SVCT_ALG_EDDSA:
        return "EdDSA";
    default:
        return NULL;
    }
}

/* A kid is copied into JSON headers and log lines, so only printable ASCII
 * without quotes or backslashes is accepted. */
int svct_kid_valid(const char *kid, size_t len)
{
    size_t i;

    if (!kid || len == 0 || len > SVCT_KID_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)kid[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

void svct_key_free(svct_key_t *key)
{
    if (!key)
        return;
    EVP_MD_CTX_free(key->sign_tmpl);
    EVP_MD_CTX_free(key->verify_tmpl);
    EVP_MAC_CTX_free(key->hmac_tmpl);
    EVP_PKEY_free(key->pkey);
    OPENSSL_clear_free(key->secret, key->secretlen);
    free(key->x);
    free(key->y);
    free(key->n);
    free(key->e);
    free(key);
}

svct_alg_t svct_key_alg(const svct_key_t *key)
{
    return key ? key->alg : SVCT_ALG_NONE;
}

const char *svct_key_kid(const svct_key_t *key)
{
    return key ? key->kid : NULL;
}

int svct_key_can_sign(const svct_key_t *key)
{
    return key ? key->can_sign : 0;
}

static int svct_key_selftest(const svct_key_t *key)
{
    static const unsigned char msg[] = "svct key self-test";
    unsigned char sig[SVCT_SIG_MAX];
    size_t siglen = svct_key_sign(key, msg, sizeof(msg) - 1, sig, sizeof(sig));

    return siglen && svct_key_verify(key, msg, sizeof(msg) - 1, sig, siglen) ? 0 : -1;
}

/*
 * Takes PKEY (consumed on every path), checks that it is a supported type and
 * size, and builds the key (key_internal.h).
 */
svct_key_t *svct_key_from_pkey(EVP_PKEY *pkey, int priv, const char *kid, const char *who,
                               char *err, size_t errlen)
{
    svct_key_t *key = calloc(1, sizeof(*key));
    char group[64] = "";
    int bits = EVP_PKEY_get_bits(pkey);

    if (!key) {
        EVP_PKEY_free(pkey);
        svct_key_fail(err, errlen, "%s: out of memory", who);
        return NULL;
    }
    key->pkey = pkey;
    key->can_sign = priv;
    if (EVP_PKEY_is_a(pkey, "EC")) {
        if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                            NULL) ||
            strcmp(group, "prime256v1") != 0) {
            svct_key_fail(err, errlen,
                          "%s is an EC key on curve %s; only P-256 is supported (ES256)", who,
                          group[0] ? group : "(unnamed)");
            goto fail;
        }
        key->alg = SVCT_ALG_ES256;
    } else if (EVP_PKEY_is_a(pkey, "RSA")) {
        if (bits < SVCT_RSA_MIN_BITS || bits > SVCT_RSA_MAX_BITS) {
            svct_key_size_fail(err, errlen, who, "an RSA key", bits, "bits", SVCT_RSA_MIN_BITS,
                               SVCT_RSA_MAX_BITS);
            goto fail;
        }
        key->alg = SVCT_ALG_RS256;
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        key->alg = SVCT_ALG_EDDSA;
    } else {
        const char *type = EVP_PKEY_get0_type_name(pkey);
        svct_key_fail(
            err, errlen,
            "%s is a key of type %s; ES256 (P-256), RS256 (RSA), EdDSA (Ed25519) and HS256 "
            "(JWK) keys are supported",
            who, type ? type : "unknown");
        goto fail;
    }
    if (svct_jwk_members(key) != 0) {
        svct_key_fail(err, errlen, "%s: cannot read the %s public key", who,
                      svct_alg_name(key->alg));
        goto fail;
    }
    if (kid) {
        memcpy(key->kid, kid, strlen(kid) + 1);
    } else if (svct_jwk_thumbprint(key) != 0) {
        svct_key_fail(err, errlen, "%s: cannot compute the key's thumbprint", who);
        goto fail;
    }
    if ((priv && !(key->sign_tmpl = svct_key_md_template(pkey, 1, key->alg))) ||
        !(key->verify_tmpl = svct_key_md_template(pkey, 0, key->alg))) {
        svct_key_fail(err, errlen, "%s: OpenSSL cannot use this %s key", who,
                      svct_alg_name(key->alg));
        goto fail;
    }
    if (priv && svct_key_selftest(key) != 0) {
        svct_key_fail(err, errlen, "%s: the private key does not match its public key", who);
        goto fail;
    }
    ERR_clear_error();
    return key;
fail:
    svct_key_free(key);
    return NULL;
}

svct_key_t *svct_key_from_secret(const unsigned char *secret, size_t len, const char *kid,
                                 const char *who, char *err, size_t errlen)
{
    svct_key_t *key;
    EVP_MAC *mac;
    OSSL_PARAM params[2];

    if (len < SVCT_HS256_MIN_BYTES || len > SVCT_HS256_MAX_BYTES) {
        svct_key_size_fail(err, errlen, who, "an HS256 key", (long)len, "bytes",
                           SVCT_HS256_MIN_BYTES, SVCT_HS256_MAX_BYTES);
        return NULL;
    }
    if (!kid || !svct_kid_valid(kid, strlen(kid))) {
        svct_key_fail(err, errlen, "%s has %s kid (1 to %d printable ASCII characters)", who,
                      kid ? "a bad" : "no", SVCT_KID_MAX);
        return NULL;
    }
    key = calloc(1, sizeof(*key));
    if (!key || !(key->secret = OPENSSL_malloc(len))) {
        free(key);
        svct_key_fail(err, errlen, "%s: out of memory", who);
        return NULL;
    }
    key->alg = SVCT_ALG_HS256;
    key->can_sign = 1;
    memcpy(key->secret, secret, len);
    key->secretlen = len;
    memcpy(key->kid, kid, strlen(kid) + 1);

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    key->hmac_tmpl = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context holds its own reference */
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!key->hmac_tmpl || EVP_MAC_init(key->hmac_tmpl, secret, len, params) != 1) {
        svct_key_fail(err, errlen, "%s: OpenSSL cannot set up HMAC-SHA256", who);
        svct_key_free(key);
        return NULL;
    }
    return key;
}
