/*
 * Per-process caches that keep the per-request work of the module to a few
 * lookups: verified sessions, token records with the store-wide state, and
 * the session last issued for a token. One cache serves all the threads of a
 * child (event and worker MPMs), each table behind its own mutex, each of a
 * fixed size chosen at creation, so memory never grows with traffic.
 *
 * What may be cached, and why it stays correct:
 * - A verified session: only what verification proved from the JWT itself
 *   (signature, iss, aud, claims), found again only by the same keyring,
 *   expected iss and aud and the whole JWT, byte for byte (a fast keyed
 *   hash picks the slot; the entry keeps the text). Its times are checked again on
 *   every hit, so an entry is never used past the JWT's exp; what only the
 *   store knows (token state, revocation) is always checked afresh.
 * - Token records and revoked_before: tagged with a stamp of the store's
 *   files (device, inode, size, mtime and ctime in ns). A hit needs a stamp
 *   taken at most SVCT_CACHE_RECHECK_NS before this request began to equal
 *   the one taken under the store's shared lock when the record was read.
 *   The stamp under the lock must also name the files the store's DBM
 *   opened (svct_store_file_ids), or nothing is cached: a path flipped to
 *   other files in between would file the old file's record under the new
 *   file's stamp. svctoken returns SVCT_STORE_VISIBLE_NS (twice the
 *   re-check) after its commit (store.h), so whatever it changed is seen by
 *   the next request; a change or a file replaced by other means (a
 *   symlink flip, a directory renamed), within SVCT_CACHE_RECHECK_NS.
 *   Sharing one stat() between the requests of a few milliseconds keeps the
 *   syscall off the path of nearly every request. Timestamps are only
 *   as fine as the kernel's clock tick (a few ms): two writes within one
 *   tick could leave equal stamps. So a stamp younger than
 *   SVCT_CACHE_SETTLE_NS is never trusted: for a second after a change the
 *   store is read from the file on every request, as with no cache.
 * - The session last issued for (keyring, iss, aud, token, duration): found
 *   by the same keyed hash and a compare of the whole key, and reused only
 *   while it carries exactly the iat and revoked_before a new one would get
 *   (the same second, the same revocation), so it is the session that would
 *   be signed now.
 */
#ifndef SVCT_CACHE_H
#define SVCT_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "jwt.h"
#include "record.h"
#include "store.h"

/* Default table sizes (entries); see svct_cache_memory(). */
#define SVCT_CACHE_SESSIONS 1024
#define SVCT_CACHE_TOKENS 1024
#define SVCT_CACHE_ISSUED 256
/* Distinct stores cached per process; further stores are read uncached. */
#define SVCT_CACHE_STORES_MAX 16
/* A store stamp must be older than this to be trusted (see above). */
#define SVCT_CACHE_SETTLE_NS INT64_C(1000000000)
/* A stamp of the store's files serves the requests of this long. */
#define SVCT_CACHE_RECHECK_NS (SVCT_STORE_VISIBLE_NS / 2)

typedef struct svct_cache svct_cache_t;
typedef struct svct_cache_store svct_cache_store_t;

typedef struct svct_file_stamp {
    uint64_t dev, ino;
    int64_t size, mtime_ns, ctime_ns;
} svct_file_stamp_t;

typedef struct svct_store_stamp {
    int nfiles;
    svct_file_stamp_t f[2];
} svct_store_stamp_t;

typedef struct svct_cache_stats {
    uint64_t session_hits, session_misses;
    uint64_t token_hits, token_misses;
    uint64_t issued_hits, issued_misses;
    uint64_t unknown_hits; /* Client IDs answered "unknown" from the cache */
} svct_cache_stats_t;

/* A cache with tables of the given sizes (0: that cache is off); the table
 * of unknown Client IDs has as many entries as that of TOKENS. NULL when
 * out of memory. Thread-safe; free with svct_cache_destroy. */
svct_cache_t *svct_cache_create(size_t sessions, size_t tokens, size_t issued);
void svct_cache_destroy(svct_cache_t *c);
/* Bytes held by a cache of these sizes, for the documentation and tests. */
size_t svct_cache_memory(size_t sessions, size_t tokens, size_t issued);
void svct_cache_get_stats(svct_cache_t *c, svct_cache_stats_t *out);

