/*
 * Keys as JSON Web Keys (RFC 7517): their public members, the RFC 7638
 * thumbprint that is their kid, and the public JWK Set of a keyring.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

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
