/*
 * The start-up warning of tokens that expire soon, as log lines
 * (mod_access_svctoken_expiry.h).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "apr_time.h"

#include "mod_access_svctoken_expiry.h"
#include "name.h"
#include "transfer.h"

APLOG_USE_MODULE(access_svctoken);

typedef struct {
    server_rec *s;
    int64_t now;
} svct_expiry_log_t;

static void log_token(void *baton, const char *store, const svct_record_t *rec)
{
    const svct_expiry_log_t *l = baton;
    char name[SVCT_NAME_ESCAPED_MAX], when[32];

    svct_name_escape(rec->name, name, sizeof name);
    svct_time_format(rec->expires_at, when);
    if (rec->expires_at > l->now)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, l->s,
                     "SVCT1350: token \"%s\" (Client ID %s) in %s expires at %s, within 7 "
                     "days: svctoken refresh extends it",
                     name, rec->client_id, store, when);
    else
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, l->s,
                     "SVCT1351: token \"%s\" (Client ID %s) in %s expired at %s and is "
                     "refused: svctoken refresh or delete it",
                     name, rec->client_id, store, when);
}

/* A DBM store that cannot be read is the subject of the start-up check
 * SVCT0603 already; no one else looks at a SQL store before a request. */
static void log_failure(void *baton, const char *store, int is_sql, const char *why)
{
    const svct_expiry_log_t *l = baton;

    ap_log_error(APLOG_MARK, is_sql ? APLOG_WARNING : APLOG_DEBUG, 0, l->s,
                 "SVCT1352: cannot look for tokens that expire soon in %s: %s", store, why);
}

void svct_expiry_log(server_rec *s, svct_expiry_t *x)
{
    svct_expiry_log_t l;

    l.s = s;
    l.now = apr_time_sec(apr_time_now());
    svct_expiry_run(x, l.now, SVCT_EXPIRY_WARN_SECS, log_token, log_failure, &l);
}
