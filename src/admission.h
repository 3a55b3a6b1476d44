/*
 * Who a request is, from what it brings: a session JWT (in the
 * cf-access-token header or CF_Authorization cookies) or a Client ID and
 * Secret, checked against the keyring, the store and the token's
 * --allow-from (authn.h), with every refusal logged at the level an
 * administrator needs (SVCT0101-0103, 0201-0204, 0302-0303, 0602, 0904,
 * 1201-1203).
 * The Apache glue maps the outcome to an HTTP status.
 */
#ifndef SVCT_ADMISSION_H
#define SVCT_ADMISSION_H

#include <apr_pools.h>

#include "authn.h"
#include "credhdr.h"
#include "lograte.h"
#include "log.h"

/* The cookie that carries a session. */
#define SVCT_COOKIE "CF_Authorization"

typedef enum {
    SVCT_ADMIT_OK = 0,
    SVCT_ADMIT_DECLINED,   /* no usable session: other credentials may be tried */
    SVCT_ADMIT_REFUSED,    /* 401 */
    SVCT_ADMIT_ERROR,      /* 500 */
    SVCT_ADMIT_UNAVAILABLE /* 503: a SQL store out of reach, beyond its grace */
} svct_admit_rc_t;

/* One request's check: what it needs of the configuration, this process's
 * caches, and the request. */
typedef struct svct_admission {
    svct_authn_store_t store;
    const svct_keyring_t *keyring;
    svct_cache_t *cache;         /* may be NULL */
    svct_badsig_t *badsig;       /* may be NULL */
    svct_lograte_t *unknown_ids; /* refusals of unknown Client IDs, for the log's rate */
    const char *issuer, *audience;
    int64_t leeway; /* ServiceTokenClockSkew */
    const char *client_ip;
    int64_t now;
    apr_pool_t *pool; /* the request's */
    svct_log_t log;
} svct_admission_t;

/* The session of the request: HEADER (the cf-access-token value) first,
 * then of the CF_Authorization cookies in COOKIES (the Cookie header) the
 * one verified before, else the first that could be accepted here: at most
 * one signature check for each. Either may be NULL. *TRIED is set when
 * there was a session to try. OK with *RES and *JWT (in the pool),
 * DECLINED, ERROR or UNAVAILABLE. */
svct_admit_rc_t svct_admission_session(const svct_admission_t *a, const char *header,
                                       const char *cookies, int *tried, svct_authn_result_t *res,
                                       const char **jwt);

/* Checks ID and SECRET against the store and the token's --allow-from. OK
 * with *RES, REFUSED, ERROR or UNAVAILABLE. */
svct_admit_rc_t svct_admission_secret(const svct_admission_t *a, const char *id, const char *secret,
                                      svct_authn_result_t *res);

/* Signs a new session for the token of RES, of at most DURATION seconds (no
 * longer than the token lives): its JWT in the pool and *LIFETIME, or NULL. */
const char *svct_admission_issue(const svct_admission_t *a, const svct_authn_result_t *res,
                                 int64_t duration, int64_t *lifetime);

/* What a request presents besides a session: the two headers (either may
 * be NULL) and, when both are absent, the value of the one-header
 * credentials CREDS_HEADER (CREDS_VALUE, NULL when none). */
typedef struct svct_presented {
    const char *client_id, *client_secret;
    const char *creds_header, *creds_value;
    int tried_session; /* a session was presented, and refused */
} svct_presented_t;

/* Checks the credentials IN, once no session admitted the request: OK with
 * *RES (a new session is to be issued), REFUSED (also for none, or half of
 * the two headers), ERROR or UNAVAILABLE. */
svct_admit_rc_t svct_admission_credentials(const svct_admission_t *a, const svct_presented_t *in,
                                           svct_authn_result_t *res);

/* A token's NAME for a log line, inside double quotes (name.h), in P. */
const char *svct_admission_logged_name(apr_pool_t *p, const char *name);

#endif
