/*
 * Last seen through a store handle, for svctoken: on a DBM store the
 * directory beside it (seen.h), on a SQL store the svctoken_seen table
 * (store_sql.h). Neither is part of the token records.
 */
#ifndef SVCT_STORE_SEEN_H
#define SVCT_STORE_SEEN_H

#include <stdint.h>
#include "store.h"

/* When CLIENT_ID last got in (*WHEN; 0: never). SVCT_STORE_EIO, with the
 * handle's error set, when it cannot be read. */
svct_store_rc_t svct_store_last_seen(svct_store_t *st, const char *client_id, int64_t *when);

/* After a committed delete: drops the token's last-seen entry of a DBM
 * store where this user may. A SQL store keeps the row (seen.h says why
 * that is harmless; store_sql.h why it is kept). */
void svct_store_forget_seen(svct_store_t *st, const char *client_id);

#endif
