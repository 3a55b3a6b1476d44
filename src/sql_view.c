/*
 * The per-child view of a SQL store (sql_view.h): a direct-mapped table of
 * token records tagged with the generation of the store's change counter
 * they were read under, behind one mutex; every database read happens
 * outside it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/crypto.h>

#include "secret.h"
#include "sql_view.h"
#include "store_tag.h"

/* An outage is logged at most this often per view. */
#define SVCT_VIEW_LOG_US INT64_C(60000000)

typedef struct {
    uint64_t gen; /* 0: free */
    svct_record_t rec;
} view_ent_t;

/* A Client ID the database did not have, as of generation GEN: asked for
 * again (a client with a stale ID, or one trying IDs), it costs no query
 * until the store changes. */
typedef struct {
    uint64_t gen; /* 0: free */
    char client_id[SVCT_CLIENT_ID_LEN + 1];
} view_unknown_t;

struct svct_sql_view {
    pthread_mutex_t lock;
    int64_t refresh_us, grace_us;
    size_t ntok;
    view_ent_t *tok;
    view_unknown_t *unknown; /* as many slots as TOK */
    /* What the last read of the state row gave. */
    int have_state;
    uint64_t changes;
    int64_t revoked_before;
    char store_id[SVCT_SQL_STORE_ID_MAX + 1]; /* the database's own identity */
    /* svct_store_tag() of STORE_ID, made when the state is read rather than
     * by every request that checks a session's store (a hash each). */
    char store_tag[SVCT_STORE_TAG_LEN + 1];
    uint64_t gen;       /* bumped when CHANGES moves: older entries are dead */
    int tried;          /* the state has been read, or tried, once */
    int64_t checked_us; /* when the state was last read, or tried */
    int64_t ok_us;      /* when the database last answered */
    int down;           /* the last try failed: no read until the next refresh */
    int64_t logged_us;  /* last outage message handed out */
    int logged;
    uint64_t queries;
};

svct_sql_view_t *svct_sql_view_create(int64_t refresh_us, int64_t grace_us, size_t tokens)
{
    svct_sql_view_t *v = calloc(1, sizeof(*v));

    if (v == NULL || refresh_us <= 0 || grace_us < 0 || tokens == 0 ||
        (v->tok = calloc(tokens, sizeof(*v->tok))) == NULL ||
        (v->unknown = calloc(tokens, sizeof(*v->unknown))) == NULL) {
        if (v != NULL)
            free(v->tok);
        free(v);
        return NULL;
    }
    pthread_mutex_init(&v->lock, NULL);
    v->refresh_us = refresh_us;
    v->grace_us = grace_us;
    v->ntok = tokens;
    v->gen = 1;
    return v;
}

void svct_sql_view_destroy(svct_sql_view_t *v)
{
    if (v == NULL)
        return;
    OPENSSL_cleanse(v->tok, v->ntok * sizeof(*v->tok));
    free(v->tok);
    free(v->unknown);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

int svct_sql_view_store_id(svct_sql_view_t *v, char *out, size_t cap)
{
    int rc = -1;

    pthread_mutex_lock(&v->lock);
    if (v->have_state && strlen(v->store_id) < cap) {
        strcpy(out, v->store_id);
        rc = 0;
    }
    pthread_mutex_unlock(&v->lock);
    return rc;
}

int svct_sql_view_store_tag(svct_sql_view_t *v, char out[SVCT_STORE_TAG_LEN + 1])
{
    int rc = -1;

    pthread_mutex_lock(&v->lock);
    if (v->have_state && v->store_tag[0]) {
        memcpy(out, v->store_tag, SVCT_STORE_TAG_LEN + 1);
        rc = 0;
    }
    pthread_mutex_unlock(&v->lock);
    return rc;
}

int svct_sql_view_down(svct_sql_view_t *v)
{
    int down;

    pthread_mutex_lock(&v->lock);
    down = v->down || !v->tried;
    pthread_mutex_unlock(&v->lock);
    return down;
}

uint64_t svct_sql_view_queries(svct_sql_view_t *v)
{
    uint64_t n;

    pthread_mutex_lock(&v->lock);
    n = v->queries;
    pthread_mutex_unlock(&v->lock);
    return n;
}

/* The slot of a Client ID (FNV-1a of its hex) in either table: only tokens
 * the database returned are put in TOK, so a client cannot crowd a slot
 * there; one trying IDs only evicts other unknown ones. */
static size_t view_slot(svct_sql_view_t *v, const char *client_id)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    int i;

    for (i = 0; i < SVCT_CLIENT_ID_HEX; i++)
        h = (h ^ (unsigned char)client_id[i]) * UINT64_C(0x100000001b3);
    return (size_t)(h % v->ntok);
}

/* Called with the lock held: the message for an outage, and whether it is
 * this request's turn to log it (once a minute; the first time at once). */
static svct_view_rc_t view_unavailable(svct_sql_view_t *v, int64_t now_us, apr_pool_t *p,
                                       const char *why, const char **err, int *log_it)
{
    if (!v->logged || now_us - v->logged_us >= SVCT_VIEW_LOG_US) {
        v->logged = 1;
        v->logged_us = now_us;
        *log_it = 1;
    }
    if (why != NULL)
        *err = apr_pstrdup(p, why);
    else if (v->ok_us > 0 || v->have_state)
        *err = apr_psprintf(p, "the token database has not answered for %" APR_INT64_T_FMT " s",
                            (now_us - v->ok_us) / 1000000);
    else
        *err = "the token database has not answered since start-up";
    return SVCT_VIEW_UNAVAILABLE;
}

