/*
 * The start-up warning of tokens that expire soon, as log lines
 * (expiry_log.h).
 */
#include "expiry_log.h"
#include "name.h"
#include "transfer.h"

typedef struct {
    const svct_log_t *log;
    int64_t now;
} svct_expiry_log_t;

static void log_token(void *baton, const char *store, const svct_record_t *rec)
{
    const svct_expiry_log_t *l = baton;
    char name[SVCT_NAME_ESCAPED_MAX], when[32];

    svct_name_escape(rec->name, name, sizeof name);
    svct_time_format(rec->expires_at, when);
    if (rec->expires_at > l->now)
        svct_log(l->log, SVCT_LOG_WARNING,
                 "SVCT1350: token \"%s\" (Client ID %s) in %s expires at %s, within 7 days: "
                 "svctoken refresh extends it",
                 name, rec->client_id, store, when);
    else
        svct_log(l->log, SVCT_LOG_WARNING,
                 "SVCT1351: token \"%s\" (Client ID %s) in %s expired at %s and is refused: "
                 "svctoken refresh or delete it",
                 name, rec->client_id, store, when);
}

/* A DBM store that cannot be read is the subject of the start-up check
 * SVCT0603 already; no one else looks at a SQL store before a request. */
static void log_failure(void *baton, const char *store, int is_sql, const char *why)
{
    const svct_expiry_log_t *l = baton;

    svct_log(l->log, is_sql ? SVCT_LOG_WARNING : SVCT_LOG_DEBUG,
             "SVCT1352: cannot look for tokens that expire soon in %s: %s", store, why);
}

void svct_expiry_log(svct_expiry_t *x, int64_t now, const svct_log_t *log)
{
    svct_expiry_log_t l;

    l.log = log;
    l.now = now;
    svct_expiry_run(x, now, SVCT_EXPIRY_WARN_SECS, log_token, log_failure, &l);
}
