/*
 * The SQL token store on apr_dbd. See store_sql.h for the tables and the
 * transaction rules, docs/SQL.md for the DDL, the grants and the reasons.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/rand.h>

#include "decimal.h"
#include "error.h"
#include "secret.h"
#include "store_sql.h"

/* Portable SQL: CREATE TABLE IF NOT EXISTS, VARCHAR and BIGINT are
 * understood alike by PostgreSQL, SQLite and MySQL. Constant text, so it
 * needs no parameters; everything that carries data is prepared. */
static const char *const svct_sql_ddl[] = {
    "CREATE TABLE IF NOT EXISTS svctoken_state ("
    " id INTEGER NOT NULL PRIMARY KEY,"
    " schema_version INTEGER NOT NULL,"
    " changes BIGINT NOT NULL,"
    " revoked_before BIGINT NOT NULL,"
    " store_id VARCHAR(64) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svctoken_tokens ("
    " client_id VARCHAR(64) NOT NULL PRIMARY KEY,"
    " name VARCHAR(256) NOT NULL UNIQUE,"
    " record VARCHAR(1024) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svctoken_seen ("
    " client_id VARCHAR(64) NOT NULL PRIMARY KEY,"
    " last_seen_at BIGINT NOT NULL)",
};

static const struct {
    const char *label, *text;
} svct_sql_stmts[SVCT_SQL_STATEMENTS] = {
    [SVCT_SQL_STATE] = {"svctoken_state", "SELECT schema_version, changes, revoked_before, store_id"
                                          " FROM svctoken_state WHERE id = 1"},
    [SVCT_SQL_BY_ID] = {"svctoken_by_id",
                        "SELECT record FROM svctoken_tokens WHERE client_id = %s"},
    [SVCT_SQL_SEEN] = {"svctoken_seen", "UPDATE svctoken_seen SET last_seen_at = %lld"
                                        " WHERE client_id = %s AND last_seen_at <= %lld"},
    [SVCT_SQL_BY_NAME] = {"svctoken_by_name", "SELECT record FROM svctoken_tokens WHERE name = %s"},
    [SVCT_SQL_LIST] = {"svctoken_list", "SELECT record FROM svctoken_tokens ORDER BY client_id"},
    [SVCT_SQL_BUMP] = {"svctoken_bump",
                       "UPDATE svctoken_state SET changes = changes + 1 WHERE id = 1"},
    [SVCT_SQL_INSERT] =
        {"svctoken_insert",
         "INSERT INTO svctoken_tokens (client_id, name, record) VALUES (%s, %s, %s)"},
    [SVCT_SQL_UPDATE] = {"svctoken_update",
                         "UPDATE svctoken_tokens SET record = %s WHERE client_id = %s"},
    [SVCT_SQL_DELETE] = {"svctoken_delete", "DELETE FROM svctoken_tokens WHERE client_id = %s"},
    [SVCT_SQL_SET_REVOKED] = {"svctoken_set_revoked",
                              "UPDATE svctoken_state SET revoked_before = %lld WHERE id = 1"},
    [SVCT_SQL_SEEN_GET] = {"svctoken_seen_get",
                           "SELECT last_seen_at FROM svctoken_seen WHERE client_id = %s"},
    /* A deleted token's row is kept (store_sql.h), so an imported token
     * may find its own. */
    [SVCT_SQL_SEEN_ADD] = {"svctoken_seen_add",
                           "INSERT INTO svctoken_seen (client_id, last_seen_at) SELECT %s, 0"
                           " WHERE NOT EXISTS (SELECT 1 FROM svctoken_seen WHERE client_id = %s)"},
};

struct svct_sql {
    apr_pool_t *pool;
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    int owned;  /* our connection: closed with the handle */
    int writer; /* a write transaction is open until commit */
    apr_dbd_transaction_t *trans;
    apr_dbd_prepared_t *stmt[SVCT_SQL_STATEMENTS];
    const char *error;
};

const char *svct_sql_label(svct_sql_stmt_t i)
{
    return i < SVCT_SQL_STATEMENTS ? svct_sql_stmts[i].label : NULL;
}

const char *svct_sql_text(svct_sql_stmt_t i)
{
    return i < SVCT_SQL_STATEMENTS ? svct_sql_stmts[i].text : NULL;
}

/* TEXT up to its first line break, without trailing blanks. */
static const char *svct_sql_first_line(apr_pool_t *p, const char *text)
{
    size_t len = strcspn(text, "\r\n");

    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    return apr_pstrmemdup(p, text, len);
}

