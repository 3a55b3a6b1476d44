/*
 * mod_dbd glue for `ServiceTokenStore dbd` (mod_access_svctoken_dbd.h).
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "apr_dbd.h"
#include "mod_dbd.h"
#include "apr_optional.h"
#include "apr_strings.h"

#include "clock.h"
#include "mod_access_svctoken_dbd.h"
#include "store_sql.h"

APLOG_USE_MODULE(access_svctoken);

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) * svct_dbd_acquire;

const char *svct_dbd_configure(cmd_parms *cmd, int server_has_dbd)
{
    APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
    int i;

    /* In .htaccess it is too late to hand statements to mod_dbd: the
     * server's configuration must have done it. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM)
        return server_has_dbd ? NULL
                              : "ServiceTokenStore dbd in .htaccess needs ServiceTokenStore dbd "
                                "in the server's configuration too";

    if (!prepare || !(svct_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire)))
        return apr_psprintf(cmd->pool,
                            "%s dbd needs mod_dbd: load it (LoadModule dbd_module) "
                            "before this line",
                            cmd->cmd->name);
    /* Only the reads: httpd's database role needs SELECT and nothing else. */
    for (i = 0; i < SVCT_SQL_READ_STATEMENTS; i++)
        prepare(cmd->server, svct_sql_text((svct_sql_stmt_t)i), svct_sql_label((svct_sql_stmt_t)i));
    return NULL;
}

/* The DBDriver line that configures S: inside S's own <VirtualHost>, or
 * outside every <VirtualHost> (mod_dbd's vhosts inherit it). Other
 * containers (<IfModule>, <IfDefine>...) are looked into. */
static const ap_directive_t *find_dbdriver(const ap_directive_t *node, const server_rec *s)
{
    const ap_directive_t *found;

    for (; node; node = node->next) {
        if (!strcasecmp(node->directive, "DBDriver"))
            return node;
        if (!strcasecmp(node->directive, "<VirtualHost")) {
            if (s->is_virtual && s->defn_name && node->filename &&
                (unsigned)node->line_num == s->defn_line_number &&
                !strcmp(node->filename, s->defn_name) &&
                (found = find_dbdriver(node->first_child, s)))
                return found;
            continue;
        }
        if (node->first_child && (found = find_dbdriver(node->first_child, s)))
            return found;
    }
    return NULL;
}

int svct_dbd_check_server(server_rec *s)
{
    if (!svct_dbd_acquire) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "SVCT0901: ServiceTokenStore dbd needs mod_dbd, which is not loaded");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!find_dbdriver(ap_conftree, s)) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "SVCT0902: ServiceTokenStore dbd in %s:%d needs a DBDriver (and DBDParams) "
                     "for mod_dbd in this server's configuration",
                     s->server_hostname ? s->server_hostname : "the main server", (int)s->port);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* The value of the last NAME line (DBDriver, DBDParams) under NODE, looking
 * into containers but not into <VirtualHost>s, into *VALUE; and into *OWN
 * the value inside S's own <VirtualHost>. */
static void find_setting(const ap_directive_t *node, const server_rec *s, const char *name,
                         int in_own_vhost, const char **value, const char **own)
{
    for (; node; node = node->next) {
        if (!strcasecmp(node->directive, name)) {
            if (in_own_vhost)
                *own = node->args;
            else
                *value = node->args;
        } else if (!strcasecmp(node->directive, "<VirtualHost")) {
            if (!in_own_vhost && s->is_virtual && s->defn_name && node->filename &&
                (unsigned)node->line_num == s->defn_line_number &&
                !strcmp(node->filename, s->defn_name))
                find_setting(node->first_child, s, name, 1, own, own);
        } else if (node->first_child) {
            find_setting(node->first_child, s, name, in_own_vhost, value, own);
        }
    }
}

/* NAME's value for S as mod_dbd merges it (a virtual host's own line wins),
 * unquoted; NULL when none is set. */
static const char *dbd_setting(server_rec *s, const char *name, apr_pool_t *p)
{
    const char *value = NULL, *own = NULL;

    find_setting(ap_conftree, s, name, 0, &value, &own);
    if (own)
        value = own;
    return value ? ap_getword_conf(p, &value) : NULL;
}

int svct_dbd_settings(server_rec *s, apr_pool_t *p, const char **driver, const char **params)
{
    *driver = dbd_setting(s, "DBDriver", p);
    *params = dbd_setting(s, "DBDParams", p);
    if (!*params)
        *params = "";
    return *driver && **driver ? 0 : -1;
}

static apr_status_t svct_dbd_free_view(void *view)
{
    svct_sql_view_destroy(view);
    return APR_SUCCESS;
}

svct_sql_view_t *svct_dbd_view(apr_pool_t *pchild, server_rec *s, apr_int64_t refresh_secs,
                               apr_int64_t grace_secs)
{
    svct_sql_view_t *view = svct_sql_view_create(apr_time_from_sec(refresh_secs),
                                                 apr_time_from_sec(grace_secs), SVCT_CACHE_TOKENS);

    if (view)
        apr_pool_cleanup_register(pchild, view, svct_dbd_free_view, apr_pool_cleanup_null);
    else
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "SVCT0903: out of memory for the view of the token database");
    return view;
}

static svct_sql_t *svct_dbd_connect(void *baton, const char **err)
{
    request_rec *r = baton;
    ap_dbd_t *dbd = svct_dbd_acquire ? svct_dbd_acquire(r) : NULL;

    if (!dbd) {
        *err = "mod_dbd has no connection to the token database (its own message says why)";
        return NULL;
    }
    return svct_sql_wrap(dbd->driver, dbd->handle, dbd->prepared, r->pool);
}

void svct_dbd_store(request_rec *r, svct_sql_view_t *view, svct_authn_store_t *store)
{
    memset(store, 0, sizeof *store);
    store->view = view;
    store->connect = svct_dbd_connect;
    store->connect_baton = r;
    /* Monotonic: the refresh and the grace are intervals. */
    store->now_us = svct_clock_mono_ns() / 1000;
}

void svct_dbd_note_outage(request_rec *r, const svct_authn_result_t *res)
{
    if (res->store_error)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "SVCT0904: token database unavailable: tokens confirmed within "
                      "ServiceTokenStoreGrace are admitted, the rest get 503: %s",
                      res->store_error);
}

int svct_dbd_unavailable(request_rec *r, apr_int64_t retry_secs, const svct_authn_result_t *res)
{
    svct_dbd_note_outage(r, res);
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_psprintf(r->pool, "%" APR_INT64_T_FMT, retry_secs));
    return HTTP_SERVICE_UNAVAILABLE;
}
