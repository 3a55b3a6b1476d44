/*
 * The per-server configuration of the module, which the Apache glue creates
 * and merges: the keys (read once when the configuration is), the SQL
 * store's timing, and what post_config and child_init make of them. -1
 * means "not set here"; the getters apply the defaults.
 */
#ifndef SVCT_SRVCONF_H
#define SVCT_SRVCONF_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "key.h"
#include "seen.h"
#include "sql_view.h"

typedef struct svct_server_conf {
    const char *signing_key_file;
    apr_array_header_t *verify_key_files; /* of const char * */
    /* The kids of the keys named in this context as they are parsed, so that
     * a key given twice fails configtest: kid -> verify key file. */
    const char *signing_kid;
    apr_hash_t *verify_kids;
    svct_keyring_t *keyring;
    const char *issuer; /* "https://" + ServerName, made in post_config */
    /* ServiceTokenStore dbd is used here: a view of the SQL store per child
     * (sql_view.h), made in child_init. Durations in seconds, -1 unset. */
    int dbd;
    apr_int64_t store_refresh, store_grace;
    apr_int64_t seen_interval; /* ServiceTokenSeenInterval: seconds, 0 off */
    svct_sql_view_t *view;
    /* The keyring's JWK Set as the service-token-keys handler serves it,
     * made in post_config with its ETag and time. */
    const char *jwks, *jwks_etag;
    apr_size_t jwks_len;
    apr_time_t jwks_made;
} svct_server_conf;

/* A configuration with nothing set, in P. */
svct_server_conf *svct_server_conf_make(apr_pool_t *p);
/* A virtual host's ADD over the main server's BASE, in P: a signing key
 * brings its own verify keys, else the verify keys add up. */
svct_server_conf *svct_server_conf_merge(apr_pool_t *p, const svct_server_conf *base,
                                         const svct_server_conf *add);

/* ServiceTokenStoreRefresh, 1s by default. */
static inline apr_int64_t svct_server_store_refresh(const svct_server_conf *c)
{
    return c->store_refresh >= 0 ? c->store_refresh : 1;
}

/* ServiceTokenStoreGrace, 5m by default. */
static inline apr_int64_t svct_server_store_grace(const svct_server_conf *c)
{
    return c->store_grace >= 0 ? c->store_grace : 300;
}

/* ServiceTokenSeenInterval, 5m by default (seen.h); 0: off. */
static inline apr_int64_t svct_server_seen_interval(const svct_server_conf *c)
{
    return c->seen_interval >= 0 ? c->seen_interval : SVCT_SEEN_INTERVAL_DEFAULT;
}

#endif
