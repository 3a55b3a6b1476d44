/*
 * Unit tests of the directives' value checks (src/directive.c): each value
 * the module's directives accept, and the one line that refuses each bad
 * one, beginning with the directive's name.
 */
#include <apr_general.h>

#include "directive.h"
#include "tap.h"

static apr_pool_t *pool;

static void test_durations(void)
{
    int64_t v = -1;

    is_str(svct_directive_session_duration(pool, "ServiceTokenSessionDuration", "24h", &v), NULL,
           "a session duration of 24h");
    is_int(v, 86400, "is a day");
    is_str(svct_directive_session_duration(pool, "ServiceTokenSessionDuration", "100y", &v), NULL,
           "100y is the most");
    is_str(svct_directive_session_duration(pool, "ServiceTokenSessionDuration", "101y", &v),
           "ServiceTokenSessionDuration: '101y' is longer than the most allowed, 100y",
           "101y is refused");
    is_str(svct_directive_session_duration(pool, "ServiceTokenSessionDuration", "soon", &v),
           "ServiceTokenSessionDuration: 'soon' is not a duration (an integer and a unit s, m, "
           "h, d, w or y, e.g. 30m or 24h)",
           "a word is not a duration");
    v = -1;
    is_str(svct_directive_clock_skew(pool, "ServiceTokenClockSkew", "0", &v), NULL, "skew 0");
    is_int(v, 0, "is none");
    is_str(svct_directive_clock_skew(pool, "ServiceTokenClockSkew", "1d", &v), NULL, "skew 1d");
    is_int(v, 86400, "is the most");
    is_str(svct_directive_clock_skew(pool, "ServiceTokenClockSkew", "25h", &v),
           "ServiceTokenClockSkew: '25h' is longer than the most allowed, 1d",
           "a skew above a day is refused");
}

static void test_store_times(void)
{
    int64_t v = -1;

    is_str(svct_directive_store_time(pool, "ServiceTokenStoreGrace", "0", 1, &v), NULL,
           "a grace of 0");
    is_int(v, 0, "is no grace");
    is_str(svct_directive_store_time(pool, "ServiceTokenStoreRefresh", "0", 0, &v),
           "ServiceTokenStoreRefresh: '0' is not a duration (an integer and a unit s, m, h, d, "
           "w or y, e.g. 30m or 24h)",
           "a refresh of 0 is refused");
    is_str(svct_directive_store_time(pool, "ServiceTokenStoreRefresh", "2s", 0, &v), NULL,
           "a refresh of 2s");
    is_int(v, 2, "is 2 seconds");
    is_str(svct_directive_seen_interval(pool, "ServiceTokenSeenInterval", "off", &v), NULL,
           "a seen interval of off");
    is_int(v, 0, "records nothing");
    v = -1;
    is_str(svct_directive_seen_interval(pool, "ServiceTokenSeenInterval", "0", &v), NULL, "or 0");
    is_int(v, 0, "the same");
    is_str(svct_directive_seen_interval(pool, "ServiceTokenSeenInterval", "1s", &v), NULL, "1s");
    is_int(v, 1, "is 1 second");
    ok(svct_directive_seen_interval(pool, "ServiceTokenSeenInterval", "never", &v) != NULL,
       "a seen interval that is no duration is refused");
}

static void test_words(void)
{
    int pass = -1;

    is_str(svct_directive_audience(pool, "ServiceTokenAudience", "https://a.example/app"), NULL,
           "an audience URL");
    is_str(svct_directive_audience(pool, "ServiceTokenAudience", "a\"b"),
           "ServiceTokenAudience: the audience must be 1 to 512 characters without quotes or "
           "backslashes",
           "a quote in an audience is refused");
    ok(svct_directive_audience(pool, "ServiceTokenAudience", "") != NULL, "so is none");
    is_str(svct_directive_dbm_type(pool, "ServiceTokenStore", "SDBM"), NULL, "SDBM");
    is_str(svct_directive_dbm_type(pool, "ServiceTokenStore", "ndbm"),
           "ServiceTokenStore: unknown DBM type 'ndbm' (use default, SDBM, GDBM or DB)",
           "an unknown DBM type");
    is_str(svct_directive_preflight(pool, "ServiceTokenPreflight", "PASS", &pass), NULL, "PASS");
    is_int(pass, 1, "passes");
    is_str(svct_directive_preflight(pool, "ServiceTokenPreflight", "check", &pass), NULL, "check");
    is_int(pass, 0, "checks");
    is_str(svct_directive_preflight(pool, "ServiceTokenPreflight", "skip", &pass),
           "ServiceTokenPreflight: 'skip' is neither pass nor check", "anything else");
    is_str(svct_directive_header(pool, "ServiceTokenCredentialsHeader", "X-Creds"), NULL,
           "a header name");
    is_str(svct_directive_header(pool, "ServiceTokenCredentialsHeader", "X Creds"),
           "ServiceTokenCredentialsHeader: 'X Creds' is not a header name", "a space in it");
    is_str(svct_directive_require_word(pool, "ci-deployer", 0), NULL, "a token name");
    is_str(svct_directive_require_word(pool, "ci-deployer", 1),
           "Require service-token-id: 'ci-deployer' is not a valid Client ID",
           "is not a Client ID");
    is_str(svct_directive_require_word(pool, "0123456789abcdef0123456789abcdef.access", 1), NULL,
           "a Client ID");
    is_str(svct_directive_bad_path(pool, "ServiceTokenStore", "x"),
           "ServiceTokenStore: 'x' is not a valid file path (a relative one is taken from "
           "ServerRoot)",
           "a path that is none");
    is_str(
        svct_directive_duplicate_kid(pool, "ServiceTokenVerifyKey", "/k/b.pem", "K1", "/k/a.pem"),
        "ServiceTokenVerifyKey: /k/b.pem has the kid K1 of /k/a.pem: a key may be listed only "
        "once",
        "a kid twice");
}

static void test_sections(void)
{
    is_int(svct_directive_section_regex("<Location", "/app"), 0, "<Location /app>: a path");
    is_int(svct_directive_section_regex("<LocationMatch", "^/app"), 1, "<LocationMatch>: a regex");
    is_int(svct_directive_section_regex("<directorymatch", "^/srv"), 1, "in any case");
    is_int(svct_directive_section_regex("<Location", "~ ^/app"), 1, "<Location ~ ...>: a regex");
    is_int(svct_directive_section_regex("<Files", "~/x"), 0, "a path that begins with ~");
    is_int(svct_directive_section_regex("<Proxy", "*"), 0, "<Proxy *>: a wildcard, not a regex");
    is_int(svct_directive_section_regex("<IfModule", "mod_dbd.c"), -1,
           "<IfModule>: no section of paths");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_durations();
    test_store_times();
    test_words();
    test_sections();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
