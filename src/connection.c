/*
 * Taking header names out of a Connection header (see connection.h).
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "connection.h"

static int svct_listed(const char *opt, size_t len, const char *const *names)
{
    for (; *names != NULL; names++)
        if (strlen(*names) == len && strncasecmp(opt, *names, len) == 0)
            return 1;
    return 0;
}

const char *svct_connection_without(apr_pool_t *p, const char *value, const char *const *names)
{
    const char *s = value, *kept = NULL;
    int dropped = 0;

    while (*s != '\0') {
        size_t len;

        s += strspn(s, " \t,");
        len = strcspn(s, ",");
        /* The option without the blanks before the next comma. */
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len == 0)
            break;
        if (svct_listed(s, len, names))
            dropped = 1;
        else
            kept =
                kept ? apr_psprintf(p, "%s, %.*s", kept, (int)len, s) : apr_pstrmemdup(p, s, len);
        s += len;
        s += strcspn(s, ",");
    }
    if (!dropped)
        return value;
    return kept ? kept : "";
}
