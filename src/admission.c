/*
 * The check of a request's session or secret (admission.h).
 */
#include <string.h>
#include <apr_strings.h>

#include "admission.h"
#include "cookie.h"
#include "credentials.h"
#include "name.h"

/* A client may hold a session cookie per matching Path; we try a few. */
#define SVCT_MAX_COOKIES 4

/* The level of a refusal's line: info for what ends a session in the normal
 * course, warn for what an administrator must see at httpd's default
 * LogLevel (see README). */
#define SVCT_REFUSAL_LEVEL(routine) ((routine) ? SVCT_LOG_INFO : SVCT_LOG_WARNING)

const char *svct_admission_logged_name(apr_pool_t *p, const char *name)
{
    return svct_name_escape(name, apr_palloc(p, SVCT_NAME_ESCAPED_MAX), SVCT_NAME_ESCAPED_MAX);
}

/* The outage of a SQL store, when RES says this request should log it
 * (once a minute per child). */
static void note_outage(const svct_admission_t *a, const svct_authn_result_t *res)
{
    if (res->store_error)
        svct_log(&a->log, SVCT_LOG_ERR,
                 "SVCT0904: token database unavailable: tokens confirmed within "
                 "ServiceTokenStoreGrace are admitted, the rest get 503: %s",
                 res->store_error);
}

/* A session refused before the store is asked: a forged signature is worth a
 * warning the first time only, or replaying it would flood the log. */
static void log_bad_session(const svct_admission_t *a, const char *from, const char *why)
{
    int routine = svct_authn_why_is_time(why) || !strcmp(why, SVCT_AUTHN_BADSIG_SEEN);

    svct_log(&a->log, SVCT_REFUSAL_LEVEL(routine), "SVCT0101: bad session (%s): %s", from, why);
}

/* What the store says of a verified SESSION, logged. */
static svct_admit_rc_t session_in_store(const svct_admission_t *a, const svct_session_t *session,
                                        const char *from, svct_authn_result_t *res)
{
    svct_authn_rc_t rc = svct_authn_session(&a->store, session, a->now, a->pool, res);

    if (rc == SVCT_AUTHN_OK)
        rc = svct_authn_address(&res->token, a->client_ip);
    if (rc == SVCT_AUTHN_STORE_ERROR) {
        svct_log(&a->log, SVCT_LOG_ERR, "SVCT0102: %s", res->store_error);
        return SVCT_ADMIT_ERROR;
    }
    note_outage(a, res);
    if (rc == SVCT_AUTHN_UNAVAILABLE)
        return SVCT_ADMIT_UNAVAILABLE;
    if (rc == SVCT_AUTHN_ADDRESS) {
        svct_log(&a->log, SVCT_LOG_ERR,
                 "SVCT1201: session refused (%s): client address %s is outside the "
                 "--allow-from of token \"%s\", client id %s",
                 from, a->client_ip, res->token.name, session->client_id);
        return SVCT_ADMIT_DECLINED;
    }
    if (rc != SVCT_AUTHN_OK) {
        svct_log(&a->log, SVCT_REFUSAL_LEVEL(rc == SVCT_AUTHN_EXPIRED || rc == SVCT_AUTHN_REVOKED),
                 "SVCT0103: bad session (%s): %s, client id %s", from, svct_authn_reason(rc),
                 session->client_id);
        return SVCT_ADMIT_DECLINED;
    }
    return SVCT_ADMIT_OK;
}

/* Tries one session JWT. */
static svct_admit_rc_t try_session(const svct_admission_t *a, const svct_jwt_expect_t *expect,
                                   const char *jwt, size_t len, const char *from,
                                   svct_authn_result_t *res, const char **out)
{
    svct_session_t session;
    svct_admit_rc_t rc;
    const char *why;
    int verified, failed;

    failed = svct_authn_check_session(a->cache, a->badsig, a->keyring, jwt, len, expect, &session,
                                      &why, &verified);
    if (verified)
        svct_log(&a->log, SVCT_LOG_TRACE1, "SVCT0602: checked the signature of a session (%s)",
                 from);
    if (failed) {
        log_bad_session(a, from, why);
        return SVCT_ADMIT_DECLINED;
    }
    rc = session_in_store(a, &session, from, res);
    if (rc == SVCT_ADMIT_OK)
        *out = apr_pstrmemdup(a->pool, jwt, len);
    return rc;
}

svct_admit_rc_t svct_admission_session(const svct_admission_t *a, const char *header,
                                       const char *cookies, int *tried, svct_authn_result_t *res,
                                       const char **jwt)
{
    const char *values[SVCT_MAX_COOKIES], *why;
    size_t lens[SVCT_MAX_COOKIES];
    svct_jwt_expect_t expect;
    svct_admit_rc_t rc;
    int n, pick;

    expect.iss = a->issuer;
    expect.aud = a->audience;
    expect.now = a->now;
    expect.leeway = a->leeway;
    if (header) {
        *tried = 1;
        rc = try_session(a, &expect, header, strlen(header), "header", res, jwt);
        if (rc != SVCT_ADMIT_DECLINED)
            return rc;
    }
    for (n = 0; cookies && n < SVCT_MAX_COOKIES; n++)
        if (!svct_cookie_next(&cookies, SVCT_COOKIE, &values[n], &lens[n]))
            break;
    if (n == 0)
        return SVCT_ADMIT_DECLINED;
    *tried = 1;
    pick = n == 1 ? 0
                  : svct_authn_pick_session(a->cache, a->badsig, a->keyring, &expect, values, lens,
                                            n, &why);
    if (pick < 0) {
        log_bad_session(a, "cookie", why);
        return SVCT_ADMIT_DECLINED;
    }
    return try_session(a, &expect, values[pick], lens[pick], "cookie", res, jwt);
}

