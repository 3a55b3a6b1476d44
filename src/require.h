/*
 * "Require service-token [NAME...]" and "Require service-token-id ID...":
 * whether the lists of a Require line admit a token, with the line that
 * says why not (SVCT0401).
 */
#ifndef SVCT_REQUIRE_H
#define SVCT_REQUIRE_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "log.h"

/* 1 when LIST (of const char *: token names, or Client IDs when IDS) admits
 * the token NAME, CLIENT_ID: it names it, or it is empty (any token). Else
 * 0, logged with what the line asks for. */
int svct_require_admits(const apr_array_header_t *list, int ids, const char *name,
                        const char *client_id, apr_pool_t *p, const svct_log_t *log);

#endif
