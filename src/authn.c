/*
 * The authentication decision for ID + secret and for sessions.
 */
#include "authn.h"

#include <string.h>

#include "secret.h"
#include "store.h"

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
    case SVCT_AUTHN_STORE_ERROR:
        return "token store unavailable";
    }
    return "unknown";
}

/* Reads the token and the revocation time under one shared lock. */
static svct_authn_rc_t load_token(const svct_authn_store_t *store, const char *client_id,
                                  apr_pool_t *p, svct_authn_result_t *out)
{
    svct_store_t *st;
    svct_store_rc_t rc;

    rc = svct_store_open(&st, store->path, store->dbmtype, SVCT_STORE_READ, p,
                         &out->store_error);
    if (rc != SVCT_STORE_OK)
        return SVCT_AUTHN_STORE_ERROR;
    rc = svct_store_get_by_id(st, client_id, &out->token);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_get_revoked_before(st, &out->revoked_before);
    if (rc != SVCT_STORE_OK && rc != SVCT_STORE_NOTFOUND)
        out->store_error = svct_store_error(st);
    svct_store_close(st);
    if (rc == SVCT_STORE_NOTFOUND)
        return SVCT_AUTHN_UNKNOWN_ID;
    return rc == SVCT_STORE_OK ? SVCT_AUTHN_OK : SVCT_AUTHN_STORE_ERROR;
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
                                  size_t id_len, const char *secret, size_t secret_len,
                                  int64_t now, apr_pool_t *p, svct_authn_result_t *out)
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
    return token_usable(&out->token, now);
}

svct_authn_rc_t svct_authn_session(const svct_authn_store_t *store,
                                   const svct_session_t *session, int64_t now, apr_pool_t *p,
                                   svct_authn_result_t *out)
{
    svct_authn_rc_t rc;

    memset(out, 0, sizeof *out);
    rc = load_token(store, session->client_id, p, out);
    if (rc != SVCT_AUTHN_OK)
        return rc;
    rc = token_usable(&out->token, now);
    if (rc != SVCT_AUTHN_OK)
        return rc;
    if (session->iat < out->revoked_before)
        return SVCT_AUTHN_REVOKED;
    return SVCT_AUTHN_OK;
}

int64_t svct_authn_session_iat(const svct_authn_result_t *res, int64_t now)
{
    return now < res->revoked_before ? res->revoked_before : now;
}
