/*
 * Session signing keys and the keyring.
 *
 * A key is HS256 (256-bit or longer secret), ES256 (P-256), RS256 (RSA of
 * at least 2048 bits) or EdDSA (Ed25519), and carries its kid. Key files:
 * EC, RSA and Ed25519 keys are PKCS#8 or traditional PEM private keys, their
 * kid being the RFC 7638 JWK thumbprint of the public key; an HS256 key is a
 * JSON Web Key ({"kty":"oct","alg":"HS256","kid":...,"k":...}) with a random
 * kid, since a thumbprint of a symmetric key would publish a hash of it.
 *
 * The keyring holds one signing key and any number of verify-only previous
 * keys, so keys can rotate without ending live sessions. The algorithm of a
 * verification always comes from the key found by kid, never from the token.
 */
#ifndef SVCT_KEY_H
#define SVCT_KEY_H

#include <stddef.h>

typedef enum {
    SVCT_ALG_NONE = 0, /* never valid; 0 so that a zeroed struct is unusable */
    SVCT_ALG_HS256,
    SVCT_ALG_ES256,
    SVCT_ALG_RS256,
    SVCT_ALG_EDDSA
} svct_alg_t;

#define SVCT_KID_MAX 64
/* The longest signature: an RSA key of 8192 bits, the largest accepted. */
#define SVCT_SIG_MAX 1024

typedef struct svct_key svct_key_t;
typedef struct svct_keyring svct_keyring_t;

/* "HS256", "ES256", "RS256", "EdDSA" <-> svct_alg_t (SVCT_ALG_NONE if unknown). */
svct_alg_t svct_alg_from_name(const char *name);
const char *svct_alg_name(svct_alg_t alg);

/* 1 when KID[0..LEN) is an acceptable kid: 1 to SVCT_KID_MAX printable
 * ASCII characters, no space, quote or backslash. */
int svct_kid_valid(const char *kid, size_t len);

/* Loads and type-checks a key file. On failure returns NULL and writes one
 * line naming the file and the reason into ERR (ERRLEN bytes). */
svct_key_t *svct_key_load_file(const char *path, char *err, size_t errlen);
/* A fresh key with a fresh kid, from OpenSSL's CSPRNG. */
svct_key_t *svct_key_generate(svct_alg_t alg, char *err, size_t errlen);
/* A key from TEXT[0..LEN), what a key file holds (see above): a PEM
 * private key or an HS256 JWK. NULL with one line in ERR. */
svct_key_t *svct_key_parse(const char *text, size_t len, char *err, size_t errlen);
/* Writes KEY to PATH in the format above, created with mode 0600; refuses to
 * overwrite an existing file. 0 or -1 with ERR set. */
int svct_key_write_file(const svct_key_t *key, const char *path, char *err, size_t errlen);
void svct_key_free(svct_key_t *key);

svct_alg_t svct_key_alg(const svct_key_t *key);
const char *svct_key_kid(const svct_key_t *key);
/* 1 when KEY holds a private part or a secret, so it can sign. */
int svct_key_can_sign(const svct_key_t *key);

/* Signs / verifies DATA[0..LEN) with KEY's own algorithm. Signatures are in
 * JWS form (ES256: the 64-byte r||s, not DER). sign returns the signature
 * length or 0; verify returns 1 only for a valid signature. */
size_t svct_key_sign(const svct_key_t *key, const unsigned char *data, size_t len,
                     unsigned char *sig, size_t sigcap);
int svct_key_verify(const svct_key_t *key, const unsigned char *data, size_t len,
                    const unsigned char *sig, size_t siglen);

/* The keyring takes ownership of the keys added to it; when adding fails
 * (-1), the caller still owns the key. */
svct_keyring_t *svct_keyring_new(void);
void svct_keyring_free(svct_keyring_t *ring);
/* The key that signs new sessions (also used to verify); replaces (and
 * frees) any previous signing key. 0, or -1 if the kid is already in the
 * ring or the key cannot sign. */
int svct_keyring_set_signer(svct_keyring_t *ring, svct_key_t *key);
/* A verify-only key. 0, or -1 if the kid is already in the ring. */
int svct_keyring_add_verifier(svct_keyring_t *ring, svct_key_t *key);
const svct_key_t *svct_keyring_signer(const svct_keyring_t *ring);
const svct_key_t *svct_keyring_find(const svct_keyring_t *ring, const char *kid, size_t kidlen);

/* The public keys of the ring as a JWK Set (RFC 7517), NUL-terminated and
 * malloc()ed; HS256 keys are left out. NULL on failure. */
char *svct_keyring_jwks(const svct_keyring_t *ring);

#endif
