/*
 * The per-process caches: fixed-size, direct-mapped tables (a new entry
 * replaces whatever sat in its slot), so a lookup is one hash and one
 * compare, and memory is allocated once, when the cache is made.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <apr_atomic.h>
#include <apr_thread_mutex.h>
#include <apr_thread_rwlock.h>
#include <apr_dbm.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cache.h"
#include "clock.h"
#include "secret.h"

_Static_assert(2 * SVCT_CACHE_RECHECK_NS <= SVCT_STORE_VISIBLE_NS,
               "svctoken must outwait a re-check of the store (cache.h)");

/* Clock skew beyond a day is refused by svct_jwt_verify too. */

/* A verified session is looked up by its text (the expected iss and aud and
 * the JWT, back to back), compared whole: no digest to compute on a hit.
 * Longer texts are not cached; an ES256 JWT of the longest name, with a long
 * audience, still fits. */
#define SESS_TEXT_MAX 1024
/* Bytes at the end of a JWT that pick its slot. */
#define SESS_HASHED 16

typedef struct {
    int used;
    const void *ring;
    uint64_t hash; /* of the JWT's last bytes (session_slot) */
    uint16_t iss_len, aud_len, jwt_len;
    svct_session_t s;
    char text[SESS_TEXT_MAX];
} sess_ent_t;

typedef struct {
    const svct_cache_store_t *store; /* NULL: free slot */
    uint64_t gen;
    svct_record_t rec;
} tok_ent_t;

typedef struct {
    const svct_cache_store_t *store; /* NULL: free slot */
    uint64_t gen;
    char client_id[SVCT_CLIENT_ID_LEN + 1];
} unk_ent_t;

/* Issued JWTs are kept inline with their key, so a put never allocates;
 * longer ones are not cached. */
#define ISSUED_JWT_MAX 1024
#define ISSUED_TEXT_MAX 1024

typedef struct {
    int used;
    const void *ring;
    uint64_t hash; /* issued_probe() */
    int64_t duration, iat, revoked_before;
    uint16_t iss_len, aud_len, id_len, name_len, jwt_len;
    char store_tag[SVCT_STORE_TAG_LEN];
    char text[ISSUED_TEXT_MAX];    /* iss, aud, client_id and name, back to back */
    char jwt[ISSUED_JWT_MAX];      /* NUL-terminated */
} issued_ent_t;

struct svct_cache_store {
    char *path, *type;
    char *files[2];
    int nfiles;
    /* Stamps come from stat() by path, so that a file replaced by a rename
     * (every svctoken change, a symlink flip, a directory renamed) is seen
     * by the next stamp: a descriptor kept open would go on describing
     * the old file. */
    apr_thread_rwlock_t *stamp_lock; /* guards the recent stamp */
    /* The newest stamp taken, and when its stat() began (monotonic clock);
     * reused for SVCT_CACHE_RECHECK_NS. Under stamp_lock. */
    int has_recent;
    svct_store_stamp_t recent;
    int64_t recent_ns;
    /* What the cached records of this store were read under; records of an
     * older generation are dead. */
    int valid;
    svct_store_stamp_t stamp;
    uint64_t gen;
    int64_t revoked_before;
};

struct svct_cache {
    apr_pool_t *pool; /* of the locks, destroyed with the cache */
    apr_thread_mutex_t *sess_lock, *tok_lock, *issued_lock;
    size_t nsess, ntok, nissued;
    sess_ent_t *sess;
    tok_ent_t *tok;
    unk_ent_t *unk; /* as many as tok, under tok_lock */
    issued_ent_t *issued;
    volatile apr_uint32_t nstores; /* grows only; read with apr_atomic_read32 */
    svct_cache_store_t stores[SVCT_CACHE_STORES_MAX];
    svct_cache_stats_t stats;
    uint64_t seed; /* of text_hash(): random, so no client can aim at one slot */
};

/* ---- hashing ---- */

/* A fast keyed hash that only spreads entries over the slots: a hit also
 * needs the whole key to be equal, so it need not resist forgery. */
