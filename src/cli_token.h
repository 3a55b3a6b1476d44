/*
 * The svctoken commands on tokens: create, list, expiring, show, and the
 * changes of one token (refresh, rotate, set, disable, enable, delete), each
 * a read-modify-write under one exclusive lock of the store.
 */
#ifndef SVCT_CLI_TOKEN_H
#define SVCT_CLI_TOKEN_H

#include "cli_cmd.h"

int svct_cli_create(svct_cli_t *cli);
int svct_cli_list(svct_cli_t *cli);
/* expiring [--within D]: as list, the enabled tokens that expire within D
 * (default SVCT_EXPIRING_DEFAULT) or have expired; exit 1 if there are
 * any, 0 if none (nothing printed but an empty JSON array), 2 for a bad D. */
#define SVCT_EXPIRING_DEFAULT (INT64_C(7) * 86400)
int svct_cli_expiring(svct_cli_t *cli);
int svct_cli_show(svct_cli_t *cli);
int svct_cli_refresh(svct_cli_t *cli);
int svct_cli_rotate(svct_cli_t *cli);
int svct_cli_set(svct_cli_t *cli);
int svct_cli_disable(svct_cli_t *cli);
int svct_cli_enable(svct_cli_t *cli);
int svct_cli_delete(svct_cli_t *cli);

#endif
