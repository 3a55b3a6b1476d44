/* Unit tests of src/cookie.c: Set-Cookie building, Cookie parsing, header
 * name folding. */
#include "tap.h"
#include "cookie.h"

static void test_build(void)
{
    char buf[512];
    svct_cookie_attrs_t a = {"/app", 0, 3600};
    size_t n;

    n = svct_cookie_build(buf, sizeof buf, "CF_Authorization", "abc.def.ghi", &a);
    ok(n == strlen(buf), "build returns the length");
    is_str(buf, "CF_Authorization=abc.def.ghi; Path=/app; Max-Age=3600; HttpOnly; SameSite=Lax",
           "cookie attributes over HTTP");
    a.secure = 1;
    svct_cookie_build(buf, sizeof buf, "CF_Authorization", "v", &a);
    ok(strstr(buf, "; Secure") != NULL, "Secure on HTTPS");
    a.path = NULL;
    a.max_age = 0;
    svct_cookie_build(buf, sizeof buf, "n", "v", &a);
    is_str(buf, "n=v; Path=/; HttpOnly; SameSite=Lax; Secure", "default path, no Max-Age");
    a.path = "/a;b";
    is_int(svct_cookie_build(buf, sizeof buf, "n", "v", &a), 0, "';' in the path refused");
    a.path = "/";
    is_int(svct_cookie_build(buf, sizeof buf, "n", "v;x", &a), 0, "';' in the value refused");
    is_int(svct_cookie_build(buf, sizeof buf, "n", "a b", &a), 0, "space in the value refused");
    is_int(svct_cookie_build(buf, sizeof buf, "n=x", "v", &a), 0, "'=' in the name refused");
    is_int(svct_cookie_build(buf, 10, "n", "0123456789", &a), 0, "too small a buffer");
    is_int(svct_cookie_build(buf, sizeof buf, "", "v", &a), 0, "empty name refused");
    /* "n=v; Path=/; HttpOnly; SameSite=Lax; Secure" is 43 bytes: 44 fit it
     * with its NUL, 43 do not. */
    is_int(svct_cookie_build(buf, 44, "n", "v", &a), 43, "exactly fits");
    is_int(svct_cookie_build(buf, 43, "n", "v", &a), 0, "one byte short");
    {
        static const struct {
            int64_t age;
            const char *want;
        } ages[] = {{1, "n=v; Path=/; Max-Age=1; HttpOnly; SameSite=Lax"},
                    {10, "n=v; Path=/; Max-Age=10; HttpOnly; SameSite=Lax"},
                    {86400, "n=v; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"},
                    {INT64_MAX,
                     "n=v; Path=/; Max-Age=9223372036854775807; HttpOnly; SameSite=Lax"}};
        size_t i;

        a.secure = 0;
        for (i = 0; i < sizeof ages / sizeof ages[0]; i++) {
            a.max_age = ages[i].age;
            svct_cookie_build(buf, sizeof buf, "n", "v", &a);
            is_str(buf, ages[i].want, "Max-Age=%lld written in decimal", (long long)ages[i].age);
        }
        a.max_age = -5;
        svct_cookie_build(buf, sizeof buf, "n", "v", &a);
        is_str(buf, "n=v; Path=/; HttpOnly; SameSite=Lax", "a negative Max-Age is left out");
    }
}

/* Every byte value, in the value, the name and the path, against the
 * grammar written out again here (RFC 6265 cookie-octet, RFC 7230 tchar). */
