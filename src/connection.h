/*
 * The Connection request header names headers that a proxy must drop
 * (RFC 9110, 7.6.1). A client could name the module's own headers there so
 * that mod_proxy drops them before the backend; the fixups take those names
 * out first.
 */
#ifndef SVCT_CONNECTION_H
#define SVCT_CONNECTION_H

#include <apr_pools.h>

/* VALUE, a Connection header, without the options listed in NAMES (a
 * NULL-terminated list, matched without regard to case). Returns VALUE
 * itself when it lists none of them, else a new string in P, "" when no
 * option is left. */
const char *svct_connection_without(apr_pool_t *p, const char *value, const char *const *names);

#endif
