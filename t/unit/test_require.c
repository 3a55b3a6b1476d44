/*
 * Unit tests of the Require lines (src/require.c), the merging of the
 * per-directory configuration (src/dirconf.c) and the start-up warning of
 * a name no token has (src/startcheck.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>

#include "dirconf.h"
#include "logrec.h"
#include "require.h"
#include "startcheck.h"
#include "store.h"
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

static void test_merge(void)
{
    svct_dir_conf *outer = svct_dir_conf_make(pool), *inner = svct_dir_conf_make(pool), *m;

    is_int(svct_dir_session_duration(outer), SVCT_DEFAULT_SESSION, "the default duration");
    is_int(svct_dir_clock_skew(outer), SVCT_DEFAULT_SKEW, "the default skew");
    outer->section = "/app";
    outer->store_path = "/srv/a.db";
    outer->store_type = "SDBM";
    outer->clock_skew = 0;
    outer->audience = "urn:a";
    inner->section = "/app/x";
    inner->store_path = "/srv/b.db";
    inner->session_duration = 60;
    m = svct_dir_conf_merge(pool, outer, inner);
    is_str(m->section, "/app", "the outermost section wins");
    ok(!strcmp(m->store_path, "/srv/b.db") && m->store_type == NULL, "the inner store, as a whole");
    is_str(m->audience, "urn:a", "the audience is inherited");
    is_int(svct_dir_clock_skew(m), 0, "so is a skew of 0");
    is_int(svct_dir_session_duration(m), 60, "the inner duration");
    is_int(m->preflight_pass, -1, "unset stays unset");
}

static void test_names(void)
{
    char dir[] = "/tmp/svct-require-XXXXXX", path[300], cmd[320];
    const char *names[] = {"ci", "ghost", "ghost"};
    svct_store_ref store = {path, "default"};
    apr_hash_t *told = apr_hash_make(pool);
    svct_store_t *st;
    svct_record_t r;
    const char *err = NULL;
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);

    if (!mkdtemp(dir))
        return;
    snprintf(path, sizeof path, "%s/tokens.db", dir);
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "ci");
    snprintf(r.client_id, sizeof r.client_id, "0123456789abcdef0123456789abcdef.access");
    svct_secret_hash("secret", 6, r.secret_hash);
    r.created_at = r.updated_at = time(NULL);
    r.expires_at = r.created_at + 3600;
    r.enabled = 1;
    if (svct_store_open(&st, path, "default", SVCT_STORE_WRITE, pool, &err) != SVCT_STORE_OK ||
        svct_store_insert(st, &r) != SVCT_STORE_OK || svct_store_commit(st) != SVCT_STORE_OK) {
        printf("Bail out! %s: %s\n", path, err ? err : svct_store_error(st));
        exit(255);
    }
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

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_require();
    test_merge();
    test_names();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
