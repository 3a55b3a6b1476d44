/*
 * Last seen on a SQL store, on the request path (seen.h).
 */
#include <stdio.h>

#include <apr_pools.h>

#include "seen.h"
#include "store_sql.h"

svct_seen_rc_t svct_seen_note_sql(svct_seen_memo_t *m, uint64_t store_key, svct_sql_view_t *view,
                                  svct_sql_connect_fn connect, void *baton, const char *client_id,
                                  int64_t now, int64_t interval, char *err, size_t errlen)
{
    const char *why = NULL;
    svct_sql_t *sql;
    int updated;

    if (view == NULL || svct_sql_view_down(view) ||
        !svct_seen_memo_due(m, store_key, client_id, now, interval))
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
