/*
 * Unit tests of the svctoken CLI run in-process on stores whose records are
 * written directly, so that an expired token or a finished grace period
 * needs no waiting: rotate of an expired token, previous_secret_expires_at
 * in --json, help COMMAND and version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <jansson.h>

#include "cli.h"
#include "record.h"
#include "secret.h"
#include "store.h"
#include "tap.h"
#include "version.h"

static apr_pool_t *pool;
static char dir[] = "/tmp/svct-cli-XXXXXX";
static const char *store;
static char out[8192], err[8192];

/* Runs svctoken with the NULL-terminated arguments; fills out and err. */
static int run(const char *arg, ...)
{
    char *argv[16];
    int argc = 0, rc;
    FILE *o = tmpfile(), *e = tmpfile();
    va_list ap;
    size_t n;

    argv[argc++] = "svctoken";
    va_start(ap, arg);
    for (; arg != NULL && argc < 15; arg = va_arg(ap, const char *))
        argv[argc++] = (char *)arg;
    va_end(ap);
    argv[argc] = NULL;
    rc = svct_cli_run(argc, argv, store, o, e, pool);
    rewind(o);
    rewind(e);
    n = fread(out, 1, sizeof(out) - 1, o);
    out[n] = '\0';
    n = fread(err, 1, sizeof(err) - 1, e);
    err[n] = '\0';
    fclose(o);
    fclose(e);
    return rc;
}

static void put_record(const svct_record_t *rec)
{
    svct_store_t *st = NULL;
    const char *msg = NULL;

    if (svct_store_open(&st, store, NULL, SVCT_STORE_WRITE, pool, &msg) != SVCT_STORE_OK ||
        svct_store_insert(st, rec) != SVCT_STORE_OK || svct_store_commit(st) != SVCT_STORE_OK) {
        printf("Bail out! cannot write the fixture record: %s\n", msg ? msg : "?");
        exit(255);
    }
    svct_store_close(st);
}

static svct_record_t fixture(const char *name, int n, int64_t expires_at)
{
    svct_record_t r;

    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "%s", name);
    snprintf(r.client_id, sizeof(r.client_id), "%032x.access", n);
    svct_secret_hash("fixture", 7, r.secret_hash);
    r.created_at = r.updated_at = (int64_t)time(NULL) - 86400;
    r.expires_at = expires_at;
    r.enabled = 1;
    return r;
}

/* The string member KEY of the JSON object in out, or "null". */
static const char *json_member(const char *key)
{
    json_t *doc = json_loads(out, 0, NULL), *v;
    const char *s;

    if (doc == NULL)
        return "(not JSON)";
    v = json_object_get(doc, key);
    s = v == NULL           ? "(missing)"
        : json_is_null(v)   ? "null"
        : json_is_string(v) ? apr_pstrdup(pool, json_string_value(v))
                            : "(not a string)";
    json_decref(doc);
    return s;
}

static void test_rotate_expired(void)
{
    int64_t now = (int64_t)time(NULL);
    svct_record_t rec = fixture("old", 1, now - 60), after;
    svct_store_t *st = NULL;
    const char *msg;

    put_record(&rec);
    is_int(run("rotate", "old", NULL), 1, "rotate of an expired token is refused (exit 1)");
    is_str(err, "svctoken: token expired: refresh it first\n", "... with one line that says so");
    is_str(out, "", "... and no secret on stdout");
    svct_store_open(&st, store, NULL, SVCT_STORE_READ, pool, &msg);
    svct_store_get_by_name(st, "old", &after);
    svct_store_close(st);
    ok(memcmp(after.secret_hash, rec.secret_hash, SVCT_HASH_LEN) == 0,
       "... and the stored secret is unchanged");
    is_int(run("rotate", "old", "--grace", "1h", NULL), 1, "also with --grace");

    is_int(run("refresh", "old", NULL), 0, "refresh the expired token");
    is_int(run("rotate", "old", NULL), 0, "then rotate works");
    ok(strstr(out, "Client Secret:") != NULL, "... and prints the new secret");

    rec = fixture("never", 2, 0);
    put_record(&rec);
    is_int(run("rotate", "never", NULL), 0, "a token that never expires rotates");
    rec = fixture("off", 3, now + 3600);
    rec.enabled = 0;
    put_record(&rec);
    is_int(run("rotate", "off", NULL), 0, "a disabled, unexpired token rotates");
}

