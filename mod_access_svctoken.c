/*
 * mod_access_svctoken: Cloudflare-Access-style service tokens for Apache httpd.
 *
 * This file only binds httpd to the core in src/: the directive table and
 * per-server/per-directory configuration, the check_authn hook for
 * "AuthType ServiceToken", the "Require service-token" and
 * "Require service-token-id" providers, the fixups that scrub
 * credentials from what handlers and backends see, the
 * "service-token-keys" handler that publishes the public keys, and
 * mod_dbd for "ServiceTokenStore dbd". Each hook gets its configuration,
 * calls the core and maps the result to httpd's answer; the core's lines
 * reach the error log through a sink (src/log.h).
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "unixd.h"
#include "apr_dbd.h"
#include "mod_dbd.h"
#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_optional.h"
#include "apr_strings.h"

#include "admission.h"
#include "audience.h"
#include "child.h"
#include "clock.h"
#include "connection.h"
#include "cookie.h"
#include "credentials.h"
#include "directive.h"
#include "dirconf.h"
#include "expiry_log.h"
#include "jwks.h"
#include "keyconf.h"
#include "require.h"
#include "seen.h"
#include "srvconf.h"
#include "store_sql.h"
#include "store_tag.h"
#include "startcheck.h"
#include "version.h"

#define SVCT_AUTH_TYPE "ServiceToken"
#define SVCT_HDR_SESSION "cf-access-token"
#define SVCT_HDR_ASSERTION "Cf-Access-Jwt-Assertion"
#define SVCT_KEYS_HANDLER "service-token-keys"

/* Message numbers: every log line of the module has its own. */
#define SVCT_LOGNO(n) "SVCT" #n ": "

module AP_MODULE_DECLARE_DATA access_svctoken_module;

/* The module's state of a request: the credentials taken from its headers
 * (on the request as read from the client only), and what the check found,
 * kept so that it runs once whoever asks first (a Require provider or
 * check_authn), and for the fixups, subrequests and internal redirects. */
typedef struct {
    const svct_credentials_t *creds;
    apr_table_t *creds_headers; /* ServiceTokenCredentialsHeader values taken */
    int checked;
    int status; /* OK, or the HTTP status of the refusal */
    const char *name;
    const char *client_id;
    const char *auth;     /* "secret" or "session" */
    const char *jwt;      /* NULL when admitted by HTTP Basic: no session */
    const char *audience; /* audience() */
    /* Where the admission was made: the request and its configuration, so
     * that a subrequest or internal redirect reuses it only under the same
     * settings. */
    request_rec *req;
    const svct_dir_conf *dir;
    struct svct_basic_check *basic; /* svct_basic_first's check */
} svct_req_info;

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
    return svct_server_conf_make(p);
}

static void *merge_server_conf(apr_pool_t *p, void *base, void *add)
{
    return svct_server_conf_merge(p, base, add);
}

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
    return svct_dir_conf_make(p);
}

static void *merge_dir_conf(apr_pool_t *p, void *base, void *add)
{
    return svct_dir_conf_merge(p, base, add);
}

/* Whether the directive being read is in a section matched by a regular
 * expression, whose path is no path. */
static int in_regex_section(const cmd_parms *cmd)
{
    const ap_directive_t *sec;
    int regex;

    for (sec = cmd->directive ? cmd->directive->parent : NULL; sec; sec = sec->parent)
        if ((regex = svct_directive_section_regex(sec->directive, sec->args)) >= 0)
            return regex;
    return 0;
}

/* Records the section path the first time a directive of ours is seen in it. */
static void note_section(cmd_parms *cmd, svct_dir_conf *d)
{
    if (!d->section && cmd->path) {
        d->section = apr_pstrdup(cmd->pool, cmd->path);
        d->section_regex = in_regex_section(cmd);
    }
}

static const char *dbm_store_tag(cmd_parms *cmd, const char *path, const char *type)
{
    char identity[8192], tag[SVCT_STORE_TAG_LEN + 1];
    size_t len = svct_store_dbm_identity(path, type, identity, sizeof identity);

    if (!len || svct_store_tag(identity, len, tag) != 0)
        return NULL;
    return apr_pstrdup(cmd->pool, tag);
}

/* What the configuration names, for the start-up checks (startup_checks):
 * every store, and every "Require service-token NAME..." line with the
 * section it is in. Made anew before each reading of the configuration;
 * .htaccess files, read at request time, add nothing. */
typedef struct {
    const apr_array_header_t *names;
    const svct_dir_conf *section;
    server_rec *server;
} svct_require_ref;
static apr_array_header_t *conf_stores, *conf_requires;

static int svct_pre_config_checks(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    conf_stores = apr_array_make(pconf, 4, sizeof(svct_store_ref));
    conf_requires = apr_array_make(pconf, 4, sizeof(svct_require_ref));
    return OK;
}

static int reading_httpd_conf(void)
{
    return conf_stores && ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_RUN_MPM;
}

/* ---- ServiceTokenStore dbd: the SQL store through mod_dbd ---- */

/* Reached through mod_dbd's optional functions, as mod_authn_dbd does, so
 * that the module loads without mod_dbd. */
static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) * svct_dbd_acquire;

/* Hands the read statements to mod_dbd. SERVER_HAS_DBD: the server's
 * configuration uses the SQL store, which an .htaccess file needs. */
static const char *dbd_configure(cmd_parms *cmd, int server_has_dbd)
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
    /* The reads and the last-seen update: httpd's database role needs
     * SELECT, and UPDATE on svctoken_seen only (docs/SQL.md). */
    for (i = 0; i < SVCT_SQL_MODULE_STATEMENTS; i++)
        prepare(cmd->server, svct_sql_text((svct_sql_stmt_t)i), svct_sql_label((svct_sql_stmt_t)i));
    return NULL;
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

/* NAME's value for S as mod_dbd merges it (a virtual host's own line wins,
 * and one outside every <VirtualHost> is inherited), unquoted; NULL when
 * none is set. */
static const char *dbd_setting(server_rec *s, const char *name, apr_pool_t *p)
{
    const char *value = NULL, *own = NULL;

    find_setting(ap_conftree, s, name, 0, &value, &own);
    if (own)
        value = own;
    return value ? ap_getword_conf(p, &value) : NULL;
}

/* post_config, for a server whose requests may read the store through
 * mod_dbd: OK, or an error (logged) that stops start-up. */
static int dbd_check_server(server_rec *s, apr_pool_t *ptemp)
{
    if (!svct_dbd_acquire) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     SVCT_LOGNO(0901) "ServiceTokenStore dbd needs mod_dbd, which is not loaded");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!dbd_setting(s, "DBDriver", ptemp)) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     SVCT_LOGNO(0902) "ServiceTokenStore dbd in %s:%d needs a DBDriver (and "
                                      "DBDParams) for mod_dbd in this server's configuration",
                     s->server_hostname ? s->server_hostname : "the main server", (int)s->port);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* A read handle on the connection that mod_dbd pools for the request. */
