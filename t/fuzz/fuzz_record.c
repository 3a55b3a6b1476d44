/*
 * libFuzzer target for svct_record_decode, the parser of every value read
 * from the token store (a file that may be damaged or planted). A v2 record
 * that decodes must encode back to exactly the same bytes: the format has
 * one spelling per record, so two stores cannot disagree about one token.
 * A v1 record encodes as v2: the same fields and "\t-" (from anywhere).
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
        if (data[1] == '1') {
            if (rec.n_allow != 0 || n != size + 2 || memcmp(out, "v2", 2) != 0 ||
                memcmp(out + 2, data + 2, size - 2) != 0 || memcmp(out + size, "\t-", 2) != 0)
                abort();
        } else if (n != size || memcmp(out, data, size) != 0) {
            abort();
        }
        (void)svct_record_status(&rec, 1700000000);
        (void)svct_record_secret_matches(&rec, "0123", 4, 1700000000);
        (void)svct_record_allows(&rec, "10.1.2.3");
        (void)svct_record_allows(&rec, "2001:db8::1");
    }
    free(copy);
    return 0;
}