static void test_previous_secret_json(void)
{
    int64_t now = (int64_t)time(NULL);
    svct_record_t rec = fixture("graced", 10, now + 86400);
    const char *from_rotate;
    char want[32];
    struct tm tm;
    time_t t;

    put_record(&rec);
    is_int(run("show", "graced", "--json", NULL), 0, "show --json");
    is_str(json_member("previous_secret_expires_at"), "null",
           "no previous secret: previous_secret_expires_at is null");
    is_int(run("rotate", "graced", "--grace", "2h", "--json", NULL), 0, "rotate --grace 2h --json");
    ok(json_member("client_secret")[0] != '(', "... prints the new secret");
    t = (time_t)now + 7200;
    gmtime_r(&t, &tm);
    strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* The CLI read the clock after this test did: allow one second. */
    ok(strcmp(json_member("previous_secret_expires_at"), want) >= 0 &&
           strlen(json_member("previous_secret_expires_at")) == 20,
       "... and previous_secret_expires_at as RFC 3339, two hours on (%s)", want);
    from_rotate = apr_pstrdup(pool, json_member("previous_secret_expires_at"));
    is_int(run("show", "graced", "--json", NULL), 0, "show --json after it");
    is_str(json_member("previous_secret_expires_at"), from_rotate, "... gives the same end");
    is_int(run("rotate", "graced", "--json", NULL), 0, "rotate without --grace");
    is_str(json_member("previous_secret_expires_at"), "null", "... ends the grace: null");

    rec = fixture("ended", 11, now + 86400);
    rec.has_prev = 1;
    svct_secret_hash("earlier", 7, rec.prev_hash);
    rec.prev_expires_at = now - 1;
    put_record(&rec);
    is_int(run("show", "ended", "--json", NULL), 0, "show --json of a finished grace period");
    is_str(json_member("previous_secret_expires_at"), "null", "... is null");
    is_int(run("rotate", "never", "--grace", "1d", NULL), 0, "rotate another with --grace 1d");
    is_int(run("list", "--json", NULL), 0, "list --json");
    ok(strstr(out, "\"previous_secret_expires_at\": \"") != NULL &&
           strstr(out, "\"previous_secret_expires_at\": null") != NULL,
       "... carries previous_secret_expires_at too");
}

static void test_help_and_version(void)
{
    is_int(run("--version", NULL), 0, "--version exits 0");
    is_str(out, "svctoken " SVCT_VERSION "\n", "... and prints the version");
    is_int(run("version", NULL), 0, "version exits 0");
    is_str(out, "svctoken " SVCT_VERSION "\n", "... and prints the same");
    is_int(run("version", "--json", NULL), 0, "version --json");
    is_str(json_member("version"), SVCT_VERSION, "... {\"version\": ...}");
    is_int(run("version", "x", NULL), 2, "version with an argument: usage error");

    is_int(run("help", NULL), 0, "help exits 0");
    ok(strncmp(out, "usage: svctoken", 15) == 0 && strstr(out, "Commands:") != NULL,
       "... and prints what --help prints");
    is_int(run("help", "rotate", NULL), 0, "help rotate");
    ok(strstr(out, "usage: svctoken [STORE OPTIONS] rotate ID-OR-NAME [--grace D]") == out,
       "... starts with rotate's usage line");
    ok(strstr(out, "previous one keeps") != NULL && strstr(out, "working for D (default 0)"),
       "... and holds its description, continuation line included");
    ok(strstr(out, "disable") == NULL, "... and nothing of another command");
    is_int(run("help", "revoke-sessions", NULL), 0, "help revoke-sessions");
    ok(strstr(out, "refuse every session") != NULL, "... describes it");
    is_int(run("help", "revoke", NULL), 2, "help of a prefix of a command: usage error");
    is_int(run("help", "frob", NULL), 2, "help of an unknown command: usage error");
    ok(strstr(err, "unknown command \"frob\"") != NULL, "... which names it");
    is_int(run("help", "a", "b", NULL), 2, "help with two arguments: usage error");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (mkdtemp(dir) == NULL)
        return 255;
    store = apr_pstrcat(pool, dir, "/tokens", NULL);

    test_rotate_expired();
    test_previous_secret_json();
    test_help_and_version();

    if (system(apr_pstrcat(pool, "rm -rf ", dir, NULL)) != 0)
        perror("rm");
    apr_terminate();
    return done_testing();
}
