/*
 * mod_access_svctoken: Cloudflare-Access-style service tokens for Apache httpd.
 *
 * This file only binds httpd to the core in src/: the directive table and
 * per-server/per-directory configuration, the check_authn hook for
 * "AuthType ServiceToken", the "Require service-token" and
 * "Require service-token-id" providers, the fixups that scrub
 * credentials from what handlers and backends see, and the
 * "service-token-keys" handler that publishes the public keys.
 */
#include <string.h>
#include <sys/stat.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_provider.h"
#include "mod_auth.h"
#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include <openssl/crypto.h>

#include "authn.h"
#include "b64url.h"
#include "connection.h"
#include "cookie.h"
#include "credentials.h"
#include "credhdr.h"
#include "duration.h"
#include "jwks.h"
#include "jwt.h"
#include "key.h"
#include "lograte.h"
#include "scope.h"
#include "name.h"
#include "secret.h"
#include "store_tag.h"
#include "mod_access_svctoken_dbd.h"
#include "mod_access_svctoken_expiry.h"
#include "version.h"
#include "storecheck.h"
#include "unixd.h"

#define SVCT_AUTH_TYPE "ServiceToken"
#define SVCT_HDR_SESSION "cf-access-token"
#define SVCT_HDR_ASSERTION "Cf-Access-Jwt-Assertion"
#define SVCT_COOKIE "CF_Authorization"
#define SVCT_KEYS_HANDLER "service-token-keys"

#define SVCT_DEFAULT_SESSION (24 * 3600)
#define SVCT_DEFAULT_SKEW 10
/* Beyond a day, skew is a clock that is wrong, not one that drifts. */
#define SVCT_MAX_SKEW 86400
/* Sessions end before the latest time a JWT can carry (SVCT_TIME_MAX) for
 * thousands of years of uptime, and no session outlives a century. */
#define SVCT_MAX_SESSION (INT64_C(100) * 365 * 86400)
/* A client may hold a session cookie per matching Path; we try a few. */
#define SVCT_MAX_COOKIES 4

/* Message numbers: every log line of the module has its own. */
#define SVCT_LOGNO(n) "SVCT" #n ": "

module AP_MODULE_DECLARE_DATA access_svctoken_module;

/* Per-server: the signing keys. Read once when the configuration is. */
typedef struct {
    const char *signing_key_file;
    apr_array_header_t *verify_key_files; /* of const char * */
    /* The kids of the keys named in this context as they are parsed, so that
     * a key given twice fails configtest: kid -> verify key file. */
    const char *signing_kid;
    apr_hash_t *verify_kids;
    svct_keyring_t *keyring;
    const char *issuer; /* "https://" + ServerName, made in post_config */
    /* ServiceTokenStore dbd is used here: a view of the SQL store per child
     * (src/sql_view.h), made in child_init. Durations in seconds, -1 unset. */
    int dbd;
    apr_int64_t store_refresh, store_grace;
    svct_sql_view_t *view;
    /* The keyring's JWK Set as the service-token-keys handler serves it,
     * made in post_config with its ETag and time. */
    const char *jwks, *jwks_etag;
    apr_size_t jwks_len;
    apr_time_t jwks_made;
} svct_server_conf;

/* Per-directory. NULL / -1 mean "not set here", so that merging inherits
 * and defaults are applied by the getters below. */
typedef struct {
    const char *store_path; /* "dbd" with STORE_DBD: the SQL store through mod_dbd */
    const char *store_type;
    const char *store_tag; /* store_tag.h: binds sessions to this store */
    int store_dbd;
    const char *audience;
    apr_int64_t session_duration;
    apr_int64_t clock_skew;
    /* Path of the outermost section that configured this module; the default
     * audience and the cookie Path are derived from it (not from a regular
     * expression: section_regex). */
    const char *section;
    int section_regex;
    /* The directory of the .htaccess file that set the audience, whose URL
     * space the audience must lie in; NULL when httpd.conf set it. */
    const char *audience_dir;
    const char *creds_header; /* ServiceTokenCredentialsHeader */
    int preflight_pass;       /* ServiceTokenPreflight: -1 unset, 0 check, 1 pass */
} svct_dir_conf;

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
    const char *auth; /* "secret" or "session" */
    const char *jwt; /* NULL when admitted by HTTP Basic: no session */
    const char *audience; /* audience() */
    /* Where the admission was made: the request and its configuration, so
     * that a subrequest or internal redirect reuses it only under the same
     * settings. */
    request_rec *req;
    const svct_dir_conf *dir;
} svct_req_info;

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
    svct_server_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->verify_key_files = apr_array_make(p, 2, sizeof(const char *));
    conf->store_refresh = conf->store_grace = -1;
    conf->verify_kids = apr_hash_make(p);
    return conf;
}

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    svct_server_conf *base = basev, *add = addv;
    svct_server_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->signing_key_file = add->signing_key_file ? add->signing_key_file
                                                   : base->signing_key_file;
    conf->verify_key_files = add->signing_key_file ? add->verify_key_files
                                                   : apr_array_append(p, base->verify_key_files,
                                                                      add->verify_key_files);
    conf->dbd = add->dbd || base->dbd;
    conf->store_refresh = add->store_refresh >= 0 ? add->store_refresh : base->store_refresh;
    conf->store_grace = add->store_grace >= 0 ? add->store_grace : base->store_grace;
    return conf;
}

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
    svct_dir_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->session_duration = -1;
    conf->clock_skew = -1;
    conf->preflight_pass = -1;
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    svct_dir_conf *base = basev, *add = addv;
    svct_dir_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->store_path = add->store_path ? add->store_path : base->store_path;
    conf->store_type = add->store_path ? add->store_type : base->store_type;
    conf->store_tag = add->store_path ? add->store_tag : base->store_tag;
    conf->store_dbd = add->store_path ? add->store_dbd : base->store_dbd;
    conf->audience = add->audience ? add->audience : base->audience;
    conf->audience_dir = add->audience ? add->audience_dir : base->audience_dir;
    conf->session_duration =
        add->session_duration >= 0 ? add->session_duration : base->session_duration;
    conf->clock_skew = add->clock_skew >= 0 ? add->clock_skew : base->clock_skew;
    /* Outer wins: nested sections of one application share its audience. */
    conf->section = base->section ? base->section : add->section;
    conf->section_regex = base->section ? base->section_regex : add->section_regex;
    conf->creds_header = add->creds_header ? add->creds_header : base->creds_header;
    conf->preflight_pass = add->preflight_pass >= 0 ? add->preflight_pass : base->preflight_pass;
    return conf;
}