static svct_sql_t *dbd_connect(void *baton, const char **err)
{
    request_rec *r = baton;
    ap_dbd_t *dbd = svct_dbd_acquire ? svct_dbd_acquire(r) : NULL;

    if (!dbd) {
        *err = "mod_dbd has no connection to the token database (its own message says why)";
        return NULL;
    }
    return svct_sql_wrap(dbd->driver, dbd->handle, dbd->prepared, r->pool);
}

/* ---- directives ---- */

static const char *set_store(cmd_parms *cmd, void *dconf, const char *path, const char *type)
{
    svct_dir_conf *d = dconf;
    svct_server_conf *sc =
        ap_get_module_config(cmd->server->module_config, &access_svctoken_module);
    const char *err;

    if (!strcmp(path, "dbd") && !type) {
        if ((err = dbd_configure(cmd, sc->dbd)))
            return err;
        sc->dbd = 1;
        d->store_path = "dbd";
        d->store_type = NULL;
        d->store_tag = NULL; /* the database's own, known once read (src/authn.c) */
        d->store_dbd = 1;
        d->store_seen_key = svct_seen_store_key(d->store_path);
        note_section(cmd, d);
        return NULL;
    }
    if (type && (err = svct_directive_dbm_type(cmd->pool, cmd->cmd->name, type)))
        return err;
    d->store_path = ap_server_root_relative(cmd->pool, path);
    if (!d->store_path)
        return svct_directive_bad_path(cmd->pool, cmd->cmd->name, path);
    d->store_type = type ? apr_pstrdup(cmd->pool, type) : "default";
    d->store_tag = dbm_store_tag(cmd, d->store_path, d->store_type);
    if (!d->store_tag)
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": cannot make the tag of ", path, NULL);
    d->store_dbd = 0;
    d->store_seen_key = svct_seen_store_key(d->store_path);
    note_section(cmd, d);
    if (reading_httpd_conf()) {
        svct_store_ref *ref = apr_array_push(conf_stores);

        ref->path = d->store_path;
        ref->type = d->store_type;
    }
    return NULL;
}

static const char *set_audience(cmd_parms *cmd, void *dconf, const char *aud)
{
    svct_dir_conf *d = dconf;
    const char *err = svct_directive_audience(cmd->pool, cmd->cmd->name, aud);

    if (err)
        return err;
    d->audience = aud;
    /* Read from .htaccess (httpd's own test for NOT_IN_HTACCESS): a tenant's
     * audience, checked against the directory's URL space per request. */
    d->audience_dir = cmd->pool == cmd->temp_pool ? apr_pstrdup(cmd->pool, cmd->path) : NULL;
    note_section(cmd, d);
    return NULL;
}

static const char *set_session_duration(cmd_parms *cmd, void *dconf, const char *arg)
{
    svct_dir_conf *d = dconf;

    note_section(cmd, d);
    return svct_directive_session_duration(cmd->pool, cmd->cmd->name, arg, &d->session_duration);
}

static const char *set_clock_skew(cmd_parms *cmd, void *dconf, const char *arg)
{
    svct_dir_conf *d = dconf;

    return svct_directive_clock_skew(cmd->pool, cmd->cmd->name, arg, &d->clock_skew);
}

static const char *set_store_time(cmd_parms *cmd, void *unused, const char *arg)
{
    svct_server_conf *conf =
        ap_get_module_config(cmd->server->module_config, &access_svctoken_module);
    int grace = cmd->info != NULL;

    return svct_directive_store_time(cmd->pool, cmd->cmd->name, arg, grace,
                                     grace ? &conf->store_grace : &conf->store_refresh);
}

static const char *set_seen_interval(cmd_parms *cmd, void *unused, const char *arg)
{
    svct_server_conf *conf =
        ap_get_module_config(cmd->server->module_config, &access_svctoken_module);

    return svct_directive_seen_interval(cmd->pool, cmd->cmd->name, arg, &conf->seen_interval);
}

/* Reads and type-checks a key file as the directive is read, as mod_ssl
 * does (src/keyconf.h). One that its group may read is warned about here
 * at configtest, and again by post_config in the error log, since this line
 * only reaches the console. */
static const char *check_key_file(cmd_parms *cmd, const char *file, const char **path,
                                  const char **kid)
{
    const char *err;
    unsigned group_mode;

    *path = ap_server_root_relative(cmd->pool, file);
    if (!*path)
        return svct_directive_bad_path(cmd->pool, cmd->cmd->name, file);
    err = svct_keyconf_check_file(cmd->pool, cmd->cmd->name, *path, kid, &group_mode);
    if (!err && group_mode && ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_TEST)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                     SVCT_LOGNO(0601) "key file %s can be read by its group (mode %04o); "
                                      "chmod 600 it",
                     *path, group_mode);
    return err;
}

static const char *set_signing_key(cmd_parms *cmd, void *unused, const char *file)
{
    svct_server_conf *conf =
        ap_get_module_config(cmd->server->module_config, &access_svctoken_module);
    const char *path, *kid, *other, *err = check_key_file(cmd, file, &path, &kid);

    if (err)
        return err;
    other = apr_hash_get(conf->verify_kids, kid, APR_HASH_KEY_STRING);
    if (other)
        return svct_directive_duplicate_kid(cmd->pool, cmd->cmd->name, path, kid, other);
    conf->signing_key_file = path;
    conf->signing_kid = kid;
    return NULL;
}

static const char *add_verify_key(cmd_parms *cmd, void *unused, const char *file)
{
    svct_server_conf *conf =
        ap_get_module_config(cmd->server->module_config, &access_svctoken_module);
    const char *path, *kid, *other, *err = check_key_file(cmd, file, &path, &kid);

    if (err)
        return err;
    other = conf->signing_kid && !strcmp(conf->signing_kid, kid)
                ? conf->signing_key_file
                : apr_hash_get(conf->verify_kids, kid, APR_HASH_KEY_STRING);
    if (other)
        return svct_directive_duplicate_kid(cmd->pool, cmd->cmd->name, path, kid, other);
    apr_hash_set(conf->verify_kids, kid, APR_HASH_KEY_STRING, path);
    APR_ARRAY_PUSH(conf->verify_key_files, const char *) = path;
    return NULL;
}

/* The ServiceTokenCredentialsHeader names of the server configuration: the
 * post_read_request hook takes them out of every request before any other
 * module runs (names set only in .htaccess are taken out by the check). */
static apr_array_header_t *svct_creds_headers;

