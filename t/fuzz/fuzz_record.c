/*
 * libFuzzer target for svct_record_decode, the parser of every value read
 * from the token store (a file that may be damaged or planted). A record
 * that decodes must encode back to exactly the same bytes: the format has
 * one spelling per record, so two stores cannot disagree about one token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    char out[SVCT_RECORD_MAX];
    svct_record_t rec;
    size_t n;

    memcpy(copy, data, size);
    if (svct_record_decode(copy, size, &rec) == 0) {
        n = svct_record_encode(&rec, out, sizeof(out));
        if (n != size || memcmp(out, data, size) != 0)
            abort();
        (void)svct_record_status(&rec, 1700000000);
        (void)svct_record_secret_matches(&rec, "0123", 4, 1700000000);
    }
    free(copy);
    return 0;
}
