/*
 * The svctoken commands on signing keys: keygen writes a new key file, jwks
 * prints the public JWK Set of key files. Neither touches a token store.
 */
#ifndef SVCT_CLI_KEY_H
#define SVCT_CLI_KEY_H

#include "cli_cmd.h"

int svct_cli_keygen(svct_cli_t *cli);
int svct_cli_jwks(svct_cli_t *cli);

#endif