/* Sets the handle's error text (FMT, ...) and returns RC. */
#define svct_sql_fail(sql, rc, ...)                                                                \
    ((svct_sql_rc_t)svct_error_set(&(sql)->error, (sql)->pool, (rc), __VA_ARGS__))

/* The first line of the driver's text for error RV (PostgreSQL adds lines
 * quoting the statement, which say nothing to an admin). */
static const char *svct_sql_dberr(svct_sql_t *sql, int rv)
{
    const char *msg = sql->handle ? apr_dbd_error(sql->driver, sql->handle, rv) : NULL;

    if (msg == NULL || *msg == '\0')
        return apr_psprintf(sql->pool, "error %d", rv);
    return svct_sql_first_line(sql->pool, msg);
}

int svct_sql_spec_parse(const char *spec, apr_pool_t *p, const char **driver, const char **params)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    const char *c;

    if (colon == NULL || colon == spec || colon - spec > 32)
        return -1;
    for (c = spec; c < colon; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            return -1;
    *driver = apr_pstrmemdup(p, spec, (apr_size_t)(colon - spec));
    *params = apr_pstrdup(p, colon + 1);
    return 0;
}

/* A borrowed connection that the driver re-opened after the database came
 * back (apr_dbd_pgsql resets a broken connection in its check) has lost the
 * statements mod_dbd prepared on it, and mod_dbd does not prepare them
 * again: preparing them under the same labels makes mod_dbd's handles on
 * them work again. 0 when they could be prepared. */
static int svct_sql_reprepare(svct_sql_t *sql)
{
    apr_dbd_prepared_t *stmt;
    int i;

    for (i = 0; i < SVCT_SQL_MODULE_STATEMENTS; i++) {
        stmt = NULL;
        if (apr_dbd_prepare(sql->driver, sql->pool, sql->handle, svct_sql_stmts[i].text,
                            svct_sql_stmts[i].label, &stmt) != 0)
            return -1;
    }
    return 0;
}

/* Runs select I with ARG (NULL: none) and fetches every row, so that the
 * connection is left with no result pending; the first row's NCOLS columns
 * go to COLS. Returns the number of rows, -1 on error. */
static int svct_sql_select(svct_sql_t *sql, svct_sql_stmt_t i, const char **cols, int ncols,
                           const char *arg)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *args[1] = {arg};
    int rv, nrows = 0, c;

    if (sql->stmt[i] == NULL) {
        svct_sql_fail(sql, SVCT_SQL_EIO, "statement %s is not prepared", svct_sql_stmts[i].label);
        return -1;
    }
    rv = apr_dbd_pselect(sql->driver, sql->pool, sql->handle, &res, sql->stmt[i], 1, arg ? 1 : 0,
                         args);
    if (rv != 0 && !sql->owned && svct_sql_reprepare(sql) == 0)
        rv = apr_dbd_pselect(sql->driver, sql->pool, sql->handle, &res, sql->stmt[i], 1,
                             arg ? 1 : 0, args);
    if (rv != 0) {
        svct_sql_fail(sql, SVCT_SQL_EIO, "cannot read the token database: %s",
                      svct_sql_dberr(sql, rv));
        return -1;
    }
    while (apr_dbd_get_row(sql->driver, sql->pool, res, &row, -1) == 0) {
        if (nrows++ == 0)
            for (c = 0; c < ncols; c++) {
                const char *v = apr_dbd_get_entry(sql->driver, row, c);
                cols[c] = v ? apr_pstrdup(sql->pool, v) : NULL;
            }
    }
    return nrows;
}

/* Runs write statement I with the NARGS strings ARGS; *NROWS (if given)
 * is the number of rows it changed. */
static svct_sql_rc_t svct_sql_writable(svct_sql_t *sql)
{
    if (!sql->writer)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "the token database is open read-only");
    return SVCT_SQL_OK;
}

static svct_sql_rc_t svct_sql_exec(svct_sql_t *sql, svct_sql_stmt_t i, int *nrows, int nargs,
                                   const char **args)
{
    int rv, n = 0;

    if (sql->stmt[i] == NULL || svct_sql_writable(sql) != SVCT_SQL_OK)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "the token database is open read-only");
    rv = apr_dbd_pquery(sql->driver, sql->pool, sql->handle, &n, sql->stmt[i], nargs, args);
    if (rv != 0)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot write the token database: %s",
                             svct_sql_dberr(sql, rv));
    if (nrows)
        *nrows = n;
    return SVCT_SQL_OK;
}

