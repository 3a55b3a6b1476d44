/*
 * Last seen on a SQL store, on the request path (seen.h).
 */
#include <stdio.h>

#include <apr_pools.h>

#include "seen.h"
#include "store_sql.h"

/* The key of a SQL store in a child's memory: Client IDs are random, so
 * one name serves every database a server reads. */
#define SVCT_SEEN_SQL_STORE "dbd"

svct_seen_rc_t svct_seen_note_sql(svct_seen_memo_t *m, svct_sql_view_t *view,
                                  svct_sql_connect_fn connect, void *baton, const char *client_id,
                                  int64_t now, int64_t interval, char *err, size_t errlen)
{
    const char *why = NULL;
    svct_sql_t *sql;
    int updated;

    if (view == NULL || svct_sql_view_down(view) ||
        !svct_seen_memo_due(m, SVCT_SEEN_SQL_STORE, client_id, now, interval))
        return SVCT_SEEN_NOT_DUE;
    sql = connect(baton, &why);
    if (sql == NULL) {
        snprintf(err, errlen, "%s", why ? why : "no connection to the token database");
        return SVCT_SEEN_ERROR;
    }
    if (svct_sql_seen_record(sql, client_id, now, interval, &updated) != SVCT_SQL_OK) {
        snprintf(err, errlen, "%s", svct_sql_error(sql));
        return SVCT_SEEN_ERROR;
    }
    return updated ? SVCT_SEEN_WRITTEN : SVCT_SEEN_FRESH;
}
