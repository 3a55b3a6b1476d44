/*
 * The store's query "tokens that expire before T" (store.h), on top of
 * svct_store_foreach, so that the DBM and the SQL store answer it alike:
 * `svctoken expiring` and the start-up warning (expiry.h) both ask it.
 */
#include "store.h"

typedef struct svct_expiring_filter {
    int64_t before;
    svct_store_visit_fn fn;
    void *baton;
} svct_expiring_filter_t;

static int svct_expiring_visit(void *baton, const svct_record_t *rec)
{
    const svct_expiring_filter_t *f = baton;

    if (!rec->enabled || rec->expires_at == 0 || rec->expires_at >= f->before)
        return 0;
    return f->fn(f->baton, rec);
}

svct_store_rc_t svct_store_foreach_expiring(svct_store_t *st, int64_t before,
                                            svct_store_visit_fn fn, void *baton, int *fn_rc)
{
    svct_expiring_filter_t f;

    f.before = before;
    f.fn = fn;
    f.baton = baton;
    return svct_store_foreach(st, svct_expiring_visit, &f, fn_rc);
}