static apr_int64_t dir_session_duration(const svct_dir_conf *d)
{
    return d->session_duration >= 0 ? d->session_duration : SVCT_DEFAULT_SESSION;
}

static apr_int64_t dir_clock_skew(const svct_dir_conf *d)
{
    return d->clock_skew >= 0 ? d->clock_skew : SVCT_DEFAULT_SKEW;
}

/* Whether the directive being read is in a section matched by a regular
 * expression (<LocationMatch>, <Location ~ ...>, ...), whose path is no
 * path. */
static int in_regex_section(const cmd_parms *cmd)
{
    const ap_directive_t *sec;

    for (sec = cmd->directive ? cmd->directive->parent : NULL; sec; sec = sec->parent) {
        const char *name = sec->directive;

        if (strncasecmp(name, "<Location", 9) && strncasecmp(name, "<Directory", 10) &&
            strncasecmp(name, "<Files", 6) && strncasecmp(name, "<Proxy", 6))
            continue;
        return (strlen(name) > 5 && !strcasecmp(name + strlen(name) - 5, "Match")) ||
               (sec->args && sec->args[0] == '~' && apr_isspace(sec->args[1]));
    }
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

static const char *check_dbm_type(cmd_parms *cmd, const char *type)
{
    if (svct_store_type_name(type))
        return NULL;
    return apr_psprintf(cmd->pool,
                        "%s: unknown DBM type '%s' (use default, SDBM, GDBM or DB)",
                        cmd->cmd->name, type);
}

/* What a directive says when ap_server_root_relative() cannot make a path
 * of its argument. */
static const char *invalid_path(cmd_parms *cmd, const char *arg)
{
    return apr_psprintf(cmd->pool, "%s: '%s' is not a valid file path (a relative one is "
                                   "taken from ServerRoot)",
                        cmd->cmd->name, arg);
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
    const char *path, *type;
} svct_store_ref;
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

static const char *set_store(cmd_parms *cmd, void *dconf, const char *path, const char *type)
{
    svct_dir_conf *d = dconf;
    svct_server_conf *sc = ap_get_module_config(cmd->server->module_config,
                                                &access_svctoken_module);
    const char *err;

    if (!strcmp(path, "dbd") && !type) {
        if ((err = svct_dbd_configure(cmd, sc->dbd)))
            return err;
        sc->dbd = 1;
        d->store_path = "dbd";
        d->store_type = NULL;
        d->store_tag = NULL; /* the database's own, known once read (src/authn.c) */
        d->store_dbd = 1;
        note_section(cmd, d);
        return NULL;
    }
    if (type && (err = check_dbm_type(cmd, type)))
        return err;
    d->store_path = ap_server_root_relative(cmd->pool, path);
    if (!d->store_path)
        return invalid_path(cmd, path);
    d->store_type = type ? apr_pstrdup(cmd->pool, type) : "default";
    d->store_tag = dbm_store_tag(cmd, d->store_path, d->store_type);
    if (!d->store_tag)
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": cannot make the tag of ", path, NULL);
    d->store_dbd = 0;
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

    if (!*aud || strlen(aud) > 512 || strpbrk(aud, "\"\\"))
        return apr_psprintf(cmd->pool, "%s: the audience must be 1 to 512 characters "
                                       "without quotes or backslashes",
                            cmd->cmd->name);
    d->audience = aud;
    /* Read from .htaccess (httpd's own test for NOT_IN_HTACCESS): a tenant's
     * audience, checked against the directory's URL space per request. */
    d->audience_dir = cmd->pool == cmd->temp_pool ? apr_pstrdup(cmd->pool, cmd->path) : NULL;
    note_section(cmd, d);
    return NULL;
}

static const char *parse_duration(cmd_parms *cmd, const char *arg, apr_int64_t *out)
{
    int64_t secs;

    if (svct_duration_parse(arg, 0, &secs) != 0)
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a duration (an integer and a unit s, m, h, d, w "
                            "or y, e.g. 30m or 24h)",
                            cmd->cmd->name, arg);
    *out = secs;
    return NULL;
}

/* Parses a duration of at most MAX seconds. */
static const char *parse_duration_max(cmd_parms *cmd, const char *arg, apr_int64_t max,
                                      const char *maxtext, apr_int64_t *out)
{
    const char *err = parse_duration(cmd, arg, out);

    if (!err && *out > max)
        err = apr_psprintf(cmd->pool, "%s: '%s' is longer than the most allowed, %s",
                           cmd->cmd->name, arg, maxtext);
    return err;
}

static const char *set_session_duration(cmd_parms *cmd, void *dconf, const char *arg)
{
    svct_dir_conf *d = dconf;

    note_section(cmd, d);
    return parse_duration_max(cmd, arg, SVCT_MAX_SESSION, "100y", &d->session_duration);
}

static const char *set_clock_skew(cmd_parms *cmd, void *dconf, const char *arg)
{
    svct_dir_conf *d = dconf;

    if (!strcmp(arg, "0")) {
        d->clock_skew = 0;
        return NULL;
    }
    return parse_duration_max(cmd, arg, SVCT_MAX_SKEW, "1d", &d->clock_skew);
}