/* Random IDs cost a client nothing: one line at warn per SVCT_LOGRATE_EVERY,
 * with the count; the others at debug. */
static void log_unknown_id(const svct_admission_t *a, const char *id)
{
    uint64_t n = svct_lograte_count(a->unknown_ids, SVCT_LOGRATE_EVERY);

    if (n != 0)
        svct_log(&a->log, SVCT_LOG_WARNING,
                 "SVCT0203: access refused: unknown client id %s (unknown client id %llu of "
                 "this process; one in %d is logged at this level)",
                 id, (unsigned long long)n, SVCT_LOGRATE_EVERY);
    else
        svct_log(&a->log, SVCT_LOG_DEBUG, "SVCT0203: access refused: unknown client id %s", id);
}

/* Logs the refusal RC of the secret of ID. */
static void log_refusal(const svct_admission_t *a, svct_authn_rc_t rc, const char *id,
                        const svct_authn_result_t *res)
{
    switch (rc) {
    case SVCT_AUTHN_MALFORMED_ID:
        /* The value is client input of any length: it is not logged. */
        svct_log(&a->log, SVCT_LOG_WARNING, "SVCT0202: access refused: malformed client id");
        break;
    case SVCT_AUTHN_UNKNOWN_ID:
        log_unknown_id(a, id);
        break;
    case SVCT_AUTHN_ADDRESS:
        svct_log(&a->log, SVCT_LOG_ERR,
                 "SVCT1202: access refused: client address %s is outside the --allow-from of "
                 "token \"%s\", client id %s",
                 a->client_ip, res->token.name, id);
        break;
    default:
        svct_log(&a->log, SVCT_LOG_WARNING,
                 "SVCT0204: access refused: %s, token \"%s\", client id %s", svct_authn_reason(rc),
                 svct_admission_logged_name(a->pool, res->token.name), id);
        break;
    }
}

svct_admit_rc_t svct_admission_secret(const svct_admission_t *a, const char *id, const char *secret,
                                      svct_authn_result_t *res)
{
    svct_authn_rc_t rc =
        svct_authn_secret(&a->store, id, strlen(id), secret, strlen(secret), a->now, a->pool, res);

    if (rc == SVCT_AUTHN_OK)
        rc = svct_authn_address(&res->token, a->client_ip);
    switch (rc) {
    case SVCT_AUTHN_OK:
        note_outage(a, res);
        return SVCT_ADMIT_OK;
    case SVCT_AUTHN_STORE_ERROR:
        svct_log(&a->log, SVCT_LOG_ERR, "SVCT0201: %s", res->store_error);
        return SVCT_ADMIT_ERROR;
    case SVCT_AUTHN_UNAVAILABLE:
        note_outage(a, res);
        return SVCT_ADMIT_UNAVAILABLE;
    default:
        log_refusal(a, rc, id, res);
        return SVCT_ADMIT_REFUSED;
    }
}

const char *svct_admission_issue(const svct_admission_t *a, const svct_authn_result_t *res,
                                 int64_t duration, int64_t *lifetime)
{
    char jwt[SVCT_JWT_MAX + 1];

    *lifetime = svct_authn_session_lifetime(res, a->now, duration);
    if (!svct_authn_issue(a->cache, a->keyring, a->issuer, a->audience, res, a->now, *lifetime, jwt,
                          sizeof jwt))
        return NULL;
    return apr_pstrdup(a->pool, jwt);
}

/* The credentials in VALUE, the value of the header NAME, in the pool, to be
 * wiped once checked; NULL, logged, when they are not usable. */
static svct_credhdr_t *creds_header(const svct_admission_t *a, const char *name, const char *value)
{
    svct_credhdr_t *creds = apr_palloc(a->pool, sizeof *creds);
    const char *why;

    if (svct_credhdr_parse(value, strlen(value), creds, &why) == 0)
        return creds;
    svct_log(&a->log, SVCT_LOG_ERR,
             "SVCT1203: access refused: the %s header is not usable credentials: %s", name, why);
    return NULL;
}

svct_admit_rc_t svct_admission_credentials(const svct_admission_t *a, const svct_presented_t *in,
                                           svct_authn_result_t *res)
{
    const char *id = in->client_id, *secret = in->client_secret;
    svct_credhdr_t *creds;
    svct_admit_rc_t rc;

    if (id && secret)
        return svct_admission_secret(a, id, secret, res);
    if (!id && !secret && in->creds_value) {
        creds = creds_header(a, in->creds_header, in->creds_value);
        if (!creds)
            return SVCT_ADMIT_REFUSED;
        rc = svct_admission_secret(a, creds->client_id, creds->client_secret, res);
        svct_credhdr_wipe(creds);
        return rc;
    }
    if (id || secret)
        svct_log(&a->log, SVCT_LOG_WARNING, "SVCT0302: access refused: %s header missing",
                 id ? SVCT_HDR_SECRET : SVCT_HDR_ID);
    else if (!in->tried_session)
        svct_log(&a->log, SVCT_LOG_INFO, "SVCT0303: access refused: no credentials");
    return SVCT_ADMIT_REFUSED;
}