/* A column holding a count or a time: digits only (no sign, no blanks). */
static int svct_sql_int(const char *s, int64_t *out)
{
    return s ? svct_decimal_parse(s, strlen(s), INT64_MAX, out) : -1;
}

svct_sql_rc_t svct_sql_get_state(svct_sql_t *sql, svct_sql_state_t *state)
{
    const char *cols[4] = {NULL, NULL, NULL, NULL};
    int64_t version, changes, revoked;
    int n = svct_sql_select(sql, SVCT_SQL_STATE, cols, 4, NULL);

    if (n < 0)
        return SVCT_SQL_EIO;
    if (n != 1)
        return svct_sql_fail(sql, SVCT_SQL_EIO,
                             "the token database is not initialised: run svctoken init");
    /* Fails closed: a revocation time that does not parse refuses the
     * store rather than every check of it. */
    if (svct_sql_int(cols[0], &version) != 0 || svct_sql_int(cols[1], &changes) != 0 ||
        svct_sql_int(cols[2], &revoked) != 0 || cols[3] == NULL ||
        strlen(cols[3]) > SVCT_SQL_STORE_ID_MAX)
        return svct_sql_fail(sql, SVCT_SQL_CORRUPT,
                             "the token database's state row does not parse");
    state->schema_version = (int)version;
    state->changes = (uint64_t)changes;
    state->revoked_before = revoked;
    strcpy(state->store_id, cols[3]);
    return SVCT_SQL_OK;
}

static svct_sql_rc_t svct_sql_check_schema(svct_sql_t *sql)
{
    svct_sql_state_t state;
    svct_sql_rc_t rc = svct_sql_get_state(sql, &state);

    if (rc != SVCT_SQL_OK)
        return rc;
    if (state.schema_version > SVCT_SQL_SCHEMA_VERSION)
        return svct_sql_fail(sql, SVCT_SQL_EIO,
                             "the token database has schema version %d, newer than this "
                             "version of svctoken knows (%d): upgrade svctoken",
                             state.schema_version, SVCT_SQL_SCHEMA_VERSION);
    if (state.schema_version < SVCT_SQL_SCHEMA_VERSION)
        return svct_sql_fail(sql, SVCT_SQL_EIO,
                             "the token database has schema version %d, older than this "
                             "version of svctoken knows (%d): run svctoken init to upgrade it",
                             state.schema_version, SVCT_SQL_SCHEMA_VERSION);
    return SVCT_SQL_OK;
}

static apr_status_t svct_sql_cleanup(void *data)
{
    svct_sql_t *sql = data;

    if (sql->trans != NULL) {
        apr_dbd_transaction_mode_set(sql->driver, sql->trans, APR_DBD_TRANSACTION_ROLLBACK);
        apr_dbd_transaction_end(sql->driver, sql->pool, sql->trans);
        sql->trans = NULL;
    }
    if (sql->owned && sql->handle != NULL)
        apr_dbd_close(sql->driver, sql->handle);
    sql->handle = NULL;
    return APR_SUCCESS;
}

/* Starts the write transaction: rolled back unless svct_sql_commit ends it
 * (apr_dbd ends a transaction left open when its pool goes, with a commit
 * unless told otherwise). */
static svct_sql_rc_t svct_sql_begin(svct_sql_t *sql)
{
    int rv = apr_dbd_transaction_start(sql->driver, sql->pool, sql->handle, &sql->trans);

    if (rv != 0) {
        sql->trans = NULL;
        return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot begin a transaction: %s",
                             svct_sql_dberr(sql, rv));
    }
    apr_dbd_transaction_mode_set(sql->driver, sql->trans, APR_DBD_TRANSACTION_ROLLBACK);
    return SVCT_SQL_OK;
}

/* The first write of a transaction: bumps the change counter, which takes
 * the state row's lock, so that the reads of this command see every writer
 * before it, and every child sees the change within its refresh. */
static svct_sql_rc_t svct_sql_bump(svct_sql_t *sql)
{
    int n = 0;
    svct_sql_rc_t rc = svct_sql_exec(sql, SVCT_SQL_BUMP, &n, 0, NULL);

    if (rc == SVCT_SQL_OK && n != 1)
        rc = svct_sql_fail(sql, SVCT_SQL_EIO,
                           "the token database is not initialised: run svctoken init");
    return rc;
}

