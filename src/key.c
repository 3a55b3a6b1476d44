/*
 * Session signing keys: reading and type-checking key files, making and
 * writing new ones, JWS signatures, and the keyring that maps a token's kid
 * to the key that decides how the token is verified.
 *
 * A key never changes once built, so one keyring is shared read-only by all
 * threads of httpd. Each key keeps ready-made OpenSSL contexts that are
 * copied per call: OpenSSL 3 looks algorithms up by name (under a lock) on
 * every fresh init, and a copy skips that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "key.h"

#define SVCT_HS256_MIN_BYTES 32
#define SVCT_HS256_GEN_BYTES 32
#define SVCT_HS256_MAX_BYTES 1024
#define SVCT_RSA_MIN_BITS 2048
#define SVCT_RSA_MAX_BITS (SVCT_SIG_MAX * 8)
#define SVCT_RSA_GEN_BITS 2048
#define SVCT_KEYFILE_MAX 65536
#define SVCT_P256_BYTES 32
#define SVCT_ED25519_BYTES 32
/* A DER ECDSA-Sig-Value for P-256 is at most 72 bytes. */
#define SVCT_ECDSA_DER_MAX 80

/* The order n of the P-256 group, big-endian: r and s must lie in [1, n-1]. */
static const unsigned char svct_p256_order[SVCT_P256_BYTES] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

struct svct_key {
    svct_alg_t alg;
    int can_sign;
    char kid[SVCT_KID_MAX + 1];
    EVP_PKEY *pkey;          /* ES256, RS256, EdDSA */
    EVP_MD_CTX *sign_tmpl;   /* initialised for signing; copied per call */
    EVP_MD_CTX *verify_tmpl; /* initialised for verifying; copied per call */
    EVP_MAC_CTX *hmac_tmpl;  /* HS256: keyed HMAC-SHA256; copied per call */
    unsigned char *secret;   /* HS256 only, kept to write the key out */
    size_t secretlen;
    /* Public JWK members, base64url: EC x,y; OKP x; RSA n,e. */
    char *x, *y, *n, *e;
};

struct svct_keyring {
    svct_key_t **keys;
    size_t nkeys;
    size_t cap;
    svct_key_t *signer;
};

/* Every failure goes through here: OpenSSL's per-thread error queue is
 * emptied so that a stale entry cannot be misread later by mod_ssl. */
static void svct_key_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void svct_key_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    ERR_clear_error();
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
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

static char *svct_b64url_dup(const unsigned char *bin, size_t len)
{
    size_t cap = SVCT_B64URL_ENCODED_LEN(len) + 1;
    char *s = malloc(cap);

    if (s && svct_b64url_encode(bin, len, s, cap) == (size_t)-1) {
        free(s);
        s = NULL;
    }
    return s;
}

static char *svct_bn_b64url(const EVP_PKEY *pkey, const char *param, size_t pad)
{
    BIGNUM *bn = NULL;
    unsigned char buf[SVCT_SIG_MAX];
    char *s = NULL;
    int len;

    if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
        return NULL;
    if (pad)
        len = pad <= sizeof(buf) ? BN_bn2binpad(bn, buf, (int)pad) : -1;
    else
        len = (size_t)BN_num_bytes(bn) <= sizeof(buf) ? BN_bn2bin(bn, buf) : -1;
    if (len > 0)
        s = svct_b64url_dup(buf, (size_t)len);
    BN_free(bn);
    return s;
}

/* RFC 7638: SHA-256 over the required public members in lexicographic
 * order, no whitespace. The members are base64url, so no escaping. */
