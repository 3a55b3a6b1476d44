/*
 * svctoken export and import: every token of a store as JSON lines, with the
 * hashes of its secrets and never a secret, read back into a store of
 * either kind so that the same secrets keep working.
 *
 * One line per token: {"name", "client_id", "created_at", "updated_at",
 * "expires_at" (RFC 3339 UTC; expires_at null for never), "enabled",
 * "secret_sha256" (hex), and after a rotation with grace "prev_secret_sha256"
 * and "prev_expires_at"}. Import refuses unknown keys, so that a field a
 * newer svctoken exports (a restriction, say) is never silently dropped.
 */
#ifndef SVCT_TRANSFER_H
#define SVCT_TRANSFER_H

#include <stdint.h>
#include <stdio.h>
#include <apr_pools.h>
#include "record.h"
#include "store.h"

/* T as RFC 3339 UTC ("2026-11-28T09:20:36Z") in BUF, which is returned. */
const char *svct_time_format(int64_t t, char buf[32]);
/* The reverse, strictly; 0 or -1. */
int svct_time_parse(const char *s, int64_t *t);

/* Writes every token of ST to OUT, one JSON line each. */
svct_store_rc_t svct_export(svct_store_t *st, FILE *out);

typedef enum {
    SVCT_IMPORT_OK = 0,
    SVCT_IMPORT_REFUSED, /* bad input, or a token that exists: nothing written */
    SVCT_IMPORT_STORE    /* the store failed: svct_store_error() */
} svct_import_rc_t;

/* Reads export's output from IN into ST (a writer handle). Every line is
 * parsed and checked against the store before the first write; a token
 * whose Client ID or name exists refuses the whole import unless REPLACE,
 * which deletes the tokens in the way first. *COUNT: tokens imported;
 * *WHY: one line for REFUSED. */
svct_import_rc_t svct_import(svct_store_t *st, FILE *in, int replace, apr_pool_t *p, int *count,
                             const char **why);

#endif
