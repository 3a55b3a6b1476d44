/*
 * Unit tests of the Require lines (src/require.c): whom a list admits, and
 * the line that names what it asks for.
 */
#include <string.h>

#include <apr_general.h>

#include "logrec.h"
#include "require.h"
#include "tap.h"

static apr_pool_t *pool;

static void test_require(void)
{
    apr_array_header_t *list = apr_array_make(pool, 2, sizeof(const char *));
    const char *id = "0123456789abcdef0123456789abcdef.access";
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);

    ok(svct_require_admits(list, 0, "ci", id, pool, &log), "no names: any token");
    APR_ARRAY_PUSH(list, const char *) = "nightly backup";
    APR_ARRAY_PUSH(list, const char *) = "ci";
    ok(svct_require_admits(list, 0, "ci", id, pool, &log), "a name of the line");
    is_int(rec.count, 0, "nothing logged");
    ok(!svct_require_admits(list, 0, "other", id, pool, &log), "another name is not");
    is_str(rec.line,
           "SVCT0401: token \"other\" (client id 0123456789abcdef0123456789abcdef.access) is not "
           "admitted by Require service-token \"nightly backup\" \"ci\"",
           "SVCT0401 names what the line asks for");
    is_int(rec.level, SVCT_LOG_WARNING, "at warn");
    ok(!svct_require_admits(list, 1, "ci", id, pool, &log), "by Client ID");
    ok(strstr(rec.line, "Require service-token-id nightly backup ci") != NULL, "unquoted: %s",
       rec.line);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_require();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
