/*
 * How a change reaches a DBM token store whole or not at all: the store's
 * files are copied beside themselves ("<path>.new", or "<path>.new.dir" and
 * ".pag" for SDBM), the change is made in the copy, and the copy is flushed
 * to disk and renamed over the store. A crash or a full disk at any point
 * leaves either the old store or the new one, never a mix.
 *
 * SDBM keeps a store in two files, and two renames are not one atomic step:
 * a marker file ("<path>.commit"), written and flushed once both copies are
 * on disk, says that the copies are complete and must replace the store.
 * Whoever next holds the exclusive lock finishes the renames (a roll
 * forward); without the marker, copies found beside the store are the
 * remains of a change that never committed, and are removed.
 *
 * Every function here runs under the store's exclusive lock (store_lock.c).
 */
#ifndef SVCT_STORE_FILE_H
#define SVCT_STORE_FILE_H

#include <stddef.h>
#include <apr_pools.h>

typedef struct svct_store_files {
    const char *path, *newpath; /* DBM path names, as apr_dbm_open takes them */
    const char *file[2], *newfile[2];
    const char *marker; /* SDBM only, else NULL */
    int nfiles;
} svct_store_files_t;

/* Fills F for the store PATH whose DBM files are USED1 (and USED2). */
void svct_store_files_init(svct_store_files_t *f, apr_pool_t *p, const char *path,
                           const char *used1, const char *used2);

/* 1 when an SDBM change was committed but not yet renamed into place: the
 * store must not be read before svct_store_files_recover. */
int svct_store_files_pending(const svct_store_files_t *f);

/* Finishes a committed change (renames the copies into place) or removes
 * the copies of one that never committed. *DONE is set to 1 when a change
 * was finished. 0, or -1 with ERR set. */
int svct_store_files_recover(svct_store_files_t *f, int *done, char *err, size_t errlen);

/* Copies the store's files to the new files (created, mode and owner of the
 * originals, never over an existing file). 0, or -1 with ERR set and the
 * copies removed. */
int svct_store_files_copy(svct_store_files_t *f, char *err, size_t errlen);

/* Flushes the new files and renames them over the store (with the marker
 * for SDBM), then flushes the directory. 0 when done; -1 with ERR set when
 * the store is untouched (the copies are removed); 1 with ERR set when the
 * change is made but a later step failed (the directory could not be
 * flushed, or an SDBM rename is left for svct_store_files_recover). */
int svct_store_files_commit(svct_store_files_t *f, char *err, size_t errlen);

/* Removes the new files (the change is dropped). */
void svct_store_files_discard(svct_store_files_t *f);

#endif
