/*
 * The svctoken commands on a store as a whole: init, check, export, import,
 * revoke-sessions and revocation.
 */
#ifndef SVCT_CLI_STORE_H
#define SVCT_CLI_STORE_H

#include "cli_cmd.h"

int svct_cli_init(svct_cli_t *cli);
int svct_cli_check(svct_cli_t *cli);
int svct_cli_export(svct_cli_t *cli);
int svct_cli_import(svct_cli_t *cli);
int svct_cli_revoke_sessions(svct_cli_t *cli);
int svct_cli_revocation(svct_cli_t *cli);

#endif
