/*
 * The authentication decision, without httpd: does a Client ID + Client
 * Secret, or a verified session, admit a request right now? Both paths look
 * the token up in the store, so deleting, disabling or expiring a token ends
 * its sessions on the very next request.
 */
#ifndef SVCT_AUTHN_H
#define SVCT_AUTHN_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "badsig.h"
#include "cache.h"
#include "jwt.h"
#include "key.h"
#include "record.h"
#include "sql_view.h"

typedef enum {
    SVCT_AUTHN_OK = 0,
    SVCT_AUTHN_NO_CREDENTIALS,
    SVCT_AUTHN_MALFORMED_ID, /* not shaped like a Client ID */
    SVCT_AUTHN_UNKNOWN_ID,
    SVCT_AUTHN_BAD_SECRET,
    SVCT_AUTHN_EXPIRED,
    SVCT_AUTHN_DISABLED,
    SVCT_AUTHN_REVOKED, /* session issued before `svctoken revoke-sessions` */
    SVCT_AUTHN_FOREIGN_STORE, /* session issued by another store (store_tag.h), or
                               * by a version that did not bind sessions to stores */
    SVCT_AUTHN_ADDRESS, /* the client address is outside the token's --allow-from */
    SVCT_AUTHN_STORE_ERROR,
    SVCT_AUTHN_UNAVAILABLE /* a SQL store is out of reach (sql_view.h): answer 503 */
} svct_authn_rc_t;

/* Where the tokens live. */
typedef struct svct_authn_store {
    const char *path;
    const char *dbmtype; /* NULL: "default" */
    svct_cache_t *cache; /* NULL: read the store on every call */
    const char *tag;     /* svct_store_tag() of the store: the sessions it vouches for */
    /* A SQL store instead: read through this child's VIEW, which calls
     * CONNECT(CONNECT_BATON) when it must reach the database; NOW_US is the
     * request's time. PATH, CACHE and TAG are then unused: the tag is that
     * of the database's own identity (svct_sql_view_store_id). */
    svct_sql_view_t *view;
    svct_sql_connect_fn connect;
    void *connect_baton;
    int64_t now_us;
} svct_authn_store_t;

typedef struct svct_authn_result {
    svct_record_t token;    /* the token, when it was found */
    /* Sessions with iat below this are refused, unless issued under it
     * (their revoked_before claim is this very time). */
    int64_t revoked_before;
    /* One line, for SVCT_AUTHN_STORE_ERROR. From a SQL store, also with
     * SVCT_AUTHN_UNAVAILABLE or even SVCT_AUTHN_OK (admitted within the
     * grace) when this request should log the outage: once a minute. */
    const char *store_error;
    const char *store_tag; /* the tag of the store that admitted the secret */
} svct_authn_result_t;

/* A short reason for the error log, e.g. "unknown client id". */
const char *svct_authn_reason(svct_authn_rc_t rc);
/* 1 when WHY, a reason from svct_jwt_verify(), is about the session's times
 * (expired, not yet valid, issued in the future): the normal end of a
 * session rather than a forged, foreign or broken one. */
int svct_authn_why_is_time(const char *why);

svct_authn_rc_t svct_authn_secret(const svct_authn_store_t *store, const char *client_id,
                                  size_t id_len, const char *secret, size_t secret_len,
                                  int64_t now, apr_pool_t *p, svct_authn_result_t *out);

/* SESSION has been verified (signature, audience, times) by svct_jwt_verify;
 * this checks what only the store knows: that STORE issued it (its tag, with
 * no store access) and that its token is still active. */
svct_authn_rc_t svct_authn_session(const svct_authn_store_t *store,
                                   const svct_session_t *session, int64_t now, apr_pool_t *p,
                                   svct_authn_result_t *out);

/* SVCT_AUTHN_OK when a request from the client address IP (text) may use
 * TOKEN, else SVCT_AUTHN_ADDRESS. Asked after the secret or the session
 * was accepted, so that only their holder learns of the binding. */
svct_authn_rc_t svct_authn_address(const svct_record_t *token, const char *ip);

/* svct_jwt_verify through CACHE (may be NULL): a JWT verified before against
 * the same ring, iss and aud only has its times checked again. */
int svct_authn_verify_session(svct_cache_t *cache, const svct_keyring_t *ring, const char *jwt,
                              size_t len, const svct_jwt_expect_t *expect,
                              svct_session_t *session, const char **why);

/* The reason given for a JWT whose signature failed before (BAD). */
#define SVCT_AUTHN_BADSIG_SEEN "bad signature, seen before"

/* svct_authn_verify_session, where a signature is checked only for a JWT
 * that passes svct_jwt_precheck and that BAD (may be NULL) does not hold,
 * and a signature found bad is added to BAD. *VERIFIED is 1 when a
 * signature was checked. */
int svct_authn_check_session(svct_cache_t *cache, svct_badsig_t *bad, const svct_keyring_t *ring,
                             const char *jwt, size_t len, const svct_jwt_expect_t *expect,
                             svct_session_t *session, const char **why, int *verified);

/* Of the N session JWTS (LENS bytes each) that one request brought, the
 * index of the one to check: one verified before (in CACHE) if any, else
 * the first that passes svct_jwt_precheck or whose signature failed before
 * (in BAD: refused at once); copies skipped. -1 if none, with *WHY the
 * reason the first was refused. Nothing here checks a signature. */
int svct_authn_pick_session(svct_cache_t *cache, svct_badsig_t *bad, const svct_keyring_t *ring,
                            const svct_jwt_expect_t *expect, const char *const *jwts,
                            const size_t *lens, int n, const char **why);

/* Signs the session for the token of RES, bound to the store that admitted
 * it (iat = NOW, exp = NOW + DURATION, revoked_before the store's) into OUT
 * (CAP bytes); the one already signed with
 * exactly these claims is reused from CACHE. Returns its length, 0 on
 * failure. */
size_t svct_authn_issue(svct_cache_t *cache, const svct_keyring_t *ring, const char *iss,
                        const char *aud, const svct_authn_result_t *res, int64_t now,
                        int64_t duration, char *out, size_t cap);

/* How long a session issued at NOW for RES may live: DURATION, cut short
 * so that it ends no later than the token (never below 0). */
int64_t svct_authn_session_lifetime(const svct_authn_result_t *res, int64_t now,
                                    int64_t duration);

#endif