/* ---- verified sessions ---- */

/* 1 and *S when JWT[0..LEN), verified against RING, ISS and AUD, is cached
 * (the same bytes, the same RING, ISS and AUD), else 0. The caller checks
 * the times. */
int svct_cache_session_get(svct_cache_t *c, const void *ring, const char *iss, const char *aud,
                           const char *jwt, size_t len, svct_session_t *s);
/* Caches S, what verifying JWT[0..LEN) against RING, ISS and AUD gave. ISS,
 * AUD and the JWT together over 1 KB are not cached. */
void svct_cache_session_put(svct_cache_t *c, const void *ring, const char *iss, const char *aud,
                            const char *jwt, size_t len, const svct_session_t *s);

/* ---- token records ---- */

/* The cache entry of the store PATH/DBMTYPE, made on first use (P is for
 * temporary allocations). NULL if the store cannot be cached. */
svct_cache_store_t *svct_cache_store(svct_cache_t *c, const char *path, const char *dbmtype,
                                     apr_pool_t *p);
/* Stamps the store's files now, by path (stat), so that a file renamed
 * over the store, a flipped symlink or a renamed directory give a new
 * stamp. 0, or -1 if one is missing. */
int svct_cache_store_stamp(const svct_cache_store_t *cs, svct_store_stamp_t *stamp);
/* The stamp of the store's files taken by this process at most
 * SVCT_CACHE_RECHECK_NS ago, or a new one (svct_cache_store_stamp). */
int svct_cache_store_recent_stamp(const svct_cache_store_t *cs, svct_store_stamp_t *stamp);
/* 1 if A and B stamp the same files in the same state. */
int svct_cache_stamp_equal(const svct_store_stamp_t *a, const svct_store_stamp_t *b);
/* 1 with *REC and *REVOKED_BEFORE when CLIENT_ID was cached under a stamp
 * equal to STAMP, else 0. */
int svct_cache_token_get(svct_cache_t *c, svct_cache_store_t *cs, const svct_store_stamp_t *stamp,
                         const char *client_id, svct_record_t *rec, int64_t *revoked_before);
/* Caches REC and REVOKED_BEFORE, read under the store's lock while its files
 * had STAMP; does nothing if STAMP has not settled. */
void svct_cache_token_put(svct_cache_t *c, svct_cache_store_t *cs, const svct_store_stamp_t *stamp,
                          const svct_record_t *rec, int64_t revoked_before);

/* ---- unknown Client IDs ---- */

/* A Client ID that is not in the store costs a store read each time it is
 * sent (random IDs are free to make); it is remembered under the stamp it
 * was looked up with, like a record, in a table of its own so that misses
 * cannot push out the records of real tokens. Any change of the store's
 * files forgets them all. */

/* 1 when CLIENT_ID was found missing from the store under a stamp equal to
 * STAMP, else 0. */
int svct_cache_unknown_get(svct_cache_t *c, svct_cache_store_t *cs,
                           const svct_store_stamp_t *stamp, const char *client_id);
/* Notes that CLIENT_ID was not in the store read under the lock while its
 * files had STAMP; does nothing if STAMP has not settled. */
void svct_cache_unknown_put(svct_cache_t *c, svct_cache_store_t *cs,
                            const svct_store_stamp_t *stamp, const char *client_id);

/* ---- issued sessions ---- */

/* What an issued session is cached under: the session is reused only for
 * the same keyring, issuer, audience, token (Client ID and name), store
 * (its tag, SVCT_STORE_TAG_LEN characters), duration and revocation time.
 * The strings are the caller's; together over 1 KB they are not
 * cached. */
typedef struct svct_issued_key {
    const void *ring;
    const char *iss, *aud, *client_id, *name;
    const char *store_tag;
    int64_t duration;
    int64_t revoked_before; /* the session's claim of that name */
} svct_issued_key_t;

/* Copies the JWT cached under KEY with exactly this IAT into OUT (CAP
 * bytes, NUL-terminated) and returns its length; 0 if there is none. */
size_t svct_cache_issued_get(svct_cache_t *c, const svct_issued_key_t *key, int64_t iat,
                             char *out, size_t cap);
void svct_cache_issued_put(svct_cache_t *c, const svct_issued_key_t *key, int64_t iat,
                           const char *jwt, size_t len);

#endif