static const char *set_creds_header(cmd_parms *cmd, void *dconf, const char *name)
{
    svct_dir_conf *d = dconf;
    const char *err = svct_directive_header(cmd->pool, cmd->cmd->name, name);

    if (err)
        return err;
    d->creds_header = name;
    if (svct_creds_headers && cmd->pool == svct_creds_headers->pool)
        APR_ARRAY_PUSH(svct_creds_headers, const char *) = name;
    note_section(cmd, d);
    return NULL;
}

static const char *set_preflight(cmd_parms *cmd, void *dconf, const char *arg)
{
    svct_dir_conf *d = dconf;

    return svct_directive_preflight(cmd->pool, cmd->cmd->name, arg, &d->preflight_pass);
}

static const command_rec svct_cmds[] = {
    AP_INIT_TAKE12("ServiceTokenStore", set_store, NULL, RSRC_CONF | OR_AUTHCFG,
                   "the service token file, and its DBM type (default, SDBM, GDBM, DB)"),
    AP_INIT_TAKE1("ServiceTokenStoreRefresh", set_store_time, NULL, RSRC_CONF,
                  "how stale a child's view of a SQL store may be, e.g. 1s (the default)"),
    AP_INIT_TAKE1("ServiceTokenStoreGrace", set_store_time, (void *)"grace", RSRC_CONF,
                  "how long confirmed tokens keep working while the database is down, e.g. "
                  "5m (the default); 0 for not at all"),
    AP_INIT_TAKE1("ServiceTokenSeenInterval", set_seen_interval, NULL, RSRC_CONF,
                  "how often, at most, a token's last use is recorded, e.g. 5m (the default); "
                  "off (or 0) for never"),
    AP_INIT_TAKE1("ServiceTokenAudience", set_audience, NULL, OR_AUTHCFG,
                  "the audience (aud) of sessions issued and accepted here"),
    AP_INIT_TAKE1("ServiceTokenSessionDuration", set_session_duration, NULL, OR_AUTHCFG,
                  "lifetime of an issued session, e.g. 24h"),
    AP_INIT_TAKE1("ServiceTokenClockSkew", set_clock_skew, NULL, OR_AUTHCFG,
                  "clock skew allowed when checking session times, e.g. 10s; 0 for none"),
    AP_INIT_TAKE1("ServiceTokenSigningKey", set_signing_key, NULL, RSRC_CONF,
                  "key file that signs sessions (made by svctoken keygen)"),
    AP_INIT_ITERATE("ServiceTokenVerifyKey", add_verify_key, NULL, RSRC_CONF,
                    "previous signing key files whose sessions are still accepted"),
    AP_INIT_TAKE1("ServiceTokenCredentialsHeader", set_creds_header, NULL, OR_AUTHCFG,
                  "a header that may carry the Client ID and Secret as one JSON object"),
    AP_INIT_TAKE1("ServiceTokenPreflight", set_preflight, NULL, OR_AUTHCFG,
                  "pass: CORS preflights without credentials reach the handler; check (default)"),
    {NULL}};

/* ---- the core's log lines (src/log.h) into the error log ---- */

static void log_write_server(void *baton, int level, const char *line)
{
    server_rec *s = baton;

    ap_log_error(APLOG_MARK, level, 0, s, "%s", line);
}

static int log_wants_request(void *baton, int level)
{
    request_rec *r = baton;

    return APLOG_R_IS_LEVEL(r, level);
}

static void log_write_request(void *baton, int level, const char *line)
{
    request_rec *r = baton;

    ap_log_rerror(APLOG_MARK, level, 0, r, "%s", line);
}

static svct_log_t server_log(server_rec *s)
{
    svct_log_t log = {NULL, log_write_server, s};

    return log;
}

static svct_log_t request_log(request_rec *r)
{
    svct_log_t log = {log_wants_request, log_write_request, r};

    return log;
}

/* ---- keys, loaded once at start-up (src/keyconf.h) ---- */

static int build_keyring(svct_server_conf *conf, server_rec *s, int *told, apr_pool_t *pconf)
{
    svct_log_t log = server_log(s);
    const char *jwk = conf->signing_key_file ? NULL : svct_keyconf_generated_jwk(s->process->pool);

    conf->keyring = svct_keyconf_ring(pconf, conf->signing_key_file, jwk,
                                      (const char *const *)conf->verify_key_files->elts,
                                      conf->verify_key_files->nelts, told, &log);
    return conf->keyring ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

/* What this child keeps for its requests (src/child.h). */
static svct_child_t child;

static void svct_child_init(apr_pool_t *pchild, server_rec *s)
{
    svct_log_t log = server_log(s);

    svct_child_make(&child, pchild, &log);
    for (; s; s = s->next) {
        svct_server_conf *conf = ap_get_module_config(s->module_config, &access_svctoken_module);

        log = server_log(s);
        if (conf->dbd)
            conf->view = svct_child_sql_view(pchild, svct_server_store_refresh(conf),
                                             svct_server_store_grace(conf), &log);
    }
}

/* ---- the sections of httpd.conf, looked at once at start-up ---- */

/* Audiences that sections of httpd.conf use, explicitly or by default, which
 * no .htaccess may claim. Made at start-up, read-only afterwards. */
static apr_hash_t *server_audiences;

typedef int (*section_fn)(server_rec *s, const svct_dir_conf *d, const core_dir_config *core,
                          int location, void *baton);

/* Calls FN for each <Location*> and <Directory*> section of every server
 * that holds a configuration of this module, until one returns non-zero. */
static int for_each_section(server_rec *s, section_fn fn, void *baton)
{
    int i, k, rc;

    for (; s; s = s->next) {
        core_server_config *sconf = ap_get_core_module_config(s->module_config);
        apr_array_header_t *lists[2] = {sconf->sec_url, sconf->sec_dir};

        for (k = 0; k < 2; k++)
            for (i = 0; lists[k] && i < lists[k]->nelts; i++) {
                ap_conf_vector_t *v = APR_ARRAY_IDX(lists[k], i, ap_conf_vector_t *);
                const svct_dir_conf *d = ap_get_module_config(v, &access_svctoken_module);

                if (d && (rc = fn(s, d, ap_get_core_module_config(v), k == 0, baton)) != 0)
                    return rc;
            }
    }
    return 0;
}

/* A section matched by a regular expression has no URL scope to derive an
 * audience from: it must name one (apachectl configtest says so). */
static int refuse_regex_without_audience(server_rec *s, const svct_dir_conf *d,
                                         const core_dir_config *core, int location, void *baton)
{
    if (!d->section_regex || d->audience || !core->r)
        return 0;
    ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                 SVCT_LOGNO(0505) "<%s \"%s\"> is a regular expression, from which no URL "
                                  "scope can be derived: set ServiceTokenAudience in it",
                 location ? "LocationMatch" : "DirectoryMatch", core->d);
    return 1;
}

