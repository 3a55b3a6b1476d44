/*
 * libFuzzer target for svct_key_parse (what a key file holds: a PEM private
 * key or an HS256 JWK). Keys that load must have a usable kid and algorithm.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    char *json = malloc(size ? size : 1);
    svct_key_t *key;

    memcpy(json, data, size);
    err[0] = '\0';
    key = svct_key_parse(json, size, err, sizeof(err));
    if (key) {
        const char *kid = svct_key_kid(key);

        if (!kid || !svct_kid_valid(kid, strlen(kid)) || svct_key_alg(key) == SVCT_ALG_NONE)
            abort();
        svct_key_free(key);
    } else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
        abort();
    }
    free(json);
    return 0;
}