static svct_sql_rc_t svct_sql_prepare(svct_sql_t *sql, svct_sql_stmt_t i)
{
    int rv = apr_dbd_prepare(sql->driver, sql->pool, sql->handle, svct_sql_stmts[i].text,
                             svct_sql_stmts[i].label, &sql->stmt[i]);

    if (rv != 0) {
        sql->stmt[i] = NULL;
        return svct_sql_fail(sql, SVCT_SQL_EIO,
                             "the token database has no usable svctoken tables (run svctoken "
                             "init): %s",
                             svct_sql_dberr(sql, rv));
    }
    return SVCT_SQL_OK;
}

/* From schema version 1 (no svctoken_seen; its table was just created):
 * every token gets a row that says "never", then the version says 2. */
static svct_sql_rc_t svct_sql_upgrade(svct_sql_t *sql)
{
    static const char *const steps[] = {
        "INSERT INTO svctoken_seen (client_id, last_seen_at) SELECT client_id, 0"
        " FROM svctoken_tokens WHERE client_id NOT IN (SELECT client_id FROM svctoken_seen)",
        "UPDATE svctoken_state SET schema_version = 2 WHERE id = 1 AND schema_version = 1",
    };
    size_t i;
    int rv, n = 0;

    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        rv = apr_dbd_query(sql->driver, sql->handle, &n, steps[i]);
        if (rv != 0)
            return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot upgrade the svctoken tables: %s",
                                 svct_sql_dberr(sql, rv));
    }
    return SVCT_SQL_OK;
}

static svct_sql_rc_t svct_sql_create_tables(svct_sql_t *sql)
{
    unsigned char raw[16];
    char store_id[sizeof(raw) * 2 + 1];
    const char *args[2], *count = NULL;
    apr_dbd_prepared_t *insert = NULL;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    size_t i;
    int rv, n = 0;

    for (i = 0; i < sizeof(svct_sql_ddl) / sizeof(svct_sql_ddl[0]); i++) {
        rv = apr_dbd_query(sql->driver, sql->handle, &n, svct_sql_ddl[i]);
        if (rv != 0)
            return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot create the svctoken tables: %s",
                                 svct_sql_dberr(sql, rv));
    }
    rv = apr_dbd_select(sql->driver, sql->pool, sql->handle, &res,
                        "SELECT COUNT(*) FROM svctoken_state", 1);
    while (rv == 0 && apr_dbd_get_row(sql->driver, sql->pool, res, &row, -1) == 0)
        if (count == NULL)
            count = apr_pstrdup(sql->pool, apr_dbd_get_entry(sql->driver, row, 0));
    if (rv == 0 && count != NULL && strcmp(count, "0") != 0)
        return svct_sql_upgrade(sql); /* initialised before: init changes nothing else */
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "OpenSSL's random generator failed");
    svct_hex_encode(raw, sizeof(raw), store_id);
    args[0] = apr_itoa(sql->pool, SVCT_SQL_SCHEMA_VERSION);
    args[1] = store_id;
    if (rv == 0)
        rv = apr_dbd_prepare(sql->driver, sql->pool, sql->handle,
                             "INSERT INTO svctoken_state (id, schema_version, changes,"
                             " revoked_before, store_id) VALUES (1, %d, 0, 0, %s)",
                             NULL, &insert);
    if (rv == 0)
        rv = apr_dbd_pquery(sql->driver, sql->pool, sql->handle, &n, insert, 2, args);
    if (rv != 0)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot initialise the svctoken tables: %s",
                             svct_sql_dberr(sql, rv));
    return SVCT_SQL_OK;
}

