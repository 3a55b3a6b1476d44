/*
 * svctoken: the admin command that creates, lists, refreshes, rotates,
 * disables and deletes service tokens in the store, revokes sessions and
 * makes signing keys. Every change runs under the store's exclusive lock
 * from the first read to the last write, so concurrent runs and a serving
 * httpd only ever see whole commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_strings.h>
#include <apr_tables.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "cidr.h"
#include "cli.h"
#include "cli_help.h"
#include "duration.h"
#include "jwks.h"
#include "key.h"
#include "name.h"
#include "record.h"
#include "secret.h"
#include "store.h"
#include "transfer.h"
#include "version.h"

#define SVCT_USAGE                                                                                 \
    "usage: svctoken [-f STORE [-t DBMTYPE] | --dbd DRIVER:PARAMS] COMMAND [ARGS] [--json]"
#define SVCT_DEFAULT_DURATION "1y"

static const char svct_help[] =
    SVCT_USAGE "\n"
               "\n"
               "Manages the service tokens of mod_access_svctoken. STORE defaults to\n"
               "$SVCTOKEN_STORE; DBMTYPE is default, SDBM, GDBM or DB (as AuthDBMType).\n"
               "A SQL store is given as --dbd DRIVER:PARAMS (default $SVCTOKEN_DBD), e.g.\n"
               "'pgsql:host=db1 dbname=svctoken user=svctoken' or\n"
               "'sqlite3:/var/lib/svctoken/tokens.sqlite'.\n"
               "\n"
               "Commands:\n"
               "  create NAME [--duration D] [--allow-from CIDR,...]\n"
               "                                     new token; its Client Secret is shown\n"
               "                                     only this once (default duration 1y)\n"
               "  list                               every token\n"
               "  show ID-OR-NAME                    one token\n"
               "  refresh ID-OR-NAME [--duration D]  expiry := now + D (default 1y)\n"
               "  rotate ID-OR-NAME [--grace D]      new secret; the previous one keeps\n"
               "                                     working for D (default 0)\n"
               "  set ID-OR-NAME --allow-from CIDR,...|any\n"
               "                                     the addresses the token works from\n"
               "                                     (at most 32 IPv4/IPv6 CIDRs)\n"
               "  disable ID-OR-NAME                 refuse the token and its sessions\n"
               "  enable ID-OR-NAME                  accept it again\n"
               "  delete ID-OR-NAME                  remove the token\n"
               "  revoke-sessions [--reset]          refuse every session issued until now;\n"
               "                                     --reset also lowers a later time\n"
               "  revocation                         when sessions were last revoked\n"
               "  check [--repair]                   verify the store and its name index;\n"
               "                                     --repair rebuilds the index\n"
               "  init                               create the store (the tables of a SQL\n"
               "                                     store; once per database)\n"
               "  export                             every token as JSON lines, with the\n"
               "                                     hashes of its secrets (never a secret)\n"
               "  import [--replace]                 read export's lines into this store;\n"
               "                                     tokens that exist refuse it all unless\n"
               "                                     --replace\n"
               "  keygen [--alg ALG] --out FILE      signing key for ServiceTokenSigningKey;\n"
               "                                     ALG is ES256 (default), RS256, EdDSA\n"
               "                                     or HS256\n"
               "  jwks KEYFILE...                    the JWK Set of these keys' public\n"
               "                                     parts, as the service-token-keys\n"
               "                                     handler serves it (the first file\n"
               "                                     as ServiceTokenSigningKey)\n"
               "  help [COMMAND]                     this text, or one command's\n"
               "  version                            the version\n"
               "\n"
               "Options:\n"
               "  -f STORE      the token store\n"
               "  -t DBMTYPE    its DBM type\n"
               "  --dbd D:P     a SQL store instead (driver pgsql or sqlite3)\n"
               "  --json        print one JSON document\n"
               "  -h, --help    this text\n"
               "  --version     the version\n"
               "\n"
               "A duration D is a number and a unit s, m, h, d, w or y (1y = 365d), or\n"
               "\"forever\". Exit status: 0 done, 1 refused, 2 usage error, 3 the store\n"
               "could not be opened, locked or read.\n";

enum {
    SVCT_OPT_DURATION = 1 << 0,
    SVCT_OPT_GRACE = 1 << 1,
    SVCT_OPT_ALG = 1 << 2,
    SVCT_OPT_OUT = 1 << 3,
    SVCT_OPT_REPAIR = 1 << 4,
    SVCT_OPT_REPLACE = 1 << 5,
    SVCT_OPT_ALLOW_FROM = 1 << 6,
    SVCT_OPT_RESET = 1 << 7 /* flags: no value */
};

typedef struct svct_cli {
    apr_pool_t *pool;
    FILE *out, *err;
    const char *store, *dbmtype;
    const char *dbd; /* a SQL store, "DRIVER:PARAMS" */
    int json;
    const char *duration, *grace, *alg, *outfile, *allow_from;
    unsigned opts_seen;
    const char **args; /* the positional arguments after the command name */
    int nargs;
    int64_t now;
    int saved_stderr; /* see svct_cli_quiet_stderr */
} svct_cli_t;

/* Points file descriptor 2 at /dev/null, and CLI->err at a copy of what it
 * was, for the rest of the command: libraries' own lines stay out of it. */
static void svct_cli_quiet_stderr(svct_cli_t *cli)
{
    int devnull, saved;
    FILE *f;

    fflush(stderr);
    devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull < 0)
        return;
    saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    f = saved >= 0 ? fdopen(fcntl(saved, F_DUPFD_CLOEXEC, 3), "w") : NULL;
    if (f == NULL) {
        if (saved >= 0)
            close(saved);
        close(devnull);
        return;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    dup2(devnull, STDERR_FILENO);
    close(devnull);
    cli->saved_stderr = saved;
    cli->err = f;
}

typedef struct svct_command {
    const char *name;
    int nargs;       /* positional arguments after the command name; -1: one or more */
    unsigned opts;   /* SVCT_OPT_* it accepts */
    int needs_store; /* 1: needs -f STORE or $SVCTOKEN_STORE */
    int (*run)(svct_cli_t *cli);
} svct_command_t;

/* USER's text made safe to quote in a one-line message: control characters
 * (C0, DEL, and C1 as UTF-8) become \xNN, so an argument can neither break
 * the line nor send escape sequences to the terminal. */
static const char *svct_shown(apr_pool_t *p, const char *user)
{
    const unsigned char *s = (const unsigned char *)user;
    char *out, *o;

    if (user == NULL)
        return "";
    o = out = apr_palloc(p, 8 * strlen(user) + 1);
    for (; *s != '\0'; s++) {
        if (*s < 0x20 || *s == 0x7f) {
            o += sprintf(o, "\\x%02x", *s);
        } else if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
            o += sprintf(o, "\\xc2\\x%02x", s[1]);
            s++;
        } else {
            *o++ = (char)*s;
        }
    }
    *o = '\0';
    return out;
}