static int svct_key_thumbprint(svct_key_t *key)
{
    char *json;
    size_t len;
    unsigned char md[32];
    unsigned int mdlen = 0;
    int rc = -1;

    switch (key->alg) {
    case SVCT_ALG_ES256:
        len = strlen(key->x) + strlen(key->y) + 64;
        break;
    case SVCT_ALG_RS256:
        len = strlen(key->n) + strlen(key->e) + 64;
        break;
    case SVCT_ALG_EDDSA:
        len = strlen(key->x) + 64;
        break;
    default:
        return -1;
    }
    json = malloc(len);
    if (!json)
        return -1;
    if (key->alg == SVCT_ALG_ES256)
        snprintf(json, len, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", key->x,
                 key->y);
    else if (key->alg == SVCT_ALG_RS256)
        snprintf(json, len, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", key->e, key->n);
    else
        snprintf(json, len, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", key->x);
    if (EVP_Digest(json, strlen(json), md, &mdlen, EVP_sha256(), NULL) && mdlen == sizeof(md) &&
        svct_b64url_encode(md, mdlen, key->kid, sizeof(key->kid)) != (size_t)-1)
        rc = 0;
    free(json);
    return rc;
}

/* The ready-made contexts. EdDSA takes no separate digest. */
static EVP_MD_CTX *svct_key_md_template(EVP_PKEY *pkey, int sign, svct_alg_t alg)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const char *md = alg == SVCT_ALG_EDDSA ? NULL : "SHA256";
    int ok;

    if (!ctx)
        return NULL;
    if (sign)
        ok = EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, pkey, NULL);
    else
        ok = EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, pkey, NULL);
    if (ok != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A fresh per-call context: a copy of the template. */
static EVP_MD_CTX *svct_key_md_ctx(const EVP_MD_CTX *tmpl)
{
    EVP_MD_CTX *ctx;

    if (!tmpl)
        return NULL;
    ctx = EVP_MD_CTX_new();
    if (ctx && EVP_MD_CTX_copy_ex(ctx, tmpl) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
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
 * size, and builds the key. WHO starts the error line ("key file X"); the
 * kid is the thumbprint unless KID is given.
 */
static svct_key_t *svct_key_from_pkey(EVP_PKEY *pkey, int priv, const char *kid, const char *who,
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
        key->x = svct_bn_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_X, SVCT_P256_BYTES);
        key->y = svct_bn_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, SVCT_P256_BYTES);
        if (!key->x || !key->y) {
            svct_key_fail(err, errlen, "%s: cannot read the EC public key", who);
            goto fail;
        }
    } else if (EVP_PKEY_is_a(pkey, "RSA")) {
        if (bits < SVCT_RSA_MIN_BITS || bits > SVCT_RSA_MAX_BITS) {
            svct_key_fail(err, errlen, "%s is an RSA key of %d bits; %s %d are %s", who, bits,
                          bits < SVCT_RSA_MIN_BITS ? "at least" : "at most",
                          bits < SVCT_RSA_MIN_BITS ? SVCT_RSA_MIN_BITS : SVCT_RSA_MAX_BITS,
                          bits < SVCT_RSA_MIN_BITS ? "required" : "supported");
            goto fail;
        }
        key->alg = SVCT_ALG_RS256;
        key->n = svct_bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        key->e = svct_bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        if (!key->n || !key->e) {
            svct_key_fail(err, errlen, "%s: cannot read the RSA public key", who);
            goto fail;
        }
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        unsigned char raw[SVCT_ED25519_BYTES];
        size_t rawlen = sizeof(raw);

        key->alg = SVCT_ALG_EDDSA;
        if (EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1 || rawlen != sizeof(raw) ||
            !(key->x = svct_b64url_dup(raw, rawlen))) {
            svct_key_fail(err, errlen, "%s: cannot read the Ed25519 public key", who);
            goto fail;
        }
    } else {
        const char *type = EVP_PKEY_get0_type_name(pkey);
        svct_key_fail(
            err, errlen,
            "%s is a key of type %s; ES256 (P-256), RS256 (RSA), EdDSA (Ed25519) and HS256 "
            "(JWK) keys are supported",
            who, type ? type : "unknown");
        goto fail;
    }
    if (kid) {
        memcpy(key->kid, kid, strlen(kid) + 1);
    } else if (svct_key_thumbprint(key) != 0) {
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

static svct_key_t *svct_key_from_secret(const unsigned char *secret, size_t len, const char *kid,
                                        const char *who, char *err, size_t errlen)
{
    svct_key_t *key;
    EVP_MAC *mac;
    OSSL_PARAM params[2];

    if (len < SVCT_HS256_MIN_BYTES || len > SVCT_HS256_MAX_BYTES) {
        svct_key_fail(err, errlen, "%s is an HS256 key of %zu bytes; %s %d are %s", who, len,
                      len < SVCT_HS256_MIN_BYTES ? "at least" : "at most",
                      len < SVCT_HS256_MIN_BYTES ? SVCT_HS256_MIN_BYTES : SVCT_HS256_MAX_BYTES,
                      len < SVCT_HS256_MIN_BYTES ? "required" : "supported");
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

/* Strictly decodes a base64url JWK member into a fresh buffer. */
static unsigned char *svct_jwk_bytes(json_t *jwk, const char *name, size_t *len)
{
    json_t *v = json_object_get(jwk, name);
    const char *s;
    size_t slen, cap;
    unsigned char *buf;

    if (!json_is_string(v))
        return NULL;
    s = json_string_value(v);
    slen = json_string_length(v);
    cap = SVCT_B64URL_DECODED_MAX(slen) + 1;
    buf = OPENSSL_malloc(cap);
    if (!buf)
        return NULL;
    *len = svct_b64url_decode(s, slen, buf, cap);
    if (*len == (size_t)-1 || *len == 0) {
        OPENSSL_clear_free(buf, cap);
        return NULL;
    }
    return buf;
}

static EVP_PKEY *svct_pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, int priv)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
    EVP_PKEY *pkey = NULL;

    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *svct_jwk_ec(json_t *jwk, int *priv)
{
    size_t xl = 0, yl = 0, dl = 0;
    unsigned char *x = svct_jwk_bytes(jwk, "x", &xl), *y = svct_jwk_bytes(jwk, "y", &yl);
    unsigned char *d = svct_jwk_bytes(jwk, "d", &dl);
    unsigned char point[1 + 2 * SVCT_P256_BYTES];
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *bn = NULL;
    EVP_PKEY *pkey = NULL;

    *priv = d != NULL;
    if (!x || !y || xl != SVCT_P256_BYTES || yl != SVCT_P256_BYTES ||
        (json_object_get(jwk, "d") && (!d || dl != SVCT_P256_BYTES)))
        goto done;
    point[0] = 0x04; /* uncompressed; OpenSSL checks that it is on the curve */
    memcpy(point + 1, x, SVCT_P256_BYTES);
    memcpy(point + 1 + SVCT_P256_BYTES, y, SVCT_P256_BYTES);
    bld = OSSL_PARAM_BLD_new();
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
        goto done;
    if (d && (!(bn = BN_secure_new()) || !BN_bin2bn(d, (int)dl, bn) ||
              !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn)))
        goto done;
    pkey = svct_pkey_fromdata("EC", bld, d != NULL);
done:
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(bn);
    OPENSSL_free(x);
    OPENSSL_free(y);
    OPENSSL_clear_free(d, dl);
    return pkey;
}

static EVP_PKEY *svct_jwk_rsa(json_t *jwk, int *priv)
{
    static const char *const members[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
    static const char *const params[] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    BIGNUM *bn[8] = {NULL};
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    size_t i, count;

    *priv = json_object_get(jwk, "d") != NULL;
    /* Public: n, e. Private: with d, and either no CRT members or all five. */
    count = !*priv ? 2 : json_object_get(jwk, "p") ? 8 : 3;
    for (i = 0; bld && i < count; i++) {
        size_t len = 0;
        unsigned char *b = svct_jwk_bytes(jwk, members[i], &len);
        if (!b)
            goto done;
        bn[i] = i < 2 ? BN_bin2bn(b, (int)len, NULL) : BN_secure_new();
        if (bn[i] && i >= 2 && !BN_bin2bn(b, (int)len, bn[i])) {
            BN_clear_free(bn[i]);
            bn[i] = NULL;
        }
        OPENSSL_clear_free(b, len);
        if (!bn[i] || !OSSL_PARAM_BLD_push_BN(bld, params[i], bn[i]))
            goto done;
    }
    if (bld)
        pkey = svct_pkey_fromdata("RSA", bld, *priv);
done:
    for (i = 0; i < 8; i++)
        BN_clear_free(bn[i]);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

static EVP_PKEY *svct_jwk_okp(json_t *jwk, int *priv)
{
    size_t xl = 0, dl = 0;
    unsigned char *x = svct_jwk_bytes(jwk, "x", &xl), *d = svct_jwk_bytes(jwk, "d", &dl);
    unsigned char pub[SVCT_ED25519_BYTES];
    size_t publen = sizeof(pub);
    EVP_PKEY *pkey = NULL;

    *priv = d != NULL;
    if (!x || xl != SVCT_ED25519_BYTES ||
        (json_object_get(jwk, "d") && (!d || dl != SVCT_ED25519_BYTES)))
        goto done;
    if (d) {
        /* The public key follows from d; x must agree with it. */
        pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, d, dl);
        if (pkey && (EVP_PKEY_get_raw_public_key(pkey, pub, &publen) != 1 || publen != xl ||
                     CRYPTO_memcmp(pub, x, xl) != 0)) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
    } else {
        pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, x, xl);
    }
done:
    OPENSSL_free(x);
    OPENSSL_clear_free(d, dl);
    return pkey;
}

static const char *svct_jwk_str(json_t *jwk, const char *name)
{
    return json_string_value(json_object_get(jwk, name));
}

/* ONLY_OCT: key files hold HS256 JWKs only; other keys are PEM there. */
static svct_key_t *svct_key_jwk(const char *json, size_t len, int only_oct, const char *who,
                                char *err, size_t errlen)
{
    json_t *jwk = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    const char *kty = svct_jwk_str(jwk, "kty"), *alg = svct_jwk_str(jwk, "alg");
    const char *crv = svct_jwk_str(jwk, "crv"), *kid = svct_jwk_str(jwk, "kid");
    json_t *jkid = json_object_get(jwk, "kid");
    svct_key_t *key = NULL;
    const char *want = NULL;
    EVP_PKEY *pkey = NULL;
    int priv = 0;

    if (!json_is_object(jwk) || !kty) {
        svct_key_fail(err, errlen, "%s is not %s", who,
                      only_oct ? "a PEM private key or an HS256 JWK"
                               : "a JSON object with a \"kty\" (no duplicate members)");
        goto done;
    }
    if (jkid && (!kid || !svct_kid_valid(kid, json_string_length(jkid)))) {
        svct_key_fail(err, errlen, "%s has a bad kid (1 to %d printable ASCII characters)", who,
                      SVCT_KID_MAX);
        goto done;
    }
    if (strcmp(kty, "oct") == 0)
        want = "HS256";
    else if (strcmp(kty, "EC") == 0 && crv && strcmp(crv, "P-256") == 0)
        want = "ES256";
    else if (strcmp(kty, "RSA") == 0)
        want = "RS256";
    else if (strcmp(kty, "OKP") == 0 && crv && strcmp(crv, "Ed25519") == 0)
        want = "EdDSA";
    if (!want || (only_oct && strcmp(kty, "oct") != 0)) {
        svct_key_fail(err, errlen, "%s is a JWK of kty %s%s%s; %s", who, kty, crv ? " crv " : "",
                      crv ? crv : "",
                      only_oct ? "key files hold HS256 JWKs or PEM private keys"
                               : "supported are oct (HS256), EC P-256, RSA and OKP Ed25519");
        goto done;
    }
    if (json_object_get(jwk, "alg") && (!alg || strcmp(alg, want) != 0)) {
        svct_key_fail(err, errlen, "%s is a JWK with alg %s; its key type needs %s", who,
                      alg ? alg : "(not a string)", want);
        goto done;
    }
    if (strcmp(want, "HS256") == 0) {
        size_t klen = 0;
        unsigned char *k = svct_jwk_bytes(jwk, "k", &klen);
        if (!k) {
            svct_key_fail(err, errlen, "%s is an HS256 JWK without a valid base64url \"k\"", who);
            goto done;
        }
        key = svct_key_from_secret(k, klen, kid, who, err, errlen);
        OPENSSL_clear_free(k, klen);
        goto done;
    }
    if (strcmp(want, "ES256") == 0)
        pkey = svct_jwk_ec(jwk, &priv);
    else if (strcmp(want, "RS256") == 0)
        pkey = svct_jwk_rsa(jwk, &priv);
    else
        pkey = svct_jwk_okp(jwk, &priv);
    if (!pkey) {
        svct_key_fail(err, errlen, "%s: the %s JWK has missing or invalid members", who, kty);
        goto done;
    }
    key = svct_key_from_pkey(pkey, priv, kid, who, err, errlen);
done:
    json_decref(jwk);
    return key;
}

svct_key_t *svct_key_from_jwk(const char *json, size_t len, char *err, size_t errlen)
{
    return svct_key_jwk(json, len, 0, "JWK", err, errlen);
}

/* Never prompts: a server must not wait on a terminal for a passphrase. */
static int svct_key_no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static svct_key_t *svct_key_pem(const char *pem, size_t len, const char *who, char *err,
                                size_t errlen)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pkey = NULL;

    if (bio)
        pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, svct_key_no_password, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey)
        return svct_key_from_pkey(pkey, 1, NULL, who, err, errlen);
    if (strstr(pem, "ENCRYPTED"))
        svct_key_fail(err, errlen,
                      "%s is an encrypted private key; store it unencrypted with mode 0600", who);
    else if (!strstr(pem, "PRIVATE KEY-----") && strstr(pem, "PUBLIC KEY-----"))
        svct_key_fail(err, errlen, "%s holds only a public key; the private key is needed to sign",
                      who);
    else if (!strstr(pem, "PRIVATE KEY-----") && strstr(pem, "CERTIFICATE-----"))
        svct_key_fail(err, errlen, "%s holds a certificate, not a private key", who);
    else
        svct_key_fail(err, errlen, "%s is not a PEM private key or an HS256 JWK", who);
    return NULL;
}