static int svct_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    return for_each_section(s, refuse_regex_without_audience, NULL) ? HTTP_INTERNAL_SERVER_ERROR
                                                                    : OK;
}

static int note_audience(server_rec *s, const svct_dir_conf *d, const core_dir_config *core,
                         int location, void *pool)
{
    /* A literal <Location>'s default audience is known without a request. */
    const char *aud = d->audience || (location && !core->r && !core->d_is_fnmatch)
                          ? svct_audience_of_section(pool, d, s->server_hostname)
                          : NULL;

    if (aud)
        apr_hash_set(server_audiences, aud, APR_HASH_KEY_STRING, "");
    return 0;
}

/* 1 when a SetHandler or AddHandler of the configuration names the keys
 * handler (one in .htaccess is not seen). */
static int keys_handler_configured(const ap_directive_t *d)
{
    for (; d; d = d->next) {
        if ((!strcasecmp(d->directive, "SetHandler") || !strcasecmp(d->directive, "AddHandler")) &&
            d->args && ap_strcasestr(d->args, SVCT_KEYS_HANDLER))
            return 1;
        if (keys_handler_configured(d->first_child))
            return 1;
    }
    return 0;
}

/* The document the keys handler serves, made once per configuration. */
static int make_jwks(svct_server_conf *conf, server_rec *s, int *warned, apr_pool_t *pconf)
{
    svct_jwks_t jwks;

    if (svct_jwks_make(conf->keyring, &jwks) != 0) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     SVCT_LOGNO(1101) "out of memory for the public keys' JWK Set");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    conf->jwks = apr_pstrmemdup(pconf, jwks.json, jwks.len);
    conf->jwks_len = jwks.len;
    conf->jwks_etag = apr_pstrdup(pconf, jwks.etag);
    conf->jwks_made = apr_time_from_sec(apr_time_sec(apr_time_now()));
    svct_jwks_clear(&jwks);
    if (!*warned && svct_key_alg(svct_keyring_signer(conf->keyring)) == SVCT_ALG_HS256 &&
        ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG &&
        keys_handler_configured(ap_conftree)) {
        *warned = 1;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     SVCT_LOGNO(1102) "sessions of %s are signed with HS256, a shared secret: "
                                      "the " SVCT_KEYS_HANDLER " handler publishes no key for "
                                      "them and backends cannot verify them; use an ES256, "
                                      "RS256 or EdDSA ServiceTokenSigningKey",
                     s->server_hostname);
    }
    return OK;
}

/* The store a Require line of SECTION reads: the section's, else the
 * server's. */
static const svct_dir_conf *store_of(const svct_require_ref *req)
{
    const svct_dir_conf *d = req->section;

    if (d && d->store_path)
        return d;
    d = ap_get_module_config(req->server->lookup_defaults, &access_svctoken_module);
    return d && d->store_path ? d : NULL;
}

/* Tokens that expire within 7 days, once each, from every store the
 * configuration names: the DBM stores of httpd.conf, and the database of
 * each server that uses mod_dbd's (src/expiry.h), which httpd's parent
 * reaches with the DBDriver and DBDParams that mod_dbd uses. */
static void warn_expiring(server_rec *s, apr_pool_t *ptemp)
{
    svct_expiry_t *x = svct_expiry_make(ptemp);
    svct_log_t log = server_log(s);
    const char *driver, *params;
    server_rec *v;
    int i;

    for (i = 0; conf_stores && i < conf_stores->nelts; i++)
        svct_expiry_add_dbm(x, APR_ARRAY_IDX(conf_stores, i, svct_store_ref).path,
                            APR_ARRAY_IDX(conf_stores, i, svct_store_ref).type);
    for (v = s; v; v = v->next) {
        svct_server_conf *sc = ap_get_module_config(v->module_config, &access_svctoken_module);

        if (!sc->dbd || !(driver = dbd_setting(v, "DBDriver", ptemp)) || !*driver)
            continue;
        params = dbd_setting(v, "DBDParams", ptemp);
        svct_expiry_add_dbd(x, driver, params ? params : "");
    }
    svct_expiry_log(x, apr_time_sec(apr_time_now()), &log);
}

/* Warnings, once per configuration (src/startcheck.h). */
static void startup_checks(server_rec *s, apr_pool_t *ptemp)
{
    apr_hash_t *told = apr_hash_make(ptemp);
    svct_log_t log = server_log(s);
    int i;

    if (conf_stores)
        svct_startcheck_stores((const svct_store_ref *)conf_stores->elts, conf_stores->nelts,
                               ap_unixd_config.user_id, ap_unixd_config.group_id,
                               ap_unixd_config.user_name, &log);
    for (i = 0; conf_requires && i < conf_requires->nelts; i++) {
        const svct_require_ref *req = &APR_ARRAY_IDX(conf_requires, i, svct_require_ref);
        const svct_dir_conf *d = store_of(req);
        svct_store_ref store = {d ? d->store_path : NULL, d ? d->store_type : NULL};

        if (d)
            svct_startcheck_names(told, &store, (const char *const *)req->names->elts,
                                  req->names->nelts, &log);
    }
    warn_expiring(s, ptemp);
}

/* Each start and restart: the last-seen directory of every DBM store that
 * httpd.conf names, made by root for the user the children run as, who
 * then record use without write access to the store (src/seen.h). */
static void prepare_seen(server_rec *s)
{
    server_rec *v;
    char err[512];
    int i, on = 0;

    for (v = s; v; v = v->next)
        on |= svct_server_seen_interval(
                  ap_get_module_config(v->module_config, &access_svctoken_module)) > 0;
    for (i = 0; on && conf_stores && i < conf_stores->nelts; i++) {
        const svct_store_ref *st = &APR_ARRAY_IDX(conf_stores, i, svct_store_ref);

        if (svct_seen_prepare(st->path, ap_unixd_config.user_id, ap_unixd_config.group_id, err,
                              sizeof err) != 0)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         SVCT_LOGNO(1301) "the last use of the tokens of %s is not recorded: %s",
                         st->path, err);
    }
}

static void svct_test_config(apr_pool_t *pconf, server_rec *s)
{
    apr_pool_t *ptemp;

    if (apr_pool_create(&ptemp, pconf) == APR_SUCCESS) {
        startup_checks(s, ptemp);
        apr_pool_destroy(ptemp);
    }
}