static int svct_cli_refuse(svct_cli_t *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int svct_cli_refuse(svct_cli_t *cli, const char *fmt, ...)
{
    va_list ap;

    fputs("svctoken: ", cli->err);
    va_start(ap, fmt);
    vfprintf(cli->err, fmt, ap);
    va_end(ap);
    fputc('\n', cli->err);
    return SVCT_EXIT_REFUSED;
}

static int svct_cli_usage(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int svct_cli_usage(FILE *err, const char *fmt, ...)
{
    va_list ap;

    fputs("svctoken: ", err);
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fputs("\n" SVCT_USAGE " (see svctoken --help)\n", err);
    return SVCT_EXIT_USAGE;
}

static int svct_cli_store_error(svct_cli_t *cli, const char *msg)
{
    fprintf(cli->err, "svctoken: %s\n", msg != NULL && *msg != '\0' ? msg : "token store error");
    return SVCT_EXIT_STORE;
}

/* Maps a failed store call to the exit status; KEY is what the user typed. */
static int svct_cli_store_rc(svct_cli_t *cli, svct_store_t *st, svct_store_rc_t rc, const char *key)
{
    if (rc == SVCT_STORE_NOTFOUND) {
        /* Someone may paste a secret by mistake; it must not reach stderr. */
        if (key != NULL && svct_secret_valid(key, strlen(key)))
            return svct_cli_refuse(cli, "no such token (that looks like a Client Secret, not "
                                        "a Client ID or name)");
        return svct_cli_refuse(cli, "no token with the Client ID or name \"%s\"",
                               svct_shown(cli->pool, key));
    }
    if (rc == SVCT_STORE_EXISTS)
        return svct_cli_refuse(cli, "%s", svct_store_error(st));
    return svct_cli_store_error(cli, svct_store_error(st));
}

/* T as RFC 3339 UTC in BUF (32 bytes), which is returned. */
static const char *svct_fmt_time(int64_t t, char *buf)
{
    return svct_time_format(t, buf);
}

static const char *svct_cli_time(svct_cli_t *cli, int64_t t)
{
    char buf[32];

    return apr_pstrdup(cli->pool, svct_fmt_time(t, buf));
}

static const char *svct_cli_expires(svct_cli_t *cli, int64_t expires_at)
{
    return expires_at == 0 ? "never" : svct_cli_time(cli, expires_at);
}

/* Parses a --duration/--grace value into an absolute expiry (0: never).
 * Refuses what would end past SVCT_TIME_MAX. */
static int svct_cli_expiry(svct_cli_t *cli, const char *opt, const char *text, int allow_forever,
                           int64_t *expires_at)
{
    int64_t d;

    if (svct_duration_parse(text, allow_forever, &d) != 0)
        return svct_cli_refuse(cli,
                               "bad %s \"%s\": use a number and a unit s, m, h, d, w or y "
                               "(like 90d)%s",
                               opt, svct_shown(cli->pool, text),
                               allow_forever ? ", or forever" : "");
    if (d == SVCT_DURATION_FOREVER) {
        *expires_at = 0;
        return SVCT_EXIT_OK;
    }
    if (d > SVCT_TIME_MAX - cli->now)
        return svct_cli_refuse(cli, "%s \"%s\" is too long", opt, svct_shown(cli->pool, text));
    *expires_at = cli->now + d;
    return SVCT_EXIT_OK;
}

static svct_store_rc_t svct_cli_open(svct_cli_t *cli, svct_store_mode_t mode, svct_store_t **st,
                                     int *exit_rc)
{
    const char *msg = NULL;
    svct_store_rc_t rc;

    if (cli->dbd != NULL)
        rc = svct_store_open_dbd(st, cli->dbd, mode, cli->pool, &msg);
    else
        rc = svct_store_open(st, cli->store, cli->dbmtype, mode, cli->pool, &msg);
    if (rc != SVCT_STORE_OK)
        *exit_rc = svct_cli_store_error(cli, msg);
    return rc;
}

/* What list, show and --json print of a token: never its hashes. */
typedef struct svct_row {
    const char *name;
    char client_id[SVCT_CLIENT_ID_LEN + 1];
    int64_t created_at, updated_at, expires_at;
    int64_t prev_expires_at; /* 0: no previous secret works */
    const char *status;
    int n_allow;
    const svct_cidr_t *allow_from;
} svct_row_t;

static void svct_row_set(svct_cli_t *cli, svct_row_t *row, const svct_record_t *rec, int copy)
{
    row->name = copy ? apr_pstrdup(cli->pool, rec->name) : rec->name;
    row->n_allow = rec->n_allow;
    row->allow_from =
        copy ? apr_pmemdup(cli->pool, rec->allow_from, rec->n_allow * sizeof rec->allow_from[0])
             : rec->allow_from;
    memcpy(row->client_id, rec->client_id, sizeof(row->client_id));
    row->created_at = rec->created_at;
    row->updated_at = rec->updated_at;
    row->expires_at = rec->expires_at;
    row->status = svct_status_name(svct_record_status(rec, cli->now));
    row->prev_expires_at =
        rec->has_prev && cli->now < rec->prev_expires_at ? rec->prev_expires_at : 0;
}

/* --allow-from as JSON: an array of CIDRs, or null for any address. */
static json_t *svct_cli_json_allow(const svct_cidr_t *allow, int n)
{
    char text[SVCT_CIDR_TEXT_MAX];
    json_t *a;
    int i;

    if (n == 0)
        return json_null();
    a = json_array();
    for (i = 0; i < n; i++)
        if (svct_cidr_format(&allow[i], text, sizeof text))
            json_array_append_new(a, json_string(text));
    return a;
}

/* --allow-from as text: "10.0.0.0/8, 2001:db8::/32", or "any". */
static const char *svct_cli_allow_text(svct_cli_t *cli, const svct_record_t *rec)
{
    char text[SVCT_CIDR_TEXT_MAX];
    const char *out = NULL;
    int i;

    for (i = 0; i < rec->n_allow; i++)
        if (svct_cidr_format(&rec->allow_from[i], text, sizeof text))
            out =
                out ? apr_pstrcat(cli->pool, out, ", ", text, NULL) : apr_pstrdup(cli->pool, text);
    return out ? out : "any";
}

static json_t *svct_cli_json_row(const svct_row_t *row, const char *secret)
{
    json_t *o = json_object();
    char buf[32];

    json_object_set_new(o, "name", json_string(row->name));
    json_object_set_new(o, "client_id", json_string(row->client_id));
    json_object_set_new(o, "created_at", json_string(svct_fmt_time(row->created_at, buf)));
    json_object_set_new(o, "updated_at", json_string(svct_fmt_time(row->updated_at, buf)));
    json_object_set_new(o, "expires_at",
                        row->expires_at == 0 ? json_null()
                                             : json_string(svct_fmt_time(row->expires_at, buf)));
    json_object_set_new(o, "status", json_string(row->status));
    json_object_set_new(o, "previous_secret_expires_at",
                        row->prev_expires_at == 0
                            ? json_null()
                            : json_string(svct_fmt_time(row->prev_expires_at, buf)));
    json_object_set_new(o, "allow_from", svct_cli_json_allow(row->allow_from, row->n_allow));
    if (secret != NULL)
        json_object_set_new(o, "client_secret", json_string(secret));
    return o;
}

static json_t *svct_cli_json_record(svct_cli_t *cli, const svct_record_t *rec, const char *secret)
{
    svct_row_t row;

    svct_row_set(cli, &row, rec, 0);
    return svct_cli_json_row(&row, secret);
}

static void svct_cli_json_print(svct_cli_t *cli, json_t *doc)
{
    json_dumpf(doc, cli->out, JSON_INDENT(2));
    fputc('\n', cli->out);
    json_decref(doc);
}

static void svct_cli_print_record(svct_cli_t *cli, const svct_record_t *rec)
{
    fprintf(cli->out, "Name:       %s\n", rec->name);
    fprintf(cli->out, "Client ID:  %s\n", rec->client_id);
    fprintf(cli->out, "Created:    %s\n", svct_cli_time(cli, rec->created_at));
    fprintf(cli->out, "Updated:    %s\n", svct_cli_time(cli, rec->updated_at));
    fprintf(cli->out, "Expires:    %s\n", svct_cli_expires(cli, rec->expires_at));
    fprintf(cli->out, "Status:     %s\n", svct_status_name(svct_record_status(rec, cli->now)));
    if (rec->n_allow)
        fprintf(cli->out, "Allow from: %s\n", svct_cli_allow_text(cli, rec));
    if (rec->has_prev && cli->now < rec->prev_expires_at)
        fprintf(cli->out, "Previous secret accepted until %s\n",
                svct_cli_time(cli, rec->prev_expires_at));
}

/* 0 when everything printed so far has reached the output, else -1. */
static int svct_cli_flush(svct_cli_t *cli)
{
    return fflush(cli->out) == 0 && !ferror(cli->out) ? 0 : -1;
}

/* Shared by create and rotate, the only two outputs that hold a secret.
 * Returns svct_cli_flush(): a secret that did not reach the output was
 * never seen. */
static int svct_cli_print_secret(svct_cli_t *cli, const svct_record_t *rec, const char *secret,
                                 const char *note)
{
    if (cli->json) {
        svct_cli_json_print(cli, svct_cli_json_record(cli, rec, secret));
        return svct_cli_flush(cli);
    }
    fprintf(cli->out, "Name:           %s\n", rec->name);
    fprintf(cli->out, "Client ID:      %s\n", rec->client_id);
    fprintf(cli->out, "Client Secret:  %s\n", secret);
    fprintf(cli->out, "Expires:        %s\n", svct_cli_expires(cli, rec->expires_at));
    if (rec->n_allow)
        fprintf(cli->out, "Allow from:     %s\n", svct_cli_allow_text(cli, rec));
    fputs("\nThe Client Secret is shown only this once: store it safely now.\n", cli->out);
    if (note != NULL)
        fprintf(cli->out, "%s\n", note);
    return svct_cli_flush(cli);
}

/* The output failed after a change holding a new secret was committed: the
 * secret was never seen, so the change is undone (UNDO is the store call
 * that does it, already made on ST) and committed again. WHAT says what
 * the change was, for the message. Exit 3 either way. */
static int svct_cli_undo(svct_cli_t *cli, svct_store_t *st, svct_store_rc_t undo, const char *what)
{
    int saved = errno;

    if (undo == SVCT_STORE_OK)
        undo = svct_store_commit(st);
    if (undo == SVCT_STORE_OK)
        fprintf(cli->err,
                "svctoken: cannot write the output: %s; the new secret was not shown, so %s "
                "is undone\n",
                strerror(saved), what);
    else
        fprintf(cli->err,
                "svctoken: cannot write the output: %s; the new secret was not shown, and %s "
                "could not be undone: %s\n",
                strerror(saved), what, svct_store_error(st));
    svct_store_close(st);
    return SVCT_EXIT_STORE;
}

static int svct_cli_new_secret(svct_cli_t *cli, char *secret, unsigned char *hash)
{
    if (svct_secret_new(secret) != 0 ||
        svct_secret_hash_checked(secret, SVCT_SECRET_LEN, hash) != 0)
        return svct_cli_refuse(cli, "cannot make a secret: OpenSSL's random generator failed");
    return SVCT_EXIT_OK;
}

/* Parses --allow-from into REC, if it was given. */
static int svct_cli_allow_from(svct_cli_t *cli, svct_record_t *rec)
{
    const char *bad = NULL;
    size_t bad_len = 0;

    if (cli->allow_from == NULL)
        return SVCT_EXIT_OK;
    switch (svct_cidr_list_parse(cli->allow_from, rec->allow_from, &rec->n_allow, &bad, &bad_len)) {
    case SVCT_CIDR_LIST_OK:
        return SVCT_EXIT_OK;
    case SVCT_CIDR_LIST_BAD:
        return svct_cli_refuse(cli,
                               "bad --allow-from \"%s\": not a CIDR (like 10.0.0.0/8 or "
                               "2001:db8::/32, no bits set past the prefix)",
                               svct_shown(cli->pool, apr_pstrmemdup(cli->pool, bad, bad_len)));
    case SVCT_CIDR_LIST_TOO_MANY:
        return svct_cli_refuse(cli, "--allow-from takes at most %d CIDRs", SVCT_CIDR_MAX);
    case SVCT_CIDR_LIST_EMPTY:
        break;
    }
    return svct_cli_refuse(cli, "--allow-from needs CIDRs separated by commas, or \"any\"");
}

/* SDBM keeps a key and its value in one page, and the SQL store's record
 * column holds 1024 characters: a record that does not fit is refused
 * before anything is written. */
#define SVCT_SDBM_PAIR_MAX 1008
#define SVCT_SQL_RECORD_MAX 1024

static int svct_cli_fits(svct_cli_t *cli, const svct_record_t *rec)
{
    char buf[SVCT_RECORD_MAX];
    const char *type = svct_store_type_name(cli->dbmtype);
    size_t n, max;

    if (cli->dbd != NULL)
        max = SVCT_SQL_RECORD_MAX;
    else if (type != NULL && strcmp(type, "SDBM") == 0)
        max = SVCT_SDBM_PAIR_MAX - 3 - SVCT_CLIENT_ID_LEN; /* the key is "id:" + Client ID */
    else
        return SVCT_EXIT_OK;
    n = svct_record_encode(rec, buf, sizeof buf);
    if (n <= max)
        return SVCT_EXIT_OK;
    return svct_cli_refuse(cli,
                           "this --allow-from list is too long for %s store (%zu bytes in a "
                           "record that holds %zu): use fewer ranges%s",
                           cli->dbd ? "a SQL" : "an SDBM", n, max,
                           cli->dbd ? "" : " or a default, GDBM or DB store");
}

static int svct_cli_create(svct_cli_t *cli)
{
    const char *name = cli->args[0];
    char secret[SVCT_SECRET_LEN + 1];
    svct_record_t rec, old;
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc, tries;

    if (!svct_name_creatable(name, strlen(name)))
        return svct_cli_refuse(cli,
                               "invalid name \"%s\": use 1 to %d letters, digits and "
                               "characters of %s, or characters beyond ASCII other than spaces "
                               "and invisible ones; not a lone \"-\", not shaped like a "
                               "Client ID",
                               svct_shown(cli->pool, name), SVCT_NAME_MAX_CHARS, SVCT_NAME_PUNCT);
    memset(&rec, 0, sizeof(rec));
    exit_rc = svct_cli_expiry(
        cli, "duration", cli->duration ? cli->duration : SVCT_DEFAULT_DURATION, 1, &rec.expires_at);
    if (exit_rc != SVCT_EXIT_OK)
        return exit_rc;
    if ((exit_rc = svct_cli_allow_from(cli, &rec)) != SVCT_EXIT_OK)
        return exit_rc;
    memcpy(rec.name, name, strlen(name) + 1);
    rec.created_at = rec.updated_at = cli->now;
    rec.enabled = 1;

    if (svct_cli_open(cli, SVCT_STORE_WRITE, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_get_by_name(st, name, &old);
    if (rc == SVCT_STORE_OK) {
        svct_store_close(st);
        return svct_cli_refuse(cli, "a token named \"%s\" already exists", name);
    }
    if (rc != SVCT_STORE_NOTFOUND)
        goto fail;
    /* 128 random bits do not collide in practice; the loop only makes the
     * store's refusal of a duplicate id impossible to hit. */
    for (tries = 0; tries < 4; tries++) {
        if (svct_client_id_new(rec.client_id) != 0) {
            svct_store_close(st);
            return svct_cli_refuse(cli, "cannot make a Client ID: OpenSSL's random generator "
                                        "failed");
        }
        rc = svct_store_get_by_id(st, rec.client_id, &old);
        if (rc != SVCT_STORE_OK)
            break;
    }
    if (rc != SVCT_STORE_NOTFOUND)
        goto fail;
    if ((exit_rc = svct_cli_new_secret(cli, secret, rec.secret_hash)) != SVCT_EXIT_OK ||
        (exit_rc = svct_cli_fits(cli, &rec)) != SVCT_EXIT_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        svct_store_close(st);
        return exit_rc;
    }
    rc = svct_store_insert(st, &rec);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_commit(st);
    if (rc != SVCT_STORE_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        goto fail;
    }
    /* Printed before the store is closed (which waits, store.h), while the
     * lock still keeps every other change out, so that the token can be
     * taken back if its secret cannot be shown. */
    exit_rc = svct_cli_print_secret(cli, &rec, secret, NULL);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (exit_rc != 0)
        return svct_cli_undo(cli, st, svct_store_delete(st, &rec), "the token's creation");
    svct_store_close(st);
    return SVCT_EXIT_OK;

fail:
    exit_rc = svct_cli_store_rc(cli, st, rc, name);
    svct_store_close(st);
    return exit_rc;
}

typedef struct svct_list {
    svct_cli_t *cli;
    apr_array_header_t *rows;
} svct_list_t;

static int svct_cli_list_visit(void *baton, const svct_record_t *rec)
{
    svct_list_t *l = baton;

    svct_row_set(l->cli, apr_array_push(l->rows), rec, 1);
    return 0;
}

static int svct_row_cmp(const void *a, const void *b)
{
    const svct_row_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : strcmp(x->client_id, y->client_id);
}

/* Display width of a name for table alignment: one column per code point,
 * which is right for the scripts names are usually written in. */
static size_t svct_width(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static void svct_cli_pad(FILE *out, const char *s, size_t width)
{
    size_t w = svct_width(s);

    fputs(s, out);
    for (; w < width + 2; w++)
        fputc(' ', out);
}

static int svct_cli_list(svct_cli_t *cli)
{
    svct_list_t l;
    svct_store_t *st;
    svct_store_rc_t rc;
    svct_row_t *rows;
    size_t namew = strlen("NAME"), expw = strlen("EXPIRES");
    int exit_rc, i;

    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    l.cli = cli;
    l.rows = apr_array_make(cli->pool, 64, sizeof(svct_row_t));
    rc = svct_store_foreach(st, svct_cli_list_visit, &l, NULL);
    if (rc != SVCT_STORE_OK) {
        exit_rc = svct_cli_store_rc(cli, st, rc, NULL);
        svct_store_close(st);
        return exit_rc;
    }
    svct_store_close(st);
    rows = (svct_row_t *)l.rows->elts;
    qsort(rows, (size_t)l.rows->nelts, sizeof(*rows), svct_row_cmp);

    if (cli->json) {
        /* One object at a time, so a large store does not need a whole
         * JSON tree in memory. */
        fputs("[", cli->out);
        for (i = 0; i < l.rows->nelts; i++) {
            json_t *o = svct_cli_json_row(&rows[i], NULL);
            char *text = json_dumps(o, JSON_INDENT(2));
            json_decref(o);
            if (text == NULL)
                return svct_cli_refuse(cli, "out of memory");
            /* Indent the object as an element of the array. */
            fputs(i ? ",\n  " : "\n  ", cli->out);
            for (char *c = text; *c != '\0'; c++) {
                fputc(*c, cli->out);
                if (*c == '\n')
                    fputs("  ", cli->out);
            }
            free(text);
        }
        fputs(l.rows->nelts ? "\n]\n" : "]\n", cli->out);
        return SVCT_EXIT_OK;
    }
    for (i = 0; i < l.rows->nelts; i++) {
        size_t w = svct_width(rows[i].name);
        if (w > namew)
            namew = w;
        if (rows[i].expires_at != 0)
            expw = 20;
    }
    svct_cli_pad(cli->out, "NAME", namew);
    svct_cli_pad(cli->out, "CLIENT ID", SVCT_CLIENT_ID_LEN);
    svct_cli_pad(cli->out, "CREATED", 20);
    svct_cli_pad(cli->out, "UPDATED", 20);
    svct_cli_pad(cli->out, "EXPIRES", expw);
    fputs("STATUS\n", cli->out);
    for (i = 0; i < l.rows->nelts; i++) {
        char buf[32];
        svct_cli_pad(cli->out, rows[i].name, namew);
        svct_cli_pad(cli->out, rows[i].client_id, SVCT_CLIENT_ID_LEN);
        svct_cli_pad(cli->out, svct_fmt_time(rows[i].created_at, buf), 20);
        svct_cli_pad(cli->out, svct_fmt_time(rows[i].updated_at, buf), 20);
        svct_cli_pad(cli->out,
                     rows[i].expires_at ? svct_fmt_time(rows[i].expires_at, buf) : "never", expw);
        fprintf(cli->out, "%s\n", rows[i].status);
    }
    return SVCT_EXIT_OK;
}

static int svct_cli_show(svct_cli_t *cli)
{
    svct_record_t rec;
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_find(st, cli->args[0], &rec);
    if (rc != SVCT_STORE_OK) {
        exit_rc = svct_cli_store_rc(cli, st, rc, cli->args[0]);
        svct_store_close(st);
        return exit_rc;
    }
    svct_store_close(st);
    if (cli->json)
        svct_cli_json_print(cli, svct_cli_json_record(cli, &rec, NULL));
    else
        svct_cli_print_record(cli, &rec);
    return SVCT_EXIT_OK;
}

typedef enum {
    SVCT_CHANGE_REFRESH,
    SVCT_CHANGE_ROTATE,
    SVCT_CHANGE_DISABLE,
    SVCT_CHANGE_ENABLE,
    SVCT_CHANGE_DELETE,
    SVCT_CHANGE_SET
} svct_change_t;

/* The read-modify-write commands: one exclusive lock from find to write. */
static int svct_cli_change(svct_cli_t *cli, svct_change_t change)
{
    const char *key = cli->args[0];
    char secret[SVCT_SECRET_LEN + 1];
    unsigned char hash[SVCT_HASH_LEN];
    int64_t expires_at = 0, prev_expires_at = 0;
    svct_record_t rec, before, set;
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc;

    /* Options first, so a bad value is refused before the store is touched. */
    if (change == SVCT_CHANGE_REFRESH) {
        exit_rc = svct_cli_expiry(
            cli, "duration", cli->duration ? cli->duration : SVCT_DEFAULT_DURATION, 1, &expires_at);
        if (exit_rc != SVCT_EXIT_OK)
            return exit_rc;
    }
    if (change == SVCT_CHANGE_ROTATE && cli->grace != NULL && strcmp(cli->grace, "0") != 0) {
        exit_rc = svct_cli_expiry(cli, "grace", cli->grace, 0, &prev_expires_at);
        if (exit_rc != SVCT_EXIT_OK)
            return exit_rc;
    }
    if (change == SVCT_CHANGE_SET) {
        if (cli->allow_from == NULL)
            return svct_cli_usage(cli->err, "set needs --allow-from CIDR,...|any");
        if ((exit_rc = svct_cli_allow_from(cli, &set)) != SVCT_EXIT_OK)
            return exit_rc;
    }

    if (svct_cli_open(cli, SVCT_STORE_MODIFY, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_find(st, key, &rec);
    if (rc != SVCT_STORE_OK)
        goto fail;
    before = rec;
    rec.updated_at = cli->now;
    switch (change) {
    case SVCT_CHANGE_REFRESH:
        rec.expires_at = expires_at;
        break;
    case SVCT_CHANGE_ROTATE:
        /* A new secret for a token that cannot get in would never work. */
        if (rec.expires_at != 0 && cli->now >= rec.expires_at) {
            svct_store_close(st);
            return svct_cli_refuse(cli, "token expired: refresh it first");
        }
        if ((exit_rc = svct_cli_new_secret(cli, secret, hash)) != SVCT_EXIT_OK) {
            svct_store_close(st);
            return exit_rc;
        }
        /* A still-running older grace period ends here: only the secret
         * just replaced may overlap with the new one. */
        rec.has_prev = prev_expires_at != 0;
        rec.prev_expires_at = prev_expires_at;
        if (rec.has_prev)
            memcpy(rec.prev_hash, rec.secret_hash, SVCT_HASH_LEN);
        else
            memset(rec.prev_hash, 0, SVCT_HASH_LEN);
        memcpy(rec.secret_hash, hash, SVCT_HASH_LEN);
        break;
    case SVCT_CHANGE_DISABLE:
        rec.enabled = 0;
        break;
    case SVCT_CHANGE_ENABLE:
        rec.enabled = 1;
        break;
    case SVCT_CHANGE_DELETE:
        break;
    case SVCT_CHANGE_SET:
        rec.n_allow = set.n_allow;
        memcpy(rec.allow_from, set.allow_from, sizeof rec.allow_from);
        if ((exit_rc = svct_cli_fits(cli, &rec)) != SVCT_EXIT_OK) {
            svct_store_close(st);
            return exit_rc;
        }
        break;
    }
    if (change == SVCT_CHANGE_DELETE)
        rc = svct_store_delete(st, &rec);
    else
        rc = svct_store_update(st, &rec);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_commit(st);
    if (rc != SVCT_STORE_OK) {
        if (change == SVCT_CHANGE_ROTATE)
            OPENSSL_cleanse(secret, sizeof(secret));
        goto fail;
    }

    if (change == SVCT_CHANGE_ROTATE) {
        /* As in create: shown under the lock, taken back if it cannot be. */
        exit_rc = svct_cli_print_secret(
            cli, &rec, secret,
            cli->json      ? NULL
            : rec.has_prev ? apr_psprintf(cli->pool, "The previous secret is accepted until %s.",
                                          svct_cli_time(cli, rec.prev_expires_at))
                           : "The previous secret no longer works.");
        OPENSSL_cleanse(secret, sizeof(secret));
        if (exit_rc != 0)
            return svct_cli_undo(cli, st, svct_store_update(st, &before), "the rotation");
        svct_store_close(st);
        return SVCT_EXIT_OK;
    }
    svct_store_close(st);
    if (cli->json) {
        svct_cli_json_print(cli, svct_cli_json_record(cli, &rec, NULL));
    } else if (change == SVCT_CHANGE_REFRESH) {
        fprintf(cli->out, "Refreshed \"%s\" (%s): expires %s.\n", rec.name, rec.client_id,
                svct_cli_expires(cli, rec.expires_at));
    } else if (change == SVCT_CHANGE_SET) {
        fprintf(cli->out, "\"%s\" (%s) is accepted from %s.\n", rec.name, rec.client_id,
                rec.n_allow ? svct_cli_allow_text(cli, &rec) : "any address");
    } else {
        fprintf(cli->out, "%s \"%s\" (%s).\n",
                change == SVCT_CHANGE_DISABLE  ? "Disabled"
                : change == SVCT_CHANGE_ENABLE ? "Enabled"
                                               : "Deleted",
                rec.name, rec.client_id);
    }
    return SVCT_EXIT_OK;

fail:
    exit_rc = svct_cli_store_rc(cli, st, rc, key);
    svct_store_close(st);
    return exit_rc;
}

static int svct_cli_refresh(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_REFRESH);
}

static int svct_cli_rotate(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_ROTATE);
}

static int svct_cli_disable(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_DISABLE);
}

static int svct_cli_enable(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_ENABLE);
}

static int svct_cli_delete(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_DELETE);
}

static int svct_cli_set(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_SET);
}

/* A revocation time further than this ahead of the clock of the file system
 * that holds the store was made by a clock that is wrong. */
#define SVCT_REVOKE_AHEAD_MAX 5

/* The file system's clock where the store lives: the mtime it gives a file
 * made beside the store (on a shared file system, the server's clock), or -1
 * if none can be made or the store is not a file. */
static int64_t svct_cli_store_clock(svct_cli_t *cli)
{
    char *tmp;
    struct stat sb;
    int fd, ok;

    if (cli->dbd != NULL || cli->store == NULL) /* a SQL store: no file system to ask */
        return -1;
    tmp = apr_pstrcat(cli->pool, cli->store, ".clock-XXXXXX", NULL);
    if ((fd = mkstemp(tmp)) < 0)
        return -1;
    ok = fstat(fd, &sb) == 0;
    close(fd);
    unlink(tmp);
    return ok ? (int64_t)sb.st_mtime : -1;
}

static int svct_cli_revocation_print(svct_cli_t *cli, int64_t when)
{
    if (cli->json) {
        json_t *o = json_object();
        json_object_set_new(o, "revoked_before",
                            when ? json_string(svct_cli_time(cli, when)) : json_null());
        svct_cli_json_print(cli, o);
    } else if (when) {
        fprintf(cli->out, "Sessions issued before %s are refused.\n", svct_cli_time(cli, when));
    } else {
        fputs("No sessions have been revoked.\n", cli->out);
    }
    return SVCT_EXIT_OK;
}

/* JWT iat has whole seconds: a session issued during this second has iat
 * == now, so the bound is the next second (a session issued after it, in
 * the same second, carries that very time and is not refused by it). The
 * time is never lowered, so a clock stepping back cannot bring revoked
 * sessions back, unless --reset asks to: the way out of a time set by a
 * clock that ran ahead. */
static int svct_cli_revoke_sessions(svct_cli_t *cli)
{
    svct_store_t *st;
    svct_store_rc_t rc;
    int64_t before = 0, when = cli->now + 1, fs_now = svct_cli_store_clock(cli);
    int exit_rc, reset = (cli->opts_seen & SVCT_OPT_RESET) != 0;

    if (fs_now >= 0 && when > fs_now + 1 + SVCT_REVOKE_AHEAD_MAX)
        return svct_cli_refuse(cli,
                               "this machine's clock is %lld s ahead of the file system that "
                               "holds the token store: set it right first (nothing was changed)",
                               (long long)(when - 1 - fs_now));
    if (svct_cli_open(cli, SVCT_STORE_MODIFY, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_get_revoked_before(st, &before);
    if (rc == SVCT_STORE_OK && (before < when || (reset && before != when))) {
        rc = svct_store_set_revoked_before(st, when);
        if (rc == SVCT_STORE_OK)
            rc = svct_store_commit(st);
    }
    if (rc != SVCT_STORE_OK) {
        exit_rc = svct_cli_store_rc(cli, st, rc, NULL);
        svct_store_close(st);
        return exit_rc;
    }
    svct_store_close(st);
    if (!reset && before > when) {
        if (before > when + SVCT_REVOKE_AHEAD_MAX)
            fprintf(cli->err,
                    "svctoken: the revocation time %s is ahead of this clock; if it is wrong, "
                    "run revoke-sessions --reset\n",
                    svct_cli_time(cli, before));
        when = before;
    }
    return svct_cli_revocation_print(cli, when);
}

static int svct_cli_revocation(svct_cli_t *cli)
{
    svct_store_t *st;
    svct_store_rc_t rc;
    int64_t when = 0;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_get_revoked_before(st, &when);
    if (rc != SVCT_STORE_OK) {
        exit_rc = svct_cli_store_rc(cli, st, rc, NULL);
        svct_store_close(st);
        return exit_rc;
    }
    svct_store_close(st);
    return svct_cli_revocation_print(cli, when);
}

typedef struct svct_check {
    svct_cli_t *cli;
    json_t *problems; /* with --json; else each is printed at once */
} svct_check_t;

static void svct_cli_check_problem(void *baton, const char *problem)
{
    svct_check_t *c = baton;

    if (c->problems != NULL)
        json_array_append_new(c->problems, json_string(problem));
    else
        fprintf(c->cli->out, "problem: %s\n", problem);
}

/* How to get a store back, for check: svctoken replaces the store's files
 * whole on every change, so any copy of them is a consistent store. */
#define SVCT_CHECK_RESTORE                                                                         \
    "restore the store's files from a backup (any copy taken while svctoken\n"                     \
    "was not running is a whole store), or re-create the tokens with svctoken create.\n"

static int svct_cli_check(svct_cli_t *cli)
{
    int repair = (cli->opts_seen & SVCT_OPT_REPAIR) != 0, exit_rc;
    svct_check_t check = {cli, NULL};
    svct_store_verify_t v;
    svct_store_t *st;
    svct_store_rc_t rc;

    if (cli->dbd != NULL)
        return svct_cli_refuse(cli, "check reads a DBM store; a SQL database keeps its tables "
                                    "consistent itself (keys and constraints)");
    if (svct_cli_open(cli, repair ? SVCT_STORE_MODIFY : SVCT_STORE_READ, &st, &exit_rc) !=
        SVCT_STORE_OK) {
        if (!cli->json)
            fputs("To recover: " SVCT_CHECK_RESTORE, cli->out);
        return exit_rc;
    }
    if (cli->json)
        check.problems = json_array();
    rc = svct_store_verify(st, repair, svct_cli_check_problem, &check, &v);
    if (rc == SVCT_STORE_OK && repair && v.repaired > 0)
        rc = svct_store_commit(st);
    if (rc != SVCT_STORE_OK) {
        exit_rc = svct_cli_store_error(cli, svct_store_error(st));
        svct_store_close(st);
        json_decref(check.problems);
        if (!cli->json)
            fputs("To recover: " SVCT_CHECK_RESTORE, cli->out);
        return exit_rc;
    }
    svct_store_close(st);
    if (cli->json) {
        json_t *o = json_object();
        json_object_set_new(o, "tokens", json_integer(v.tokens));
        json_object_set_new(o, "problems", check.problems);
        json_object_set_new(o, "repaired", json_integer(v.repaired));
        svct_cli_json_print(cli, o);
        return v.problems == v.repaired ? SVCT_EXIT_OK : SVCT_EXIT_STORE;
    }
    fprintf(cli->out, "%s: %ld token%s, %ld problem%s", cli->store, v.tokens,
            v.tokens == 1 ? "" : "s", v.problems, v.problems == 1 ? "" : "s");
    if (repair)
        fprintf(cli->out, ", %ld repaired", v.repaired);
    fputs(".\n", cli->out);
    if (v.problems == v.repaired)
        return SVCT_EXIT_OK;
    fputs("To recover: `svctoken check --repair` makes the name index match the records.\n"
          "A record that does not parse stays: " SVCT_CHECK_RESTORE,
          cli->out);
    return SVCT_EXIT_STORE;
}

static int svct_cli_keygen(svct_cli_t *cli)
{
    const char *algname = cli->alg ? cli->alg : "ES256";
    svct_alg_t alg = svct_alg_from_name(algname);
    svct_key_t *key;
    char err[256];

    if (alg == SVCT_ALG_NONE)
        return svct_cli_usage(cli->err,
                              "unknown algorithm \"%s\" (use ES256, RS256, EdDSA or "
                              "HS256)",
                              svct_shown(cli->pool, algname));
    err[0] = '\0';
    key = svct_key_generate(alg, err, sizeof(err));
    if (key == NULL)
        return svct_cli_refuse(cli, "%s", err[0] ? err : "cannot generate a key");
    if (svct_key_write_file(key, cli->outfile, err, sizeof(err)) != 0) {
        svct_key_free(key);
        return svct_cli_refuse(cli, "%s", err[0] ? err : "cannot write the key file");
    }
    if (cli->json) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(cli->outfile));
        json_object_set_new(o, "alg", json_string(svct_alg_name(svct_key_alg(key))));
        json_object_set_new(o, "kid", json_string(svct_key_kid(key)));
        svct_cli_json_print(cli, o);
    } else {
        fprintf(cli->out, "Wrote a new signing key to %s (mode 0600).\n", cli->outfile);
        fprintf(cli->out, "Algorithm:  %s\n", svct_alg_name(svct_key_alg(key)));
        fprintf(cli->out, "Key ID:     %s\n", svct_key_kid(key));
    }
    svct_key_free(key);
    return SVCT_EXIT_OK;
}

static int svct_cli_init(svct_cli_t *cli)
{
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_INIT, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_commit(st);
    if (rc != SVCT_STORE_OK) {
        exit_rc = svct_cli_store_rc(cli, st, rc, NULL);
        svct_store_close(st);
        return exit_rc;
    }
    svct_store_close(st);
    if (cli->json) {
        json_t *o = json_object();
        json_object_set_new(o, "initialised", json_true());
        svct_cli_json_print(cli, o);
    } else {
        fputs("The token store is ready.\n", cli->out);
    }
    return SVCT_EXIT_OK;
}

static int svct_cli_export(svct_cli_t *cli)
{
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_export(st, cli->out);
    exit_rc = rc == SVCT_STORE_OK ? SVCT_EXIT_OK : svct_cli_store_rc(cli, st, rc, NULL);
    svct_store_close(st);
    return exit_rc;
}

static int svct_cli_import(svct_cli_t *cli)
{
    svct_store_t *st;
    svct_import_rc_t rc;
    const char *why = NULL;
    int exit_rc, count = 0;

    if (svct_cli_open(cli, SVCT_STORE_WRITE, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_import(st, stdin, (cli->opts_seen & SVCT_OPT_REPLACE) != 0, cli->pool, &count, &why);
    if (rc == SVCT_IMPORT_OK && svct_store_commit(st) != SVCT_STORE_OK)
        rc = SVCT_IMPORT_STORE;
    if (rc == SVCT_IMPORT_STORE)
        exit_rc = svct_cli_store_error(cli, svct_store_error(st));
    svct_store_close(st);
    if (rc == SVCT_IMPORT_STORE)
        return exit_rc;
    if (rc == SVCT_IMPORT_REFUSED)
        return svct_cli_refuse(cli, "%s", svct_shown(cli->pool, why));
    if (cli->json) {
        json_t *o = json_object();
        json_object_set_new(o, "imported", json_integer(count));
        svct_cli_json_print(cli, o);
    } else {
        fprintf(cli->out, "Imported %d token%s.\n", count, count == 1 ? "" : "s");
    }
    return SVCT_EXIT_OK;
}

/* help [COMMAND] and version: no store, no options but --json. */
static int svct_cli_help(svct_cli_t *cli, const char *cmdname)
{
    if (cmdname[0] == 'v') {
        if (cli->nargs != 0 || cli->opts_seen != 0)
            return svct_cli_usage(cli->err, "version takes no argument");
        if (cli->json) {
            json_t *o = json_object();
            json_object_set_new(o, "version", json_string(SVCT_VERSION));
            svct_cli_json_print(cli, o);
        } else {
            fputs("svctoken " SVCT_VERSION "\n", cli->out);
        }
        return SVCT_EXIT_OK;
    }
    if (cli->nargs > 1 || cli->opts_seen != 0)
        return svct_cli_usage(cli->err, "help takes at most one argument, a command");
    if (cli->nargs == 0) {
        fputs(svct_help, cli->out);
        return SVCT_EXIT_OK;
    }
    if (svct_cli_help_command(cli->out, svct_help, cli->args[0]) != 0)
        return svct_cli_usage(cli->err, "unknown command \"%s\"",
                              svct_shown(cli->pool, cli->args[0]));
    return SVCT_EXIT_OK;
}

/* The document is JSON already, so --json changes nothing. */
static int svct_cli_jwks(svct_cli_t *cli)
{
    svct_keyring_t *ring;
    svct_jwks_t jwks;
    char err[512];

    err[0] = '\0';
    ring = svct_jwks_keyring_from_files(cli->args, (size_t)cli->nargs, 1, err, sizeof(err));
    if (ring == NULL)
        return svct_cli_refuse(cli, "%s", svct_shown(cli->pool, err));
    if (svct_jwks_make(ring, &jwks) != 0) {
        svct_keyring_free(ring);
        return svct_cli_refuse(cli, "out of memory");
    }
    fprintf(cli->out, "%s\n", jwks.json);
    svct_jwks_clear(&jwks);
    svct_keyring_free(ring);
    return SVCT_EXIT_OK;
}

static const svct_command_t svct_commands[] = {
    {"create", 1, SVCT_OPT_DURATION | SVCT_OPT_ALLOW_FROM, 1, svct_cli_create},
    {"list", 0, 0, 1, svct_cli_list},
    {"show", 1, 0, 1, svct_cli_show},
    {"refresh", 1, SVCT_OPT_DURATION, 1, svct_cli_refresh},
    {"rotate", 1, SVCT_OPT_GRACE, 1, svct_cli_rotate},
    {"disable", 1, 0, 1, svct_cli_disable},
    {"enable", 1, 0, 1, svct_cli_enable},
    {"delete", 1, 0, 1, svct_cli_delete},
    {"set", 1, SVCT_OPT_ALLOW_FROM, 1, svct_cli_set},
    {"revoke-sessions", 0, SVCT_OPT_RESET, 1, svct_cli_revoke_sessions},
    {"revocation", 0, 0, 1, svct_cli_revocation},
    {"check", 0, SVCT_OPT_REPAIR, 1, svct_cli_check},
    {"keygen", 0, SVCT_OPT_ALG | SVCT_OPT_OUT, 0, svct_cli_keygen},
    {"init", 0, 0, 1, svct_cli_init},
    {"export", 0, 0, 1, svct_cli_export},
    {"import", 0, SVCT_OPT_REPLACE, 1, svct_cli_import},
    {"jwks", -1, 0, 0, svct_cli_jwks},
};

static const struct {
    const char *name;
    unsigned flag;
} svct_value_opts[] = {
    {"--duration", SVCT_OPT_DURATION},
    {"--grace", SVCT_OPT_GRACE},
    {"--alg", SVCT_OPT_ALG},
    {"--out", SVCT_OPT_OUT},
    {"--dbd", 0},
    {"--allow-from", SVCT_OPT_ALLOW_FROM},
};

static void svct_cli_set_opt(svct_cli_t *cli, unsigned flag, const char *value)
{
    cli->opts_seen |= flag;
    if (flag == 0)
        cli->dbd = value;
    else if (flag == SVCT_OPT_DURATION)
        cli->duration = value;
    else if (flag == SVCT_OPT_GRACE)
        cli->grace = value;
    else if (flag == SVCT_OPT_ALG)
        cli->alg = value;
    else if (flag == SVCT_OPT_ALLOW_FROM)
        cli->allow_from = value;
    else
        cli->outfile = value;
}

int svct_cli_run(int argc, char **argv, const char *store_env, FILE *out, FILE *err, apr_pool_t *p)
{
    svct_cli_t cli;
    const svct_command_t *cmd = NULL;
    const char *cmdname = NULL, *dbd_env = getenv("SVCTOKEN_DBD");
    int store_given = 0;
    int i, rc, opts_done = 0;
    size_t c;

    memset(&cli, 0, sizeof(cli));
    cli.pool = p;
    cli.out = out;
    cli.err = err;
    cli.store = store_env;
    cli.args = apr_pcalloc(p, (size_t)argc * sizeof(*cli.args));

    /* Help wins over any other mistake on the line. */
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(svct_help, out);
            return SVCT_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            fputs("svctoken " SVCT_VERSION "\n", out);
            return SVCT_EXIT_OK;
        }

    /* Options may come before or after the command and its arguments. */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && a[0] == '-' && a[1] != '\0') {
            const char *eq = strchr(a, '=');
            size_t namelen = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
            int matched = 0;
            if (strcmp(a, "--") == 0) {
                opts_done = 1;
                continue;
            }
            if (strcmp(a, "--json") == 0) {
                cli.json = 1;
                continue;
            }
            if (strcmp(a, "--repair") == 0) {
                cli.opts_seen |= SVCT_OPT_REPAIR;
                continue;
            }
            if (strcmp(a, "--replace") == 0) {
                cli.opts_seen |= SVCT_OPT_REPLACE;
                continue;
            }
            if (strcmp(a, "--reset") == 0) {
                cli.opts_seen |= SVCT_OPT_RESET;
                continue;
            }
            if (strcmp(a, "-f") == 0 || strcmp(a, "-t") == 0) {
                if (i + 1 >= argc)
                    return svct_cli_usage(err, "option %s needs a value", a);
                if (a[1] == 'f') {
                    cli.store = argv[++i];
                    store_given = 1;
                } else
                    cli.dbmtype = argv[++i];
                continue;
            }
            for (c = 0; c < sizeof(svct_value_opts) / sizeof(svct_value_opts[0]); c++) {
                if (strlen(svct_value_opts[c].name) != namelen ||
                    strncmp(a, svct_value_opts[c].name, namelen) != 0)
                    continue;
                matched = 1;
                if (eq != NULL && a[1] == '-')
                    svct_cli_set_opt(&cli, svct_value_opts[c].flag, eq + 1);
                else if (i + 1 < argc)
                    svct_cli_set_opt(&cli, svct_value_opts[c].flag, argv[++i]);
                else
                    return svct_cli_usage(err, "option %s needs a value", a);
                break;
            }
            if (!matched)
                return svct_cli_usage(err, "unknown option \"%s\"", svct_shown(p, a));
            continue;
        }
        if (cmdname == NULL)
            cmdname = a;
        else
            cli.args[cli.nargs++] = a;
    }

    if (cmdname == NULL)
        return svct_cli_usage(err, "no command given");
    if (strcmp(cmdname, "help") == 0 || strcmp(cmdname, "version") == 0)
        return svct_cli_help(&cli, cmdname);
    for (c = 0; c < sizeof(svct_commands) / sizeof(svct_commands[0]); c++)
        if (strcmp(cmdname, svct_commands[c].name) == 0)
            cmd = &svct_commands[c];
    if (cmd == NULL)
        return svct_cli_usage(err, "unknown command \"%s\"", svct_shown(p, cmdname));
    if (cmd->nargs < 0 ? cli.nargs == 0 : cli.nargs != cmd->nargs)
        return svct_cli_usage(err,
                              cli.nargs < cmd->nargs || cli.nargs == 0 ? "%s: missing argument"
                                                                       : "%s: too many arguments",
                              cmd->name);
    if (cli.opts_seen & ~cmd->opts & SVCT_OPT_REPAIR)
        return svct_cli_usage(err, "%s does not take --repair", cmd->name);
    if (cli.opts_seen & ~cmd->opts & SVCT_OPT_RESET)
        return svct_cli_usage(err, "%s does not take --reset", cmd->name);
    if (cli.opts_seen & ~cmd->opts) {
        for (c = 0; c < sizeof(svct_value_opts) / sizeof(svct_value_opts[0]); c++)
            if (cli.opts_seen & ~cmd->opts & svct_value_opts[c].flag)
                return svct_cli_usage(err, "%s does not take %s", cmd->name,
                                      svct_value_opts[c].name);
    }
    if (cli.opts_seen & ~cmd->opts & SVCT_OPT_REPLACE)
        return svct_cli_usage(err, "%s does not take --replace", cmd->name);
    if ((cmd->opts & SVCT_OPT_OUT) && (cli.outfile == NULL || *cli.outfile == '\0'))
        return svct_cli_usage(err, "%s needs --out FILE", cmd->name);
    /* -f and --dbd name one store each: never both. From the environment,
     * a flag of either kind wins over the other's variable. */
    if (cli.dbd != NULL && store_given)
        return svct_cli_usage(err, "give either -f STORE or --dbd DRIVER:PARAMS, not both");
    if (cli.dbd != NULL && cli.dbmtype != NULL)
        return svct_cli_usage(err, "-t DBMTYPE is for a DBM store, not for --dbd");
    if (cli.dbd == NULL && !store_given && dbd_env != NULL && *dbd_env != '\0') {
        if (cli.store != NULL && *cli.store != '\0')
            return svct_cli_usage(err, "both SVCTOKEN_STORE and SVCTOKEN_DBD are set: give -f "
                                       "or --dbd");
        cli.dbd = dbd_env;
    }
    if (cli.dbd != NULL && cmd->needs_store) {
        if (*cli.dbd == '\0')
            return svct_cli_usage(err, "--dbd needs DRIVER:PARAMS");
    } else if (cmd->needs_store) {
        if (cli.store == NULL || *cli.store == '\0')
            return svct_cli_usage(err, "no token store: give -f STORE or --dbd DRIVER:PARAMS, "
                                       "or set SVCTOKEN_STORE or SVCTOKEN_DBD");
        if (svct_store_type_name(cli.dbmtype) == NULL)
            return svct_cli_usage(err, "unknown DBM type \"%s\" (use default, SDBM, GDBM or DB)",
                                  svct_shown(p, cli.dbmtype));
    }
    cli.now = (int64_t)time(NULL);
    /* Berkeley DB prints its own complaints (a file of another type, a
     * failed write) on stderr; the user gets our single line instead. */
    if (cmd->needs_store && err == stderr)
        svct_cli_quiet_stderr(&cli);
    rc = cmd->run(&cli);
    /* Whatever a command printed must have reached its reader: a change
     * that was made says so on stderr, not by exit 0 alone. */
    if (svct_cli_flush(&cli) != 0 && rc == SVCT_EXIT_OK) {
        fprintf(cli.err, "svctoken: cannot write the output: %s%s\n", strerror(errno),
                cmd->needs_store && strcmp(cmd->name, "list") != 0 &&
                        strcmp(cmd->name, "show") != 0 && strcmp(cmd->name, "check") != 0
                    ? " (the change itself is made)"
                    : "");
        rc = SVCT_EXIT_STORE;
    }
    if (cli.err != err) {
        fclose(cli.err);
        dup2(cli.saved_stderr, STDERR_FILENO);
        close(cli.saved_stderr);
    }
    return rc;
}
