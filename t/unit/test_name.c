/*
 * Unit tests of the names a new token may have and of how names are shown
 * in log lines.
 *
 * Also a tool for the httpd suite, which needs a store made before names
 * were restricted: `test_name add STORE NAME` adds a token named NAME (any
 * name svct_name_valid() accepts) and prints {"name","client_id",
 * "client_secret"} as `svctoken create --json` does.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>

#include "name.h"
#include "record.h"
#include "secret.h"
#include "store.h"
#include "tap.h"

static int tool_add(const char *path, const char *name)
{
    apr_pool_t *p;
    svct_store_t *st;
    svct_record_t rec;
    char secret[SVCT_SECRET_LEN + 1];
    const char *err = "";
    int rc = 1;

    memset(&rec, 0, sizeof rec);
    apr_initialize();
    apr_pool_create(&p, NULL);
    if (strlen(name) < sizeof rec.name && svct_client_id_new(rec.client_id) == 0 &&
        svct_secret_new(secret) == 0 &&
        svct_store_open(&st, path, NULL, SVCT_STORE_WRITE, p, &err) == SVCT_STORE_OK) {
        strcpy(rec.name, name);
        svct_secret_hash(secret, strlen(secret), rec.secret_hash);
        rec.created_at = rec.updated_at = (int64_t)time(NULL);
        rec.enabled = 1;
        if (svct_store_insert(st, &rec) == SVCT_STORE_OK && svct_store_commit(st) == SVCT_STORE_OK) {
            printf("{\"name\":\"%s\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}\n", name,
                   rec.client_id, secret);
            rc = 0;
        } else {
            err = svct_store_error(st);
        }
        svct_store_close(st);
    }
    if (rc)
        fprintf(stderr, "test_name add: %s\n", err);
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}

static int creatable(const char *name)
{
    return svct_name_creatable(name, strlen(name));
}

static void test_creatable(void)
{
    static const char *const good[] = {
        "build-bot", "a", "-dash", "ci.deploy_2", "team:app/svc", "bot@example.org",
        "x=1,y~2", "a!#$%&*+;?^|", "caf\xc3\xa9",    /* é */
        "\xe6\x97\xa5\xe6\x9c\xac",                   /* CJK */
        "\xe2\x9c\x93", "\xf0\x9f\x94\x91",           /* a check mark, an emoji */
        "0123456789abcdef0123456789abcdef",           /* hex without .access */
    };
    static const struct {
        const char *name, *what;
    } bad[] = {
        {"beta token", "a space"},
        {"-", "a lone dash, the log's 'no user'"},
        {"a[b", "a bracket"},
        {"a]b", "a closing bracket"},
        {"a(b)", "parentheses"},
        {"a{b}", "braces"},
        {"a<b>", "angle brackets"},
        {"a\"b", "a double quote"},
        {"a'b", "a single quote"},
        {"a`b", "a backquote"},
        {"a\\b", "a backslash"},
        {"a\tb", "a tab"},
        {"a\x1b[31m", "an escape"},
        {"a\xc2\xa0" "b", "U+00A0 no-break space"},
        {"a\xc2\xad" "b", "U+00AD soft hyphen"},
        {"ab\xe2\x80\xae" "cd", "U+202E right-to-left override"},
        {"ab\xe2\x81\xa6" "cd", "U+2066 left-to-right isolate"},
        {"a\xe2\x80\x8b" "b", "U+200B zero-width space"},
        {"a\xe2\x80\x8d" "b", "U+200D zero-width joiner"},
        {"a\xe2\x80\x8f", "U+200F right-to-left mark"},
        {"a\xe2\x81\xa0", "U+2060 word joiner"},
        {"\xef\xbb\xbf" "a", "U+FEFF byte order mark"},
        {"a\xe2\x80\xa8", "U+2028 line separator"},
        {"a\xe3\x80\x80" "b", "U+3000 ideographic space"},
        {"\xe3\x85\xa4", "U+3164 Hangul filler"},
        {"a\xef\xbf\xbe", "U+FFFE non-character"},
        {"a\xf3\xa0\x80\x81", "U+E0001 language tag"},
        {"0123456789abcdef0123456789abcdef.access", "shaped like a Client ID"},
        {"", "empty"},
    };
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        ok(creatable(good[i]), "creatable: %s", good[i]);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ok(!creatable(bad[i].name), "refused: %s", bad[i].what);
    /* What was refused above is still a valid name of an existing token. */
    ok(svct_name_valid("beta token", 10), "a name with a space stays valid in a store");
    ok(svct_name_valid("ab\xe2\x80\xae" "cd", 7), "and one with a bidi override");
}

static void test_escape(void)
{
    char out[SVCT_NAME_ESCAPED_MAX], small[8];

    is_str(svct_name_escape("build-bot", out, sizeof out), "build-bot", "plain name as is");
    is_str(svct_name_escape("beta token", out, sizeof out), "beta token", "a space as is");
    is_str(svct_name_escape("caf\xc3\xa9", out, sizeof out), "caf\xc3\xa9", "letters as is");
    is_str(svct_name_escape("a\"b\\c", out, sizeof out), "a\\x22b\\x5Cc",
           "quote and backslash escaped");
    is_str(svct_name_escape("[x]", out, sizeof out), "\\x5Bx\\x5D", "brackets escaped");
    is_str(svct_name_escape("ab\xe2\x80\xae" "cd", out, sizeof out), "ab\\u{202E}cd",
           "bidi override escaped");
    is_str(svct_name_escape("a\xf3\xa0\x80\x81", out, sizeof out), "a\\u{E0001}",
           "tag character escaped");
    is_str(svct_name_escape("abcdefghij", small, sizeof small), "abcdefg", "cut to fit");
    is_str(svct_name_escape("ab\xe2\x80\xae", small, sizeof small), "ab",
           "never half an escape");
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "add") == 0)
        return tool_add(argv[2], argv[3]);
    test_creatable();
    test_escape();
    return done_testing();
}
