/*
 * What every svctoken command shares (cli_cmd.h): its messages and exit
 * statuses, times and durations, and opening the store it names.
 */
#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>

#include "cli_cmd.h"
#include "duration.h"
#include "secret.h"
#include "transfer.h"

const char *svct_shown(apr_pool_t *p, const char *user)
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

int svct_cli_refuse(svct_cli_t *cli, const char *fmt, ...)
{
    va_list ap;

    fputs("svctoken: ", cli->err);
    va_start(ap, fmt);
    vfprintf(cli->err, fmt, ap);
    va_end(ap);
    fputc('\n', cli->err);
    return SVCT_EXIT_REFUSED;
}

int svct_cli_usage(FILE *err, const char *fmt, ...)
{
    va_list ap;

    fputs("svctoken: ", err);
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fputs("\n" SVCT_USAGE " (see svctoken --help)\n", err);
    return SVCT_EXIT_USAGE;
}

int svct_cli_store_error(svct_cli_t *cli, const char *msg)
{
    fprintf(cli->err, "svctoken: %s\n", msg != NULL && *msg != '\0' ? msg : "token store error");
    return SVCT_EXIT_STORE;
}

int svct_cli_store_rc(svct_cli_t *cli, svct_store_t *st, svct_store_rc_t rc, const char *key)
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

const char *svct_cli_time(svct_cli_t *cli, int64_t t)
{
    char buf[32];

    return apr_pstrdup(cli->pool, svct_time_format(t, buf));
}

const char *svct_cli_expires(svct_cli_t *cli, int64_t expires_at)
{
    return expires_at == 0 ? "never" : svct_cli_time(cli, expires_at);
}

int svct_cli_expiry(svct_cli_t *cli, const char *opt, const char *text, int allow_forever,
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

svct_store_rc_t svct_cli_open(svct_cli_t *cli, svct_store_mode_t mode, svct_store_t **st,
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

int svct_cli_close(svct_cli_t *cli, svct_store_t *st, svct_store_rc_t rc, const char *key)
{
    int exit_rc = rc == SVCT_STORE_OK ? SVCT_EXIT_OK : svct_cli_store_rc(cli, st, rc, key);

    svct_store_close(st);
    return exit_rc;
}

int svct_cli_flush(svct_cli_t *cli)
{
    return fflush(cli->out) == 0 && !ferror(cli->out) ? 0 : -1;
}