/* Reads and type-checks a key file as the directive is read, as mod_ssl
 * does, so that `apachectl configtest` fails on what would stop a reload.
 * A key that can sign and that any user may read is refused; one that its
 * group may read is warned about (post_config warns again in the error
 * log, since this line only reaches the console). */
static const char *check_key_file(cmd_parms *cmd, const char *file, const char **path,
                                  const char **kid)
{
    char err[256];
    struct stat sb;
    svct_key_t *key;
    int can_sign;

    *path = ap_server_root_relative(cmd->pool, file);
    if (!*path)
        return invalid_path(cmd, file);
    key = svct_key_load_file(*path, err, sizeof err);
    if (!key)
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    can_sign = svct_key_can_sign(key);
    *kid = apr_pstrdup(cmd->pool, svct_key_kid(key));
    svct_key_free(key);
    if (!can_sign || stat(*path, &sb) != 0)
        return NULL;
    if (sb.st_mode & S_IROTH)
        return apr_psprintf(cmd->pool,
                            "%s: key file %s can be read by any user (mode %04o); "
                            "chown it to root and chmod 600 it",
                            cmd->cmd->name, *path, (unsigned)(sb.st_mode & 07777));
    if ((sb.st_mode & S_IRGRP) && ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_TEST)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                     SVCT_LOGNO(0601) "key file %s can be read by its group (mode %04o); "
                                      "chmod 600 it",
                     *path, (unsigned)(sb.st_mode & 07777));
    return NULL;
}

static const char *set_store_time(cmd_parms *cmd, void *unused, const char *arg)
{
    svct_server_conf *conf = ap_get_module_config(cmd->server->module_config,
                                                  &access_svctoken_module);
    int grace = cmd->info != NULL;
    apr_int64_t secs = 0;
    const char *err;

    if (grace && !strcmp(arg, "0")) {
        conf->store_grace = 0;
        return NULL;
    }
    if ((err = parse_duration(cmd, arg, &secs)))
        return err;
    if (secs < 1)
        return apr_psprintf(cmd->pool, "%s: at least 1s", cmd->cmd->name);
    *(grace ? &conf->store_grace : &conf->store_refresh) = secs;
    return NULL;
}

static const char *duplicate_kid(cmd_parms *cmd, const char *file, const char *kid,
                                 const char *other)
{
    return apr_psprintf(cmd->pool, "%s: %s has the kid %s of %s: a key may be listed only once",
                        cmd->cmd->name, file, kid, other);
}

static const char *set_signing_key(cmd_parms *cmd, void *unused, const char *file)
{
    svct_server_conf *conf = ap_get_module_config(cmd->server->module_config,
                                                  &access_svctoken_module);
    const char *path, *kid, *other, *err = check_key_file(cmd, file, &path, &kid);

    if (err)
        return err;
    other = apr_hash_get(conf->verify_kids, kid, APR_HASH_KEY_STRING);
    if (other)
        return duplicate_kid(cmd, path, kid, other);
    conf->signing_key_file = path;
    conf->signing_kid = kid;
    return NULL;
}

static const char *add_verify_key(cmd_parms *cmd, void *unused, const char *file)
{
    svct_server_conf *conf = ap_get_module_config(cmd->server->module_config,
                                                  &access_svctoken_module);
    const char *path, *kid, *other, *err = check_key_file(cmd, file, &path, &kid);

    if (err)
        return err;
    other = conf->signing_kid && !strcmp(conf->signing_kid, kid)
                ? conf->signing_key_file
                : apr_hash_get(conf->verify_kids, kid, APR_HASH_KEY_STRING);
    if (other)
        return duplicate_kid(cmd, path, kid, other);
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

    if (!svct_header_name_valid(name))
        return apr_psprintf(cmd->pool, "%s: '%s' is not a header name", cmd->cmd->name, name);
    d->creds_header = name;
    if (svct_creds_headers && cmd->pool == svct_creds_headers->pool)
        APR_ARRAY_PUSH(svct_creds_headers, const char *) = name;
    note_section(cmd, d);
    return NULL;
}

static const char *set_preflight(cmd_parms *cmd, void *dconf, const char *arg)
{
    svct_dir_conf *d = dconf;

    if (strcasecmp(arg, "pass") && strcasecmp(arg, "check"))
        return apr_psprintf(cmd->pool, "%s: '%s' is neither pass nor check", cmd->cmd->name, arg);
    d->preflight_pass = !strcasecmp(arg, "pass");
    return NULL;
}

static const command_rec svct_cmds[] = {
    AP_INIT_TAKE12("ServiceTokenStore", set_store, NULL, RSRC_CONF | OR_AUTHCFG,
                   "the service token file, and its DBM type (default, SDBM, GDBM, DB)"),
    AP_INIT_TAKE1("ServiceTokenStoreRefresh", set_store_time, NULL, RSRC_CONF,
                  "how stale a child's view of a SQL store may be, e.g. 1s (the default)"),
    AP_INIT_TAKE1("ServiceTokenStoreGrace", set_store_time, (void *)"grace", RSRC_CONF,
                  "how long confirmed tokens keep working while the database is down, e.g. "
                  "5m (the default); 0 for not at all"),
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

/* ---- keys, loaded once at start-up ---- */

static apr_status_t free_keyring(void *ring)
{
    svct_keyring_free(ring);
    return APR_SUCCESS;
}

static svct_key_t *load_key(const char *file, server_rec *s)
{
    char err[256];
    struct stat sb;
    svct_key_t *key = svct_key_load_file(file, err, sizeof err);

    if (!key) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SVCT_LOGNO(0001) "%s", err);
        return NULL;
    }
    if (svct_key_can_sign(key) && stat(file, &sb) == 0 && (sb.st_mode & 0077))
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     SVCT_LOGNO(0002) "key file %s can be read by other users than its owner "
                                      "(mode %04o); chmod 600 it",
                     file, (unsigned)(sb.st_mode & 07777));
    return key;
}

