/*
 * The JWK Set that backends fetch to verify the sessions this module signs:
 * the document the "service-token-keys" handler serves and `svctoken jwks`
 * prints, made once from a keyring (never per request), and the key files
 * it is made from.
 */
#ifndef SVCT_JWKS_H
#define SVCT_JWKS_H

#include <stddef.h>

#include "key.h"

/* A strong entity tag: a quoted base64url digest of the document. */
#define SVCT_JWKS_ETAG_SIZE 32

typedef struct {
    char *json; /* {"keys":[...]}, NUL-terminated, malloc()ed */
    size_t len;
    char etag[SVCT_JWKS_ETAG_SIZE]; /* "\"...\"", the quotes included */
} svct_jwks_t;

/* The public keys of RING (its signer first, then the verify keys in the
 * order they were added; HS256 keys have none and are left out) with the
 * document's ETag, into OUT. 0, or -1 when out of memory. */
int svct_jwks_make(const svct_keyring_t *ring, svct_jwks_t *out);
void svct_jwks_clear(svct_jwks_t *jwks);

/* A keyring from key files as the module would build it: PATHS[0] the
 * signing key, the others verify keys. Refused (NULL, one line in ERR naming
 * the file): an unreadable or bad key file, an HS256 key when REFUSE_HS256
 * (it has nothing public to publish), and a kid that is already that of an
 * earlier file (the same key given twice, or two files with one kid). */
svct_keyring_t *svct_jwks_keyring_from_files(const char *const *paths, size_t n, int refuse_hs256,
                                             char *err, size_t errlen);

#endif
