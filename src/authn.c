/*
 * The authentication decision for ID + secret and for sessions, through the
 * per-process caches of cache.h when the caller passes one: the token record
 * comes from the cache only while the store's files are as they were when it
 * was read, and a session verified before only has its times checked again.
 */
#include "authn.h"

#include <string.h>

#include <apr_strings.h>

#include "badsig.h"
#include "secret.h"
#include "store.h"
#include "store_tag.h"

const char *svct_authn_reason(svct_authn_rc_t rc)
{
    switch (rc) {
    case SVCT_AUTHN_OK:
        return "ok";
    case SVCT_AUTHN_NO_CREDENTIALS:
        return "no credentials";
    case SVCT_AUTHN_MALFORMED_ID:
        return "malformed client id";
    case SVCT_AUTHN_UNKNOWN_ID:
        return "unknown client id";
    case SVCT_AUTHN_BAD_SECRET:
        return "bad secret";
    case SVCT_AUTHN_EXPIRED:
        return "expired";
    case SVCT_AUTHN_DISABLED:
        return "disabled";
    case SVCT_AUTHN_REVOKED:
        return "session revoked";
    case SVCT_AUTHN_FOREIGN_STORE:
        return "issued by another token store";
    case SVCT_AUTHN_ADDRESS:
        return "client address not allowed";
    case SVCT_AUTHN_STORE_ERROR:
        return "token store unavailable";
    case SVCT_AUTHN_UNAVAILABLE:
        return "token database unreachable";
    }
    return "unknown";
}

/* 1 when STAMP is of the files that ST's DBM opened. */
static int stamp_names_store(const svct_store_stamp_t *stamp, const svct_store_t *st)
{
    uint64_t dev[2], ino[2];
    int i, n = svct_store_file_ids(st, dev, ino);

    if (n == 0 || n != stamp->nfiles)
        return 0;
    for (i = 0; i < n; i++)
        if (stamp->f[i].dev != dev[i] || stamp->f[i].ino != ino[i])
            return 0;
    return 1;
}

int svct_authn_why_is_time(const char *why)
{
    return why && (!strcmp(why, "expired") || !strcmp(why, "not yet valid") ||
                   !strcmp(why, "issued in the future"));
}

/* Reads the token and the revocation time under one shared lock, or takes
 * them from the cache if the store's files have not changed since. */
static svct_authn_rc_t load_token(const svct_authn_store_t *store, const char *client_id,
                                  apr_pool_t *p, svct_authn_result_t *out)
{
    svct_cache_store_t *cs = NULL;
    svct_store_stamp_t stamp;
    svct_store_t *st;
    svct_store_rc_t rc;
    int stamped = 0;

    if (store->connect) {
        const char *why = NULL;
        int log_it = 0;
        svct_view_rc_t vrc;

        if (!store->view) {
            out->store_error = "no view of the token database in this process (out of memory)";
            return SVCT_AUTHN_STORE_ERROR;
        }
        vrc = svct_sql_view_token(store->view, store->now_us, client_id, store->connect,
                                  store->connect_baton, p, &out->token, &out->revoked_before, &why,
                                  &log_it);
        if (vrc == SVCT_VIEW_OK) {
            out->store_error = log_it ? why : NULL; /* admitted within the grace */
            return SVCT_AUTHN_OK;
        }
        if (vrc == SVCT_VIEW_NOTFOUND)
            return SVCT_AUTHN_UNKNOWN_ID;
        out->store_error = log_it ? why : NULL;
        return SVCT_AUTHN_UNAVAILABLE;
    }
    if (store->cache)
        cs = svct_cache_store(store->cache, store->path, store->dbmtype, p);
    if (cs && svct_cache_store_recent_stamp(cs, &stamp) == 0) {
        if (svct_cache_token_get(store->cache, cs, &stamp, client_id, &out->token,
                                 &out->revoked_before))
            return SVCT_AUTHN_OK;
        if (svct_cache_unknown_get(store->cache, cs, &stamp, client_id))
            return SVCT_AUTHN_UNKNOWN_ID;
    }
    rc = svct_store_open(&st, store->path, store->dbmtype, SVCT_STORE_READ, p, &out->store_error);
    if (rc != SVCT_STORE_OK)
        return SVCT_AUTHN_STORE_ERROR;
    /* Stamped under the shared lock: no writer is between the stamp and
     * the read. The stamp must also name the very files the DBM opened:
     * a path flipped to other files between the open and the stamp (not
     * under our lock) would put the old file's record under the new
     * file's stamp. */
    stamped = cs && svct_cache_store_stamp(cs, &stamp) == 0 && stamp_names_store(&stamp, st);
    rc = svct_store_get_by_id(st, client_id, &out->token);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_get_revoked_before(st, &out->revoked_before);
    if (rc != SVCT_STORE_OK && rc != SVCT_STORE_NOTFOUND)
        out->store_error = svct_store_error(st);
    svct_store_close(st);
    if (rc == SVCT_STORE_OK && stamped)
        svct_cache_token_put(store->cache, cs, &stamp, &out->token, out->revoked_before);
    if (rc == SVCT_STORE_NOTFOUND && stamped)
        svct_cache_unknown_put(store->cache, cs, &stamp, client_id);
    if (rc == SVCT_STORE_NOTFOUND)
        return SVCT_AUTHN_UNKNOWN_ID;
    return rc == SVCT_STORE_OK ? SVCT_AUTHN_OK : SVCT_AUTHN_STORE_ERROR;
}

