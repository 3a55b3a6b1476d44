/* Unit tests of src/scope.c: the URL scope of a section, which is never
 * "/" by accident. */
#include "tap.h"
#include "scope.h"

static void scope_is(const char *section, const char *uri, const char *file, const char *info,
                     const char *want, const char *what)
{
    char out[256];
    int rc = svct_scope_path(section, uri, file, info, out, sizeof out);

    if (want) {
        ok(rc == 1, "%s: derived", what);
        is_str(out, want, "%s", what);
    } else {
        ok(rc == 0 && out[0] == '\0', "%s: no scope", what);
    }
}

static void test_literal(void)
{
    scope_is("/app", "/app/x/y.html", "/srv/www/app/x/y.html", NULL, "/app", "a <Location>");
    scope_is("/app/", "/app/", NULL, NULL, "/app", "trailing slash dropped");
    scope_is("/", "/x", NULL, NULL, "/", "<Location />: the whole site");
    scope_is("/srv/www/ht/", "/ht/page.html", "/srv/www/ht/page.html", NULL, "/ht",
             "a <Directory>: the URL that maps to it");
    scope_is("/srv/www", "/page.html", "/srv/www/page.html", NULL, "/",
             "the document root's directory: the whole site");
    scope_is("/application", "/app/x", NULL, NULL, NULL, "not a prefix at a segment boundary");
    scope_is(NULL, "/x", "/y", NULL, NULL, "no section");
    scope_is("/srv/other", "/x", "/srv/www/x", NULL, NULL, "unrelated directory");
    scope_is("index.html", "/x/index.html", "/srv/www/x/index.html", NULL, NULL, "a <Files> name");
    scope_is("/srv/www/cgi", "/cgi-bin/x.cgi", "/srv/www/cgi/x.cgi", NULL, "/cgi-bin",
             "an aliased directory");
    scope_is("/srv/www/cgi", "/elsewhere/y", "/srv/www/cgi/x.cgi", NULL, NULL,
             "a file name that does not end the URI");
}

static void test_path_info(void)
{
    scope_is("/srv/www/pi", "/pi/env.cgi/extra/path", "/srv/www/pi/env.cgi", "/extra/path", "/pi",
             "PATH_INFO is not part of the scope");
    scope_is("/srv/www/pi", "/pi/env.cgi/extra", "/srv/www/pi/env.cgi", NULL, NULL,
             "... which needs to be known");
    scope_is("/srv/www/pi", "/pi/env.cgi", "/srv/www/pi/env.cgi", "", "/pi", "empty PATH_INFO");
    scope_is("/app", "///ap", "/app", "p", "///ap",
             "PATH_INFO that begins no segment is not taken off");
}

static void test_wildcards(void)
{
    scope_is("/srv/users/*/public", "/users/bob/public/x.html", "/srv/users/bob/public/x.html",
             NULL, "/users/bob/public", "wildcard <Directory>: the matching directory's URL");
    scope_is("/srv/users/*/public", "/users/eve/public/", "/srv/users/eve/public/index.html", NULL,
             NULL, "... a file name that does not end the URI");
    scope_is("/srv/users/*/public", "/~eve/a/b", "/srv/users/eve/public/a/b", NULL, "/~eve",
             "... through a UserDir-like mapping");
    scope_is("/users/*/private", "/users/bob/private/a", NULL, NULL, "/users/bob/private",
             "wildcard <Location>: the URI's own segments");
    scope_is("/users/*/private", "/users/bob/public/a", NULL, NULL, NULL, "... not matching");
    scope_is("/users/*", "/users", NULL, NULL, NULL, "... too few segments");
    scope_is("/u?ers/[a-c]*", "/users/bob", NULL, NULL, "/users/bob", "? and [...]");
}

static void test_uri_dir(void)
{
    char out[64];

    ok(svct_scope_uri_dir("/lm/one/index.html", out, sizeof out), "uri dir");
    is_str(out, "/lm/one", "... without the file");
    ok(svct_scope_uri_dir("/lm/one/", out, sizeof out), "uri dir of a directory");
    is_str(out, "/lm/one", "... is the directory");
    ok(!svct_scope_uri_dir("/index.html", out, sizeof out), "never /");
    ok(!svct_scope_uri_dir("x", out, sizeof out), "not a path");
    ok(!svct_scope_uri_dir("/0123456789/x", out, 8), "too long");
}

static void test_url_within(void)
{
    const char *h = "example.org";

    ok(svct_scope_url_within("https://example.org/t", h, "/t"), "the scope itself");
    ok(svct_scope_url_within("https://example.org/t/api", h, "/t"), "below it");
    ok(svct_scope_url_within("http://EXAMPLE.org:8443/t/", h, "/t"), "http, any case, a port");
    ok(svct_scope_url_within("https://example.org/anything", h, "/"), "scope / holds all");
    ok(!svct_scope_url_within("https://example.org/tx", h, "/t"), "not at a segment boundary");
    ok(!svct_scope_url_within("https://example.org/admin", h, "/t"), "another path");
    ok(!svct_scope_url_within("https://example.org/t/../admin", h, "/t"), "climbing out");
    ok(!svct_scope_url_within("https://example.org/t/..", h, "/t"), "climbing out at the end");
    ok(!svct_scope_url_within("https://example.org.evil/t", h, "/t"), "another host");
    ok(!svct_scope_url_within("https://evil.example/t", h, "/t"), "another host again");
    ok(!svct_scope_url_within("https://example.org", h, "/t"), "no path");
    ok(!svct_scope_url_within("t", h, "/t"), "not a URL");
    ok(!svct_scope_url_within("ftp://example.org/t", h, "/t"), "another scheme");
}

int main(void)
{
    test_url_within();
    test_literal();
    test_path_info();
    test_wildcards();
    test_uri_dir();
    return done_testing();
}
