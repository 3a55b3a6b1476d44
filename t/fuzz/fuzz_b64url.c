/*
 * libFuzzer target for the strict base64url decoder that every JWT segment
 * goes through. Strictness means one encoding per byte string: whatever
 * decodes must encode back to exactly the input, and every byte string
 * must survive an encode/decode round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = SVCT_B64URL_DECODED_MAX(size), n, m;
    unsigned char *dec = malloc(cap ? cap : 1);
    char *in = malloc(size ? size : 1), *enc = malloc(SVCT_B64URL_ENCODED_LEN(size) + 1);

    memcpy(in, data, size);
    n = svct_b64url_decode(in, size, dec, cap);
    if (n != (size_t)-1) {
        char *back = malloc(size + 1);

        if (n > cap || svct_b64url_encode(dec, n, back, size + 1) != size ||
            memcmp(back, data, size) != 0)
            abort();
        free(back);
        /* A buffer one byte short must be refused, never overrun. */
        if (n > 0 && svct_b64url_decode(in, size, dec, n - 1) != (size_t)-1)
            abort();
    }
    m = svct_b64url_encode(data, size, enc, SVCT_B64URL_ENCODED_LEN(size) + 1);
    if (m != SVCT_B64URL_ENCODED_LEN(size))
        abort();
    {
        unsigned char *rt = malloc(size ? size : 1);
        if (svct_b64url_decode(enc, m, rt, size) != size || memcmp(rt, data, size) != 0)
            abort();
        free(rt);
    }
    free(dec);
    free(in);
    free(enc);
    return 0;
}
