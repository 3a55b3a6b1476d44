/*
 * The JWK Set document of a keyring, with its entity tag, and the keyring of
 * a list of key files (see jwks.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"
#include "jwks.h"

/* 16 bytes of SHA-256 are plenty to tell documents apart: the tag only has
 * to change when the keys do. */
#define SVCT_JWKS_TAG_BYTES 16

int svct_jwks_make(const svct_keyring_t *ring, svct_jwks_t *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char tag[SVCT_B64URL_ENCODED_LEN(SVCT_JWKS_TAG_BYTES) + 1];

    memset(out, 0, sizeof(*out));
    out->json = svct_keyring_jwks(ring);
    if (!out->json)
        return -1;
    out->len = strlen(out->json);
    if (EVP_Digest(out->json, out->len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        svct_b64url_encode(md, SVCT_JWKS_TAG_BYTES, tag, sizeof(tag)) == (size_t)-1) {
        svct_jwks_clear(out);
        return -1;
    }
    snprintf(out->etag, sizeof(out->etag), "\"%s\"", tag);
    return 0;
}

void svct_jwks_clear(svct_jwks_t *jwks)
{
    if (!jwks)
        return;
    free(jwks->json);
    memset(jwks, 0, sizeof(*jwks));
}

/* The earlier of PATHS[0..N) whose key KEY's kid already is in RING. */
static const char *svct_jwks_kid_owner(const svct_keyring_t *ring, const char *const *paths,
                                       const svct_key_t *const *keys, size_t n, const char *kid)
{
    size_t i;

    if (!svct_keyring_find(ring, kid, strlen(kid)))
        return NULL;
    for (i = 0; i < n; i++)
        if (strcmp(svct_key_kid(keys[i]), kid) == 0)
            return paths[i];
    return "another key file";
}

svct_keyring_t *svct_jwks_keyring_from_files(const char *const *paths, size_t n, int refuse_hs256,
                                             char *err, size_t errlen)
{
    svct_keyring_t *ring = svct_keyring_new();
    const svct_key_t **added = calloc(n ? n : 1, sizeof(*added));
    size_t i;

    if (!ring || !added) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        svct_key_t *key = svct_key_load_file(paths[i], err, errlen);
        const char *owner;
        int rc;

        if (!key)
            goto fail;
        if (refuse_hs256 && svct_key_alg(key) == SVCT_ALG_HS256) {
            snprintf(err, errlen,
                     "%s is an HS256 key: a shared secret has no public key to publish "
                     "(use ES256, RS256 or EdDSA keys)",
                     paths[i]);
            svct_key_free(key);
            goto fail;
        }
        owner = svct_jwks_kid_owner(ring, paths, added, i, svct_key_kid(key));
        if (owner) {
            snprintf(err, errlen, "%s has the kid %s of %s: a key may be given only once", paths[i],
                     svct_key_kid(key), owner);
            svct_key_free(key);
            goto fail;
        }
        rc = i == 0 ? svct_keyring_set_signer(ring, key) : svct_keyring_add_verifier(ring, key);
        if (rc != 0) {
            snprintf(err, errlen, "%s cannot be added to the keys", paths[i]);
            svct_key_free(key);
            goto fail;
        }
        added[i] = key;
    }
    free(added);
    return ring;
fail:
    free(added);
    svct_keyring_free(ring);
    return NULL;
}
