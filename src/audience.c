/*
 * The audience of a request and its cookie Path (audience.h).
 */
#include <apr_strings.h>

#include "audience.h"
#include "scope.h"

const char *svct_audience_scope(apr_pool_t *p, const svct_dir_conf *d, const svct_where_t *w)
{
    char buf[1024];

    if (d->section_regex ||
        !svct_scope_path(d->section, w->uri, w->filename, w->path_info, buf, sizeof buf))
        return NULL;
    return apr_pstrdup(p, buf);
}

/* NULL when the audience D has from a .htaccess file is that directory's to
 * use, else why not. */
static const char *foreign_audience(apr_pool_t *p, const svct_dir_conf *d, const svct_where_t *w,
                                    apr_hash_t *server_audiences)
{
    char scope[1024];

    if (server_audiences && apr_hash_get(server_audiences, d->audience, APR_HASH_KEY_STRING))
        return "a section of the server's configuration uses it";
    if (!svct_scope_path(d->audience_dir, w->uri, w->filename, w->path_info, scope, sizeof scope))
        return "the directory's URL space is not known";
    if (!svct_scope_url_within(d->audience, w->host, scope))
        return apr_pstrcat(p, "it lies outside its URL space, https://", w->host, scope, NULL);
    return NULL;
}

const char *svct_audience_find(apr_pool_t *p, const svct_dir_conf *d, const svct_where_t *w,
                               apr_hash_t *server_audiences, const svct_log_t *log)
{
    const char *scope, *why;

    if (d->audience && d->audience_dir && (why = foreign_audience(p, d, w, server_audiences))) {
        svct_log(log, SVCT_LOG_ERR,
                 "SVCT0502: ServiceTokenAudience %s in %s/.htaccess is not this directory's: %s",
                 d->audience, d->audience_dir, why);
        return NULL;
    }
    if (d->audience)
        return d->audience;
    scope = svct_audience_scope(p, d, w);
    if (!scope) {
        svct_log(log, SVCT_LOG_ERR,
                 "SVCT0503: the URL scope of %s cannot be derived from its section %s: set "
                 "ServiceTokenAudience there",
                 w->uri, d->section ? d->section : "(none)");
        return NULL;
    }
    return apr_pstrcat(p, "https://", w->host, scope, NULL);
}

const char *svct_audience_of_section(apr_pool_t *p, const svct_dir_conf *d, const char *host)
{
    char scope[1024];

    if (d->audience)
        return d->audience;
    if (!d->section || d->section_regex || !host ||
        !svct_scope_path(d->section, d->section, NULL, NULL, scope, sizeof scope))
        return NULL;
    return apr_pstrcat(p, "https://", host, scope, NULL);
}

const char *svct_audience_cookie_path(apr_pool_t *p, const svct_dir_conf *d, const svct_where_t *w,
                                      const svct_log_t *log)
{
    const char *scope = svct_audience_scope(p, d, w);
    char dir[1024];

    if (scope)
        return scope;
    if (svct_scope_uri_dir(w->uri, dir, sizeof dir))
        return apr_pstrdup(p, dir);
    svct_log(log, SVCT_LOG_INFO, "SVCT0504: no session cookie for %s: its Path would be \"/\"",
             w->uri);
    return NULL;
}
