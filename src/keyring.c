/*
 * The keyring: one signing key and any number of verify-only previous keys,
 * found by kid.
 */
#include <stdlib.h>
#include <string.h>

#include "key_internal.h"

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