static int svct_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int rc = OK, warned = 0;
    /* The generated key is told about once, and not in the pass that only
     * checks the configuration. */
    int told = ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG;

    server_audiences = apr_hash_make(pconf);
    for_each_section(s, note_audience, pconf);
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        prepare_seen(s);
        startup_checks(s, ptemp);
    }

    /* Once per start and restart: not in the pass that only checks the
     * configuration. Not added to the Server header (that would tell every
     * client which version of the access control runs). */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG)
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                     SVCT_LOGNO(0801) "mod_access_svctoken " SVCT_VERSION " loaded");
    for (; s && rc == OK; s = s->next) {
        svct_server_conf *conf = ap_get_module_config(s->module_config, &access_svctoken_module);

        conf->issuer = apr_pstrcat(pconf, "https://", s->server_hostname, NULL);
        rc = build_keyring(conf, s, &told, pconf);
        if (rc == OK && conf->dbd)
            rc = dbd_check_server(s, ptemp);
        if (rc == OK)
            rc = make_jwks(conf, s, &warned, pconf);
    }
    return rc;
}

/* ---- per request ---- */

static int is_ours(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return type && !strcasecmp(type, SVCT_AUTH_TYPE);
}

/* Where R is, for the audience and the cookie Path (src/audience.h). */
static svct_where_t where_of(request_rec *r)
{
    svct_where_t w = {r->server->server_hostname, r->uri, r->filename, r->path_info};

    return w;
}

static svct_req_info *state_of(request_rec *r)
{
    svct_req_info *info = ap_get_module_config(r->request_config, &access_svctoken_module);

    if (!info) {
        info = apr_pcalloc(r->pool, sizeof *info);
        ap_set_module_config(r->request_config, &access_svctoken_module, info);
    }
    return info;
}

/* The audience of the sessions issued and accepted for R: ServiceTokenAudience
 * or https:// + server name + the section's URL scope; once per request.
 * NULL, logged, when there is none or it is not this section's to use. */
static const char *audience(request_rec *r, const svct_dir_conf *d)
{
    svct_req_info *info = state_of(r);

    if (!info->audience) {
        svct_where_t w = where_of(r);
        svct_log_t log = request_log(r);

        info->audience = svct_audience_find(r->pool, d, &w, server_audiences, &log);
    }
    return info->audience;
}

/* The request as the client sent it, before subrequests and redirects. */
static request_rec *initial_request(request_rec *r)
{
    while (r->main || r->prev)
        r = r->main ? r->main : r->prev;
    return r;
}

/* The credentials of the request as the client sent it, which its
 * subrequests and internal redirects share. */
static const svct_credentials_t *credentials_of(request_rec *r)
{
    const svct_req_info *info =
        ap_get_module_config(initial_request(r)->request_config, &access_svctoken_module);

    return info ? info->creds : NULL;
}

/* Runs first of all the hooks on a request just read, before SetEnvIf,
 * mod_rewrite or anything else can look at its headers. An internal
 * redirect shares the headers, from which they are gone already. */
static int svct_post_read_request(request_rec *r)
{
    svct_credentials_t *creds;
    apr_table_t *taken;

    if (r->prev || r->main)
        return DECLINED;
    creds = svct_credentials_take(r->headers_in, r->pool);
    if (creds)
        state_of(r)->creds = creds;
    if ((taken = svct_credentials_take_json(r->headers_in, svct_creds_headers, r->pool)))
        state_of(r)->creds_headers = taken;
    return DECLINED;
}

/* Makes the admission INFO known to the rest of httpd. */
static void publish(request_rec *r, const svct_req_info *info)
{
    r->user = (char *)info->name;
    /* r->ap_auth_type stays unset until fixups: mod_authz_core answers 401
     * to a denied user when it is set, and a token that a Require line does
     * not admit must get 403. */
    apr_table_setn(r->subprocess_env, "SVCTOKEN_NAME", info->name);
    apr_table_setn(r->subprocess_env, "SVCTOKEN_CLIENT_ID", info->client_id);
    apr_table_setn(r->subprocess_env, "SVCTOKEN_AUTH", info->auth);
    /* What one token may see is no one else's to get from a shared cache:
     * mod_cache stores nothing of this request (and with its quick handler
     * would otherwise serve it before any check), nor do caches downstream,
     * and the Set-Cookie of an exchange is never kept for another client. */
    r->no_cache = 1;
    apr_table_setn(r->err_headers_out, "Cache-Control", "private");
}

/* Records the token's use at most once per ServiceTokenSeenInterval
 * (src/seen.h): a warm request costs one comparison, and nothing here makes
 * a request wait or fail. */
static void note_seen(request_rec *r, const svct_dir_conf *d, const svct_record_t *token)
{
    static int warned;
    const svct_server_conf *sc =
        ap_get_module_config(r->server->module_config, &access_svctoken_module);
    apr_int64_t interval = svct_server_seen_interval(sc), now = svct_clock_real_ns() / 1000000000;
    char err[512];
    svct_seen_rc_t rc;

    if (!interval || !child.seen)
        return;
    rc = d->store_dbd ? svct_seen_note_sql(child.seen, d->store_seen_key, sc->view, dbd_connect, r,
                                           token->client_id, now, interval, err, sizeof err)
                      : svct_seen_note(child.seen, d->store_path, d->store_seen_key,
                                       token->client_id, now, interval, err, sizeof err);
    if (rc != SVCT_SEEN_ERROR)
        return;
    ap_log_rerror(APLOG_MARK, warned ? APLOG_DEBUG : APLOG_WARNING, 0, r,
                  SVCT_LOGNO(1302) "last use of client id %s not recorded (later failures of "
                                   "this process are logged at debug): %s",
                  token->client_id, err);
    warned = 1;
}

static void admit(request_rec *r, const svct_dir_conf *d, const svct_record_t *token,
                  const char *auth, const char *jwt)
{
    svct_req_info *info = state_of(r);

    info->checked = 1;
    info->status = OK;
    info->name = apr_pstrdup(r->pool, token->name);
    info->client_id = apr_pstrdup(r->pool, token->client_id);
    info->auth = auth;
    info->jwt = jwt;
    info->req = r;
    info->dir = d;
    info->audience = audience(r, d);
    publish(r, info);
    note_seen(r, d, token);
}

static int refuse(request_rec *r, int status)
{
    if (status == HTTP_UNAUTHORIZED)
        ap_note_auth_failure(r);
    return status;
}

/* The result of the check for the main request or the one redirected from. */
static const svct_req_info *earlier_result(request_rec *r)
{
    request_rec *o;

    for (o = r->main ? r->main : r->prev; o; o = o->main ? o->main : o->prev) {
        const svct_req_info *info =
            ap_get_module_config(o->request_config, &access_svctoken_module);
        if (info && info->checked && info->status == OK)
            return info;
    }
    return NULL;
}

/* The check of R under D (src/admission.h): where it reads tokens (the DBM
 * file, or the SQL store through this child's view of it and mod_dbd), and
 * AUD, the audience of its sessions. */
