/*
 * The module's side of mod_dbd, for `ServiceTokenStore dbd`: the read
 * statements handed to mod_dbd at configuration time, the start-up checks
 * (mod_dbd loaded, a DBDriver for every server that needs one), and a read
 * handle on the request's pooled connection for the child's view of the
 * store (src/sql_view.h). Reached through mod_dbd's optional functions, as
 * mod_authn_dbd does, so the module loads without mod_dbd.
 */
#ifndef SVCT_MOD_DBD_H
#define SVCT_MOD_DBD_H

#include "httpd.h"
#include "http_config.h"

#include "authn.h"

/* The directive handler's part: NULL, or the error that stops start-up.
 * SERVER_HAS_DBD: the server's configuration uses the SQL store (which an
 * .htaccess file needs: statements cannot be prepared per request). */
const char *svct_dbd_configure(cmd_parms *cmd, int server_has_dbd);

/* child_init: this child's view of the SQL store of S (src/sql_view.h),
 * gone with PCHILD; NULL (logged) when out of memory. */
svct_sql_view_t *svct_dbd_view(apr_pool_t *pchild, server_rec *s, apr_int64_t refresh_secs,
                               apr_int64_t grace_secs);

/* post_config, for a server whose requests may read the store through
 * mod_dbd: OK, or an error (logged) that stops start-up. */
int svct_dbd_check_server(server_rec *s);

/* The DBDriver and DBDParams (unquoted) that mod_dbd uses for S, read from
 * the configuration so that httpd's parent can open a connection of its own
 * at start-up; 0, or -1 when S has no DBDriver. */
int svct_dbd_settings(server_rec *s, apr_pool_t *p, const char **driver, const char **params);

/* Fills STORE so that svct_authn_* read through VIEW and, when the view
 * must reach the database, through the connection mod_dbd gives R. */
void svct_dbd_store(request_rec *r, svct_sql_view_t *view, svct_authn_store_t *store);

/* Logs the outage of the SQL store when RES says this request should (once
 * a minute per child). */
void svct_dbd_note_outage(request_rec *r, const svct_authn_result_t *res);

/* The answer to what the grace does not cover while the database is down:
 * 503 with Retry-After RETRY_SECS. */
int svct_dbd_unavailable(request_rec *r, apr_int64_t retry_secs, const svct_authn_result_t *res);

#endif
