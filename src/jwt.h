/*
 * Session JWTs: JWS compact serialization (RFC 7515/7519) of the claims that
 * Cloudflare Access puts in a service-token session.
 *
 * Verification trusts nothing from the token: the key is looked up by kid and
 * the algorithm is that key's; exp, nbf, iat, iss and aud are all required and
 * checked; unknown crit headers, jku/x5u/jwk/x5c headers, wrong JSON types and
 * oversized parts are refused.
 */
#ifndef SVCT_JWT_H
#define SVCT_JWT_H

#include <stddef.h>
#include <stdint.h>
#include "key.h"
#include "record.h"
#include "store_tag.h"

/* Refused before any decoding when longer. */
#define SVCT_JWT_MAX 4096

typedef struct svct_session {
    char client_id[SVCT_CLIENT_ID_LEN + 1]; /* claim common_name */
    char name[SVCT_NAME_MAX_BYTES + 1];     /* private claim "name": the token's name */
    /* Private claim "svct_store": the tag of the store that issued the
     * session (store_tag.h); "" when the JWT has none. */
    char store_tag[SVCT_STORE_TAG_LEN + 1];
    int64_t iat;
    int64_t nbf;
    int64_t exp;
    /* Private claim "revoked_before": the store's revocation time when the
     * session was issued (0, and no claim, if there was none). A session is
     * never refused by the very revocation it was issued under. */
    int64_t revoked_before;
} svct_session_t;

typedef struct svct_jwt_expect {
    const char *iss;  /* required issuer */
    const char *aud;  /* required audience (must be an element of aud) */
    int64_t now;      /* seconds since the epoch */
    int64_t leeway;   /* allowed clock skew, seconds, for exp/nbf/iat */
} svct_jwt_expect_t;

/* Signs a session JWT with the ring's signing key: header {alg,kid,typ:JWT},
 * claims aud:[AUD], iss, iat, nbf, exp, type:"app", common_name, sub:"",
 * name, svct_store (when the session has a store tag), and revoked_before when
 * not 0. Writes it NUL-terminated into OUT (CAP bytes); returns its length, or
 * 0 on failure. */
size_t svct_jwt_sign(const svct_keyring_t *ring, const char *iss, const char *aud,
                     const svct_session_t *session, char *out, size_t cap);

/* The time rules of a session (exp, nbf, iat with LEEWAY seconds of skew),
 * shared by verification and the cache of verified sessions. NULL when
 * they hold, else a short static reason. */
const char *svct_session_times_check(const svct_session_t *s, int64_t now, int64_t leeway);

/* Verifies TOKEN[0..LEN) and fills *SESSION. Returns 0 on success; on
 * failure -1 and *WHY points to a short static reason (no token bytes in it),
 * fit for a log line. */
int svct_jwt_verify(const svct_keyring_t *ring, const char *token, size_t len,
                    const svct_jwt_expect_t *expect, svct_session_t *session, const char **why);

/* Everything svct_jwt_verify checks but the signature: 0 when TOKEN would be
 * verified if its signature is good, else -1 and *WHY. Cheap next to a
 * signature check, so that only a session that could be accepted here
 * costs one. What it decodes is not trusted and not returned. */
int svct_jwt_precheck(const svct_keyring_t *ring, const char *token, size_t len,
                      const svct_jwt_expect_t *expect, const char **why);

#endif