svct_key_t *svct_key_load_file(const char *path, char *err, size_t errlen)
{
    char who[4200];
    svct_key_t *key = NULL;
    struct stat st;
    char *buf = NULL;
    size_t len = 0, i;
    int fd;

    snprintf(who, sizeof(who), "key file %s", path ? path : "(null)");
    if (!path) {
        svct_key_fail(err, errlen, "%s: no path given", who);
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        svct_key_fail(err, errlen, "%s cannot be opened: %s", who, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        svct_key_fail(err, errlen, "%s is not a regular file", who);
        goto done;
    }
    if (st.st_size > SVCT_KEYFILE_MAX) {
        svct_key_fail(err, errlen, "%s is larger than %d bytes, too large for a key", who,
                      SVCT_KEYFILE_MAX);
        goto done;
    }
    buf = OPENSSL_malloc(SVCT_KEYFILE_MAX + 1);
    if (!buf) {
        svct_key_fail(err, errlen, "%s: out of memory", who);
        goto done;
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, SVCT_KEYFILE_MAX + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            svct_key_fail(err, errlen, "%s cannot be read: %s", who, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > SVCT_KEYFILE_MAX) {
            svct_key_fail(err, errlen, "%s is larger than %d bytes, too large for a key", who,
                          SVCT_KEYFILE_MAX);
            goto done;
        }
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        svct_key_fail(err, errlen, "%s is not a PEM private key or an HS256 JWK", who);
        goto done;
    }
    for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n');
         i++)
        ;
    if (i < len && buf[i] == '{')
        key = svct_key_jwk(buf, len, 1, who, err, errlen);
    else
        key = svct_key_pem(buf, len, who, err, errlen);
done:
    if (buf)
        OPENSSL_clear_free(buf, SVCT_KEYFILE_MAX + 1);
    close(fd);
    return key;
}