/* Where the key made without ServiceTokenSigningKey is kept: the parent
 * process's pool outlives every configuration (graceful and plain restarts
 * clear pconf only), so sessions last until httpd stops. */
#define SVCT_GENERATED_KEY "access_svctoken:generated-key"

static apr_status_t wipe_generated_key(void *jwk)
{
    OPENSSL_cleanse(jwk, strlen(jwk));
    return APR_SUCCESS;
}

/* The random HS256 key of this parent process, as a JWK, made on first use. */
static const char *generated_key_jwk(server_rec *s)
{
    apr_pool_t *pp = s->process->pool;
    unsigned char secret[32], kid[12];
    char k[64], kidtext[24];
    void *jwk = NULL;

    apr_pool_userdata_get(&jwk, SVCT_GENERATED_KEY, pp);
    if (jwk)
        return jwk;
    if (apr_generate_random_bytes(secret, sizeof secret) != APR_SUCCESS ||
        apr_generate_random_bytes(kid, sizeof kid) != APR_SUCCESS ||
        svct_b64url_encode(secret, sizeof secret, k, sizeof k) == (size_t)-1 ||
        svct_b64url_encode(kid, sizeof kid, kidtext, sizeof kidtext) == (size_t)-1)
        return NULL;
    jwk = apr_psprintf(pp, "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"%s\",\"k\":\"%s\"}",
                       kidtext, k);
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse(k, sizeof k);
    apr_pool_cleanup_register(pp, jwk, wipe_generated_key, apr_pool_cleanup_null);
    apr_pool_userdata_set(jwk, SVCT_GENERATED_KEY, apr_pool_cleanup_null, pp);
    return jwk;
}

static svct_key_t *generated_key(server_rec *s, int *told)
{
    const char *jwk = generated_key_jwk(s);
    char err[256] = "cannot make a random signing key";
    svct_key_t *key = jwk ? svct_key_parse(jwk, strlen(jwk), err, sizeof err) : NULL;

    if (!key)
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SVCT_LOGNO(0003) "%s", err);
    else if (!*told && ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        *told = 1;
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s,
                     SVCT_LOGNO(0004) "no ServiceTokenSigningKey: sessions are signed with "
                                      "a random key kept until httpd stops (graceful and plain "
                                      "restarts keep it); sessions end when httpd stops, and "
                                      "servers that share sessions need one shared "
                                      "ServiceTokenSigningKey");
    }
    return key;
}

static int build_keyring(svct_server_conf *conf, server_rec *s, int *told, apr_pool_t *pconf)
{
    svct_key_t *key;
    apr_hash_t *owners;
    int i;

    conf->keyring = svct_keyring_new();
    if (!conf->keyring)
        return HTTP_INTERNAL_SERVER_ERROR;
    apr_pool_cleanup_register(pconf, conf->keyring, free_keyring, apr_pool_cleanup_null);
    key = conf->signing_key_file ? load_key(conf->signing_key_file, s) : generated_key(s, told);
    if (!key)
        return HTTP_INTERNAL_SERVER_ERROR;
    svct_keyring_set_signer(conf->keyring, key);
    /* kid -> the file that brought it, to name both files of a duplicate */
    owners = apr_hash_make(pconf);
    apr_hash_set(owners, svct_key_kid(key), APR_HASH_KEY_STRING,
                 conf->signing_key_file ? conf->signing_key_file : "the generated key");
    for (i = 0; i < conf->verify_key_files->nelts; i++) {
        const char *file = APR_ARRAY_IDX(conf->verify_key_files, i, const char *);
        const char *owner;

        key = load_key(file, s);
        if (!key)
            return HTTP_INTERNAL_SERVER_ERROR;
        owner = apr_hash_get(owners, svct_key_kid(key), APR_HASH_KEY_STRING);
        if (owner || svct_keyring_add_verifier(conf->keyring, key) != 0) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                         SVCT_LOGNO(0005) "ServiceTokenVerifyKey %s has the kid %s of %s: a "
                                          "key may be listed only once",
                         file, svct_key_kid(key), owner ? owner : "another key");
            svct_key_free(key);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        apr_hash_set(owners, svct_key_kid(key), APR_HASH_KEY_STRING, file);
    }
    return OK;
}

/* The caches of this child (src/cache.h): shared by its threads, made when
 * the child starts, gone with it. NULL (no caching) if out of memory. */
static svct_cache_t *svct_cache;
/* Refusals of unknown Client IDs in this child, for the log's rate limit. */
static svct_lograte_t unknown_ids;
/* Session JWTs whose signature failed in this child (src/badsig.h). */
static svct_badsig_t *svct_badsig;

static apr_status_t free_cache(void *unused)
{
    svct_cache_destroy(svct_cache);
    svct_cache = NULL;
    return APR_SUCCESS;
}

static apr_status_t free_badsig(void *unused)
{
    svct_badsig_destroy(svct_badsig);
    svct_badsig = NULL;
    return APR_SUCCESS;
}

static void svct_child_init(apr_pool_t *pchild, server_rec *s)
{
    svct_badsig = svct_badsig_create(SVCT_BADSIG_SLOTS);
    if (svct_badsig)
        apr_pool_cleanup_register(pchild, NULL, free_badsig, apr_pool_cleanup_null);
    svct_cache = svct_cache_create(SVCT_CACHE_SESSIONS, SVCT_CACHE_TOKENS, SVCT_CACHE_ISSUED);
    if (!svct_cache)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     SVCT_LOGNO(0006) "out of memory for the caches: every request reads the "
                                      "token store");
    else
        apr_pool_cleanup_register(pchild, NULL, free_cache, apr_pool_cleanup_null);
    for (; s; s = s->next) {
        svct_server_conf *conf = ap_get_module_config(s->module_config, &access_svctoken_module);

        if (!conf->dbd)
            continue;
        conf->view = svct_dbd_view(pchild, s, conf->store_refresh >= 0 ? conf->store_refresh : 1,
                                   conf->store_grace >= 0 ? conf->store_grace : 300);
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

static int svct_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                             server_rec *s)
{
    return for_each_section(s, refuse_regex_without_audience, NULL) ? HTTP_INTERNAL_SERVER_ERROR
                                                                     : OK;
}