/* The tag of the store (store_tag.h): a DBM store's, made from its path at
 * configuration; a SQL store's, from the identity the database keeps
 * (svctoken_state.store_id, made by svctoken init), so every server that
 * reads the same database has the same tag. NULL while it is not known. */
static const char *store_tag_of(const svct_authn_store_t *store, apr_pool_t *p)
{
    char tag[SVCT_STORE_TAG_LEN + 1];

    if (!store->connect)
        return store->tag;
    if (!store->view || svct_sql_view_store_tag(store->view, tag) != 0)
        return NULL;
    return apr_pstrmemdup(p, tag, SVCT_STORE_TAG_LEN);
}

static svct_authn_rc_t token_usable(const svct_record_t *token, int64_t now)
{
    switch (svct_record_status(token, now)) {
    case SVCT_STATUS_ACTIVE:
        return SVCT_AUTHN_OK;
    case SVCT_STATUS_DISABLED:
        return SVCT_AUTHN_DISABLED;
    case SVCT_STATUS_EXPIRED:
        break;
    }
    return SVCT_AUTHN_EXPIRED;
}

svct_authn_rc_t svct_authn_secret(const svct_authn_store_t *store, const char *client_id,
                                  size_t id_len, const char *secret, size_t secret_len, int64_t now,
                                  apr_pool_t *p, svct_authn_result_t *out)
{
    svct_authn_rc_t rc;

    memset(out, 0, sizeof *out);
    if (!svct_client_id_valid(client_id, id_len))
        return SVCT_AUTHN_MALFORMED_ID;
    rc = load_token(store, client_id, p, out);
    if (rc != SVCT_AUTHN_OK)
        return rc;
    /* The secret is judged before the token's state, so that the state of a
     * token is only ever told to whoever holds its secret. */
    if (!svct_secret_valid(secret, secret_len) ||
        !svct_record_secret_matches(&out->token, secret, secret_len, now))
        return SVCT_AUTHN_BAD_SECRET;
    out->store_tag = store_tag_of(store, p);
    return token_usable(&out->token, now);
}

svct_authn_rc_t svct_authn_session(const svct_authn_store_t *store, const svct_session_t *session,
                                   int64_t now, apr_pool_t *p, svct_authn_result_t *out)
{
    svct_authn_rc_t rc;

    memset(out, 0, sizeof *out);
    /* Before the store is read: a session of another store is no concern
     * of this one, whatever record it holds under that Client ID. A SQL
     * store's tag is known once its state has been read: then the record
     * is read first, and the tag still decides before anything else. */
    if (!store->connect && (!store->tag || strcmp(session->store_tag, store->tag) != 0))
        return SVCT_AUTHN_FOREIGN_STORE;
    rc = load_token(store, session->client_id, p, out);
    if (store->connect && rc != SVCT_AUTHN_UNAVAILABLE && rc != SVCT_AUTHN_STORE_ERROR) {
        const char *tag = store_tag_of(store, p);
        if (!tag || strcmp(session->store_tag, tag) != 0)
            return SVCT_AUTHN_FOREIGN_STORE;
    }
    if (rc != SVCT_AUTHN_OK)
        return rc;
    rc = token_usable(&out->token, now);
    if (rc != SVCT_AUTHN_OK)
        return rc;
    /* Issued before the revocation, and not under it: a session issued in
     * the very second of a revocation, after it, carries its time. */
    if (session->iat < out->revoked_before && session->revoked_before != out->revoked_before)
        return SVCT_AUTHN_REVOKED;
    return SVCT_AUTHN_OK;
}

svct_authn_rc_t svct_authn_address(const svct_record_t *token, const char *ip)
{
    return svct_record_allows(token, ip) ? SVCT_AUTHN_OK : SVCT_AUTHN_ADDRESS;
}