static void admission_of(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                         const char *aud, svct_admission_t *a)
{
    memset(a, 0, sizeof *a);
    if (d->store_dbd) {
        a->store.view = sc->view;
        a->store.connect = dbd_connect;
        a->store.connect_baton = r;
        /* Monotonic: the refresh and the grace are intervals. */
        a->store.now_us = svct_clock_mono_ns() / 1000;
    } else {
        a->store.path = d->store_path;
        a->store.dbmtype = d->store_type;
        a->store.cache = child.cache;
        a->store.tag = d->store_tag;
    }
    a->keyring = sc->keyring;
    a->cache = child.cache;
    a->badsig = child.badsig;
    a->unknown_ids = &child.unknown_ids;
    a->issuer = sc->issuer;
    a->audience = aud;
    a->leeway = svct_dir_clock_skew(d);
    a->client_ip = r->useragent_ip;
    a->now = apr_time_sec(r->request_time);
    a->pool = r->pool;
    a->log = request_log(r);
}

/* The answer to an outcome of the check. A SQL store out of reach, for a
 * token not confirmed within ServiceTokenStoreGrace: 503, to be tried again
 * after the next refresh. */
static int status_of(request_rec *r, const svct_server_conf *sc, svct_admit_rc_t rc)
{
    switch (rc) {
    case SVCT_ADMIT_OK:
        return OK;
    case SVCT_ADMIT_DECLINED:
        return DECLINED;
    case SVCT_ADMIT_REFUSED:
        return HTTP_UNAUTHORIZED;
    case SVCT_ADMIT_UNAVAILABLE:
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_psprintf(r->pool, "%" APR_INT64_T_FMT, svct_server_store_refresh(sc)));
        return HTTP_SERVICE_UNAVAILABLE;
    default:
        return HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* A token's name for a log line, inside double quotes (src/name.h). */
static const char *logged_name(request_rec *r, const char *name)
{
    return svct_admission_logged_name(r->pool, name);
}

/* OK (admitted), DECLINED (no usable session: credentials may still be
 * tried) or an error status. */
static int check_session(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                         const svct_admission_t *a, int *tried)
{
    svct_authn_result_t res;
    const char *jwt = NULL;
    svct_admit_rc_t rc =
        svct_admission_session(a, apr_table_get(r->headers_in, SVCT_HDR_SESSION),
                               apr_table_get(r->headers_in, "Cookie"), tried, &res, &jwt);

    if (rc == SVCT_ADMIT_OK)
        admit(r, d, &res.token, "session", jwt);
    return status_of(r, sc, rc);
}

/* Signs a new session for the token of RES and sets it as the cookie. */
static const char *issue_session(request_rec *r, const svct_dir_conf *d, const svct_admission_t *a,
                                 const svct_authn_result_t *res)
{
    svct_cookie_attrs_t attrs;
    char cookie[SVCT_JWT_MAX + 256];
    svct_where_t w = where_of(r);
    const char *jwt = svct_admission_issue(a, res, svct_dir_session_duration(d), &attrs.max_age);

    if (!jwt)
        return NULL;
    attrs.path = svct_audience_cookie_path(r->pool, d, &w, &a->log);
    if (!attrs.path)
        return jwt; /* admitted, with no cookie */
    attrs.secure = !strcasecmp(ap_http_scheme(r), "https");
    if (!svct_cookie_build(cookie, sizeof cookie, SVCT_COOKIE, jwt, &attrs))
        return NULL;
    apr_table_add(r->err_headers_out, "Set-Cookie", cookie);
    return jwt;
}

/* The credentials IN presents: OK, with a new session issued, or the
 * status of the refusal. */
static int check_credentials(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                             const svct_admission_t *a, const svct_presented_t *in)
{
    svct_authn_result_t res;
    const char *jwt;
    int status = status_of(r, sc, svct_admission_credentials(a, in, &res));

    if (status != OK)
        return refuse(r, status);
    jwt = issue_session(r, d, a, &res);
    if (!jwt) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(0205) "could not sign a session for token \"%s\"",
                      logged_name(r, res.token.name));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    admit(r, d, &res.token, "secret", jwt);
    return OK;
}

/* ---- ServiceTokenCredentialsHeader: the credentials as JSON in one header ---- */

static int svct_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    svct_creds_headers = apr_array_make(pconf, 2, sizeof(const char *));
    return OK;
}

/* The value of the credentials header NAME of this request, taken out of
 * its headers if TAKE and still there (a name set only in .htaccess). */
static const char *creds_header_value(request_rec *r, const char *name, int take)
{
    const svct_req_info *first =
        ap_get_module_config(initial_request(r)->request_config, &access_svctoken_module);
    const char *value;

    if (first && first->creds_headers && (value = apr_table_get(first->creds_headers, name)))
        return value;
    value = apr_table_get(r->headers_in, name);
    if (value && take)
        apr_table_unset(r->headers_in, name);
    return value;
}

/* ---- check_authn: AuthType ServiceToken ---- */

/* A session first, then the credentials; an admission made for the request
 * a subrequest or internal redirect comes from is reused when it holds. */
static int check_request(request_rec *r)
{
    const svct_dir_conf *d = ap_get_module_config(r->per_dir_config, &access_svctoken_module);
    const svct_server_conf *sc =
        ap_get_module_config(r->server->module_config, &access_svctoken_module);
    const svct_req_info *earlier;
    const svct_credentials_t *creds;
    svct_presented_t in;
    svct_admission_t a;
    int rc, tried_session = 0;

    earlier = ap_is_initial_req(r) ? NULL : earlier_result(r);
    /* httpd asks again for a subrequest or internal redirect only when its
     * configuration is not the very one of the request it comes from, and
     * it may be another location's. */
    if (earlier && svct_dir_conf_admits_alike(earlier->dir, earlier->audience, d, audience(r, d))) {
        svct_req_info *info = state_of(r);

        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      SVCT_LOGNO(0501) "admission of %s reused for %s", earlier->req->uri, r->uri);
        *info = *earlier;
        publish(r, info);
        return OK;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, SVCT_LOGNO(0300) "checking %s", r->uri);
    if (!d->store_path) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(0301) "AuthType ServiceToken without ServiceTokenStore");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!audience(r, d))
        return HTTP_INTERNAL_SERVER_ERROR;

    admission_of(r, d, sc, audience(r, d), &a);
    rc = check_session(r, d, sc, &a, &tried_session);
    if (rc != DECLINED)
        return rc;

    creds = credentials_of(r);
    in.client_id = creds ? creds->client_id : NULL;
    in.client_secret = creds ? creds->client_secret : NULL;
    in.creds_header = d->creds_header;
    in.creds_value = !in.client_id && !in.client_secret && d->creds_header
                         ? creds_header_value(r, d->creds_header, 1)
                         : NULL;
    in.tried_session = tried_session;
    return check_credentials(r, d, sc, &a, &in);
}

