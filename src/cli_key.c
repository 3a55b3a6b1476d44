/*
 * The svctoken commands on signing keys (cli_key.h).
 */
#include <jansson.h>

#include "cli_key.h"
#include "cli_print.h"
#include "jwks.h"
#include "key.h"

int svct_cli_keygen(svct_cli_t *cli)
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

/* The document is JSON already, so --json changes nothing. */
int svct_cli_jwks(svct_cli_t *cli)
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
