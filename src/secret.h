/*
 * Client IDs and Client Secrets: generation from OpenSSL's CSPRNG, shape
 * checks, the stored hash and constant-time comparison.
 *
 * A secret carries 256 random bits, so a single SHA-256 is as strong as any
 * slow password hash would be, and it costs every request one hash only.
 */
#ifndef SVCT_SECRET_H
#define SVCT_SECRET_H

#include <stddef.h>

#define SVCT_CLIENT_ID_HEX 32                          /* 128 random bits */
#define SVCT_CLIENT_ID_LEN (SVCT_CLIENT_ID_HEX + 7)    /* + ".access" */
#define SVCT_SECRET_LEN 64                             /* 256 random bits */
#define SVCT_HASH_LEN 32                               /* SHA-256 */

/* Fills OUT (SVCT_CLIENT_ID_LEN + 1 bytes) with a new Client ID. 0 or -1. */
int svct_client_id_new(char *out);
/* Fills OUT (SVCT_SECRET_LEN + 1 bytes) with a new secret. 0 or -1. */
int svct_secret_new(char *out);

/* 1 when S[0..LEN) has exactly the shape of a Client ID / a secret. */
int svct_client_id_valid(const char *s, size_t len);
int svct_secret_valid(const char *s, size_t len);

/* OUT := SHA-256(SECRET[0..LEN)). */
void svct_secret_hash(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN]);
/* The same, returning -1 (and an all-zero OUT) if OpenSSL fails. */
int svct_secret_hash_checked(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN]);

/* 1 when A and B are equal, in time independent of their contents. */
int svct_ct_equal(const void *a, const void *b, size_t len);

/* Lowercase hex of BIN[0..LEN) into OUT (2*LEN+1 bytes). */
void svct_hex_encode(const unsigned char *bin, size_t len, char *out);
/* Strict lowercase-hex decode of exactly 2*LEN chars. 0 or -1. */
int svct_hex_decode(const char *hex, size_t hexlen, unsigned char *out, size_t len);

#endif