svct_sql_rc_t svct_sql_open(svct_sql_t **out, const char *spec, int writer, int create,
                            apr_pool_t *p, const char **err)
{
    const char *drvname, *params, *dberr = NULL;
    apr_pool_t *sp;
    svct_sql_t *sql;
    svct_sql_rc_t rc = SVCT_SQL_OK;
    apr_status_t rv;
    int i;

    *out = NULL;
    if (svct_sql_spec_parse(spec, p, &drvname, &params) != 0) {
        *err = "a database is given as DRIVER:PARAMS, e.g. 'pgsql:host=db1 dbname=svctoken' "
               "or 'sqlite3:/var/lib/svctoken/tokens.sqlite'";
        return SVCT_SQL_EIO;
    }
    if (apr_pool_create(&sp, p) != APR_SUCCESS) {
        *err = "out of memory";
        return SVCT_SQL_EIO;
    }
    sql = apr_pcalloc(sp, sizeof(*sql));
    sql->pool = sp;
    sql->error = "";
    apr_dbd_init(sp);
    rv = apr_dbd_get_driver(sp, drvname, &sql->driver);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p,
                            "the apr_dbd driver \"%s\" is not available (Debian: install "
                            "libaprutil1-dbd-%s)",
                            drvname, drvname);
        apr_pool_destroy(sp);
        return SVCT_SQL_EIO;
    }
    rv = apr_dbd_open_ex(sql->driver, sp, params, &sql->handle, &dberr);
    if (rv != APR_SUCCESS || sql->handle == NULL) {
        /* The driver's text: libpq and SQLite do not repeat the password. */
        sql->handle = NULL;
        *err = apr_psprintf(p, "cannot connect to the %s token database: %s", drvname,
                            dberr && *dberr ? svct_sql_first_line(p, dberr)
                                            : "connection refused or no such database");
        apr_pool_destroy(sp);
        return SVCT_SQL_EIO;
    }
    sql->owned = 1;
    apr_pool_cleanup_register(sp, sql, svct_sql_cleanup, apr_pool_cleanup_null);
    if (writer || create) {
        sql->writer = 1;
        rc = svct_sql_begin(sql);
    }
    if (rc == SVCT_SQL_OK && create)
        rc = svct_sql_create_tables(sql);
    for (i = 0; rc == SVCT_SQL_OK && i < SVCT_SQL_STATEMENTS; i++)
        rc = svct_sql_prepare(sql, (svct_sql_stmt_t)i);
    if (rc == SVCT_SQL_OK)
        rc = svct_sql_check_schema(sql);
    /* First write of the transaction: takes the state row's lock, so that
     * the reads of this command see every writer before it. */
    if (rc == SVCT_SQL_OK && sql->writer)
        rc = svct_sql_bump(sql);
    if (rc != SVCT_SQL_OK) {
        *err = apr_pstrdup(p, sql->error);
        apr_pool_destroy(sp);
        return rc == SVCT_SQL_CORRUPT ? SVCT_SQL_CORRUPT : SVCT_SQL_EIO;
    }
    *out = sql;
    return SVCT_SQL_OK;
}

svct_sql_t *svct_sql_wrap(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_hash_t *prepared,
                          apr_pool_t *p)
{
    svct_sql_t *sql = apr_pcalloc(p, sizeof(*sql));
    int i;

    sql->pool = p;
    sql->driver = driver;
    sql->handle = handle;
    sql->error = "";
    for (i = 0; i < SVCT_SQL_MODULE_STATEMENTS; i++)
        sql->stmt[i] =
            prepared ? apr_hash_get(prepared, svct_sql_stmts[i].label, APR_HASH_KEY_STRING) : NULL;
    return sql;
}

void svct_sql_close(svct_sql_t *sql)
{
    if (sql != NULL && sql->owned)
        apr_pool_destroy(sql->pool);
}

svct_sql_rc_t svct_sql_commit(svct_sql_t *sql)
{
    svct_sql_rc_t rc;
    int rv;

    if (sql->trans == NULL)
        return SVCT_SQL_OK;
    apr_dbd_transaction_mode_set(sql->driver, sql->trans, APR_DBD_TRANSACTION_COMMIT);
    rv = apr_dbd_transaction_end(sql->driver, sql->pool, sql->trans);
    sql->trans = NULL;
    if (rv != 0) {
        sql->writer = 0;
        return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot commit to the token database: %s",
                             svct_sql_dberr(sql, rv));
    }
    /* The handle stays a writer (store.h): a further change, an undo say,
     * is a transaction of its own, rolled back unless committed too. */
    rc = svct_sql_begin(sql);
    if (rc == SVCT_SQL_OK)
        rc = svct_sql_bump(sql);
    if (rc != SVCT_SQL_OK)
        sql->writer = 0;
    return SVCT_SQL_OK;
}

const char *svct_sql_error(const svct_sql_t *sql)
{
    return sql && sql->error ? sql->error : "";
}

