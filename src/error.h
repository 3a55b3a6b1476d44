/*
 * How a handle (a token store's, the SQL store's) keeps the one line that
 * says why its last call failed, for the log or stderr.
 */
#ifndef SVCT_ERROR_H
#define SVCT_ERROR_H

#include <apr_pools.h>

/* Sets *ERROR to FMT formatted in P, and returns RC (the caller's status
 * code, whatever its type). */
int svct_error_set(const char **error, apr_pool_t *p, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