static uint64_t text_hash(uint64_t seed, const char *p, size_t len)
{
    const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t h = seed ^ (len * k), w;
    size_t i = 0;

    for (; i + sizeof w <= len; i += sizeof w) {
        memcpy(&w, p + i, sizeof w);
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    w = 0;
    memcpy(&w, p + i, len - i);
    h = (h ^ w) * k;
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    return h ^ (h >> 32);
}

/* ---- life cycle ---- */

size_t svct_cache_memory(size_t sessions, size_t tokens, size_t issued)
{
    return sizeof(svct_cache_t) + sessions * sizeof(sess_ent_t) +
           tokens * (sizeof(tok_ent_t) + sizeof(unk_ent_t)) + issued * sizeof(issued_ent_t);
}

svct_cache_t *svct_cache_create(size_t sessions, size_t tokens, size_t issued)
{
    svct_cache_t *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    if (apr_pool_create(&c->pool, NULL) != APR_SUCCESS) {
        free(c);
        return NULL;
    }
    c->nsess = sessions;
    c->ntok = tokens;
    c->nissued = issued;
    if ((sessions && !(c->sess = calloc(sessions, sizeof *c->sess))) ||
        (tokens && !(c->tok = calloc(tokens, sizeof *c->tok))) ||
        (tokens && !(c->unk = calloc(tokens, sizeof *c->unk))) ||
        (issued && !(c->issued = calloc(issued, sizeof *c->issued))) ||
        apr_thread_mutex_create(&c->sess_lock, APR_THREAD_MUTEX_DEFAULT, c->pool) != APR_SUCCESS ||
        apr_thread_mutex_create(&c->tok_lock, APR_THREAD_MUTEX_DEFAULT, c->pool) != APR_SUCCESS ||
        apr_thread_mutex_create(&c->issued_lock, APR_THREAD_MUTEX_DEFAULT, c->pool) !=
            APR_SUCCESS) {
        svct_cache_destroy(c);
        return NULL;
    }
    if (RAND_bytes((unsigned char *)&c->seed, sizeof c->seed) != 1)
        c->seed = (uint64_t)(uintptr_t)c ^ (uint64_t)time(NULL);
    return c;
}

void svct_cache_destroy(svct_cache_t *c)
{
    int j;

    if (!c)
        return;
    for (j = 0; j < (int)c->nstores; j++) {
        free(c->stores[j].path);
        free(c->stores[j].type);
        free(c->stores[j].files[0]);
        free(c->stores[j].files[1]);
    }
    /* The entries hold sessions (bearer credentials) and token names: wipe
     * them before they go. */
    if (c->sess)
        OPENSSL_cleanse(c->sess, c->nsess * sizeof *c->sess);
    if (c->issued)
        OPENSSL_cleanse(c->issued, c->nissued * sizeof *c->issued);
    free(c->sess);
    free(c->tok);
    free(c->unk);
    free(c->issued);
    apr_pool_destroy(c->pool); /* and the locks with it */
    free(c);
}

void svct_cache_get_stats(svct_cache_t *c, svct_cache_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    apr_thread_mutex_lock(c->sess_lock);
    out->session_hits = c->stats.session_hits;
    out->session_misses = c->stats.session_misses;
    apr_thread_mutex_unlock(c->sess_lock);
    apr_thread_mutex_lock(c->tok_lock);
    out->token_hits = c->stats.token_hits;
    out->token_misses = c->stats.token_misses;
    out->unknown_hits = c->stats.unknown_hits;
    apr_thread_mutex_unlock(c->tok_lock);
    apr_thread_mutex_lock(c->issued_lock);
    out->issued_hits = c->stats.issued_hits;
    out->issued_misses = c->stats.issued_misses;
    apr_thread_mutex_unlock(c->issued_lock);
}

/* ---- verified sessions ---- */

/* The slot of a session, or NULL if it cannot be cached; *HASH, *ISS_LEN,
 * *AUD_LEN for the compare. */
static sess_ent_t *session_slot(svct_cache_t *c, const char *iss, const char *aud,
                                const char *jwt, size_t len, uint64_t *hash, size_t *iss_len,
                                size_t *aud_len)
{
    if (!c || !c->nsess || !iss || !aud || !jwt)
        return NULL;
    *iss_len = strlen(iss);
    *aud_len = strlen(aud);
    if (len > SESS_TEXT_MAX || *iss_len + *aud_len > SESS_TEXT_MAX - len)
        return NULL;
    /* The slot comes from the JWT's last bytes, its signature: they differ
     * between any two sessions, and a client cannot crowd a slot with JWTs
     * that fail verification, since only verified ones are put. */
    *hash = text_hash(c->seed, jwt + (len > SESS_HASHED ? len - SESS_HASHED : 0),
                      len > SESS_HASHED ? SESS_HASHED : len) ^ len;
    return &c->sess[*hash % c->nsess];
}

int svct_cache_session_get(svct_cache_t *c, const void *ring, const char *iss, const char *aud,
                           const char *jwt, size_t len, svct_session_t *s)
{
    size_t il, al;
    uint64_t h;
    sess_ent_t *e = session_slot(c, iss, aud, jwt, len, &h, &il, &al);
    int hit;

    if (!e)
        return 0;
    apr_thread_mutex_lock(c->sess_lock);
    /* iss and aud are the server's own; the JWT is compared in constant
     * time, although a client that does not hold it can reach the compare
     * only through a 64-bit hash collision with a secret seed. */
    hit = e->used && e->ring == ring && e->hash == h && e->iss_len == il && e->aud_len == al &&
          e->jwt_len == len && !memcmp(e->text, iss, il) && !memcmp(e->text + il, aud, al) &&
          svct_ct_equal(e->text + il + al, jwt, len);
    if (hit) {
        *s = e->s;
        c->stats.session_hits++;
    } else {
        c->stats.session_misses++;
    }
    apr_thread_mutex_unlock(c->sess_lock);
    return hit;
}

void svct_cache_session_put(svct_cache_t *c, const void *ring, const char *iss, const char *aud,
                            const char *jwt, size_t len, const svct_session_t *s)
{
    size_t il, al;
    uint64_t h;
    sess_ent_t *e = session_slot(c, iss, aud, jwt, len, &h, &il, &al);

    if (!e)
        return;
    apr_thread_mutex_lock(c->sess_lock);
    e->used = 1;
    e->ring = ring;
    e->hash = h;
    e->iss_len = (uint16_t)il;
    e->aud_len = (uint16_t)al;
    e->jwt_len = (uint16_t)len;
    memcpy(e->text, iss, il);
    memcpy(e->text + il, aud, al);
    memcpy(e->text + il + al, jwt, len);
    e->s = *s;
    apr_thread_mutex_unlock(c->sess_lock);
}

/* ---- token records ---- */

svct_cache_store_t *svct_cache_store(svct_cache_t *c, const char *path, const char *dbmtype,
                                     apr_pool_t *p)
{
    const char *type = dbmtype ? dbmtype : "default", *used1 = NULL, *used2 = NULL;
    svct_cache_store_t *cs = NULL;
    int i, n;

    if (!c || !c->ntok || !path)
        return NULL;
    /* Entries are only ever appended, each whole before nstores counts it,
     * and never change: finding a store seen before takes no lock. */
    n = (int)apr_atomic_read32(&c->nstores);
    for (i = 0; i < n; i++) {
        if (!strcmp(c->stores[i].path, path) && !strcasecmp(c->stores[i].type, type))
            return &c->stores[i];
    }
    apr_thread_mutex_lock(c->tok_lock);
    for (i = 0; i < (int)c->nstores; i++) {
        if (!strcmp(c->stores[i].path, path) && !strcasecmp(c->stores[i].type, type)) {
            cs = &c->stores[i];
            break;
        }
    }
    if (!cs && c->nstores < SVCT_CACHE_STORES_MAX &&
        apr_dbm_get_usednames_ex(p, type, path, &used1, &used2) == APR_SUCCESS && used1) {
        svct_cache_store_t *ns = &c->stores[c->nstores];

        memset(ns, 0, sizeof *ns);
        ns->path = strdup(path);
        ns->type = strdup(type);
        ns->files[0] = strdup(used1);
        ns->files[1] = used2 ? strdup(used2) : NULL;
        ns->nfiles = used2 ? 2 : 1;
        if (ns->path && ns->type && ns->files[0] && (!used2 || ns->files[1]) &&
            apr_thread_rwlock_create(&ns->stamp_lock, c->pool) == APR_SUCCESS) {
            apr_atomic_inc32(&c->nstores);
            cs = ns;
        } else {
            free(ns->path);
            free(ns->type);
            free(ns->files[0]);
            free(ns->files[1]);
        }
    }
    apr_thread_mutex_unlock(c->tok_lock);
    return cs;
}

int svct_cache_store_stamp(const svct_cache_store_t *ccs, svct_store_stamp_t *stamp)
{
    svct_cache_store_t *cs = (svct_cache_store_t *)ccs;
    int64_t now = svct_clock_mono_ns();
    int i;

    memset(stamp, 0, sizeof *stamp);
    for (i = 0; i < cs->nfiles; i++) {
        struct stat sb;

        if (stat(cs->files[i], &sb) != 0) {
            apr_thread_rwlock_wrlock(cs->stamp_lock);
            cs->has_recent = 0;
            apr_thread_rwlock_unlock(cs->stamp_lock);
            return -1;
        }
        stamp->f[i].dev = (uint64_t)sb.st_dev;
        stamp->f[i].ino = (uint64_t)sb.st_ino;
        stamp->f[i].size = (int64_t)sb.st_size;
        stamp->f[i].mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        stamp->f[i].ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
    }
    stamp->nfiles = cs->nfiles;
    apr_thread_rwlock_wrlock(cs->stamp_lock);
    if (!cs->has_recent || now > cs->recent_ns) {
        cs->recent = *stamp;
        cs->recent_ns = now;
        cs->has_recent = 1;
    }
    apr_thread_rwlock_unlock(cs->stamp_lock);
    return 0;
}

int svct_cache_store_recent_stamp(const svct_cache_store_t *ccs, svct_store_stamp_t *stamp)
{
    svct_cache_store_t *cs = (svct_cache_store_t *)ccs;
    int64_t now = svct_clock_mono_ns();
    int fresh;

    apr_thread_rwlock_rdlock(cs->stamp_lock);
    /* Taken no earlier than RECHECK before now: every write that ended
     * before that stat() began is in it. */
    fresh = cs->has_recent && now - cs->recent_ns < SVCT_CACHE_RECHECK_NS;
    if (fresh)
        *stamp = cs->recent;
    apr_thread_rwlock_unlock(cs->stamp_lock);
    return fresh ? 0 : svct_cache_store_stamp(cs, stamp);
}

int svct_cache_stamp_equal(const svct_store_stamp_t *a, const svct_store_stamp_t *b)
{
    int i;

    if (a->nfiles != b->nfiles)
        return 0;
    for (i = 0; i < a->nfiles; i++)
        if (a->f[i].dev != b->f[i].dev || a->f[i].ino != b->f[i].ino ||
            a->f[i].size != b->f[i].size || a->f[i].mtime_ns != b->f[i].mtime_ns ||
            a->f[i].ctime_ns != b->f[i].ctime_ns)
            return 0;
    return 1;
}

/* A stamp is trusted once no write can share its timestamps any more. */
static int stamp_settled(const svct_store_stamp_t *st)
{
    int i;

    for (i = 0; i < st->nfiles; i++) {
        int64_t t = st->f[i].mtime_ns > st->f[i].ctime_ns ? st->f[i].mtime_ns : st->f[i].ctime_ns;
        if (svct_clock_age_ns(t) < SVCT_CACHE_SETTLE_NS)
            return 0;
    }
    return st->nfiles > 0;
}

static size_t tok_slot(const svct_cache_t *c, const svct_cache_store_t *cs, const char *client_id)
{
    return (size_t)(text_hash(c->seed ^ (uint64_t)(uintptr_t)cs, client_id, strlen(client_id)) %
                    c->ntok);
}

int svct_cache_token_get(svct_cache_t *c, svct_cache_store_t *cs, const svct_store_stamp_t *stamp,
                         const char *client_id, svct_record_t *rec, int64_t *revoked_before)
{
    tok_ent_t *e;
    int hit;

    if (!c || !cs || !c->ntok)
        return 0;
    e = &c->tok[tok_slot(c, cs, client_id)];
    apr_thread_mutex_lock(c->tok_lock);
    hit = cs->valid && svct_cache_stamp_equal(&cs->stamp, stamp) && e->store == cs &&
          e->gen == cs->gen && !strcmp(e->rec.client_id, client_id);
    if (hit) {
        *rec = e->rec;
        *revoked_before = cs->revoked_before;
        c->stats.token_hits++;
    } else {
        c->stats.token_misses++;
    }
    apr_thread_mutex_unlock(c->tok_lock);
    return hit;
}

/* Makes STAMP the one the entries of CS are valid under: 1, or 0 (and
 * nothing of CS valid) when it has not settled. Under tok_lock. */
static int store_take_stamp(svct_cache_store_t *cs, const svct_store_stamp_t *stamp, int settled)
{
    if (!settled) {
        /* The store is changing: what was cached may be dead already. */
        cs->valid = 0;
        return 0;
    }
    if (!cs->valid || !svct_cache_stamp_equal(&cs->stamp, stamp)) {
        /* Records of the new generation are put only by token_put, which
         * also sets revoked_before for it. */
        cs->stamp = *stamp;
        cs->gen++;
        cs->valid = 1;
    }
    return 1;
}

void svct_cache_token_put(svct_cache_t *c, svct_cache_store_t *cs, const svct_store_stamp_t *stamp,
                          const svct_record_t *rec, int64_t revoked_before)
{
    tok_ent_t *e;
    int settled;

    if (!c || !cs || !c->ntok)
        return;
    settled = stamp_settled(stamp);
    e = &c->tok[tok_slot(c, cs, rec->client_id)];
    apr_thread_mutex_lock(c->tok_lock);
    if (store_take_stamp(cs, stamp, settled)) {
        cs->revoked_before = revoked_before;
        e->store = cs;
        e->gen = cs->gen;
        e->rec = *rec;
    }
    apr_thread_mutex_unlock(c->tok_lock);
}

/* The slot of an unknown ID: a hash of its own, so that an ID sits in
 * different slots of the two tables. */
static unk_ent_t *unk_slot(const svct_cache_t *c, const svct_cache_store_t *cs,
                           const char *client_id)
{
    uint64_t h = text_hash(~c->seed ^ (uint64_t)(uintptr_t)cs, client_id, strlen(client_id));

    return &c->unk[h % c->ntok];
}

int svct_cache_unknown_get(svct_cache_t *c, svct_cache_store_t *cs,
                           const svct_store_stamp_t *stamp, const char *client_id)
{
    unk_ent_t *e;
    int hit;

    if (!c || !cs || !c->ntok || strlen(client_id) != SVCT_CLIENT_ID_LEN)
        return 0;
    e = unk_slot(c, cs, client_id);
    apr_thread_mutex_lock(c->tok_lock);
    hit = cs->valid && svct_cache_stamp_equal(&cs->stamp, stamp) && e->store == cs &&
          e->gen == cs->gen && !strcmp(e->client_id, client_id);
    if (hit)
        c->stats.unknown_hits++;
    apr_thread_mutex_unlock(c->tok_lock);
    return hit;
}

void svct_cache_unknown_put(svct_cache_t *c, svct_cache_store_t *cs,
                            const svct_store_stamp_t *stamp, const char *client_id)
{
    unk_ent_t *e;
    int settled;

    if (!c || !cs || !c->ntok || strlen(client_id) != SVCT_CLIENT_ID_LEN)
        return;
    settled = stamp_settled(stamp);
    e = unk_slot(c, cs, client_id);
    apr_thread_mutex_lock(c->tok_lock);
    if (store_take_stamp(cs, stamp, settled)) {
        e->store = cs;
        e->gen = cs->gen;
        memcpy(e->client_id, client_id, SVCT_CLIENT_ID_LEN + 1);
    }
    apr_thread_mutex_unlock(c->tok_lock);
}

/* ---- issued sessions ---- */

typedef struct {
    size_t iss, aud, id, name; /* lengths */
    uint64_t hash;
} issued_probe_t;

/* The lengths and hash of KEY, or 0 if it cannot be cached. */
static int issued_probe(const svct_cache_t *c, const svct_issued_key_t *k, issued_probe_t *pr)
{
    if (!c || !c->nissued || !k->iss || !k->aud || !k->client_id || !k->name || !k->store_tag ||
        strlen(k->store_tag) != SVCT_STORE_TAG_LEN)
        return 0;
    pr->iss = strlen(k->iss);
    pr->aud = strlen(k->aud);
    pr->id = strlen(k->client_id);
    pr->name = strlen(k->name);
    if (pr->iss > ISSUED_TEXT_MAX || pr->aud > ISSUED_TEXT_MAX - pr->iss ||
        pr->id > ISSUED_TEXT_MAX - pr->iss - pr->aud ||
        pr->name > ISSUED_TEXT_MAX - pr->iss - pr->aud - pr->id)
        return 0;
    /* The token and the audience pick the slot; the rest of the key is
     * compared on a hit. */
    pr->hash = text_hash(c->seed ^ (uint64_t)(uintptr_t)k->ring ^ (uint64_t)k->duration,
                         k->client_id, pr->id);
    pr->hash = text_hash(pr->hash, k->aud, pr->aud);
    return 1;
}

static int issued_matches(const issued_ent_t *e, const svct_issued_key_t *k,
                          const issued_probe_t *pr)
{
    const char *t = e->text;

    return e->used && e->hash == pr->hash && e->ring == k->ring && e->duration == k->duration &&
           e->revoked_before == k->revoked_before && e->iss_len == pr->iss &&
           e->aud_len == pr->aud && e->id_len == pr->id && e->name_len == pr->name &&
           !memcmp(e->store_tag, k->store_tag, SVCT_STORE_TAG_LEN) &&
           !memcmp(t, k->iss, pr->iss) && !memcmp(t + pr->iss, k->aud, pr->aud) &&
           !memcmp(t + pr->iss + pr->aud, k->client_id, pr->id) &&
           !memcmp(t + pr->iss + pr->aud + pr->id, k->name, pr->name);
}

size_t svct_cache_issued_get(svct_cache_t *c, const svct_issued_key_t *key, int64_t iat,
                             char *out, size_t cap)
{
    issued_probe_t pr;
    issued_ent_t *e;
    size_t len = 0;

    if (!issued_probe(c, key, &pr))
        return 0;
    e = &c->issued[pr.hash % c->nissued];
    apr_thread_mutex_lock(c->issued_lock);
    if (issued_matches(e, key, &pr) && e->iat == iat && e->jwt_len < cap) {
        memcpy(out, e->jwt, (size_t)e->jwt_len + 1);
        len = e->jwt_len;
        c->stats.issued_hits++;
    } else {
        c->stats.issued_misses++;
    }
    apr_thread_mutex_unlock(c->issued_lock);
    return len;
}

void svct_cache_issued_put(svct_cache_t *c, const svct_issued_key_t *key, int64_t iat,
                           const char *jwt, size_t len)
{
    issued_probe_t pr;
    issued_ent_t *e;
    char *t;

    if (len >= ISSUED_JWT_MAX || !issued_probe(c, key, &pr))
        return;
    e = &c->issued[pr.hash % c->nissued];
    apr_thread_mutex_lock(c->issued_lock);
    e->used = 1;
    e->ring = key->ring;
    e->hash = pr.hash;
    e->duration = key->duration;
    e->revoked_before = key->revoked_before;
    e->iat = iat;
    e->iss_len = (uint16_t)pr.iss;
    e->aud_len = (uint16_t)pr.aud;
    e->id_len = (uint16_t)pr.id;
    e->name_len = (uint16_t)pr.name;
    memcpy(e->store_tag, key->store_tag, SVCT_STORE_TAG_LEN);
    t = e->text;
    memcpy(t, key->iss, pr.iss);
    memcpy(t + pr.iss, key->aud, pr.aud);
    memcpy(t + pr.iss + pr.aud, key->client_id, pr.id);
    memcpy(t + pr.iss + pr.aud + pr.id, key->name, pr.name);
    memcpy(e->jwt, jwt, len);
    e->jwt[len] = '\0';
    e->jwt_len = (uint16_t)len;
    apr_thread_mutex_unlock(c->issued_lock);
}
