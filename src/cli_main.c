/*
 * Entry point of the svctoken admin CLI: initializes APR and runs the
 * command implemented in cli.c.
 */
#include <signal.h>
#include <stdlib.h>

#include <apr_general.h>

#include "cli.h"

int main(int argc, char **argv)
{
    const char *const *cargv = (const char *const *)argv;
    apr_pool_t *pool;
    int rc;

    if (apr_app_initialize(&argc, &cargv, NULL) != APR_SUCCESS ||
        apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fputs("svctoken: cannot initialize APR\n", stderr);
        return SVCT_EXIT_STORE;
    }
    /* A reader that goes away (a closed pipe) is an error to report, and to
     * undo a new secret for (cli_token.c), not a reason to die mid-command. */
    signal(SIGPIPE, SIG_IGN);
    rc = svct_cli_run(argc, argv, getenv("SVCTOKEN_STORE"), stdout, stderr, pool);
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