static void test_build_bytes(void)
{
    svct_cookie_attrs_t a = {"/", 0, 0};
    char buf[64], s[4], path[4];
    int c, value_wrong = 0, name_wrong = 0, path_wrong = 0;

    for (c = 1; c < 256; c++) {
        int octet = c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
                    (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
        int tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                    (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
        int pathc = c > 0x20 && c < 0x7F && c != ';';

        s[0] = 'x', s[1] = (char)c, s[2] = 'y', s[3] = '\0';
        a.path = "/";
        value_wrong += (svct_cookie_build(buf, sizeof buf, "n", s, &a) != 0) != octet;
        /* Long values are checked sixteen bytes per step where the CPU
         * allows: the byte at the start and end of a block, and in the
         * tail after the last one. */
        {
            static const int at[] = {0, 15, 16, 31, 33, 39};
            char v[41], out[128];
            size_t j;

            for (j = 0; j < sizeof at / sizeof at[0]; j++) {
                memset(v, 'a', 40);
                v[40] = '\0';
                v[at[j]] = (char)c;
                value_wrong += (svct_cookie_build(out, sizeof out, "n", v, &a) != 0) != octet;
            }
        }
        name_wrong += (svct_cookie_build(buf, sizeof buf, s, "v", &a) != 0) != tchar;
        path[0] = '/', path[1] = (char)c, path[2] = '\0';
        a.path = path;
        path_wrong += (svct_cookie_build(buf, sizeof buf, "n", "v", &a) != 0) != pathc;
    }
    /* The value is checked eight bytes at a time, then byte by byte: a
     * bad byte is found at every position of a block and of the tail. */
    {
        char v[24], big[160];
        int pos, missed = 0, len;

        a.path = "/";
        for (len = 1; len < (int)sizeof v; len++) {
            for (pos = 0; pos < len; pos++) {
                memset(v, 'a', (size_t)len);
                v[len] = '\0';
                missed += svct_cookie_build(big, sizeof big, "n", v, &a) == 0;
                v[pos] = ' ';
                missed += svct_cookie_build(big, sizeof big, "n", v, &a) != 0;
            }
        }
        is_int(missed, 0, "a bad byte refused at each position of values of 1 to 23 bytes");
    }
    is_int(value_wrong, 0, "every byte value judged as RFC 6265 says, in the value");
    is_int(name_wrong, 0, "every byte value judged as RFC 7230 says, in the name");
    is_int(path_wrong, 0, "every byte value judged as a path may hold");
}

static void test_next(void)
{
    const char *hdr = "a=1; CF_Authorization=tok1;b=2;  CF_Authorization=tok2  ; c";
    const char *pos = hdr, *v;
    size_t len;

    ok(svct_cookie_next(&pos, "CF_Authorization", &v, &len) == 1 && len == 4 &&
           !memcmp(v, "tok1", 4),
       "first occurrence");
    ok(svct_cookie_next(&pos, "CF_Authorization", &v, &len) == 1 && len == 4 &&
           !memcmp(v, "tok2", 4),
       "second occurrence, trailing space trimmed");
    is_int(svct_cookie_next(&pos, "CF_Authorization", &v, &len), 0, "no more");
    pos = "XCF_Authorization=1; CF_Authorizationx=2; cf_authorization=3";
    is_int(svct_cookie_next(&pos, "CF_Authorization", &v, &len), 0,
           "names match exactly, case included");
    pos = "";
    is_int(svct_cookie_next(&pos, "CF_Authorization", &v, &len), 0, "empty header");
    pos = ";;; ;";
    is_int(svct_cookie_next(&pos, "CF_Authorization", &v, &len), 0, "only separators");
    pos = "CF_Authorization=";
    ok(svct_cookie_next(&pos, "CF_Authorization", &v, &len) == 1 && len == 0, "empty value");
    hdr = "a=1; CF_Authorization=tok3";
    pos = hdr;
    ok(svct_cookie_next(&pos, "CF_Authorization", &v, &len) == 1 && len == 4 &&
           !memcmp(v, "tok3", 4) && pos == hdr + strlen(hdr),
       "the last cookie, with no ';' after it, runs to the end of the header");
    {
        static char big[SVCT_COOKIE_MAX + 100];
        memcpy(big, "CF_Authorization=", 17);
        memset(big + 17, 'a', SVCT_COOKIE_MAX + 1);
        pos = big;
        is_int(svct_cookie_next(&pos, "CF_Authorization", &v, &len), 0, "oversized value skipped");
    }
}

static void test_header_names(void)
{
    const char *want = "CF-Access-Client-Secret";

    ok(svct_header_name_matches("cf-access-client-secret", 23, want), "lower case");
    ok(svct_header_name_matches("CF_ACCESS_CLIENT_SECRET", 23, want), "underscores");
    ok(svct_header_name_matches("Cf_Access-client_Secret", 23, want), "mixed");
    ok(!svct_header_name_matches("CF-Access-Client-Secre", 22, want), "prefix");
    ok(!svct_header_name_matches("CF-Access-Client-Secrets", 24, want), "longer");
    ok(!svct_header_name_matches("CF-Access-Client-Id", 19, want), "other header");
}

int main(void)
{
    test_build();
    test_build_bytes();
    test_next();
    test_header_names();
    return done_testing();
}
