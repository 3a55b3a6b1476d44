/*
 * Unit tests of the start-up warnings (src/startcheck.c): a name that a
 * Require line asks for and that the store has no token of, and a store
 * that cannot be opened, are told about once.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>

#include "logrec.h"
#include "startcheck.h"
#include "tap.h"
#include "store_test.h"

static void test_names(void)
{
    char dir[] = "/tmp/svct-startcheck-XXXXXX", path[300], cmd[320];
    const char *names[] = {"ci", "ghost", "ghost"};
    svct_store_ref store = {path, "default"};
    svct_record_t r = make_record("ci", 1);
    apr_hash_t *told;
    svct_store_t *st;
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);

    store_test_start(dir);
    told = apr_hash_make(pool);
    snprintf(path, sizeof path, "%s/tokens.db", dir);
    st = open_or_die(path, "default", SVCT_STORE_WRITE);
    svct_store_insert(st, &r);
    svct_store_commit(st);
    svct_store_close(st);
    svct_startcheck_names(told, &store, names, 3, &log);
    is_int(rec.count, 1, "one name no token has, told once");
    ok(strstr(rec.line, "SVCT0604: Require service-token: token store ") == rec.line &&
           strstr(rec.line, " has no token named \"ghost\" (yet)"),
       "SVCT0604: %s", rec.line);
    svct_startcheck_names(told, &store, names, 3, &log);
    is_int(rec.count, 1, "and not again");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
}

static void test_stores(void)
{
    svct_store_ref stores[] = {{"/nonexistent/svct/tokens.db", "default"},
                               {"/nonexistent/svct/tokens.db", "default"}};
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);

    svct_startcheck_stores(stores, 2, getuid(), getgid(), "someone", &log);
    is_int(rec.count, 1, "a store that cannot be opened, told once per path");
    ok(strstr(rec.line, "SVCT0603: token store /nonexistent/svct/tokens.db cannot be opened by "
                        "user someone, whom httpd's children run as: ") == rec.line &&
           strstr(rec.line, "; requests that need it will get 500") &&
           rec.level == SVCT_LOG_WARNING,
       "SVCT0603: %s", rec.line);
}

int main(void)
{
    test_names();
    test_stores();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
