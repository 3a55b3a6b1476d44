/*
 * What every svctoken command shares: the parsed command line, and the few
 * ways a command speaks (one-line refusals and usage errors, exit statuses),
 * reads times and durations, and opens the store. cli.c fills svct_cli_t and
 * runs one command; cli_token.c, cli_store.c and cli_key.c hold the commands.
 */
#ifndef SVCT_CLI_CMD_H
#define SVCT_CLI_CMD_H

#include <stdint.h>
#include <stdio.h>
#include <apr_pools.h>

#include "cli.h"
#include "store.h"

#define SVCT_USAGE                                                                                 \
    "usage: svctoken [-f STORE [-t DBMTYPE] | --dbd DRIVER:PARAMS] COMMAND [ARGS] [--json]"

/* The options a command may accept (svct_cli_t.opts_seen). */
enum {
    SVCT_OPT_DURATION = 1 << 0,
    SVCT_OPT_GRACE = 1 << 1,
    SVCT_OPT_ALG = 1 << 2,
    SVCT_OPT_OUT = 1 << 3,
    SVCT_OPT_REPAIR = 1 << 4,
    SVCT_OPT_REPLACE = 1 << 5,
    SVCT_OPT_ALLOW_FROM = 1 << 6,
    SVCT_OPT_RESET = 1 << 7, /* flags: no value */
    SVCT_OPT_WITHIN = 1 << 8,
    SVCT_OPT_INACTIVE = 1 << 9
};

typedef struct svct_cli {
    apr_pool_t *pool;
    FILE *out, *err;
    const char *store, *dbmtype;
    const char *dbd; /* a SQL store, "DRIVER:PARAMS" */
    int json;
    const char *duration, *grace, *alg, *outfile, *allow_from;
    const char *within;   /* expiring --within */
    const char *inactive; /* list --inactive */
    unsigned opts_seen;
    const char **args; /* the positional arguments after the command name */
    int nargs;
    int64_t now;
    int saved_stderr; /* see svct_cli_quiet_stderr (cli.c) */
} svct_cli_t;

/* USER's text made safe to quote in a one-line message: control characters
 * (C0, DEL, and C1 as UTF-8) become \xNN, so an argument can neither break
 * the line nor send escape sequences to the terminal. */
const char *svct_shown(apr_pool_t *p, const char *user);

/* "svctoken: MESSAGE" on stderr; return SVCT_EXIT_REFUSED. */
int svct_cli_refuse(svct_cli_t *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, then the usage line; return SVCT_EXIT_USAGE. */
int svct_cli_usage(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* MSG (or a generic line) on stderr; returns SVCT_EXIT_STORE. */
int svct_cli_store_error(svct_cli_t *cli, const char *msg);
/* Maps a failed store call to the exit status; KEY is what the user typed. */
int svct_cli_store_rc(svct_cli_t *cli, svct_store_t *st, svct_store_rc_t rc, const char *key);

/* T as RFC 3339 UTC, in the command's pool; "never" for an EXPIRES_AT of 0. */
const char *svct_cli_time(svct_cli_t *cli, int64_t t);
const char *svct_cli_expires(svct_cli_t *cli, int64_t expires_at);
/* Parses a --duration/--grace value into an absolute expiry (0: never).
 * Refuses what would end past SVCT_TIME_MAX. */
int svct_cli_expiry(svct_cli_t *cli, const char *opt, const char *text, int allow_forever,
                    int64_t *expires_at);

/* Opens the store the command line names (-f or --dbd); on failure sets
 * *EXIT_RC after saying why. */
svct_store_rc_t svct_cli_open(svct_cli_t *cli, svct_store_mode_t mode, svct_store_t **st,
                              int *exit_rc);

/* Closes ST after a store call that returned RC: SVCT_EXIT_OK, or the exit
 * status of the failure (KEY as in svct_cli_store_rc). */
int svct_cli_close(svct_cli_t *cli, svct_store_t *st, svct_store_rc_t rc, const char *key);

/* 0 when everything printed so far has reached the output, else -1. */
int svct_cli_flush(svct_cli_t *cli);

#endif
