/*
 * A child's view of a SQL token store: what the module reads through mod_dbd,
 * kept so that a warm request touches no database.
 *
 * - The store's state row (change counter, revoked_before) is read at most
 *   once per REFRESH by one child, whatever its threads do; every write
 *   bumps the counter in its own transaction (store_sql.h), so a change made
 *   anywhere is seen by every child within REFRESH.
 * - Token records found are kept until the counter moves; then all of them
 *   go at once (writes are rare, and a whole-table generation is simple).
 * - When the database cannot be reached, tokens this view confirmed within
 *   GRACE keep working; everything else is UNAVAILABLE (the module answers
 *   503), never admitted and never refused: what the database refused before
 *   was never in the view. The database is tried again once per REFRESH, so
 *   service comes back by itself, and an outage costs no request a timeout.
 *
 * Times are the caller's (microseconds, monotonic or not), so tests can
 * drive the clock.
 */
#ifndef SVCT_SQL_VIEW_H
#define SVCT_SQL_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "record.h"
#include "store_sql.h"
#include "store_tag.h"

typedef struct svct_sql_view svct_sql_view_t;

typedef enum { SVCT_VIEW_OK = 0, SVCT_VIEW_NOTFOUND, SVCT_VIEW_UNAVAILABLE } svct_view_rc_t;

/* Gives a read handle on the database for this request (NULL and *ERR when
 * there is none); the view calls it only when it must read. */
typedef svct_sql_t *(*svct_sql_connect_fn)(void *baton, const char **err);

/* REFRESH_US > 0; GRACE_US >= 0 (0: none); TOKENS entries. NULL when out of
 * memory. Thread-safe. */
svct_sql_view_t *svct_sql_view_create(int64_t refresh_us, int64_t grace_us, size_t tokens);
void svct_sql_view_destroy(svct_sql_view_t *v);

/* The token CLIENT_ID and the store's revoked_before as of at most REFRESH
 * ago. *LOG_IT is 1 when the caller should log the outage, with *ERR saying
 * why: when it is found (even if the grace still admits this token) and
 * then at most once a minute per view. */
svct_view_rc_t svct_sql_view_token(svct_sql_view_t *v, int64_t now_us, const char *client_id,
                                   svct_sql_connect_fn connect, void *baton, apr_pool_t *p,
                                   svct_record_t *rec, int64_t *revoked_before, const char **err,
                                   int *log_it);

/* The store's own identity (svctoken_state.store_id, random, made by
 * `svctoken init`) as last read, into OUT (CAP bytes): 0, or -1 before the
 * first read. What binds a session to this store is derived from it. */
int svct_sql_view_store_id(svct_sql_view_t *v, char *out, size_t cap);

/* The tag of that identity (store_tag.h), which the sessions of this store
 * carry, into OUT: 0, or -1 before the first read. */
int svct_sql_view_store_tag(svct_sql_view_t *v, char out[SVCT_STORE_TAG_LEN + 1]);

/* 1 while the last try to reach the database failed: nothing else should
 * try before the view does again (an outage costs no request a timeout). */
int svct_sql_view_down(svct_sql_view_t *v);

/* Statements run on the database so far (state reads and token reads). */
uint64_t svct_sql_view_queries(svct_sql_view_t *v);

#endif
