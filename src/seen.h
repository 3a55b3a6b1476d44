/*
 * Last seen: when each token last got in (by secret, session or Basic).
 *
 * On a DBM store the times live beside it, never in it: the directory
 * "<store>.seen" holds one empty file per token that was used, named by
 * its Client ID, whose mtime is the time it was last seen. httpd's parent
 * (root) makes the directory at start-up and gives it to the user the
 * children run as (mode 0711), so the children can record use without any
 * write access to the token records, and svctoken, knowing the Client IDs
 * from the store, reads each time with one lstat() (no read permission on
 * the directory needed). Recording is one utimensat(): no lock, nothing a
 * request could wait on, whatever svctoken or other children do.
 *
 * Each child remembers per token when it last recorded (or found) a time,
 * so that a warm request costs one comparison; before writing, it looks at
 * the stored time, so that all children together write at most once per
 * interval (two children may race within the same instant: both then write
 * the same second).
 */
#ifndef SVCT_SEEN_H
#define SVCT_SEEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sql_view.h"

/* ServiceTokenSeenInterval's default, in seconds. */
#define SVCT_SEEN_INTERVAL_DEFAULT 300
#define SVCT_SEEN_SUFFIX ".seen"
/* Slots of a child's memory: 4096 of 64 bytes. */
#define SVCT_SEEN_MEMO_SLOTS 4096

/* ---- a child's memory of what it recorded (thread-safe) ---- */

typedef struct svct_seen_memo svct_seen_memo_t;

/* SLOTS entries, direct-mapped: two tokens sharing a slot only cost an
 * extra look at the stored time. NULL when out of memory. */
svct_seen_memo_t *svct_seen_memo_create(size_t slots);
void svct_seen_memo_destroy(svct_seen_memo_t *m);

/* The key that names the store STORE (its path, or "dbd") in a child's
 * memory: made once, when the directive is read, not on every request. */
uint64_t svct_seen_store_key(const char *store);

/* 1 when the token CLIENT_ID of the store STORE_KEY names is due: this child
 * has not recorded or found a time for it within INTERVAL seconds of NOW.
 * The call claims it (its memory says NOW), so other threads of the child
 * do not write it too. */
int svct_seen_memo_due(svct_seen_memo_t *m, uint64_t store_key, const char *client_id, int64_t now,
                       int64_t interval);
/* The stored time found was WHEN: the token is next due at WHEN + interval. */
void svct_seen_memo_set(svct_seen_memo_t *m, uint64_t store_key, const char *client_id,
                        int64_t when);

/* ---- the DBM store's last-seen directory ---- */

/* httpd's parent, at each start and restart: makes "<STORE_PATH>.seen"
 * (0711) if missing and, when running as root, gives it to UID:GID. 0, or
 * -1 with one line in ERR. */
int svct_seen_prepare(const char *store_path, uid_t uid, gid_t gid, char *err, size_t errlen);

typedef enum {
    SVCT_SEEN_WRITTEN = 0, /* NOW recorded */
    SVCT_SEEN_FRESH,       /* the stored time is within the interval: *STORED */
    SVCT_SEEN_NO_DIR,      /* the store has no last-seen directory */
    SVCT_SEEN_ERROR,       /* ERR says why */
    SVCT_SEEN_NOT_DUE      /* this child recorded or found it within the interval */
} svct_seen_rc_t;

/* A child: records NOW as the last use of CLIENT_ID unless the stored time
 * is within INTERVAL seconds of it. */
svct_seen_rc_t svct_seen_record(const char *store_path, const char *client_id, int64_t now,
                                int64_t interval, int64_t *stored, char *err, size_t errlen);

/* The request path on a DBM store: svct_seen_record when this child's
 * memory M says CLIENT_ID is due, and M told what was found. STORE_KEY is
 * svct_seen_store_key(STORE_PATH). */
svct_seen_rc_t svct_seen_note(svct_seen_memo_t *m, const char *store_path, uint64_t store_key,
                              const char *client_id, int64_t now, int64_t interval, char *err,
                              size_t errlen);

/* The same on a SQL store read through VIEW (seen_sql.c): one UPDATE that
 * checks the interval itself (store_sql.h), on the connection CONNECT(BATON)
 * gives; nothing while VIEW finds the database down. */
svct_seen_rc_t svct_seen_note_sql(svct_seen_memo_t *m, uint64_t store_key, svct_sql_view_t *view,
                                  svct_sql_connect_fn connect, void *baton, const char *client_id,
                                  int64_t now, int64_t interval, char *err, size_t errlen);

/* svctoken: when CLIENT_ID was last seen (*WHEN, 0: never, also when the
 * store has no last-seen directory). 0, or -1 with ERR (the directory
 * cannot be searched). */
int svct_seen_get(const char *store_path, const char *client_id, int64_t *when, char *err,
                  size_t errlen);

/* svctoken delete: drops the token's entry where this user may (root, or
 * httpd's user); else it stays, unused, since Client IDs are never reused. */
void svct_seen_forget(const char *store_path, const char *client_id);

/* WHEN relative to NOW for people: "42 s ago", "3 min ago", "5 h ago",
 * "12 d ago", "just now" (or "in the future"), in BUF (CAP bytes), which is returned. */
const char *svct_seen_ago(int64_t now, int64_t when, char *buf, size_t cap);

#endif
