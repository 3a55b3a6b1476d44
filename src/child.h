/*
 * What each httpd child keeps for its requests, made when the child starts
 * and gone with it: the caches its threads share (cache.h), the session
 * JWTs whose signature failed (badsig.h), the count of unknown Client IDs
 * for the log's rate (lograte.h), and its view of a SQL store (sql_view.h).
 */
#ifndef SVCT_CHILD_H
#define SVCT_CHILD_H

#include <apr_pools.h>

#include "badsig.h"
#include "cache.h"
#include "lograte.h"
#include "log.h"
#include "seen.h"
#include "sql_view.h"

typedef struct svct_child {
    svct_cache_t *cache; /* NULL: no caching (out of memory) */
    svct_badsig_t *badsig;
    svct_lograte_t unknown_ids;
    svct_seen_memo_t *seen; /* NULL: last seen is not recorded (out of memory) */
} svct_child_t;

/* Makes CHILD's tables, freed (and set to NULL) with POOL. A cache that
 * cannot be had is logged (SVCT0006): every request then reads the store. */
void svct_child_make(svct_child_t *child, apr_pool_t *pool, const svct_log_t *log);

/* This child's view of a SQL store, with REFRESH_SECS and GRACE_SECS,
 * freed with POOL; NULL, logged (SVCT0903), when out of memory. */
svct_sql_view_t *svct_child_sql_view(apr_pool_t *pool, apr_int64_t refresh_secs,
                                     apr_int64_t grace_secs, const svct_log_t *log);

#endif
