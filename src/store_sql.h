/*
 * The token store in a SQL database, through APR's apr_dbd (drivers pgsql
 * and sqlite3 are supported and tested; the SQL is kept to what MySQL
 * understands too). Every statement that carries data is a prepared
 * statement; the schema is versioned (svctoken_state.schema_version).
 *
 * Tables (docs/SQL.md has the full DDL and the grants):
 *   svctoken_state   one row: schema_version, changes (bumped in every write
 *                    transaction), revoked_before, store_id
 *   svctoken_tokens  client_id (primary key), name (unique), record (the
 *                    versioned line of record.h, the same bytes as in a
 *                    DBM store, so a field added to the record needs no new
 *                    column)
 *   svctoken_seen    client_id (primary key), last_seen_at (0: never): the
 *                    only table httpd writes (UPDATE only: svctoken inserts
 *                    a token's row with the token; since version 2)
 *
 * A writer's handle runs one transaction from open to svct_sql_commit; its
 * first statement bumps the change counter, which takes the state row's
 * lock, so writers on any machine run one after the other, as under the
 * DBM store's exclusive lock. A handle closed without a commit rolls back.
 */
#ifndef SVCT_STORE_SQL_H
#define SVCT_STORE_SQL_H

#include <stdint.h>
#include <apr_dbd.h>
#include <apr_hash.h>
#include <apr_pools.h>
#include "record.h"

#define SVCT_SQL_SCHEMA_VERSION 2
#define SVCT_SQL_STORE_ID_MAX 64

typedef struct svct_sql svct_sql_t;

typedef enum {
    SVCT_SQL_OK = 0,
    SVCT_SQL_NOTFOUND,
    SVCT_SQL_EXISTS,
    SVCT_SQL_CORRUPT,
    SVCT_SQL_EIO
} svct_sql_rc_t;

/* The statements, by index; the module prepares its own, the first
 * SVCT_SQL_MODULE_STATEMENTS, through mod_dbd (ap_dbd_prepare) under
 * svct_sql_label(i). */
typedef enum {
    SVCT_SQL_STATE = 0, /* the module reads only these two */
    SVCT_SQL_BY_ID,
    SVCT_SQL_SEEN, /* and writes last seen */
    SVCT_SQL_MODULE_STATEMENTS,
    SVCT_SQL_BY_NAME = SVCT_SQL_MODULE_STATEMENTS,
    SVCT_SQL_LIST,
    SVCT_SQL_BUMP,
    SVCT_SQL_INSERT,
    SVCT_SQL_UPDATE,
    SVCT_SQL_DELETE,
    SVCT_SQL_SET_REVOKED,
    SVCT_SQL_SEEN_GET,
    SVCT_SQL_SEEN_ADD,
    SVCT_SQL_STATEMENTS
} svct_sql_stmt_t;

const char *svct_sql_label(svct_sql_stmt_t i);
const char *svct_sql_text(svct_sql_stmt_t i);

/* The store-wide row. */
typedef struct svct_sql_state {
    int schema_version;
    uint64_t changes;
    int64_t revoked_before;
    char store_id[SVCT_SQL_STORE_ID_MAX + 1];
} svct_sql_state_t;

/* 0 when SPEC is "DRIVER:PARAMS" with a driver name of letters and digits;
 * *DRIVER and *PARAMS point into a copy in P. */
int svct_sql_spec_parse(const char *spec, apr_pool_t *p, const char **driver, const char **params);

/* Connects to SPEC ("pgsql:host=... dbname=...", "sqlite3:/path/file").
 * WRITER: starts the write transaction (and bumps the change counter).
 * CREATE: creates the tables first if they are missing (svctoken init).
 * Otherwise checks the schema version. On failure *ERR is one line that
 * never holds PARAMS (they may hold a password). */
svct_sql_rc_t svct_sql_open(svct_sql_t **sql, const char *spec, int writer, int create,
                            apr_pool_t *p, const char **err);

/* A handle over a connection someone else owns (mod_dbd's), with the
 * module's prepared statements found in PREPARED under svct_sql_label():
 * it reads, and writes last seen only. */
svct_sql_t *svct_sql_wrap(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_hash_t *prepared,
                          apr_pool_t *p);

/* Ends the handle: rolls back an uncommitted transaction, closes its own
 * connection. Also runs as a cleanup of the pool it was opened in. */
void svct_sql_close(svct_sql_t *sql);
svct_sql_rc_t svct_sql_commit(svct_sql_t *sql);

svct_sql_rc_t svct_sql_get_state(svct_sql_t *sql, svct_sql_state_t *state);
svct_sql_rc_t svct_sql_get(svct_sql_t *sql, int by_name, const char *key, svct_record_t *rec);
svct_sql_rc_t svct_sql_insert(svct_sql_t *sql, const svct_record_t *rec);
svct_sql_rc_t svct_sql_update(svct_sql_t *sql, const svct_record_t *rec);
svct_sql_rc_t svct_sql_delete(svct_sql_t *sql, const svct_record_t *rec);
svct_sql_rc_t svct_sql_set_revoked_before(svct_sql_t *sql, int64_t when);
svct_sql_rc_t svct_sql_foreach(svct_sql_t *sql, int (*fn)(void *, const svct_record_t *),
                               void *baton, int *fn_rc);

/* Last seen (0: never) of CLIENT_ID; a token without a row was never seen. */
svct_sql_rc_t svct_sql_seen_get(svct_sql_t *sql, const char *client_id, int64_t *when);
/* The module, outside any transaction: records NOW as CLIENT_ID's last
 * seen unless the stored time is within INTERVAL seconds of NOW (one
 * statement, so all servers together write at most once per interval).
 * *UPDATED is 1 when the row changed. */
svct_sql_rc_t svct_sql_seen_record(svct_sql_t *sql, const char *client_id, int64_t now,
                                   int64_t interval, int *updated);

/* Last error of this handle, one line. */
const char *svct_sql_error(const svct_sql_t *sql);

#endif
