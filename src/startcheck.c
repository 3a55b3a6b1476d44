/*
 * The start-up warnings of stores and names (startcheck.h).
 */
#include <string.h>
#include <apr_strings.h>

#include "startcheck.h"
#include "storecheck.h"

static int seen_before(const svct_store_ref *stores, int upto, const char *path)
{
    int i;

    for (i = 0; i < upto; i++)
        if (!strcmp(stores[i].path, path))
            return 1;
    return 0;
}

void svct_startcheck_stores(const svct_store_ref *stores, int n, uid_t uid, gid_t gid,
                            const char *user, const svct_log_t *log)
{
    char err[512];
    int i;

    for (i = 0; i < n; i++) {
        if (seen_before(stores, i, stores[i].path) ||
            svct_storecheck_open_as(stores[i].path, stores[i].type, uid, gid, user, err,
                                    sizeof err) == 0)
            continue;
        svct_log(log, SVCT_LOG_WARNING,
                 "SVCT0603: token store %s cannot be opened by user %s, whom httpd's children "
                 "run as: %s; requests that need it will get 500",
                 stores[i].path, user, err);
    }
}

void svct_startcheck_names(apr_hash_t *told, const svct_store_ref *store, const char *const *names,
                           int n, const svct_log_t *log)
{
    apr_pool_t *p = apr_hash_pool_get(told);
    int i;

    for (i = 0; i < n; i++) {
        const char *key = apr_pstrcat(p, store->path, "\n", names[i], NULL);

        if (apr_hash_get(told, key, APR_HASH_KEY_STRING) ||
            svct_storecheck_has_name(store->path, store->type, names[i]) != 0)
            continue;
        apr_hash_set(told, key, APR_HASH_KEY_STRING, "");
        svct_log(log, SVCT_LOG_WARNING,
                 "SVCT0604: Require service-token: token store %s has no token named \"%s\" "
                 "(yet); no one gets in by that name until it is created",
                 store->path, names[i]);
    }
}