static int note_audience(server_rec *s, const svct_dir_conf *d, const core_dir_config *core,
                         int location, void *pool)
{
    const char *aud = d->audience;
    char scope[1024];

    /* A literal <Location>'s default audience is known without a request. */
    if (!aud && location && d->section && !d->section_regex && !core->r && !core->d_is_fnmatch &&
        s->server_hostname &&
        svct_scope_path(d->section, d->section, NULL, NULL, scope, sizeof scope))
        aud = apr_pstrcat(pool, "https://", s->server_hostname, scope, NULL);
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

static int seen_before(const apr_array_header_t *a, int upto, const char *path)
{
    int i;

    for (i = 0; i < upto; i++)
        if (!strcmp(APR_ARRAY_IDX(a, i, svct_store_ref).path, path))
            return 1;
    return 0;
}

/* Tokens that expire within 7 days, once each, from every store the
 * configuration names: the DBM stores of httpd.conf, and the database of
 * each server that uses mod_dbd's (src/expiry.h). */
static void warn_expiring(server_rec *s, apr_pool_t *ptemp)
{
    svct_expiry_t *x = svct_expiry_make(ptemp);
    const char *driver, *params;
    server_rec *v;
    int i;

    for (i = 0; conf_stores && i < conf_stores->nelts; i++)
        svct_expiry_add_dbm(x, APR_ARRAY_IDX(conf_stores, i, svct_store_ref).path,
                            APR_ARRAY_IDX(conf_stores, i, svct_store_ref).type);
    for (v = s; v; v = v->next) {
        svct_server_conf *sc = ap_get_module_config(v->module_config, &access_svctoken_module);

        if (sc->dbd && svct_dbd_settings(v, ptemp, &driver, &params) == 0)
            svct_expiry_add_dbd(x, driver, params);
    }
    svct_expiry_log(s, x);
}

/* Warnings, once per configuration, of what would otherwise only show as
 * 500s or 403s: a store the children's user cannot open, a name a Require
 * line asks for that no token has (yet). */
static void startup_checks(server_rec *s, apr_pool_t *ptemp)
{
    apr_array_header_t *told = apr_array_make(ptemp, 4, sizeof(svct_store_ref));
    char err[512];
    int i, j;

    for (i = 0; conf_stores && i < conf_stores->nelts; i++) {
        const svct_store_ref *st = &APR_ARRAY_IDX(conf_stores, i, svct_store_ref);

        if (seen_before(conf_stores, i, st->path) ||
            svct_storecheck_open_as(st->path, st->type, ap_unixd_config.user_id,
                                    ap_unixd_config.group_id, ap_unixd_config.user_name, err,
                                    sizeof err) == 0)
            continue;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     SVCT_LOGNO(0603) "token store %s cannot be opened by user %s, whom httpd's "
                                      "children run as: %s; requests that need it will get 500",
                     st->path, ap_unixd_config.user_name, err);
    }
    for (i = 0; conf_requires && i < conf_requires->nelts; i++) {
        const svct_require_ref *req = &APR_ARRAY_IDX(conf_requires, i, svct_require_ref);
        const svct_dir_conf *d = store_of(req);

        for (j = 0; d && j < req->names->nelts; j++) {
            const char *name = APR_ARRAY_IDX(req->names, j, const char *);
            const char *key = apr_pstrcat(ptemp, d->store_path, "\n", name, NULL);
            svct_store_ref *ref;

            if (seen_before(told, told->nelts, key) ||
                svct_storecheck_has_name(d->store_path, d->store_type, name) != 0)
                continue;
            ref = apr_array_push(told);
            ref->path = key;
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         SVCT_LOGNO(0604) "Require service-token: token store %s has no token "
                                          "named \"%s\" (yet); no one gets in by that name "
                                          "until it is created",
                         d->store_path, name);
        }
    }
    warn_expiring(s, ptemp);
}

static void svct_test_config(apr_pool_t *pconf, server_rec *s)
{
    apr_pool_t *ptemp;

    if (apr_pool_create(&ptemp, pconf) == APR_SUCCESS) {
        startup_checks(s, ptemp);
        apr_pool_destroy(ptemp);
    }
}

static int svct_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                            server_rec *s)
{
    int rc = OK, told = 0, warned = 0;

    server_audiences = apr_hash_make(pconf);
    for_each_section(s, note_audience, pconf);
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG)
        startup_checks(s, ptemp);

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
            rc = svct_dbd_check_server(s);
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

/* The URL scope of the section that configured the module for R, or NULL
 * when it cannot be derived (src/scope.h): never "/" by default. */
static const char *section_scope(request_rec *r, const svct_dir_conf *d)
{
    char buf[1024];

    if (d->section_regex || !svct_scope_path(d->section, r->uri, r->filename, r->path_info, buf,
                                             sizeof buf))
        return NULL;
    return apr_pstrdup(r->pool, buf);
}

/* NULL when the audience D has from a .htaccess file is that directory's to
 * use, else why not. */
static const char *foreign_audience(request_rec *r, const svct_dir_conf *d)
{
    char scope[1024];

    if (server_audiences && apr_hash_get(server_audiences, d->audience, APR_HASH_KEY_STRING))
        return "a section of the server's configuration uses it";
    if (!svct_scope_path(d->audience_dir, r->uri, r->filename, r->path_info, scope, sizeof scope))
        return "the directory's URL space is not known";
    if (!svct_scope_url_within(d->audience, r->server->server_hostname, scope))
        return apr_pstrcat(r->pool, "it lies outside its URL space, https://",
                           r->server->server_hostname, scope, NULL);
    return NULL;
}

