/*
 * The start-up warning of tokens that expire soon. httpd's parent, at
 * start-up, at each restart and in `apachectl configtest`, looks into every
 * token store the configuration uses and names each enabled token that
 * expires within SVCT_EXPIRY_WARN_SECS or has expired: once per token and
 * restart however many sections or servers share a store, and never in the
 * children. No httpd types: the module's glue adds the stores and logs.
 */
#ifndef SVCT_EXPIRY_H
#define SVCT_EXPIRY_H

#include <stdint.h>
#include <apr_pools.h>

#include "record.h"

#define SVCT_EXPIRY_WARN_SECS (INT64_C(7) * 86400)

/* A pgsql connection made for the check gives up after this many seconds
 * (unless DBDParams sets its own connect_timeout): a database that cannot
 * be reached must not hold up a start or a graceful restart for the
 * minutes a TCP connect can take. */
#define SVCT_EXPIRY_CONNECT_TIMEOUT 5

typedef struct svct_expiry svct_expiry_t;

/* An empty set of stores to check, living in P. */
svct_expiry_t *svct_expiry_make(apr_pool_t *p);

/* Adds the DBM store PATH (DBMTYPE, NULL for "default"); a path added
 * before is not added again. */
void svct_expiry_add_dbm(svct_expiry_t *x, const char *path, const char *dbmtype);

/* Adds the SQL store that DRIVER and PARAMS (mod_dbd's DBDriver and
 * DBDParams) reach; the same pair added before is not added again. PARAMS
 * may hold a password: nothing this file reports contains them. */
void svct_expiry_add_dbd(svct_expiry_t *x, const char *driver, const char *params);

/* Called once per token found: STORE names its store for a log line
 * ("token store PATH", or "the token database (pgsql)" for a SQL store). */
typedef void (*svct_expiry_token_fn)(void *baton, const char *store, const svct_record_t *rec);
/* Called once per store that could not be read, with one line saying why;
 * IS_SQL: a SQL store (a DBM store's failure is also the start-up check's
 * of storecheck.h). */
typedef void (*svct_expiry_fail_fn)(void *baton, const char *store, int is_sql, const char *why);

/* Reads each store once, read-only, and calls TOKEN for every enabled token
 * that expires before NOW + WITHIN or has expired (never one that never
 * expires), in each store's order; FAIL for a store that cannot be read. */
void svct_expiry_run(svct_expiry_t *x, int64_t now, int64_t within, svct_expiry_token_fn token,
                     svct_expiry_fail_fn fail, void *baton);

#endif
