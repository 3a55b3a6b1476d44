/*
 * Strict decimal numbers (see decimal.h).
 */
#include "decimal.h"

int svct_decimal_parse(const char *s, size_t len, int64_t max, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (s == NULL || len == 0)
        return -1;
    for (i = 0; i < len; i++) {
        int d = s[i] - '0';

        if (d < 0 || d > 9 || v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
