/*
 * The token store: an APR DBM file (type as in AuthDBMType: default, SDBM,
 * GDBM, DB) holding token records and store-wide state.
 *
 * Keys: "id:<client id>" -> record, "name:<name>" -> client id, and
 * "meta:..." for store-wide state. Both lookups are one DBM fetch, whatever
 * the number of tokens.
 *
 * Concurrency: a lock file beside the store ("<path>.lock") is held shared by
 * readers and exclusively by writers (flock, one open file description per
 * handle, so threads of one process do not share a lock). A multi-key change
 * is therefore seen whole or not at all, for every DBM type, and a reader only
 * ever waits the few milliseconds a write takes; it never fails because of one.
 *
 * Visibility: closing a handle that changed the store returns only
 * SVCT_STORE_VISIBLE_NS after the last write reached the files. A reader
 * that looks at the files' stamps at most every SVCT_STORE_VISIBLE_NS / 2
 * (the module's cache, cache.h) therefore sees every change made by a
 * command that has returned, on the very next request.
 */
#ifndef SVCT_STORE_H
#define SVCT_STORE_H

#include <stdint.h>
#include <apr_pools.h>
#include "record.h"

typedef struct svct_store svct_store_t;

/* See "Visibility" above: 10 ms, unnoticeable to whoever runs svctoken,
 * and it lets a child of the module stat() the store once per 5 ms only. */
#define SVCT_STORE_VISIBLE_NS INT64_C(10000000)

typedef enum {
    SVCT_STORE_OK = 0,
    SVCT_STORE_NOTFOUND, /* no such token */
    SVCT_STORE_EXISTS,   /* a token with this name or id exists */
    SVCT_STORE_CORRUPT,  /* a value in the file does not parse */
    SVCT_STORE_EIO       /* the file could not be opened, locked, read or written */
} svct_store_rc_t;

typedef enum {
    SVCT_STORE_READ = 0,
    SVCT_STORE_WRITE = 1, /* creates the store if it does not exist */
    SVCT_STORE_MODIFY = 2, /* like WRITE, but fails if the store does not exist */
    SVCT_STORE_INIT = 3    /* svctoken init: WRITE that also creates SQL tables */
} svct_store_mode_t;

/* The canonical spelling ("default", "SDBM", "GDBM", "DB") of DBMTYPE, which
 * is matched case-insensitively as AuthDBMType does; NULL means "default".
 * Returns NULL for any other type, so callers can refuse it early. */
const char *svct_store_type_name(const char *dbmtype);

/* Opens PATH with DBMTYPE (NULL means "default"). WRITE creates the store if
 * it does not exist and holds the exclusive lock until close. On failure
 * returns SVCT_STORE_EIO and sets *ERR to one line (allocated in P) naming
 * the file and the reason. */
svct_store_rc_t svct_store_open(svct_store_t **st, const char *path, const char *dbmtype,
                                svct_store_mode_t mode, apr_pool_t *p, const char **err);
/* Opens the SQL store SPEC, "DRIVER:PARAMS" (store_sql.h). A WRITE or
 * MODIFY handle is one transaction: writers on any machine wait for each
 * other. Only INIT creates the tables; the other modes need them. */
svct_store_rc_t svct_store_open_dbd(svct_store_t **st, const char *spec, svct_store_mode_t mode,
                                    apr_pool_t *p, const char **err);
/* Makes every write of this handle since it was opened (or last committed)
 * part of the store, all at once and durably: the writes went to a copy of
 * the store, which is flushed to disk and renamed over it (store_file.h).
 * On failure the store is as before, and the error says so; or, rarely,
 * the error says that the change is made but could not be finished. The
 * handle stays open for reading and further changes (on a SQL store, each
 * a transaction of its own). A change of a DBM store costs a copy of its
 * files (seconds for a million tokens): meant for svctoken, not for writes
 * at request time. */
