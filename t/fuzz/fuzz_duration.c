/*
 * libFuzzer target for svct_duration_parse (CLI options and directives).
 * An accepted duration must be exactly "DIGITS UNIT" or "forever", and its
 * value the product, computed here without overflow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

static int64_t unit_of(char c)
{
    switch (c) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 604800;
    case 'y':
        return 31536000;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    int64_t secs = 12345;
    int allow, rc;
    size_t i;

    if (size == 0)
        return 0;
    allow = data[0] & 1;
    text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    rc = svct_duration_parse(text, allow, &secs);
    if (rc == 0) {
        size_t len = strlen(text);
        __int128 want = 0;

        if (!strcmp(text, "forever")) {
            if (!allow || secs != SVCT_DURATION_FOREVER)
                abort();
        } else {
            if (len < 2 || !unit_of(text[len - 1]))
                abort();
            for (i = 0; i + 1 < len; i++) {
                if (text[i] < '0' || text[i] > '9')
                    abort();
                want = want * 10 + (text[i] - '0');
                if (want > INT64_MAX)
                    abort();
            }
            want *= unit_of(text[len - 1]);
            if (want <= 0 || want > INT64_MAX || secs != (int64_t)want)
                abort();
        }
    } else if (rc != -1 || secs != 12345) {
        abort(); /* a refusal must leave *SECONDS untouched */
    }
    free(text);
    return 0;
}