svct_key_t *svct_key_generate(svct_alg_t alg, char *err, size_t errlen)
{
    EVP_PKEY *pkey = NULL;

    switch (alg) {
    case SVCT_ALG_HS256: {
        unsigned char secret[SVCT_HS256_GEN_BYTES], rnd[16];
        char kid[SVCT_B64URL_ENCODED_LEN(sizeof(rnd)) + 1];
        svct_key_t *key = NULL;

        if (RAND_bytes(secret, sizeof(secret)) == 1 && RAND_bytes(rnd, sizeof(rnd)) == 1 &&
            svct_b64url_encode(rnd, sizeof(rnd), kid, sizeof(kid)) != (size_t)-1)
            key = svct_key_from_secret(secret, sizeof(secret), kid, "the new key", err, errlen);
        else
            svct_key_fail(err, errlen, "the random generator failed");
        OPENSSL_cleanse(secret, sizeof(secret));
        return key;
    }
    case SVCT_ALG_ES256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        break;
    case SVCT_ALG_RS256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)SVCT_RSA_GEN_BITS);
        break;
    case SVCT_ALG_EDDSA:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    default:
        svct_key_fail(err, errlen, "unknown algorithm; use HS256, ES256, RS256 or EdDSA");
        return NULL;
    }
    if (!pkey) {
        svct_key_fail(err, errlen, "OpenSSL could not generate a %s key", svct_alg_name(alg));
        return NULL;
    }
    return svct_key_from_pkey(pkey, 1, NULL, "the new key", err, errlen);
}