static const char *find_audience(request_rec *r, const svct_dir_conf *d)
{
    const char *scope, *why;

    if (d->audience && d->audience_dir && (why = foreign_audience(r, d))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(0502) "ServiceTokenAudience %s in %s/.htaccess is not this "
                                       "directory's: %s",
                      d->audience, d->audience_dir, why);
        return NULL;
    }
    if (d->audience)
        return d->audience;
    scope = section_scope(r, d);
    if (!scope) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(0503) "the URL scope of %s cannot be derived from its section "
                                       "%s: set ServiceTokenAudience there",
                      r->uri, d->section ? d->section : "(none)");
        return NULL;
    }
    return apr_pstrcat(r->pool, "https://", r->server->server_hostname, scope, NULL);
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

    if (!info->audience)
        info->audience = find_audience(r, d);
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
        const svct_req_info *info = ap_get_module_config(o->request_config,
                                                         &access_svctoken_module);
        if (info && info->checked && info->status == OK)
            return info;
    }
    return NULL;
}

/* Whether a subrequest or internal redirect R, configured with D, would be
 * admitted by what admitted EARLIER: the same store, audience and clock
 * skew. httpd asks again only when R's configuration is not the very one of
 * the request it comes from, and it may be another location's. */
static int same_settings(const svct_req_info *earlier, request_rec *r, const svct_dir_conf *d)
{
    const svct_dir_conf *e = earlier->dir;

    return e && earlier->audience && d->store_tag && e->store_tag &&
           !strcmp(d->store_tag, e->store_tag) && dir_clock_skew(d) == dir_clock_skew(e) &&
           !strcmp(audience(r, d), earlier->audience);
}

/* Where this request reads tokens: the DBM file, or the SQL store through
 * this child's view of it and mod_dbd. */
static void authn_store(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                        svct_authn_store_t *store)
{
    if (d->store_dbd) {
        svct_dbd_store(r, sc->view, store);
        return;
    }
    memset(store, 0, sizeof *store);
    store->path = d->store_path;
    store->dbmtype = d->store_type;
    store->cache = svct_cache;
    store->tag = d->store_tag;
}

/* The SQL store cannot be reached and this token was not confirmed within
 * ServiceTokenStoreGrace: 503, to be tried again after the next refresh. */
static int unavailable(request_rec *r, const svct_server_conf *sc, const svct_authn_result_t *res)
{
    return svct_dbd_unavailable(r, sc->store_refresh > 0 ? sc->store_refresh : 1, res);
}

/* The level of a refusal's line: info for what ends a session in the normal
 * course, warn for what an administrator must see at httpd's default
 * LogLevel (see README). */
#define SVCT_REFUSAL_LEVEL(routine) ((routine) ? APLOG_INFO : APLOG_WARNING)

/* A token's name for a log line, inside double quotes (src/name.h). */
static const char *logged_name(request_rec *r, const char *name)
{
    return svct_name_escape(name, apr_palloc(r->pool, SVCT_NAME_ESCAPED_MAX),
                            SVCT_NAME_ESCAPED_MAX);
}

/* Tries one session JWT. Returns OK (admitted), DECLINED (not a usable
 * session: logged, and credentials may still be tried) or an error status. */
/* A session refused before the store is asked: a forged signature is worth a
 * warning the first time only, or replaying it would flood the log. */
static void log_bad_session(request_rec *r, const char *from, const char *why)
{
    int routine = svct_authn_why_is_time(why) || !strcmp(why, SVCT_AUTHN_BADSIG_SEEN);

    ap_log_rerror(APLOG_MARK, SVCT_REFUSAL_LEVEL(routine), 0, r,
                  SVCT_LOGNO(0101) "bad session (%s): %s", from, why);
}

static int try_session(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                       const svct_jwt_expect_t *expect, const char *jwt, size_t len,
                       const char *from)
{
    svct_session_t session;
    svct_authn_result_t res;
    svct_authn_store_t store;
    svct_authn_rc_t rc;
    const char *why;
    int verified, failed;

    failed = svct_authn_check_session(svct_cache, svct_badsig, sc->keyring, jwt, len, expect,
                                      &session, &why, &verified);
    if (verified)
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      SVCT_LOGNO(0602) "checked the signature of a session (%s)", from);
    if (failed) {
        log_bad_session(r, from, why);
        return DECLINED;
    }
    authn_store(r, d, sc, &store);
    rc = svct_authn_session(&store, &session, expect->now, r->pool, &res);
    if (rc == SVCT_AUTHN_OK)
        rc = svct_authn_address(&res.token, r->useragent_ip);
    if (rc == SVCT_AUTHN_STORE_ERROR) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SVCT_LOGNO(0102) "%s", res.store_error);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (rc == SVCT_AUTHN_UNAVAILABLE)
        return unavailable(r, sc, &res);
    svct_dbd_note_outage(r, &res);
    if (rc == SVCT_AUTHN_ADDRESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(1201) "session refused (%s): client address %s is outside "
                                       "the --allow-from of token \"%s\", client id %s",
                      from, r->useragent_ip, res.token.name, session.client_id);
        return DECLINED;
    }
    if (rc != SVCT_AUTHN_OK) {
        ap_log_rerror(APLOG_MARK,
                      SVCT_REFUSAL_LEVEL(rc == SVCT_AUTHN_EXPIRED || rc == SVCT_AUTHN_REVOKED), 0,
                      r, SVCT_LOGNO(0103) "bad session (%s): %s, client id %s", from,
                      svct_authn_reason(rc), session.client_id);
        return DECLINED;
    }
    admit(r, d, &res.token, "session", apr_pstrmemdup(r->pool, jwt, len));
    return OK;
}

