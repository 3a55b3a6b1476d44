/*
 * The credentials a request brought, taken out of its headers once, when
 * the request has just been read: nothing that runs later (SetEnvIf,
 * SetEnvIfExpr, mod_rewrite, mod_lua, a CGI, a proxied backend, a log
 * format) can see the secret, because it is no longer among the headers.
 * The module keeps what was taken with the request and reads it from there.
 */
#ifndef SVCT_CREDENTIALS_H
#define SVCT_CREDENTIALS_H

#include <apr_pools.h>
#include <apr_tables.h>

#define SVCT_HDR_ID "CF-Access-Client-Id"
#define SVCT_HDR_SECRET "CF-Access-Client-Secret"

typedef struct svct_credentials {
    /* The values sent under these exact names (case-insensitive), the
     * first of each; NULL when absent. */
    const char *client_id;
    const char *client_secret;
} svct_credentials_t;

/* Takes the credentials out of HEADERS: every header whose name is the
 * secret header's in any spelling (case, '-' or '_') is removed, the Client
 * ID header is read and left in place (it is not secret). Returns the
 * credentials found (allocated in P), or NULL when the request carries none. */
svct_credentials_t *svct_credentials_take(apr_table_t *headers, apr_pool_t *p);

/* Removes from HEADERS every header named NAME in any spelling: case, '-'
 * or '_' (how a header is spelt to slip past a scrub, or to reach a CGI or a
 * backend that folds the two). NAME must begin with "cf", which lets one
 * pass over the names find none on nearly every request. Returns the value
 * of the first header named exactly NAME (case-insensitive), as
 * apr_table_get would have found it, or NULL. */
const char *svct_headers_scrub(apr_table_t *headers, const char *name);

/* Takes out of HEADERS every header named in NAMES (const char *, matched
 * case-insensitively) whose value begins, after spaces, with '{': the
 * credentials as JSON in one header (ServiceTokenCredentialsHeader). Other
 * values of those names (a Basic or Bearer Authorization) are left for
 * other modules. Returns the taken values by name (allocated in P), or NULL
 * when none was taken. */
apr_table_t *svct_credentials_take_json(apr_table_t *headers, const apr_array_header_t *names,
                                        apr_pool_t *p);

/* 1 when NAME is a valid HTTP header name (an RFC 9110 token). */
int svct_header_name_valid(const char *name);

#endif