/* The file's bytes: a PKCS#8 PEM, or the HS256 JWK. Freed by the caller
 * with OPENSSL_clear_free(*OUT, *OUTLEN). */
static int svct_key_serialize(const svct_key_t *key, char **out, size_t *outlen)
{
    if (key->alg == SVCT_ALG_HS256) {
        size_t klen = SVCT_B64URL_ENCODED_LEN(key->secretlen) + 1;
        size_t cap = klen + strlen(key->kid) + 64;
        char *k = OPENSSL_malloc(klen), *buf = OPENSSL_malloc(cap);
        int n = -1;

        if (k && buf && svct_b64url_encode(key->secret, key->secretlen, k, klen) != (size_t)-1)
            n = snprintf(buf, cap,
                         "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"%s\",\"k\":\"%s\"}\n",
                         key->kid, k);
        if (k)
            OPENSSL_clear_free(k, klen);
        if (n < 0 || (size_t)n >= cap) {
            if (buf)
                OPENSSL_clear_free(buf, cap);
            return -1;
        }
        *out = buf;
        *outlen = cap;
        return n;
    } else {
        /* The secure-memory BIO clears its buffer when freed. */
        BIO *bio = BIO_new(BIO_s_secmem());
        char *data = NULL, *buf = NULL;
        long n = -1;

        if (bio && key->can_sign &&
            PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) == 1)
            n = BIO_get_mem_data(bio, &data);
        if (n > 0 && (buf = OPENSSL_malloc((size_t)n)))
            memcpy(buf, data, (size_t)n);
        BIO_free(bio);
        if (!buf)
            return -1;
        *out = buf;
        *outlen = (size_t)n;
        return (int)n;
    }
}

