/*
 * A per-process memory of session JWTs whose signature was found bad, so that
 * a client sending the same forged sessions again costs a hash and a lookup
 * per request, not a signature check. Fixed size (the oldest entry of a slot
 * gives way), one mutex, nothing allocated after creation. An entry is the
 * keyring and the SHA-256 of the whole JWT: a JWT is refused from here only
 * if these very bytes failed against this very ring, which they always will.
 */
#ifndef SVCT_BADSIG_H
#define SVCT_BADSIG_H

#include <stddef.h>

#define SVCT_BADSIG_SLOTS 256

typedef struct svct_badsig svct_badsig_t;

/* NULL when out of memory (then nothing is remembered). */
svct_badsig_t *svct_badsig_create(size_t slots);
void svct_badsig_destroy(svct_badsig_t *b);

/* 1 when JWT[0..LEN) failed its signature check against RING before. */
int svct_badsig_seen(svct_badsig_t *b, const void *ring, const char *jwt, size_t len);
/* Remembers that JWT[0..LEN) failed its signature check against RING. */
void svct_badsig_note(svct_badsig_t *b, const void *ring, const char *jwt, size_t len);

#endif
