/*
 * A handle's last error (error.h).
 */
#include <stdarg.h>

#include <apr_strings.h>

#include "error.h"

int svct_error_set(const char **error, apr_pool_t *p, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    *error = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    return rc;
}