int svct_authn_check_session(svct_cache_t *cache, svct_badsig_t *bad, const svct_keyring_t *ring,
                             const char *jwt, size_t len, const svct_jwt_expect_t *expect,
                             svct_session_t *session, const char **why, int *verified)
{
    const char *reason = NULL;

    *verified = 0;
    if (!ring || !jwt || !expect || !expect->iss || !expect->aud || !session || len > SVCT_JWT_MAX)
        return svct_jwt_verify(ring, jwt, len, expect, session, why); /* refused unchecked */
    if (cache && svct_cache_session_get(cache, ring, expect->iss, expect->aud, jwt, len, session)) {
        reason = svct_session_times_check(session, expect->now, expect->leeway);
        if (!reason)
            return 0;
        memset(session, 0, sizeof *session);
        if (why)
            *why = reason;
        return -1;
    }
    /* The same bytes never cost a second signature check (a hash, cheaper
     * than decoding them), and only a session that could be accepted here
     * costs one. */
    if (svct_badsig_seen(bad, ring, jwt, len)) {
        if (why)
            *why = SVCT_AUTHN_BADSIG_SEEN;
        return -1;
    }
    if (svct_jwt_precheck(ring, jwt, len, expect, why) != 0)
        return -1;
    *verified = 1;
    if (svct_jwt_verify(ring, jwt, len, expect, session, &reason) != 0) {
        if (!strcmp(reason, "bad signature"))
            svct_badsig_note(bad, ring, jwt, len);
        if (why)
            *why = reason;
        return -1;
    }
    if (cache)
        svct_cache_session_put(cache, ring, expect->iss, expect->aud, jwt, len, session);
    return 0;
}

int svct_authn_verify_session(svct_cache_t *cache, const svct_keyring_t *ring, const char *jwt,
                              size_t len, const svct_jwt_expect_t *expect, svct_session_t *session,
                              const char **why)
{
    int verified;

    return svct_authn_check_session(cache, NULL, ring, jwt, len, expect, session, why, &verified);
}

int svct_authn_pick_session(svct_cache_t *cache, svct_badsig_t *bad, const svct_keyring_t *ring,
                            const svct_jwt_expect_t *expect, const char *const *jwts,
                            const size_t *lens, int n, const char **why)
{
    svct_session_t s;
    const char *first = NULL, *reason;
    int i, j, dup, pass;

    /* First pass: one verified before; second: the first that could be. */
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < n; i++) {
            for (dup = 0, j = 0; j < i && !dup; j++)
                dup = lens[j] == lens[i] && !memcmp(jwts[j], jwts[i], lens[i]);
            if (dup || lens[i] > SVCT_JWT_MAX)
                continue;
            if (pass == 0 && cache &&
                svct_cache_session_get(cache, ring, expect->iss, expect->aud, jwts[i], lens[i],
                                       &s) &&
                !svct_session_times_check(&s, expect->now, expect->leeway))
                return i;
            if (pass == 1) {
                if (svct_badsig_seen(bad, ring, jwts[i], lens[i]) ||
                    svct_jwt_precheck(ring, jwts[i], lens[i], expect, &reason) == 0)
                    return i;
                if (!first)
                    first = reason;
            }
        }
    if (why)
        *why = first ? first : "too large";
    return -1;
}

size_t svct_authn_issue(svct_cache_t *cache, const svct_keyring_t *ring, const char *iss,
                        const char *aud, const svct_authn_result_t *res, int64_t now,
                        int64_t duration, char *out, size_t cap)
{
    svct_session_t session;
    svct_issued_key_t key;
    size_t len;

    memset(&session, 0, sizeof session);
    memcpy(session.client_id, res->token.client_id, sizeof session.client_id);
    memcpy(session.name, res->token.name, sizeof session.name);
    if (!res->store_tag || strlen(res->store_tag) != SVCT_STORE_TAG_LEN)
        return 0;
    memcpy(session.store_tag, res->store_tag, sizeof session.store_tag);
    /* iat is the issue time, never later: a session is never refused for
     * an iat the module chose, whatever ServiceTokenClockSkew says. */
    session.iat = now;
    session.nbf = now;
    session.exp = now + duration;
    session.revoked_before = res->revoked_before;
    key.ring = ring;
    key.iss = iss;
    key.aud = aud;
    key.client_id = session.client_id;
    key.name = session.name;
    key.store_tag = session.store_tag;
    key.duration = duration;
    key.revoked_before = res->revoked_before;
    if (cache && (len = svct_cache_issued_get(cache, &key, session.iat, out, cap)) > 0)
        return len;
    len = svct_jwt_sign(ring, iss, aud, &session, out, cap);
    if (len && cache)
        svct_cache_issued_put(cache, &key, session.iat, out, len);
    return len;
}

int64_t svct_authn_session_lifetime(const svct_authn_result_t *res, int64_t now, int64_t duration)
{
    int64_t left;

    if (res->token.expires_at == 0)
        return duration;
    left = res->token.expires_at - now;
    return left <= 0 ? 0 : left < duration ? left : duration;
}
