/*
 * Warnings, once per configuration, at start-up and configtest, of what
 * would otherwise only show as 500s or 403s: a token store that the user
 * httpd's children run as cannot open (SVCT0603), a name that a
 * "Require service-token" line asks for and that no token has (yet)
 * (SVCT0604).
 */
#ifndef SVCT_STARTCHECK_H
#define SVCT_STARTCHECK_H

#include <sys/types.h>
#include <apr_hash.h>

#include "log.h"

/* A token store (DBM) as the configuration names it. */
typedef struct svct_store_ref {
    const char *path, *type;
} svct_store_ref;

/* Each store of the N STORES, once per path, that user USER (UID, GID)
 * cannot open, warned about. */
void svct_startcheck_stores(const svct_store_ref *stores, int n, uid_t uid, gid_t gid,
                            const char *user, const svct_log_t *log);

/* Each of the N NAMES that STORE has no token of, warned about unless TOLD
 * (store and name -> "", in its pool) says it was already. */
void svct_startcheck_names(apr_hash_t *told, const svct_store_ref *store, const char *const *names,
                           int n, const svct_log_t *log);

#endif