/* At most one signature check for the header and one for the cookies,
 * whatever a request brings: of the cookies, the one verified before, else
 * the first that could be accepted here (svct_authn_pick_session). */
static int check_session(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                         int *tried)
{
    const char *hdr = apr_table_get(r->headers_in, SVCT_HDR_SESSION);
    const char *cookies = apr_table_get(r->headers_in, "Cookie");
    const char *values[SVCT_MAX_COOKIES], *why;
    size_t lens[SVCT_MAX_COOKIES];
    svct_jwt_expect_t expect;
    int n, pick, rc;

    expect.iss = sc->issuer;
    expect.aud = audience(r, d);
    expect.now = apr_time_sec(r->request_time);
    expect.leeway = dir_clock_skew(d);
    if (hdr) {
        *tried = 1;
        rc = try_session(r, d, sc, &expect, hdr, strlen(hdr), "header");
        if (rc != DECLINED)
            return rc;
    }
    for (n = 0; cookies && n < SVCT_MAX_COOKIES; n++)
        if (!svct_cookie_next(&cookies, SVCT_COOKIE, &values[n], &lens[n]))
            break;
    if (n == 0)
        return DECLINED;
    *tried = 1;
    if (n == 1)
        return try_session(r, d, sc, &expect, values[0], lens[0], "cookie");
    pick = svct_authn_pick_session(svct_cache, svct_badsig, sc->keyring, &expect, values, lens, n,
                                   &why);
    if (pick < 0) {
        log_bad_session(r, "cookie", why);
        return DECLINED;
    }
    return try_session(r, d, sc, &expect, values[pick], lens[pick], "cookie");
}

/* The cookie Path: the section's scope, or where that is not known (a
 * <LocationMatch> with its own audience) the request's directory, so that a
 * browser sends the session no further than needed. NULL, logged, when even
 * that would be "/": then no cookie is set. */
static const char *cookie_path(request_rec *r, const svct_dir_conf *d)
{
    const char *scope = section_scope(r, d);
    char dir[1024];

    if (scope)
        return scope;
    if (svct_scope_uri_dir(r->uri, dir, sizeof dir))
        return apr_pstrdup(r->pool, dir);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  SVCT_LOGNO(0504) "no session cookie for %s: its Path would be \"/\"", r->uri);
    return NULL;
}

/* Signs a new session for TOKEN and sets it as the cookie. */
static const char *issue_session(request_rec *r, const svct_dir_conf *d,
                                 const svct_server_conf *sc, const svct_authn_result_t *res)
{
    svct_cookie_attrs_t attrs;
    char jwt[SVCT_JWT_MAX + 1];
    char cookie[SVCT_JWT_MAX + 256];
    apr_int64_t now = apr_time_sec(r->request_time);
    apr_int64_t lifetime = svct_authn_session_lifetime(res, now, dir_session_duration(d));

    if (!svct_authn_issue(svct_cache, sc->keyring, sc->issuer, audience(r, d), res, now,
                          lifetime, jwt, sizeof jwt))
        return NULL;
    attrs.path = cookie_path(r, d);
    if (!attrs.path)
        return apr_pstrdup(r->pool, jwt); /* admitted, with no cookie */
    attrs.secure = !strcasecmp(ap_http_scheme(r), "https");
    attrs.max_age = lifetime;
    if (!svct_cookie_build(cookie, sizeof cookie, SVCT_COOKIE, jwt, &attrs))
        return NULL;
    apr_table_add(r->err_headers_out, "Set-Cookie", cookie);
    return apr_pstrdup(r->pool, jwt);
}

/* Checks ID and SECRET against the store and the token's --allow-from,
 * logging any refusal. Returns OK with *RES, HTTP_UNAUTHORIZED, or the
 * status of a store error (500, or 503 for a SQL store out of reach). */
static int verify_secret(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                         const char *id, const char *secret, svct_authn_result_t *res)
{
    svct_authn_store_t store;
    svct_authn_rc_t rc;
    uint64_t n;

    authn_store(r, d, sc, &store);
    rc = svct_authn_secret(&store, id, strlen(id), secret, strlen(secret),
                           apr_time_sec(r->request_time), r->pool, res);
    if (rc == SVCT_AUTHN_OK)
        rc = svct_authn_address(&res->token, r->useragent_ip);
    switch (rc) {
    case SVCT_AUTHN_OK:
        svct_dbd_note_outage(r, res);
        return OK;
    case SVCT_AUTHN_STORE_ERROR:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SVCT_LOGNO(0201) "%s", res->store_error);
        return HTTP_INTERNAL_SERVER_ERROR;
    case SVCT_AUTHN_UNAVAILABLE:
        return unavailable(r, sc, res);
    case SVCT_AUTHN_MALFORMED_ID:
        /* The value is client input of any length: it is not logged. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      SVCT_LOGNO(0202) "access refused: malformed client id");
        break;
    case SVCT_AUTHN_UNKNOWN_ID:
        /* Random IDs cost a client nothing: one line at warn per
         * SVCT_LOGRATE_EVERY, with the count; the others at debug. */
        if ((n = svct_lograte_count(&unknown_ids, SVCT_LOGRATE_EVERY)) != 0)
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                          SVCT_LOGNO(0203) "access refused: unknown client id %s (unknown "
                                           "client id %" APR_UINT64_T_FMT " of this process; "
                                           "one in %d is logged at this level)",
                          id, (apr_uint64_t)n, SVCT_LOGRATE_EVERY);
        else
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          SVCT_LOGNO(0203) "access refused: unknown client id %s", id);
        break;
    case SVCT_AUTHN_ADDRESS:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(1202) "access refused: client address %s is outside the "
                                       "--allow-from of token \"%s\", client id %s",
                      r->useragent_ip, res->token.name, id);
        break;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      SVCT_LOGNO(0204) "access refused: %s, token \"%s\", client id %s",
                      svct_authn_reason(rc), logged_name(r, res->token.name), id);
        break;
    }
    return HTTP_UNAUTHORIZED;
}

