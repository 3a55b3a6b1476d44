/*
 * The state of an httpd child (child.h).
 */
#include "child.h"

static apr_status_t free_cache(void *data)
{
    svct_child_t *child = data;

    svct_cache_destroy(child->cache);
    child->cache = NULL;
    return APR_SUCCESS;
}

static apr_status_t free_badsig(void *data)
{
    svct_child_t *child = data;

    svct_badsig_destroy(child->badsig);
    child->badsig = NULL;
    return APR_SUCCESS;
}

static apr_status_t free_seen(void *data)
{
    svct_child_t *child = data;

    svct_seen_memo_destroy(child->seen);
    child->seen = NULL;
    return APR_SUCCESS;
}

void svct_child_make(svct_child_t *child, apr_pool_t *pool, const svct_log_t *log)
{
    child->seen = svct_seen_memo_create(SVCT_SEEN_MEMO_SLOTS);
    if (child->seen)
        apr_pool_cleanup_register(pool, child, free_seen, apr_pool_cleanup_null);
    child->badsig = svct_badsig_create(SVCT_BADSIG_SLOTS);
    if (child->badsig)
        apr_pool_cleanup_register(pool, child, free_badsig, apr_pool_cleanup_null);
    child->cache = svct_cache_create(SVCT_CACHE_SESSIONS, SVCT_CACHE_TOKENS, SVCT_CACHE_ISSUED);
    if (child->cache)
        apr_pool_cleanup_register(pool, child, free_cache, apr_pool_cleanup_null);
    else
        svct_log(log, SVCT_LOG_WARNING,
                 "SVCT0006: out of memory for the caches: every request reads the token store");
}

static apr_status_t free_view(void *view)
{
    svct_sql_view_destroy(view);
    return APR_SUCCESS;
}

svct_sql_view_t *svct_child_sql_view(apr_pool_t *pool, apr_int64_t refresh_secs,
                                     apr_int64_t grace_secs, const svct_log_t *log)
{
    svct_sql_view_t *view = svct_sql_view_create(apr_time_from_sec(refresh_secs),
                                                 apr_time_from_sec(grace_secs), SVCT_CACHE_TOKENS);

    if (view)
        apr_pool_cleanup_register(pool, view, free_view, apr_pool_cleanup_null);
    else
        svct_log(log, SVCT_LOG_CRIT, "SVCT0903: out of memory for the view of the token database");
    return view;
}