svct_sql_rc_t svct_sql_get(svct_sql_t *sql, int by_name, const char *key, svct_record_t *rec)
{
    const char *col = NULL;
    svct_record_t r;
    size_t klen = strnlen(key, SVCT_NAME_MAX_BYTES + 1);
    int n;

    /* Only a well-formed key can name a token: hostile input costs no query. */
    if (by_name ? !svct_name_valid(key, klen) : !svct_client_id_valid(key, klen))
        return SVCT_SQL_NOTFOUND;
    n = svct_sql_select(sql, by_name ? SVCT_SQL_BY_NAME : SVCT_SQL_BY_ID, &col, 1, key);
    if (n < 0)
        return SVCT_SQL_EIO;
    if (n == 0)
        return SVCT_SQL_NOTFOUND;
    if (col == NULL || svct_record_decode(col, strlen(col), &r) != 0 ||
        strcmp(by_name ? r.name : r.client_id, key) != 0)
        return svct_sql_fail(sql, SVCT_SQL_CORRUPT,
                             "the token database: the record of %s does "
                             "not parse",
                             by_name ? "a name" : key);
    *rec = r;
    return SVCT_SQL_OK;
}

/* The start of a write of REC: EIO unless the handle may write, CORRUPT for
 * a record that does not encode (into *LINE, NUL-terminated, in the
 * handle's pool); else what the lookup of REC's Client ID returns, with the
 * record in OLD. */
static svct_sql_rc_t svct_sql_begin_write(svct_sql_t *sql, const svct_record_t *rec,
                                          const char **line, svct_record_t *old)
{
    char *buf = apr_palloc(sql->pool, SVCT_RECORD_MAX + 1);
    size_t len = svct_record_encode(rec, buf, SVCT_RECORD_MAX);

    if (svct_sql_writable(sql) != SVCT_SQL_OK)
        return SVCT_SQL_EIO;
    if (len == 0)
        return svct_sql_fail(sql, SVCT_SQL_CORRUPT, "refusing to store an invalid record");
    buf[len] = '\0';
    *line = buf;
    return svct_sql_get(sql, 0, rec->client_id, old);
}

svct_sql_rc_t svct_sql_insert(svct_sql_t *sql, const svct_record_t *rec)
{
    const char *line = NULL;
    svct_record_t old;
    /* The state row's lock orders writers, so these reads are current; the
     * table's constraints refuse a duplicate from any other writer. */
    svct_sql_rc_t rc = svct_sql_begin_write(sql, rec, &line, &old);

    if (rc == SVCT_SQL_OK)
        return svct_sql_fail(sql, SVCT_SQL_EXISTS, "Client ID %s exists", rec->client_id);
    if (rc == SVCT_SQL_NOTFOUND)
        rc = svct_sql_get(sql, 1, rec->name, &old);
    if (rc == SVCT_SQL_OK)
        return svct_sql_fail(sql, SVCT_SQL_EXISTS, "a token named \"%s\" exists", rec->name);
    if (rc != SVCT_SQL_NOTFOUND)
        return rc;
    {
        const char *args[3] = {rec->client_id, rec->name, line};
        const char *seen[2] = {rec->client_id, rec->client_id};

        rc = svct_sql_exec(sql, SVCT_SQL_INSERT, NULL, 3, args);
        return rc == SVCT_SQL_OK ? svct_sql_exec(sql, SVCT_SQL_SEEN_ADD, NULL, 2, seen) : rc;
    }
}

svct_sql_rc_t svct_sql_update(svct_sql_t *sql, const svct_record_t *rec)
{
    const char *line = NULL;
    svct_record_t old;
    svct_sql_rc_t rc = svct_sql_begin_write(sql, rec, &line, &old);

    if (rc != SVCT_SQL_OK)
        return rc;
    if (strcmp(old.name, rec->name) != 0)
        return svct_sql_fail(sql, SVCT_SQL_CORRUPT, "a token cannot be renamed");
    {
        const char *args[2] = {line, rec->client_id};
        return svct_sql_exec(sql, SVCT_SQL_UPDATE, NULL, 2, args);
    }
}

svct_sql_rc_t svct_sql_delete(svct_sql_t *sql, const svct_record_t *rec)
{
    const char *args[1] = {rec->client_id};
    int n = 0;
    svct_sql_rc_t rc = svct_sql_exec(sql, SVCT_SQL_DELETE, &n, 1, args);

    if (rc == SVCT_SQL_OK && n == 0)
        return SVCT_SQL_NOTFOUND;
    return rc;
}

