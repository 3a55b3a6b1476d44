/*
 * Last seen through a store handle (store_seen.h).
 */
#include "seen.h"
#include "store_dbm.h"
#include "store_seen.h"

svct_store_rc_t svct_store_last_seen(svct_store_t *st, const char *client_id, int64_t *when)
{
    char err[512];

    if (st->sql != NULL) {
        if (svct_sql_seen_get(st->sql, client_id, when) == SVCT_SQL_OK)
            return SVCT_STORE_OK;
        return svct_store_fail(st, SVCT_STORE_EIO, "%s", svct_sql_error(st->sql));
    }
    if (svct_seen_get(st->path, client_id, when, err, sizeof err) != 0)
        return svct_store_fail(st, SVCT_STORE_EIO, "%s", err);
    return SVCT_STORE_OK;
}

void svct_store_forget_seen(svct_store_t *st, const char *client_id)
{
    if (st->sql == NULL)
        svct_seen_forget(st->path, client_id);
}