int svct_key_write_file(const svct_key_t *key, const char *path, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t cap = 0, off = 0, len;
    int n, fd, rc = -1;

    if (!key || !path) {
        svct_key_fail(err, errlen, "no key or no path given");
        return -1;
    }
    n = svct_key_serialize(key, &buf, &cap);
    if (n <= 0) {
        svct_key_fail(err, errlen, "cannot write %s: the key cannot be serialized", path);
        return -1;
    }
    len = (size_t)n;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        svct_key_fail(err, errlen, "cannot create %s: %s%s", path, strerror(errno),
                      errno == EEXIST ? " (an existing key file is never overwritten)" : "");
        goto done;
    }
    /* The umask may only have narrowed 0600, but make it exact. */
    if (fchmod(fd, 0600) != 0)
        goto write_failed;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto write_failed;
        off += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto write_failed;
    if (close(fd) != 0) {
        fd = -1;
        goto write_failed;
    }
    rc = 0;
    goto done;
write_failed:
    svct_key_fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(path);
done:
    OPENSSL_clear_free(buf, cap);
    return rc;
}

static size_t svct_key_hmac(const svct_key_t *key, const unsigned char *data, size_t len,
                            unsigned char *out, size_t cap)
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(key->hmac_tmpl);
    size_t outlen = 0;

    if (!ctx || EVP_MAC_update(ctx, data, len) != 1 || EVP_MAC_final(ctx, out, &outlen, cap) != 1)
        outlen = 0;
    EVP_MAC_CTX_free(ctx);
    return outlen == 32 ? outlen : 0;
}

/* DER ECDSA-Sig-Value -> the JWS form r||s, each left-padded to 32 bytes. */
static size_t svct_ecdsa_der_to_jws(const unsigned char *der, size_t derlen, unsigned char *sig,
                                    size_t cap)
{
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    const BIGNUM *r, *s;
    size_t rc = 0;

    if (!es)
        return 0;
    ECDSA_SIG_get0(es, &r, &s);
    if (cap >= 2 * SVCT_P256_BYTES && BN_bn2binpad(r, sig, SVCT_P256_BYTES) == SVCT_P256_BYTES &&
        BN_bn2binpad(s, sig + SVCT_P256_BYTES, SVCT_P256_BYTES) == SVCT_P256_BYTES)
        rc = 2 * SVCT_P256_BYTES;
    ECDSA_SIG_free(es);
    return rc;
}