static int check_secret(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                        const char *id, const char *secret)
{
    svct_authn_result_t res;
    const char *jwt;
    int status = verify_secret(r, d, sc, id, secret, &res);

    if (status != OK)
        return refuse(r, status);
    jwt = issue_session(r, d, sc, &res);
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

static int check_creds_header(request_rec *r, const svct_dir_conf *d, const svct_server_conf *sc,
                              const char *value)
{
    svct_credhdr_t *creds = apr_palloc(r->pool, sizeof *creds);
    const char *why;
    int status;

    if (svct_credhdr_parse(value, strlen(value), creds, &why) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(1203) "access refused: the %s header is not usable "
                                       "credentials: %s",
                      d->creds_header, why);
        return refuse(r, HTTP_UNAUTHORIZED);
    }
    status = check_secret(r, d, sc, creds->client_id, creds->client_secret);
    svct_credhdr_wipe(creds);
    return status;
}

static int check_request(request_rec *r)
{
    const svct_dir_conf *d = ap_get_module_config(r->per_dir_config, &access_svctoken_module);
    const svct_server_conf *sc = ap_get_module_config(r->server->module_config,
                                                      &access_svctoken_module);
    const svct_req_info *earlier;
    const svct_credentials_t *creds;
    const char *id, *secret, *value;
    int rc, tried_session = 0;

    earlier = ap_is_initial_req(r) ? NULL : earlier_result(r);
    if (earlier && audience(r, d) && same_settings(earlier, r, d)) {
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

    rc = check_session(r, d, sc, &tried_session);
    if (rc != DECLINED)
        return rc;

    creds = credentials_of(r);
    id = creds ? creds->client_id : NULL;
    secret = creds ? creds->client_secret : NULL;
    if (id && secret)
        return check_secret(r, d, sc, id, secret);
    if (!id && !secret && d->creds_header && (value = creds_header_value(r, d->creds_header, 1)))
        return check_creds_header(r, d, sc, value);
    if (id || secret)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      SVCT_LOGNO(0302) "access refused: %s header missing",
                      id ? SVCT_HDR_SECRET : SVCT_HDR_ID);
    else if (!tried_session)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      SVCT_LOGNO(0303) "access refused: no credentials");
    return refuse(r, HTTP_UNAUTHORIZED);
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
    const svct_req_info *info = ap_get_module_config(r->request_config,
                                                     &access_svctoken_module);

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
        if (ids ? !svct_client_id_valid(word, strlen(word)) : !svct_name_valid(word, strlen(word)))
            return apr_psprintf(cmd->pool, "Require %s: '%s' is not a valid %s",
                                ids ? "service-token-id" : "service-token", word,
                                ids ? "Client ID" : "token name");
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

/* The names or Client IDs of a Require line, as written in httpd.conf. */
static const char *required_list(request_rec *r, const apr_array_header_t *list, int ids)
{
    const char *out = "";
    int i;

    for (i = 0; i < list->nelts; i++) {
        const char *word = APR_ARRAY_IDX(list, i, const char *);

        out = apr_pstrcat(r->pool, out, i ? " " : "", ids ? "" : "\"",
                          ids ? word : logged_name(r, word), ids ? "" : "\"", NULL);
    }
    return out;
}

static authz_status check_listed(request_rec *r, const void *parsed, int ids)
{
    const apr_array_header_t *list = parsed;
    const svct_req_info *info;
    const char *who;
    int i;

    /* Authenticating here, before mod_authz_core asks for a user, lets a
     * token that this line does not admit get 403: after authentication it
     * would answer 401, for a client to retry with other credentials. A
     * failed check leaves the answer (401) to check_authn. */
    if (!r->user && (!is_ours(r) || authenticate(r) != OK))
        return AUTHZ_DENIED_NO_USER;
    info = token_of(r);
    if (!info)
        return AUTHZ_DENIED; /* a user, but not one a service token made */
    who = ids ? info->client_id : info->name;
    if (list->nelts == 0)
        return AUTHZ_GRANTED;
    for (i = 0; i < list->nelts; i++)
        if (!strcmp(who, APR_ARRAY_IDX(list, i, const char *)))
            return AUTHZ_GRANTED;
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                  SVCT_LOGNO(0401) "token \"%s\" (client id %s) is not admitted by "
                                   "Require service-token%s %s",
                  logged_name(r, info->name), info->client_id, ids ? "-id" : "",
                  required_list(r, list, ids));
    return AUTHZ_DENIED;
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

static authn_status basic_check_password(request_rec *r, const char *user, const char *password)
{
    const svct_dir_conf *d = ap_get_module_config(r->per_dir_config, &access_svctoken_module);
    svct_authn_result_t res;
    int status;

    if (!d->store_path) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      SVCT_LOGNO(1204) "AuthBasicProvider service-token without "
                                       "ServiceTokenStore");
        return AUTH_GENERAL_ERROR;
    }
    status = verify_secret(r, d, ap_get_module_config(r->server->module_config,
                                                      &access_svctoken_module),
                           user, password, &res);
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
    ap_hook_check_authn(svct_check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_note_auth_failure(svct_note_auth_failure, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(svct_fixups, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_handler(svct_keys_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(svct_scrub_basic, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "service-token",
                              AUTHZ_PROVIDER_VERSION, &authz_names_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "service-token-id",
                              AUTHZ_PROVIDER_VERSION, &authz_ids_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}

AP_DECLARE_MODULE(access_svctoken) = {
    STANDARD20_MODULE_STUFF,
    create_dir_conf,
    merge_dir_conf,
    create_server_conf,
    merge_server_conf,
    svct_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE,
};
