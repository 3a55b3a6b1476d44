/*
 * Keys as JSON Web Keys (RFC 7517): their public members, the RFC 7638
 * thumbprint that is their kid, the public JWK Set of a keyring, and the
 * import of a JWK.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "b64url.h"
#include "key_internal.h"

char *svct_b64url_dup(const unsigned char *bin, size_t len)
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

int svct_jwk_members(svct_key_t *key)
{
    unsigned char raw[SVCT_ED25519_BYTES];
    size_t rawlen = sizeof(raw);

    switch (key->alg) {
    case SVCT_ALG_ES256:
        key->x = svct_bn_b64url(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, SVCT_P256_BYTES);
        key->y = svct_bn_b64url(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, SVCT_P256_BYTES);
        return key->x && key->y ? 0 : -1;
    case SVCT_ALG_RS256:
        key->n = svct_bn_b64url(key->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        key->e = svct_bn_b64url(key->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        return key->n && key->e ? 0 : -1;
    case SVCT_ALG_EDDSA:
        if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &rawlen) != 1 || rawlen != sizeof(raw))
            return -1;
        key->x = svct_b64url_dup(raw, rawlen);
        return key->x ? 0 : -1;
    default:
        return -1;
    }
}

/* The public members RFC 7638 requires of KEY's type, or NULL. */
static json_t *svct_jwk_required(const svct_key_t *key)
{
    switch (key->alg) {
    case SVCT_ALG_ES256:
        return json_pack("{s:s,s:s,s:s,s:s}", "kty", "EC", "crv", "P-256", "x", key->x, "y",
                         key->y);
    case SVCT_ALG_RS256:
        return json_pack("{s:s,s:s,s:s}", "kty", "RSA", "n", key->n, "e", key->e);
    case SVCT_ALG_EDDSA:
        return json_pack("{s:s,s:s,s:s}", "kty", "OKP", "crv", "Ed25519", "x", key->x);
    default:
        return NULL;
    }
}

/* RFC 7638: SHA-256 over the required members in lexicographic order, no
 * whitespace. */
int svct_jwk_thumbprint(svct_key_t *key)
{
    json_t *jwk = svct_jwk_required(key);
    char *json = jwk ? json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    unsigned char md[32];
    unsigned int mdlen = 0;
    int rc = -1;

    if (json && EVP_Digest(json, strlen(json), md, &mdlen, EVP_sha256(), NULL) &&
        mdlen == sizeof(md) &&
        svct_b64url_encode(md, mdlen, key->kid, sizeof(key->kid)) != (size_t)-1)
        rc = 0;
    free(json);
    json_decref(jwk);
    return rc;
}

/* The public JWK of KEY: the required members with kid, alg and use. */
static json_t *svct_key_public_jwk(const svct_key_t *key)
{
    json_t *jwk = svct_jwk_required(key);

    if (jwk &&
        json_object_update_new(jwk, json_pack("{s:s,s:s,s:s}", "use", "sig", "alg",
                                              svct_alg_name(key->alg), "kid", key->kid)) != 0) {
        json_decref(jwk);
        jwk = NULL;
    }
    return jwk;
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

svct_key_t *svct_key_jwk(const char *json, size_t len, int only_oct, const char *who, char *err,
                         size_t errlen)
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
