/*
 * What the key files of src/ (key.c, keyfile.c, jwk.c, keyring.c,
 * signature.c) share: the key and keyring structures and the steps that
 * build a key. Nothing outside them includes this header.
 */
#ifndef SVCT_KEY_INTERNAL_H
#define SVCT_KEY_INTERNAL_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "key.h"

#define SVCT_HS256_MIN_BYTES 32
#define SVCT_HS256_MAX_BYTES 1024
#define SVCT_RSA_MIN_BITS 2048
#define SVCT_RSA_MAX_BITS (SVCT_SIG_MAX * 8)
#define SVCT_P256_BYTES 32
#define SVCT_ED25519_BYTES 32

/* A key never changes once built, so one keyring is shared read-only by
 * all threads of httpd. Each key keeps ready-made OpenSSL contexts that are
 * copied per call: OpenSSL 3 looks algorithms up by name (under a lock) on
 * every fresh init, and a copy skips that. */
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

/* Writes one line into ERR. Every failure goes through here: OpenSSL's
 * per-thread error queue is emptied so that a stale entry cannot be
 * misread later by mod_ssl. */
void svct_key_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* key.c: a key from PKEY (consumed on every path), checked for a supported
 * type and size; PRIV when it holds the private part. WHO starts the error
 * line ("key file X"); the kid is the thumbprint unless KID is given. */
svct_key_t *svct_key_from_pkey(EVP_PKEY *pkey, int priv, const char *kid, const char *who,
                               char *err, size_t errlen);
/* key.c: an HS256 key from SECRET[0..LEN) with KID. */
svct_key_t *svct_key_from_secret(const unsigned char *secret, size_t len, const char *kid,
                                 const char *who, char *err, size_t errlen);

/* jwk.c: fills KEY's public JWK members from its pkey. 0 or -1. */
int svct_jwk_members(svct_key_t *key);
/* jwk.c: KEY's kid := its RFC 7638 thumbprint. 0 or -1. */
int svct_jwk_thumbprint(svct_key_t *key);
/* jwk.c: base64url of BIN[0..LEN), malloc()ed; NULL on failure. */
char *svct_b64url_dup(const unsigned char *bin, size_t len);

/* signature.c: a context of PKEY initialised for signing (SIGN) or
 * verifying with ALG, to be copied per call. */
EVP_MD_CTX *svct_key_md_template(EVP_PKEY *pkey, int sign, svct_alg_t alg);

#endif
