/*
 * What the token store's own files (store.c, store_dbm.c, store_lock.c,
 * store_record.c, store_check.c) share: the handle's layout, the key names
 * and the DBM calls that read and write one key (store_dbm.c). Not for
 * anyone else: store.h is the interface.
 */
#ifndef SVCT_STORE_DBM_H
#define SVCT_STORE_DBM_H

#include <stddef.h>
#include <stdint.h>
#include <apr_dbm.h>
#include <apr_hash.h>

#include "error.h"
#include "store_sql.h"
#include "store.h"
#include "store_file.h"

#define SVCT_STORE_FORMAT "1"
#define SVCT_KEY_FORMAT "meta:format"
#define SVCT_KEY_REVOKED "meta:revoked_before"
#define SVCT_KEY_ID "id:"
#define SVCT_KEY_NAME "name:"
/* Room for "name:" + the longest name; every key we build fits. */
#define SVCT_KEY_MAX (sizeof(SVCT_KEY_NAME) + SVCT_NAME_MAX_BYTES)

/* Store files are created 0640 (before the umask): the admin who runs
 * svctoken owns and writes them, and can give read access to httpd with
 * `chgrp www-data` without also showing names, Client IDs and hashes to every
 * local user. The lock file holds nothing, and httpd must open it to take its
 * shared lock, so it is 0644. */
#define SVCT_STORE_PERMS (APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD)
#define SVCT_LOCK_MODE 0644

struct svct_store {
    apr_pool_t *pool;     /* sub-pool of the caller's: holds all of this handle */
    apr_pool_t *dbm_pool; /* sub-pool of POOL for the DBM, cleared on re-open */
    apr_dbm_t *dbm;
    const char *type;
    int reopen_after_write; /* SDBM, see svct_store_reopen() */
    int lockfd;             /* -1 when the store has no lock file yet (read only) */
    svct_store_mode_t mode;
    int writer;  /* WRITE or MODIFY */
    int changed; /* a change was committed: close waits, see store.h */
    int on_copy; /* DBM is the copy beside the store, see store_file.h */
    svct_store_files_t files;
    /* What the change wrote to the copy, to read back before it is
     * committed (svct_store_dbm_verify): key -> svct_store_written_t, and
     * how many keys the copy must hold. */
    apr_hash_t *written;
    long nkeys;
    /* Device and inode of the files at the path just before the DBM opened
     * it, under the lock (svct_store_file_ids). */
    int nids;
    uint64_t dev[2], ino[2];
    const char *path;
    const char *used1; /* the DBM's main file, to tell whether the store exists */
    const char *error;
    svct_sql_t *sql; /* a SQL store (store_sql.h): every call goes there */
};

/* Sets the handle's error text (FMT, ...) and returns RC. */
#define svct_store_fail(st, rc, ...)                                                               \
    ((svct_store_rc_t)svct_error_set(&(st)->error, (st)->pool, (rc), __VA_ARGS__))
/* "PREFIX" + S[0..LEN) into BUF (SVCT_KEY_MAX bytes); returns its length. */
size_t svct_store_key(char *buf, const char *prefix, const char *s, size_t len);
/* The Client ID that "name:NAME" points to, into ID (SVCT_CLIENT_ID_LEN+1). */
svct_store_rc_t svct_store_name_target(svct_store_t *st, const char *name, size_t namelen,
                                       char *id);
/* SVCT_STORE_OK while the handle's DBM is open; EIO, saying so, once an
 * error (a failed reopen) has left it without one. */
svct_store_rc_t svct_store_usable(svct_store_t *st);
/* One DBM fetch, copied into OUT (CAP bytes); SVCT_STORE_NOTFOUND if the key
 * is not there. */
svct_store_rc_t svct_store_fetch(svct_store_t *st, const char *key, size_t klen, char *out,
                                 size_t cap, size_t *outlen);
/* Opens the DBM at PATH (the store, or its copy) with HOW (APR_DBM_*). */
svct_store_rc_t svct_store_dbm_open(svct_store_t *st, const char *path, apr_int32_t how);
/* Closes the DBM and drops a change not committed; a pre-cleanup of the
 * handle's pool, so it runs before the lock is released. */
apr_status_t svct_store_dbm_cleanup(void *data);
/* The DBM's text for a failed read (RV), in the handle's pool. */
const char *svct_dbm_read_error(svct_store_t *st, apr_status_t rv);
/* A SQL store's result as the store's (store.h). */
svct_store_rc_t svct_store_sql_rc(svct_store_t *st, svct_sql_rc_t rc);
/* Closes the copy a change was written to, opens it again read-only and
 * checks that it holds what the change wrote: a DBM library that flushes
 * its cache on close (Berkeley DB) cannot report a failed write there, as
 * apr_dbm_close returns nothing. EIO, the copy dropped, when it does not. */
svct_store_rc_t svct_store_dbm_verify(svct_store_t *st);
/* EIO unless the handle may write. */
svct_store_rc_t svct_store_writable(svct_store_t *st);
/* One key written or removed, in the copy of the store (store_file.h). */
svct_store_rc_t svct_store_put(svct_store_t *st, const char *key, size_t klen, const char *val,
                               size_t vlen);
svct_store_rc_t svct_store_del(svct_store_t *st, const char *key, size_t klen);

#endif
