/*
 * store_backdate STORE DBMTYPE ID-OR-NAME SECONDS
 * store_backdate DRIVER:PARAMS dbd ID-OR-NAME SECONDS
 *
 * For the tests: moves every time of one token (created, updated, expires,
 * the previous secret's grace) SECONDS into the past, through the store
 * API, as if the token had been made that long ago. Tests use it instead
 * of waiting for a token to expire or for its times to change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_dbd.h>
#include <apr_strings.h>

#include "store.h"

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool;
    svct_store_t *st;
    svct_record_t rec;
    const char *err = NULL;
    apr_int64_t secs;
    char *end;

    if (argc != 5) {
        fprintf(stderr, "usage: store_backdate STORE DBMTYPE|dbd ID-OR-NAME SECONDS\n");
        return 2;
    }
    secs = apr_strtoi64(argv[4], &end, 10);
    if (*argv[4] == '\0' || *end != '\0' || secs <= 0) {
        fprintf(stderr, "store_backdate: bad SECONDS '%s'\n", argv[4]);
        return 2;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if ((strcmp(argv[2], "dbd") == 0
             ? svct_store_open_dbd(&st, argv[1], SVCT_STORE_MODIFY, pool, &err)
             : svct_store_open(&st, argv[1], argv[2], SVCT_STORE_MODIFY, pool, &err)) !=
        SVCT_STORE_OK) {
        fprintf(stderr, "store_backdate: %s\n", err);
        return 3;
    }
    if (svct_store_find(st, argv[3], &rec) != SVCT_STORE_OK) {
        fprintf(stderr, "store_backdate: %s: %s\n", argv[3], svct_store_error(st));
        return 1;
    }
    rec.created_at -= secs;
    rec.updated_at -= secs;
    if (rec.expires_at)
        rec.expires_at -= secs;
    if (rec.prev_expires_at)
        rec.prev_expires_at -= secs;
    if (svct_store_update(st, &rec) != SVCT_STORE_OK || svct_store_commit(st) != SVCT_STORE_OK) {
        fprintf(stderr, "store_backdate: %s\n", svct_store_error(st));
        return 3;
    }
    svct_store_close(st);
    apr_terminate();
    return 0;
}