svct_store_rc_t svct_store_commit(svct_store_t *st);
/* Drops the writes not committed (a SQL store's transaction is rolled
 * back), closes the DBM and releases the lock (after SVCT_STORE_VISIBLE_NS
 * if a change was committed, see above). Also runs as a cleanup of P.
 * One process must not hold a READ handle while it opens a WRITE handle of
 * the same store: the flock of the second would wait for the first forever. */
void svct_store_close(svct_store_t *st);

svct_store_rc_t svct_store_get_by_id(svct_store_t *st, const char *client_id, svct_record_t *rec);
svct_store_rc_t svct_store_get_by_name(svct_store_t *st, const char *name, svct_record_t *rec);
/* Finds by Client ID if KEY has that shape, else by name. */
svct_store_rc_t svct_store_find(svct_store_t *st, const char *key, svct_record_t *rec);

/* Changes (insert, update, delete, set_revoked_before) are seen by others,
 * and survive the process, only once svct_store_commit returns OK. */

/* Adds a new token: SVCT_STORE_EXISTS if its name or id is taken. */
svct_store_rc_t svct_store_insert(svct_store_t *st, const svct_record_t *rec);
/* Replaces the record with the same client id (the name does not change). */
svct_store_rc_t svct_store_update(svct_store_t *st, const svct_record_t *rec);
svct_store_rc_t svct_store_delete(svct_store_t *st, const svct_record_t *rec);

/* Sessions issued (JWT iat) before this time are refused; 0 if never set. */
svct_store_rc_t svct_store_get_revoked_before(svct_store_t *st, int64_t *when);
svct_store_rc_t svct_store_set_revoked_before(svct_store_t *st, int64_t when);

/* Calls FN for every token, in store order, without loading them all; stops
 * early, returning what FN returned, if FN returns non-zero. */
typedef int (*svct_store_visit_fn)(void *baton, const svct_record_t *rec);
svct_store_rc_t svct_store_foreach(svct_store_t *st, svct_store_visit_fn fn, void *baton,
                                   int *fn_rc);

/* Calls FN, as svct_store_foreach does, for every enabled token that
 * expires before BEFORE (seconds since the epoch), or has expired: never
 * for a token that never expires, nor for a disabled one (it is refused
 * already, and a warning about it would only be noise). Both stores read
 * every record for it, since the expiry is a field of the record. */
svct_store_rc_t svct_store_foreach_expiring(svct_store_t *st, int64_t before,
                                            svct_store_visit_fn fn, void *baton, int *fn_rc);

/* What svct_store_verify found. */
typedef struct svct_store_verify {
    long tokens;   /* records that parse */
    long problems; /* entries reported */
    long repaired; /* entries fixed (REPAIR only; committed by the caller) */
} svct_store_verify_t;
typedef void (*svct_store_problem_fn)(void *baton, const char *problem);

/* Reads the whole store: every record must parse, every token must be in
 * the name index under its name, every index entry must point to a token
 * of that name, store-wide values must parse. Calls FN with one line per
 * problem (never a secret or hash). With REPAIR (a writing handle) the name
 * index is made to match the records; records that do not parse are left
 * as they are. SVCT_STORE_OK unless the store could not be read. */
svct_store_rc_t svct_store_verify(svct_store_t *st, int repair, svct_store_problem_fn fn,
                                  void *baton, svct_store_verify_t *v);

/* The device and inode numbers of the files (1, or 2 for SDBM) that the
 * path named just before this handle's DBM opened them, under the lock;
 * returns how many, 0 when unknown. A cache keyed on the store's files
 * (cache.h) compares them with its own stamp, so that what was read from
 * one file is never cached under the stamp of another that took its place
 * (a symlink flipped, a directory renamed). */
int svct_store_file_ids(const svct_store_t *st, uint64_t dev[2], uint64_t ino[2]);

/* Last error text of this handle (one line), for log and stderr messages. */
const char *svct_store_error(const svct_store_t *st);

#endif