/* 1 when the 32-byte big-endian V is in [1, n-1]. */
static int svct_p256_scalar_ok(const unsigned char *v)
{
    static const unsigned char zero[SVCT_P256_BYTES];

    return memcmp(v, zero, SVCT_P256_BYTES) != 0 && memcmp(v, svct_p256_order, SVCT_P256_BYTES) < 0;
}

/* JWS r||s -> DER, refusing r or s outside [1, n-1] before OpenSSL sees it. */
static size_t svct_ecdsa_jws_to_der(const unsigned char *sig, size_t siglen, unsigned char *der,
                                    size_t cap)
{
    ECDSA_SIG *es;
    BIGNUM *r, *s;
    unsigned char *p = der;
    int len;

    if (siglen != 2 * SVCT_P256_BYTES || !svct_p256_scalar_ok(sig) ||
        !svct_p256_scalar_ok(sig + SVCT_P256_BYTES))
        return 0;
    es = ECDSA_SIG_new();
    r = BN_bin2bn(sig, SVCT_P256_BYTES, NULL);
    s = BN_bin2bn(sig + SVCT_P256_BYTES, SVCT_P256_BYTES, NULL);
    if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
        ECDSA_SIG_free(es);
        BN_free(r);
        BN_free(s);
        return 0;
    }
    len = i2d_ECDSA_SIG(es, NULL);
    if (len <= 0 || (size_t)len > cap || i2d_ECDSA_SIG(es, &p) != len)
        len = 0;
    ECDSA_SIG_free(es);
    return (size_t)len;
}

