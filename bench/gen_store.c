/*
 * Fills a token store with COUNT tokens, fast, for the benchmark: one WRITE
 * handle (one exclusive lock) for all of them, Client IDs counted instead of
 * drawn from the CSPRNG, and every token given the same secret hash, so that
 * the bench can exchange any of them with SECRET. Goes through
 * svct_store_insert, so the records are exactly what svctoken writes.
 *
 *   gen_store STORE COUNT SECRET [DBMTYPE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>

#include "record.h"
#include "secret.h"
#include "store.h"

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    svct_store_t *st;
    svct_record_t rec;
    const char *err = NULL;
    struct timespec t0, t1;
    unsigned long i, count;
    time_t now = time(NULL);

    if (argc < 4 || !svct_secret_valid(argv[3], strlen(argv[3]))) {
        fprintf(stderr, "usage: gen_store STORE COUNT SECRET(64 hex) [DBMTYPE]\n");
        return 2;
    }
    count = strtoul(argv[2], NULL, 10);
    apr_initialize();
    apr_pool_create(&pool, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (svct_store_open(&st, argv[1], argc > 4 ? argv[4] : NULL, SVCT_STORE_WRITE, pool, &err) !=
        SVCT_STORE_OK) {
        fprintf(stderr, "gen_store: %s\n", err);
        return 3;
    }
    memset(&rec, 0, sizeof rec);
    svct_secret_hash(argv[3], strlen(argv[3]), rec.secret_hash);
    rec.created_at = rec.updated_at = now;
    rec.expires_at = now + 365 * 86400;
    rec.enabled = 1;
    for (i = 0; i < count; i++) {
        snprintf(rec.name, sizeof rec.name, "bulk-%08lu", i);
        snprintf(rec.client_id, sizeof rec.client_id, "%016lx%016lx.access", 0xb0b0b0b0UL, i);
        if (svct_store_insert(st, &rec) != SVCT_STORE_OK) {
            fprintf(stderr, "gen_store: token %lu: %s\n", i, svct_store_error(st));
            return 3;
        }
    }
    if (svct_store_commit(st) != SVCT_STORE_OK) {
        fprintf(stderr, "gen_store: %s\n", svct_store_error(st));
        return 3;
    }
    svct_store_close(st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%lu tokens in %.1f s\n", count,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
