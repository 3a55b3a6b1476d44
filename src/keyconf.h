/*
 * The keys that the configuration names (ServiceTokenSigningKey,
 * ServiceTokenVerifyKey), read and type-checked as each directive is read,
 * so that `apachectl configtest` fails on what would stop a reload, and
 * made into each server's keyring once at start-up. Without a signing key,
 * sessions are signed with a random HS256 key that the parent process keeps.
 */
#ifndef SVCT_KEYCONF_H
#define SVCT_KEYCONF_H

#include <apr_pools.h>

#include "key.h"
#include "log.h"

/* Reads and type-checks the key file PATH for the directive NAME. NULL with
 * *KID (in P), or the line that stops start-up: also for a key that can sign
 * and that any user may read. *GROUP_MODE is the file's mode when it is a
 * signing key that its group may read (to be warned about), else 0. */
const char *svct_keyconf_check_file(apr_pool_t *p, const char *name, const char *path,
                                    const char **kid, unsigned *group_mode);

/* The random HS256 key of this parent process, as a JWK, made on first use
 * and kept in PROCESS_POOL, which outlives every configuration (graceful and
 * plain restarts clear pconf only), so that sessions last until httpd
 * stops; wiped when the pool goes. NULL when no random bytes could be had. */
const char *svct_keyconf_generated_jwk(apr_pool_t *process_pool);

/* The keyring of a server, freed with POOL: the key of SIGNING_FILE, or
 * with none the key of GENERATED_JWK (told about once: unless *TOLD, which
 * is then set), and the keys of the N VERIFY_FILES. NULL when a key cannot
 * be had or a kid comes twice, logged to LOG (SVCT0001, 0003, 0005). */
svct_keyring_t *svct_keyconf_ring(apr_pool_t *pool, const char *signing_file,
                                  const char *generated_jwk, const char *const *verify_files, int n,
                                  int *told, const svct_log_t *log);

#endif