size_t svct_key_sign(const svct_key_t *key, const unsigned char *data, size_t len,
                     unsigned char *sig, size_t sigcap)
{
    unsigned char der[SVCT_ECDSA_DER_MAX];
    EVP_MD_CTX *ctx;
    size_t siglen = 0;

    if (!key || !key->can_sign || !sig || (!data && len))
        return 0;
    if (key->alg == SVCT_ALG_HS256) {
        siglen = svct_key_hmac(key, data, len, sig, sigcap);
        ERR_clear_error();
        return siglen;
    }
    ctx = svct_key_md_ctx(key->sign_tmpl);
    if (key->alg == SVCT_ALG_ES256) {
        size_t derlen = sizeof(der);
        if (ctx && EVP_DigestSign(ctx, der, &derlen, data, len) == 1)
            siglen = svct_ecdsa_der_to_jws(der, derlen, sig, sigcap);
    } else {
        size_t need = 0;
        /* Ask the size first: OpenSSL refuses short buffers, we want to say 0. */
        if (ctx && EVP_DigestSign(ctx, NULL, &need, data, len) == 1 && need <= sigcap) {
            siglen = need;
            if (EVP_DigestSign(ctx, sig, &siglen, data, len) != 1)
                siglen = 0;
        }
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return siglen;
}

int svct_key_verify(const svct_key_t *key, const unsigned char *data, size_t len,
                    const unsigned char *sig, size_t siglen)
{
    unsigned char buf[SVCT_ECDSA_DER_MAX];
    EVP_MD_CTX *ctx;
    int ok = 0;

    if (!key || !sig || (!data && len))
        return 0;
    if (key->alg == SVCT_ALG_HS256) {
        unsigned char mac[32];
        ok = siglen == sizeof(mac) && svct_key_hmac(key, data, len, mac, sizeof(mac)) &&
             CRYPTO_memcmp(mac, sig, sizeof(mac)) == 0;
        OPENSSL_cleanse(mac, sizeof(mac));
        ERR_clear_error();
        return ok;
    }
    switch (key->alg) {
    case SVCT_ALG_ES256:
        siglen = svct_ecdsa_jws_to_der(sig, siglen, buf, sizeof(buf));
        sig = buf;
        break;
    case SVCT_ALG_RS256:
        /* RFC 8017: the signature is exactly as long as the modulus. */
        if (siglen != (size_t)EVP_PKEY_get_size(key->pkey))
            siglen = 0;
        break;
    case SVCT_ALG_EDDSA:
        if (siglen != 64)
            siglen = 0;
        break;
    default:
        return 0;
    }
    if (!siglen)
        return 0;
    ctx = svct_key_md_ctx(key->verify_tmpl);
    ok = ctx && EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

svct_keyring_t *svct_keyring_new(void)
{
    return calloc(1, sizeof(svct_keyring_t));
}

void svct_keyring_free(svct_keyring_t *ring)
{
    size_t i;

    if (!ring)
        return;
    for (i = 0; i < ring->nkeys; i++)
        svct_key_free(ring->keys[i]);
    free(ring->keys);
    free(ring);
}

/* SKIP is left out of the duplicate check: it is about to be replaced. */
static int svct_keyring_has_kid(const svct_keyring_t *ring, const char *kid, const svct_key_t *skip)
{
    size_t i;

    for (i = 0; i < ring->nkeys; i++)
        if (ring->keys[i] != skip && strcmp(ring->keys[i]->kid, kid) == 0)
            return 1;
    return 0;
}

static int svct_keyring_append(svct_keyring_t *ring, svct_key_t *key)
{
    if (ring->nkeys == ring->cap) {
        size_t cap = ring->cap ? ring->cap * 2 : 4;
        svct_key_t **keys = realloc(ring->keys, cap * sizeof(*keys));
        if (!keys)
            return -1;
        ring->keys = keys;
        ring->cap = cap;
    }
    ring->keys[ring->nkeys++] = key;
    return 0;
}

int svct_keyring_set_signer(svct_keyring_t *ring, svct_key_t *key)
{
    size_t i;

    if (!ring || !key || !key->can_sign || !key->kid[0] ||
        svct_keyring_has_kid(ring, key->kid, ring->signer))
        return -1;
    if (ring->signer) {
        for (i = 0; i < ring->nkeys && ring->keys[i] != ring->signer; i++)
            ;
        svct_key_free(ring->signer);
        ring->keys[i] = key;
    } else if (svct_keyring_append(ring, key) != 0) {
        return -1;
    }
    ring->signer = key;
    return 0;
}

int svct_keyring_add_verifier(svct_keyring_t *ring, svct_key_t *key)
{
    if (!ring || !key || !key->kid[0] || svct_keyring_has_kid(ring, key->kid, NULL))
        return -1;
    return svct_keyring_append(ring, key);
}

const svct_key_t *svct_keyring_signer(const svct_keyring_t *ring)
{
    return ring ? ring->signer : NULL;
}

const svct_key_t *svct_keyring_find(const svct_keyring_t *ring, const char *kid, size_t kidlen)
{
    size_t i;

    if (!ring || !kid || kidlen == 0 || kidlen > SVCT_KID_MAX)
        return NULL;
    for (i = 0; i < ring->nkeys; i++) {
        const svct_key_t *key = ring->keys[i];
        if (strlen(key->kid) == kidlen && memcmp(key->kid, kid, kidlen) == 0)
            return key;
    }
    return NULL;
}

static json_t *svct_key_public_jwk(const svct_key_t *key)
{
    switch (key->alg) {
    case SVCT_ALG_ES256:
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "EC", "use", "sig", "alg", "ES256",
                         "kid", key->kid, "crv", "P-256", "x", key->x, "y", key->y);
    case SVCT_ALG_RS256:
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "use", "sig", "alg", "RS256",
                         "kid", key->kid, "n", key->n, "e", key->e);
    case SVCT_ALG_EDDSA:
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "OKP", "use", "sig", "alg", "EdDSA",
                         "kid", key->kid, "crv", "Ed25519", "x", key->x);
    default:
        return NULL;
    }
}

char *svct_keyring_jwks(const svct_keyring_t *ring)
{
    json_t *keys, *root;
    char *out = NULL;
    size_t i;

    if (!ring || !(keys = json_array()))
        return NULL;
    /* The signer first, so that a reader taking the first key gets it. */
    if (ring->signer && ring->signer->alg != SVCT_ALG_HS256 &&
        json_array_append_new(keys, svct_key_public_jwk(ring->signer)) != 0)
        goto fail;
    for (i = 0; i < ring->nkeys; i++) {
        const svct_key_t *key = ring->keys[i];
        if (key == ring->signer || key->alg == SVCT_ALG_HS256)
            continue;
        if (json_array_append_new(keys, svct_key_public_jwk(key)) != 0)
            goto fail;
    }
    root = json_pack("{s:o}", "keys", keys); /* takes KEYS, even on failure */
    if (root)
        out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return out;
fail:
    json_decref(keys);
    return NULL;
}