svct_view_rc_t svct_sql_view_token(svct_sql_view_t *v, int64_t now_us, const char *client_id,
                                   svct_sql_connect_fn connect, void *baton, apr_pool_t *p,
                                   svct_record_t *rec, int64_t *revoked_before, const char **err,
                                   int *log_it)
{
    svct_sql_t *sql = NULL;
    svct_sql_state_t state;
    char tag[SVCT_STORE_TAG_LEN + 1];
    svct_sql_rc_t rc;
    svct_view_rc_t out;
    view_ent_t *e;
    view_unknown_t *u;
    const char *why = NULL;
    uint64_t gen;
    int refresh, hit;

    *log_it = 0;
    *err = NULL;
    if (!svct_client_id_valid(client_id, strnlen(client_id, SVCT_CLIENT_ID_LEN + 1)))
        return SVCT_VIEW_NOTFOUND;
    e = &v->tok[view_slot(v, client_id)];
    u = &v->unknown[view_slot(v, client_id)];

    /* One thread per REFRESH claims the state read; the others go on with
     * the state as it was, which is at most REFRESH old. Until a first
     * read has answered there is no state to go on with (no revocation
     * time, no store tag): every thread reads it then, as long as the
     * database has not been found down. */
    pthread_mutex_lock(&v->lock);
    /* A thread whose request began a moment before the one that claimed
     * the last read carries an older time: that is not a refresh due. Nor
     * is a database that never answered tried more than once per REFRESH. */
    refresh = !v->tried || (!v->have_state && !v->down) ||
              now_us - v->checked_us >= v->refresh_us;
    if (refresh) {
        v->tried = 1;
        v->checked_us = now_us;
    }
    pthread_mutex_unlock(&v->lock);

    if (refresh) {
        sql = connect(baton, &why);
        rc = sql ? svct_sql_get_state(sql, &state) : SVCT_SQL_EIO;
        if (sql && rc != SVCT_SQL_OK)
            why = svct_sql_error(sql);
        /* Once per refresh: an empty tag (out of memory) binds no session. */
        if (rc == SVCT_SQL_OK &&
            svct_store_tag(state.store_id, strlen(state.store_id), tag) != 0)
            tag[0] = '\0';
        pthread_mutex_lock(&v->lock);
        v->queries += sql != NULL;
        if (rc == SVCT_SQL_OK && state.schema_version != SVCT_SQL_SCHEMA_VERSION) {
            why = apr_psprintf(p,
                               "the token database has schema version %d; this module "
                               "reads version %d",
                               state.schema_version, SVCT_SQL_SCHEMA_VERSION);
            rc = SVCT_SQL_EIO;
        }
        if (rc == SVCT_SQL_OK) {
            if (!v->have_state || state.changes != v->changes)
                v->gen++;
            v->have_state = 1;
            v->changes = state.changes;
            v->revoked_before = state.revoked_before;
            memcpy(v->store_id, state.store_id, sizeof(v->store_id));
            memcpy(v->store_tag, tag, sizeof(v->store_tag));
            v->ok_us = now_us;
            v->down = 0;
        } else {
            /* Said when found, even if the grace hides it from clients. */
            v->down = 1;
            sql = NULL;
            view_unavailable(v, now_us, p, why, err, log_it);
        }
        pthread_mutex_unlock(&v->lock);
    }

    pthread_mutex_lock(&v->lock);
    gen = v->gen;
    hit = v->have_state && e->gen == gen && strcmp(e->rec.client_id, client_id) == 0;
    if (v->down) {
        /* Confirmed within GRACE: the view last heard from the database
         * then, and the record was current at that moment. */
        if (hit && v->grace_us > 0 && now_us - v->ok_us <= v->grace_us) {
            *rec = e->rec;
            *revoked_before = v->revoked_before;
            pthread_mutex_unlock(&v->lock);
            return SVCT_VIEW_OK;
        }
        out = view_unavailable(v, now_us, p, why, err, log_it);
        pthread_mutex_unlock(&v->lock);
        return out;
    }
    if (hit) {
        *rec = e->rec;
        *revoked_before = v->revoked_before;
        pthread_mutex_unlock(&v->lock);
        return SVCT_VIEW_OK;
    }
    /* Only while the database answers: during an outage an unknown ID is
     * UNAVAILABLE above, never refused on what the view remembers. */
    if (v->have_state && u->gen == gen && strcmp(u->client_id, client_id) == 0) {
        pthread_mutex_unlock(&v->lock);
        return SVCT_VIEW_NOTFOUND;
    }
    pthread_mutex_unlock(&v->lock);

    if (sql == NULL)
        sql = connect(baton, &why);
    rc = sql ? svct_sql_get(sql, 0, client_id, rec) : SVCT_SQL_EIO;
    if (sql && rc != SVCT_SQL_OK && rc != SVCT_SQL_NOTFOUND)
        why = svct_sql_error(sql);
    pthread_mutex_lock(&v->lock);
    v->queries += sql != NULL;
    if (rc == SVCT_SQL_OK) {
        /* Put under the generation seen before the read: if the counter
         * moved meanwhile, the entry is already dead. */
        e->gen = gen;
        e->rec = *rec;
        *revoked_before = v->revoked_before;
    } else if (rc == SVCT_SQL_NOTFOUND) {
        u->gen = gen;
        memcpy(u->client_id, client_id, SVCT_CLIENT_ID_LEN + 1);
    } else {
        v->down = 1;
        out = view_unavailable(v, now_us, p, why, err, log_it);
        pthread_mutex_unlock(&v->lock);
        return out;
    }
    pthread_mutex_unlock(&v->lock);
    return rc == SVCT_SQL_OK ? SVCT_VIEW_OK : SVCT_VIEW_NOTFOUND;
}
