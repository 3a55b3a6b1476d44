/*
 * Unit tests of the module's configuration as httpd merges it
 * (src/dirconf.c, src/srvconf.c): what a section or virtual host sets wins,
 * the outermost section is the application's, unset values are inherited
 * and the getters apply the defaults; and when the admission of a request
 * holds for its subrequests.
 */
#include <string.h>

#include <apr_general.h>

#include "dirconf.h"
#include "srvconf.h"
#include "tap.h"

static apr_pool_t *pool;

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

static void test_admits_alike(void)
{
    svct_dir_conf *a = svct_dir_conf_make(pool), *b;

    a->store_tag = "AAAAAAAAAAAAAAAAAAAAAA";
    b = svct_dir_conf_merge(pool, a, svct_dir_conf_make(pool));
    ok(svct_dir_conf_admits_alike(a, "urn:x", b, "urn:x"),
       "the same store, audience and skew: an admission is reused");
    ok(!svct_dir_conf_admits_alike(a, "urn:x", b, "urn:y"), "not for another audience");
    ok(!svct_dir_conf_admits_alike(a, "urn:x", b, NULL), "nor for none");
    b->clock_skew = 0;
    ok(!svct_dir_conf_admits_alike(a, "urn:x", b, "urn:x"), "nor under another clock skew");
    b = svct_dir_conf_merge(pool, a, svct_dir_conf_make(pool));
    b->store_tag = "BBBBBBBBBBBBBBBBBBBBBB";
    ok(!svct_dir_conf_admits_alike(a, "urn:x", b, "urn:x"), "nor with another store");
    b->store_tag = NULL;
    ok(!svct_dir_conf_admits_alike(a, "urn:x", b, "urn:x"),
       "nor with a store whose tag is not known (the SQL store's)");
}

static void test_server_merge(void)
{
    svct_server_conf *main_conf = svct_server_conf_make(pool), *vhost = svct_server_conf_make(pool);
    svct_server_conf *m;

    is_int(svct_server_store_refresh(main_conf), 1, "the default refresh");
    is_int(svct_server_store_grace(main_conf), 300, "the default grace");
    APR_ARRAY_PUSH(main_conf->verify_key_files, const char *) = "/k/old.pem";
    main_conf->store_grace = 0;
    APR_ARRAY_PUSH(vhost->verify_key_files, const char *) = "/k/older.pem";
    m = svct_server_conf_merge(pool, main_conf, vhost);
    is_int(m->verify_key_files->nelts, 2, "verify keys add up");
    is_int(svct_server_store_grace(m), 0, "a grace of 0 is inherited");
    is_int(svct_server_seen_interval(m), 300, "the default seen interval, 5m");
    main_conf->seen_interval = 0;
    m = svct_server_conf_merge(pool, main_conf, vhost);
    is_int(svct_server_seen_interval(m), 0, "a seen interval of off is inherited");
    vhost->seen_interval = 60;
    m = svct_server_conf_merge(pool, main_conf, vhost);
    is_int(svct_server_seen_interval(m), 60, "and overridden by a virtual host");
    vhost->seen_interval = -1;
    vhost->signing_key_file = "/k/vhost.pem";
    m = svct_server_conf_merge(pool, main_conf, vhost);
    ok(m->verify_key_files->nelts == 1 && !strcmp(m->signing_key_file, "/k/vhost.pem"),
       "a signing key of its own brings only its own verify keys");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_merge();
    test_admits_alike();
    test_server_merge();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
