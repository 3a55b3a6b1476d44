/*
 * svctoken: the admin command that creates, lists, refreshes, rotates,
 * disables and deletes service tokens in the store, revokes sessions and
 * makes signing keys. This file reads the command line and runs one
 * command: the commands are in cli_token.c, cli_store.c and cli_key.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_strings.h>
#include <jansson.h>

#include "cli.h"
#include "cli_cmd.h"
#include "cli_help.h"
#include "cli_key.h"
#include "cli_print.h"
#include "cli_store.h"
#include "cli_token.h"
#include "store.h"
#include "version.h"

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
               "  list [--inactive D]                every token, or those not used for D\n"
               "                                     (or never)\n"
               "  expiring [--within D]              the tokens that expire within D\n"
               "                                     (default 7d) or have expired, as list\n"
               "                                     prints them; exit 1 if there are any\n"
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
               "\"forever\". Exit status: 0 done, 1 refused (expiring: there are such\n"
               "tokens), 2 usage error, 3 the store could not be opened, locked or read.\n";

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

/* help [COMMAND] and version: no store, no options but --json. */
static int svct_cli_help(svct_cli_t *cli, const char *cmdname)
{
    if (cmdname[0] == 'v') {
        if (cli->nargs != 0 || cli->opts_seen != 0)
            return svct_cli_usage(cli->err, "version takes no argument");
        svct_cli_print_one(cli, "version", json_string(SVCT_VERSION), "svctoken " SVCT_VERSION);
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

static const svct_command_t svct_commands[] = {
    {"create", 1, SVCT_OPT_DURATION | SVCT_OPT_ALLOW_FROM, 1, svct_cli_create},
    {"list", 0, SVCT_OPT_INACTIVE, 1, svct_cli_list},
    {"expiring", 0, SVCT_OPT_WITHIN, 1, svct_cli_expiring},
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
    {"--within", SVCT_OPT_WITHIN},
    {"--inactive", SVCT_OPT_INACTIVE},
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
    else if (flag == SVCT_OPT_WITHIN)
        cli->within = value;
    else if (flag == SVCT_OPT_INACTIVE)
        cli->inactive = value;
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
    if (svct_cli_flush(&cli) != 0 && (rc == SVCT_EXIT_OK || cmd->run == svct_cli_expiring)) {
        fprintf(cli.err, "svctoken: cannot write the output: %s%s\n", strerror(errno),
                cmd->needs_store && strcmp(cmd->name, "list") != 0 &&
                        strcmp(cmd->name, "expiring") != 0 && strcmp(cmd->name, "show") != 0 &&
                        strcmp(cmd->name, "check") != 0
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