svct_sql_rc_t svct_sql_set_revoked_before(svct_sql_t *sql, int64_t when)
{
    const char *args[1];

    if (when < 0 || when > SVCT_TIME_MAX + 1)
        return svct_sql_fail(sql, SVCT_SQL_CORRUPT, "revocation time out of range");
    args[0] = apr_psprintf(sql->pool, "%" APR_INT64_T_FMT, (apr_int64_t)when);
    return svct_sql_exec(sql, SVCT_SQL_SET_REVOKED, NULL, 1, args);
}

svct_sql_rc_t svct_sql_foreach(svct_sql_t *sql, int (*fn)(void *, const svct_record_t *),
                               void *baton, int *fn_rc)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    svct_sql_rc_t rc = SVCT_SQL_OK;
    apr_pool_t *rowpool;
    int rv, stop = 0;

    if (fn_rc)
        *fn_rc = 0;
    rv = apr_dbd_pselect(sql->driver, sql->pool, sql->handle, &res, sql->stmt[SVCT_SQL_LIST], 0, 0,
                         NULL);
    if (rv != 0)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot read the token database: %s",
                             svct_sql_dberr(sql, rv));
    if (apr_pool_create(&rowpool, sql->pool) != APR_SUCCESS)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "out of memory");
    /* Every row is fetched even after a stop, so the connection is left
     * with no result pending. */
    while (apr_dbd_get_row(sql->driver, rowpool, res, &row, -1) == 0) {
        const char *line = apr_dbd_get_entry(sql->driver, row, 0);
        svct_record_t rec;
        int r;

        if (!stop && (line == NULL || svct_record_decode(line, strlen(line), &rec) != 0)) {
            rc = svct_sql_fail(sql, SVCT_SQL_CORRUPT,
                               "the token database holds a record that does not parse");
            stop = 1;
        }
        if (!stop && (r = fn(baton, &rec)) != 0) {
            if (fn_rc)
                *fn_rc = r;
            stop = 1;
        }
        apr_pool_clear(rowpool);
    }
    apr_pool_destroy(rowpool);
    return rc;
}

svct_sql_rc_t svct_sql_seen_get(svct_sql_t *sql, const char *client_id, int64_t *when)
{
    const char *col = NULL;
    int n;

    *when = 0;
    if (!svct_client_id_valid(client_id, strnlen(client_id, SVCT_CLIENT_ID_LEN + 1)))
        return SVCT_SQL_OK;
    n = svct_sql_select(sql, SVCT_SQL_SEEN_GET, &col, 1, client_id);
    if (n < 0)
        return SVCT_SQL_EIO;
    if (n > 0 && svct_sql_int(col, when) != 0)
        return svct_sql_fail(sql, SVCT_SQL_CORRUPT, "the last-seen time of %s does not parse",
                             client_id);
    return SVCT_SQL_OK;
}

svct_sql_rc_t svct_sql_seen_record(svct_sql_t *sql, const char *client_id, int64_t now,
                                   int64_t interval, int *updated)
{
    const char *args[3], *why = NULL;
    int rv, n = 0;

    *updated = 0;
    if (sql->stmt[SVCT_SQL_SEEN] == NULL)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "statement %s is not prepared",
                             svct_sql_stmts[SVCT_SQL_SEEN].label);
    args[0] = apr_psprintf(sql->pool, "%" APR_INT64_T_FMT, (apr_int64_t)now);
    args[1] = client_id;
    args[2] = apr_psprintf(sql->pool, "%" APR_INT64_T_FMT, (apr_int64_t)(now - interval));
    rv = apr_dbd_pquery(sql->driver, sql->pool, sql->handle, &n, sql->stmt[SVCT_SQL_SEEN], 3, args);
    if (rv != 0) {
        /* The statement's own error, unless a connection that lost its
         * statements could be given them again and the retry says more. */
        why = svct_sql_dberr(sql, rv);
        if (!sql->owned && svct_sql_reprepare(sql) == 0) {
            rv = apr_dbd_pquery(sql->driver, sql->pool, sql->handle, &n, sql->stmt[SVCT_SQL_SEEN],
                                3, args);
            if (rv != 0)
                why = svct_sql_dberr(sql, rv);
        }
    }
    if (rv != 0)
        return svct_sql_fail(sql, SVCT_SQL_EIO, "cannot record last seen in the token database: %s",
                             why);
    *updated = n > 0;
    return SVCT_SQL_OK;
}
