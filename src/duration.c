/*
 * Parsing of user-written durations ("90d", "8760h", "1y", "forever"), shared
 * by the svctoken CLI and the module's directives so both accept exactly the
 * same language.
 */
#include <string.h>

#include "decimal.h"
#include "duration.h"

static int64_t svct_duration_unit(char c)
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
        return 7 * 86400;
    case 'y':
        /* Calendar years vary; a fixed 365 days keeps "now + 1y" predictable. */
        return 365 * 86400;
    default:
        return 0;
    }
}

int svct_duration_parse(const char *text, int allow_forever, int64_t *seconds)
{
    const char *p;
    int64_t n = 0, unit;

    if (text == NULL || *text == '\0')
        return -1;
    if (strcmp(text, "forever") == 0) {
        if (!allow_forever)
            return -1;
        *seconds = SVCT_DURATION_FOREVER;
        return 0;
    }
    /* A number, then one unit letter. */
    for (p = text; *p >= '0' && *p <= '9'; p++)
        ;
    if (p[0] == '\0' || p[1] != '\0' ||
        svct_decimal_parse(text, (size_t)(p - text), INT64_MAX, &n) != 0)
        return -1;
    unit = svct_duration_unit(p[0]);
    if (unit == 0 || n == 0 || n > INT64_MAX / unit)
        return -1;
    *seconds = n * unit;
    return 0;
}
