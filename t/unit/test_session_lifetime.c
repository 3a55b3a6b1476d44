/*
 * Unit tests of svct_authn_session_lifetime: a session lives the configured
 * duration, but never past its token's expiry.
 */
#include <string.h>

#include "authn.h"
#include "tap.h"

static svct_authn_result_t token_expiring(int64_t expires_at, int64_t revoked_before)
{
    svct_authn_result_t res;

    memset(&res, 0, sizeof res);
    res.token.expires_at = expires_at;
    res.revoked_before = revoked_before;
    return res;
}

int main(void)
{
    const int64_t now = 1800000000, day = 86400;
    svct_authn_result_t res;

    res = token_expiring(0, 0);
    is_int(svct_authn_session_lifetime(&res, now, day), day,
           "a token that never expires: the whole duration");
    res = token_expiring(now + 365 * day, 0);
    is_int(svct_authn_session_lifetime(&res, now, day), day,
           "a token with a year left: the whole duration");
    res = token_expiring(now + 3, 0);
    is_int(svct_authn_session_lifetime(&res, now, day), 3, "a token with 3 s left: 3 s");
    res = token_expiring(now + day, 0);
    is_int(svct_authn_session_lifetime(&res, now, day), day,
           "a token that ends with the session: the duration");
    /* iat is the issue time whatever the revocation time (authn.c). */
    res = token_expiring(now + 10, now + 4);
    is_int(svct_authn_session_lifetime(&res, now, day), 10,
           "issued under a revocation time after now: still ends with the token");
    res = token_expiring(now, 0);
    is_int(svct_authn_session_lifetime(&res, now, day), 0, "a token ending now: 0, never negative");
    res = token_expiring(now + 1, now + 5);
    is_int(svct_authn_session_lifetime(&res, now, day), 1,
           "a revocation time past the token's end does not move the session's start");
    return done_testing();
}
