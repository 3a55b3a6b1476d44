/*
 * The lock of a DBM token store: "<path>.lock", held with flock() shared by
 * readers and exclusively by writers from open to close (store.h,
 * "Concurrency"). Only store.c calls it.
 */
#ifndef SVCT_STORE_LOCK_H
#define SVCT_STORE_LOCK_H

#include <apr_errno.h>

#include "store.h"

/* Opens and locks "<path>.lock" (a writer creates it; a reader of a store
 * that has none reads unlocked), waiting as long as another holds it. */
svct_store_rc_t svct_store_lock(svct_store_t *st);
/* Releases the lock, after SVCT_STORE_VISIBLE_NS when a change was
 * committed; a cleanup of the handle's pool, registered by store.c. */
apr_status_t svct_store_lock_cleanup(void *data);
/* Finishes or drops a change that a writer left when it died
 * (store_file.h), under the exclusive lock even for a reader. */
svct_store_rc_t svct_store_finish(svct_store_t *st);

#endif
