/*
 * The svctoken admin command, as a function so that it can be driven with
 * any argument vector and output streams; src/cli_main.c only sets up APR.
 */
#ifndef SVCT_CLI_H
#define SVCT_CLI_H

#include <stdio.h>
#include <apr_pools.h>

/* Exit statuses, as SPEC.md fixes them. */
#define SVCT_EXIT_OK 0
#define SVCT_EXIT_REFUSED 1
#define SVCT_EXIT_USAGE 2
#define SVCT_EXIT_STORE 3

/* Runs `svctoken ARGV[1..]`, printing results on OUT and diagnostics on ERR.
 * STORE_ENV is the value of $SVCTOKEN_STORE (or NULL). Returns the exit
 * status. */
int svct_cli_run(int argc, char **argv, const char *store_env, FILE *out, FILE *err, apr_pool_t *p);

#endif
