/*
 * The svctoken commands on a store as a whole (cli_store.h).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>
#include <jansson.h>

#include "cli_print.h"
#include "cli_store.h"
#include "store.h"
#include "transfer.h"

int svct_cli_init(svct_cli_t *cli)
{
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_INIT, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_commit(st);
    if ((exit_rc = svct_cli_close(cli, st, rc, NULL)) != SVCT_EXIT_OK)
        return exit_rc;
    svct_cli_print_one(cli, "initialised", json_true(), "The token store is ready.");
    return SVCT_EXIT_OK;
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

int svct_cli_check(svct_cli_t *cli)
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

int svct_cli_export(svct_cli_t *cli)
{
    svct_store_t *st;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    return svct_cli_close(cli, st, svct_export(st, cli->out), NULL);
}

int svct_cli_import(svct_cli_t *cli)
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
    svct_cli_print_one(
        cli, "imported", json_integer(count),
        apr_psprintf(cli->pool, "Imported %d token%s.", count, count == 1 ? "" : "s"));
    return SVCT_EXIT_OK;
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
    if (when == 0)
        svct_cli_print_one(cli, "revoked_before", json_null(), "No sessions have been revoked.");
    else
        svct_cli_print_one(cli, "revoked_before", json_string(svct_cli_time(cli, when)),
                           apr_psprintf(cli->pool, "Sessions issued before %s are refused.",
                                        svct_cli_time(cli, when)));
    return SVCT_EXIT_OK;
}

/* JWT iat has whole seconds: a session issued during this second has iat
 * == now, so the bound is the next second (a session issued after it, in
 * the same second, carries that very time and is not refused by it). The
 * time is never lowered, so a clock stepping back cannot bring revoked
 * sessions back, unless --reset asks to: the way out of a time set by a
 * clock that ran ahead. */
int svct_cli_revoke_sessions(svct_cli_t *cli)
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
    if ((exit_rc = svct_cli_close(cli, st, rc, NULL)) != SVCT_EXIT_OK)
        return exit_rc;
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

int svct_cli_revocation(svct_cli_t *cli)
{
    svct_store_t *st;
    svct_store_rc_t rc;
    int64_t when = 0;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_get_revoked_before(st, &when);
    if ((exit_rc = svct_cli_close(cli, st, rc, NULL)) != SVCT_EXIT_OK)
        return exit_rc;
    return svct_cli_revocation_print(cli, when);
}
