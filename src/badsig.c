/*
 * The memory of bad signatures (badsig.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "badsig.h"

typedef struct {
    const void *ring;
    unsigned char digest[32];
} badsig_ent_t;

struct svct_badsig {
    pthread_mutex_t lock;
    size_t n;
    badsig_ent_t *ents;
};

svct_badsig_t *svct_badsig_create(size_t slots)
{
    svct_badsig_t *b = calloc(1, sizeof *b);

    if (!b || !slots || !(b->ents = calloc(slots, sizeof *b->ents))) {
        free(b);
        return NULL;
    }
    b->n = slots;
    pthread_mutex_init(&b->lock, NULL);
    return b;
}

void svct_badsig_destroy(svct_badsig_t *b)
{
    if (!b)
        return;
    pthread_mutex_destroy(&b->lock);
    free(b->ents);
    free(b);
}

/* The digest of JWT and its slot; NULL if it cannot be hashed. */
static badsig_ent_t *badsig_slot(svct_badsig_t *b, const char *jwt, size_t len,
                                 unsigned char digest[32])
{
    uint64_t pick;

    if (!b || !EVP_Digest(jwt, len, digest, NULL, EVP_sha256(), NULL))
        return NULL;
    memcpy(&pick, digest, sizeof pick);
    return &b->ents[pick % b->n];
}

int svct_badsig_seen(svct_badsig_t *b, const void *ring, const char *jwt, size_t len)
{
    unsigned char digest[32];
    badsig_ent_t *e = badsig_slot(b, jwt, len, digest);
    int seen;

    if (!e)
        return 0;
    pthread_mutex_lock(&b->lock);
    seen = e->ring == ring && ring && !memcmp(e->digest, digest, sizeof digest);
    pthread_mutex_unlock(&b->lock);
    return seen;
}

void svct_badsig_note(svct_badsig_t *b, const void *ring, const char *jwt, size_t len)
{
    unsigned char digest[32];
    badsig_ent_t *e = badsig_slot(b, jwt, len, digest);

    if (!e)
        return;
    pthread_mutex_lock(&b->lock);
    e->ring = ring;
    memcpy(e->digest, digest, sizeof digest);
    pthread_mutex_unlock(&b->lock);
}