/* Runs the check once per request and remembers its outcome. */
static int authenticate(request_rec *r)
{
    svct_req_info *info = ap_get_module_config(r->request_config, &access_svctoken_module);
    int status;

    if (info && info->checked)
        return info->status;
    status = check_request(r);
    info = state_of(r);
    if (!info->checked) {
        info->checked = 1;
        info->status = status;
    }
    return status;
}

static int svct_check_authn(request_rec *r)
{
    return is_ours(r) ? authenticate(r) : DECLINED;
}

/* The authenticated token, or NULL. A subrequest that httpd let inherit
 * the user of its main request (same configuration, so httpd skipped
 * authentication; as with HTTP Basic, where no check of ours runs for it)
 * inherits the token that made that user, and nothing else does. */
static const svct_req_info *token_of(request_rec *r)
{
    const svct_req_info *info = ap_get_module_config(r->request_config, &access_svctoken_module);

    if (!(info && info->checked) && r->user && !ap_is_initial_req(r) &&
        (info = earlier_result(r)) &&
        (strcmp(info->name, r->user) || info->req->per_dir_config != r->per_dir_config))
        info = NULL;
    return info && info->checked && info->status == OK ? info : NULL;
}

static int svct_note_auth_failure(request_rec *r, const char *auth_type)
{
    if (strcasecmp(auth_type, SVCT_AUTH_TYPE))
        return DECLINED;
    apr_table_setn(r->err_headers_out, "WWW-Authenticate", SVCT_AUTH_TYPE);
    return OK;
}

/* Removes every spelling of the assertion header, so that only the module's
 * own reaches a handler (the secret is gone since the request was read). */
static int svct_fixups(request_rec *r)
{
    const svct_dir_conf *d = ap_get_module_config(r->per_dir_config, &access_svctoken_module);
    const svct_req_info *info = token_of(r);

    svct_headers_scrub(r->headers_in, SVCT_HDR_ASSERTION);
    if (d->creds_header)
        apr_table_unset(r->headers_in, d->creds_header);
    if (info && info->jwt) {
        static const char *const ours[] = {SVCT_HDR_ASSERTION, NULL};
        const char *conn = apr_table_get(r->headers_in, "Connection"), *kept;

        /* Every spelling is gone: add, with no search for one to replace. */
        apr_table_addn(r->headers_in, SVCT_HDR_ASSERTION, info->jwt);
        /* mod_proxy drops the headers that Connection names: not ours. */
        if (conn && (kept = svct_connection_without(r->pool, conn, ours)) != conn) {
            if (*kept)
                apr_table_setn(r->headers_in, "Connection", kept);
            else
                apr_table_unset(r->headers_in, "Connection");
        }
        if (!r->ap_auth_type)
            r->ap_auth_type = SVCT_AUTH_TYPE;
    }
    return DECLINED;
}

/* Admitted by HTTP Basic, the request holds the secret in Authorization:
 * it is removed just before the handler runs, so that no handler, CGI (even
 * with CGIPassAuth On) or proxied backend gets it. Not earlier: the
 * subrequests of fixups (mod_dir's index lookup) authenticate with it. */
static int svct_scrub_basic(request_rec *r)
{
    const svct_req_info *info = token_of(r);

    if (info && !info->jwt)
        apr_table_unset(r->headers_in, "Authorization");
    return DECLINED;
}

/* ---- Require service-token [NAME...] and Require service-token-id ID... ---- */

/* A section whose only lines of ours are Require lines still defines the
 * scope of the application. httpd makes a module's per-directory config of a
 * section when the first directive of that module is read in it; a Require
 * line is mod_authz_core's, so ours may not exist yet: make it as httpd
 * would. */
static svct_dir_conf *note_require_section(cmd_parms *cmd)
{
    svct_dir_conf *d;

    if (!cmd->context || !cmd->path)
        return NULL;
    d = ap_get_module_config(cmd->context, &access_svctoken_module);
    if (!d) {
        d = create_dir_conf(cmd->pool, (char *)cmd->path);
        ap_set_module_config(cmd->context, &access_svctoken_module, d);
    }
    note_section(cmd, d);
    return d;
}

static const char *parse_names(cmd_parms *cmd, const char *line, const void **parsed, int ids)
{
    svct_dir_conf *d;
    apr_array_header_t *list = apr_array_make(cmd->pool, 4, sizeof(const char *));
    const char *word;

    while (*line && (word = ap_getword_conf(cmd->pool, &line)) && *word) {
        const char *err = svct_directive_require_word(cmd->pool, word, ids);

        if (err)
            return err;
        APR_ARRAY_PUSH(list, const char *) = word;
    }
    if (ids && list->nelts == 0)
        return "Require service-token-id needs at least one Client ID";
    *parsed = list;
    d = note_require_section(cmd);
    if (!ids && list->nelts && reading_httpd_conf()) {
        svct_require_ref *req = apr_array_push(conf_requires);

        req->names = list;
        req->section = d;
        req->server = cmd->server;
    }
    return NULL;
}

static const char *parse_token_names(cmd_parms *cmd, const char *line, const void **parsed)
{
    return parse_names(cmd, line, parsed, 0);
}

static const char *parse_token_ids(cmd_parms *cmd, const char *line, const void **parsed)
{
    return parse_names(cmd, line, parsed, 1);
}

static authz_status check_listed(request_rec *r, const void *parsed, int ids)
{
    const svct_req_info *info;
    svct_log_t log = request_log(r);

    /* Authenticating here, before mod_authz_core asks for a user, lets a
     * token that this line does not admit get 403: after authentication it
     * would answer 401, for a client to retry with other credentials. A
     * failed check leaves the answer (401) to check_authn. */
    if (!r->user && (!is_ours(r) || authenticate(r) != OK))
        return AUTHZ_DENIED_NO_USER;
    info = token_of(r);
    if (!info)
        return AUTHZ_DENIED; /* a user, but not one a service token made */
    return svct_require_admits(parsed, ids, info->name, info->client_id, r->pool, &log)
               ? AUTHZ_GRANTED
               : AUTHZ_DENIED;
}

static authz_status check_token_names(request_rec *r, const char *line, const void *parsed)
{
    return check_listed(r, parsed, 0);
}

static authz_status check_token_ids(request_rec *r, const char *line, const void *parsed)
{
    return check_listed(r, parsed, 1);
}

static const authz_provider authz_names_provider = {check_token_names, parse_token_names};
static const authz_provider authz_ids_provider = {check_token_ids, parse_token_ids};

