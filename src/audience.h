/*
 * The audience (aud) of the sessions issued and accepted for a request, and
 * the Path of their cookie: ServiceTokenAudience, or "https://" + the
 * server's name + the URL scope of the section that configured the module
 * (scope.h). An audience set in a .htaccess file must lie in that
 * directory's URL space and be none that httpd.conf uses.
 */
#ifndef SVCT_AUDIENCE_H
#define SVCT_AUDIENCE_H

#include <apr_hash.h>
#include <apr_pools.h>

#include "dirconf.h"
#include "log.h"

/* Where a request is: the server's name, and the request's URI, file name
 * and path info (the last two may be NULL). */
typedef struct svct_where {
    const char *host, *uri, *filename, *path_info;
} svct_where_t;

/* The URL scope of D's section for the request at W, in P, or NULL when it
 * cannot be derived (never "/" by default). */
const char *svct_audience_scope(apr_pool_t *p, const svct_dir_conf *d, const svct_where_t *w);

/* The audience of the request at W under D, in P. NULL, logged (SVCT0502,
 * 0503), when there is none or it is not this section's to use: one set in
 * .htaccess that is in SERVER_AUDIENCES (those of httpd.conf; may be NULL)
 * or outside its directory's URL space. */
const char *svct_audience_find(apr_pool_t *p, const svct_dir_conf *d, const svct_where_t *w,
                               apr_hash_t *server_audiences, const svct_log_t *log);

/* The default audience of D's section on HOST as far as it is known without
 * a request (a literal path), else NULL. */
const char *svct_audience_of_section(apr_pool_t *p, const svct_dir_conf *d, const char *host);

/* The cookie Path: the section's scope, or where that is not known (a
 * <LocationMatch> with its own audience) the request's directory, so that a
 * browser sends the session no further than needed. NULL, logged (SVCT0504),
 * when even that would be "/": then no cookie is set. */
const char *svct_audience_cookie_path(apr_pool_t *p, const svct_dir_conf *d, const svct_where_t *w,
                                      const svct_log_t *log);

#endif
