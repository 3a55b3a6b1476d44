/*
 * Unit tests of the audience of a request and of its cookie Path
 * (src/audience.c): ServiceTokenAudience or one derived from the section,
 * an .htaccess audience kept inside its directory's URL space and off the
 * server's, and the lines that say why there is none (SVCT0502-0504).
 */
#include <apr_general.h>

#include "audience.h"
#include "logrec.h"
#include "tap.h"

static apr_pool_t *pool;

static svct_dir_conf section(const char *path, int regex, const char *aud, const char *aud_dir)
{
    svct_dir_conf d;

    memset(&d, 0, sizeof d);
    d.section = path;
    d.section_regex = regex;
    d.audience = aud;
    d.audience_dir = aud_dir;
    return d;
}

static void test_find(void)
{
    svct_where_t w = {"www.example", "/app/x/page.html", NULL, NULL};
    svct_dir_conf d = section("/app", 0, NULL, NULL);
    apr_hash_t *server = apr_hash_make(pool);
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);

    is_str(svct_audience_find(pool, &d, &w, NULL, &log), "https://www.example/app",
           "the default audience: the server and the section's scope");
    d = section("/app", 0, "urn:app", NULL);
    is_str(svct_audience_find(pool, &d, &w, NULL, &log), "urn:app", "ServiceTokenAudience");
    is_int(rec.count, 0, "nothing logged");
    d = section("^/app", 1, NULL, NULL);
    is_str(svct_audience_find(pool, &d, &w, NULL, &log), NULL, "none of a regex section");
    ok(strstr(rec.line, "SVCT0503: the URL scope of /app/x/page.html cannot be derived from its "
                        "section ^/app") == rec.line &&
           rec.level == SVCT_LOG_ERR,
       "SVCT0503 at error says so: %s", rec.line);

    w.filename = "/srv/www/app/x/page.html";
    d = section("/srv/www/app/x", 0, "https://www.example/app/x/tenant", "/srv/www/app/x");
    is_str(svct_audience_find(pool, &d, &w, server, &log), "https://www.example/app/x/tenant",
           "an .htaccess audience inside its directory's URL space");
    d = section("/srv/www/app/x", 0, "https://www.example/other", "/srv/www/app/x");
    log = logrec_sink(&rec);
    is_str(svct_audience_find(pool, &d, &w, server, &log), NULL, "one outside it");
    is_str(rec.line,
           "SVCT0502: ServiceTokenAudience https://www.example/other in /srv/www/app/x/.htaccess "
           "is not this directory's: it lies outside its URL space, https://www.example/app/x",
           "SVCT0502 says where");
    apr_hash_set(server, "https://www.example/app/x/tenant", APR_HASH_KEY_STRING, "");
    d = section("/srv/www/app/x", 0, "https://www.example/app/x/tenant", "/srv/www/app/x");
    is_str(svct_audience_find(pool, &d, &w, server, &log), NULL,
           "one that httpd.conf uses is refused");
    ok(strstr(rec.line, "a section of the server's configuration uses it") != NULL, "and why");
}

static void test_of_section(void)
{
    svct_dir_conf d = section("/app/", 0, NULL, NULL);

    is_str(svct_audience_of_section(pool, &d, "www.example"), "https://www.example/app",
           "a literal section's default audience is known without a request");
    is_str(svct_audience_of_section(pool, &d, NULL), NULL, "not without a server name");
    d = section("^/app", 1, NULL, NULL);
    is_str(svct_audience_of_section(pool, &d, "www.example"), NULL, "nor of a regex");
    d = section("^/app", 1, "urn:x", NULL);
    is_str(svct_audience_of_section(pool, &d, "www.example"), "urn:x", "its own audience is");
}

static void test_cookie_path(void)
{
    svct_where_t w = {"www.example", "/app/x/page.html", NULL, NULL};
    svct_dir_conf d = section("/app", 0, NULL, NULL);
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);

    is_str(svct_audience_cookie_path(pool, &d, &w, &log), "/app", "the section's scope");
    d = section("^/app", 1, "urn:x", NULL);
    is_str(svct_audience_cookie_path(pool, &d, &w, &log), "/app/x", "else the request's directory");
    is_int(rec.count, 0, "nothing logged");
    w.uri = "/page.html";
    is_str(svct_audience_cookie_path(pool, &d, &w, &log), NULL, "never \"/\"");
    is_str(rec.line, "SVCT0504: no session cookie for /page.html: its Path would be \"/\"",
           "SVCT0504 says so");
    is_int(rec.level, SVCT_LOG_INFO, "at info");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_find();
    test_of_section();
    test_cookie_path();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