/* ---- the public keys, for backends ---- */

/* The same document for every request, with no authentication of its own:
 * it holds public keys only. */
static int svct_keys_handler(request_rec *r)
{
    svct_server_conf *sc;
    int rc;

    if (!r->handler || strcmp(r->handler, SVCT_KEYS_HANDLER))
        return DECLINED;
    sc = ap_get_module_config(r->server->module_config, &access_svctoken_module);
    if (r->method_number != M_GET) { /* HEAD is a GET without the body */
        ap_allow_methods(r, REPLACE_ALLOW, "GET", "HEAD", NULL);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    ap_set_content_type(r, "application/json");
    apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=300");
    apr_table_setn(r->headers_out, "ETag", sc->jwks_etag);
    ap_update_mtime(r, sc->jwks_made);
    ap_set_last_modified(r);
    rc = ap_meets_conditions(r);
    if (rc != OK)
        return rc;
    ap_set_content_length(r, sc->jwks_len);
    if (!r->header_only)
        ap_rwrite(sc->jwks, (int)sc->jwks_len, r);
    return OK;
}

/* ---- AuthBasicProvider service-token: user = Client ID, password = secret ---- */

/* The check of one pair of Basic credentials, made before mod_auth_basic
 * asks for it. */
struct svct_basic_check {
    const char *user, *password;
    svct_admit_rc_t rc;
    svct_authn_result_t res;
};

/* mod_auth_basic answers 500 to any error of a provider, and a SQL store out
 * of reach must get 503 with Retry-After, never 500. So on the SQL store
 * the credentials of a Basic request whose user is a Client ID are checked
 * here, before mod_auth_basic runs: out of reach, the request ends with 503;
 * otherwise the provider gives this outcome when mod_auth_basic asks. */
static int svct_basic_first(request_rec *r)
{
    const svct_dir_conf *d = ap_get_module_config(r->per_dir_config, &access_svctoken_module);
    const svct_server_conf *sc =
        ap_get_module_config(r->server->module_config, &access_svctoken_module);
    const char *type = ap_auth_type(r), *user, *password;
    struct svct_basic_check *c;
    svct_admission_t a;

    if (!d->store_dbd || !type || strcasecmp(type, "Basic") ||
        ap_get_basic_auth_components(r, &user, &password) != APR_SUCCESS ||
        !svct_client_id_valid(user, strlen(user)))
        return DECLINED;
    c = apr_palloc(r->pool, sizeof *c);
    c->user = user;
    c->password = password;
    admission_of(r, d, sc, NULL, &a);
    c->rc = svct_admission_secret(&a, user, password, &c->res);
    state_of(r)->basic = c;
    return c->rc == SVCT_ADMIT_UNAVAILABLE ? status_of(r, sc, c->rc) : DECLINED;
}

static authn_status basic_check_password(request_rec *r, const char *user, const char *password)
{
    const svct_dir_conf *d = ap_get_module_config(r->per_dir_config, &access_svctoken_module);
    const svct_server_conf *sc =
        ap_get_module_config(r->server->module_config, &access_svctoken_module);
    const svct_req_info *info = ap_get_module_config(r->request_config, &access_svctoken_module);
    const struct svct_basic_check *c = info ? info->basic : NULL;
    svct_authn_result_t res;
    svct_admission_t a;
    int status;

    if (!d->store_path) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(1204) "AuthBasicProvider service-token without "
                                       "ServiceTokenStore");
        return AUTH_GENERAL_ERROR;
    }
    if (c && !strcmp(c->user, user) && strlen(c->password) == strlen(password) &&
        svct_ct_equal(c->password, password, strlen(password))) {
        res = c->res;
        status = status_of(r, sc, c->rc);
    } else {
        admission_of(r, d, sc, NULL, &a);
        status = status_of(r, sc, svct_admission_secret(&a, user, password, &res));
    }
    if (status == OK) {
        admit(r, d, &res.token, "secret", NULL); /* no session in this mode */
        return AUTH_GRANTED;
    }
    return status == HTTP_UNAUTHORIZED ? AUTH_DENIED : AUTH_GENERAL_ERROR;
}

static const authn_provider authn_basic_provider = {basic_check_password, NULL};

/* ---- ServiceTokenPreflight pass ---- */

static int has_credentials(request_rec *r, const svct_dir_conf *d)
{
    const char *cookies = apr_table_get(r->headers_in, "Cookie"), *value;
    size_t len;

    return credentials_of(r) || apr_table_get(r->headers_in, SVCT_HDR_SESSION) ||
           apr_table_get(r->headers_in, "Authorization") ||
           (d->creds_header && creds_header_value(r, d->creds_header, 0)) ||
           (cookies && svct_cookie_next(&cookies, SVCT_COOKIE, &value, &len));
}

/* A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method)
 * that carries no credentials is let through to the handler, which answers
 * it, before authentication and Require run: browsers never send
 * credentials with a preflight. Its subrequests (mod_dir's index lookup, a
 * GET) pass with it where ServiceTokenPreflight pass holds too. */
static int svct_preflight(request_rec *r)
{
    const svct_dir_conf *d = ap_get_module_config(r->per_dir_config, &access_svctoken_module);
    request_rec *first = initial_request(r);

    if (d->preflight_pass != 1 || first->method_number != M_OPTIONS ||
        !apr_table_get(first->headers_in, "Origin") ||
        !apr_table_get(first->headers_in, "Access-Control-Request-Method") ||
        has_credentials(first, d))
        return DECLINED;
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  SVCT_LOGNO(1205) "CORS preflight passed without authentication");
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const before_basic[] = {"mod_auth_basic.c", NULL};

    ap_hook_check_config(svct_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(svct_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(svct_pre_config_checks, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_access_ex(svct_preflight, NULL, NULL, APR_HOOK_FIRST, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, "service-token", AUTHN_PROVIDER_VERSION,
                              &authn_basic_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_test_config(svct_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(svct_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(svct_post_read_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_child_init(svct_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_authn(svct_check_authn, NULL, NULL, APR_HOOK_MIDDLE, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_authn(svct_basic_first, NULL, before_basic, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_note_auth_failure(svct_note_auth_failure, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(svct_fixups, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_handler(svct_keys_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(svct_scrub_basic, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "service-token", AUTHZ_PROVIDER_VERSION,
                              &authz_names_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "service-token-id", AUTHZ_PROVIDER_VERSION,
                              &authz_ids_provider, AP_AUTH_INTERNAL_PER_CONF);
}

AP_DECLARE_MODULE(access_svctoken) = {
    STANDARD20_MODULE_STUFF, create_dir_conf, merge_dir_conf, create_server_conf,
    merge_server_conf,       svct_cmds,       register_hooks, AP_MODULE_FLAG_NONE,
};
