/*
 * Start-up checks of a token store, made by httpd's parent before any request
 * so that what would only show as 500s or 403s later is said once in the
 * error log (and by `apachectl configtest`): can the user httpd's children
 * run as open the store, and does a name a `Require` line asks for exist.
 */
#ifndef SVCT_STORECHECK_H
#define SVCT_STORECHECK_H

#include <stddef.h>
#include <sys/types.h>

/* Opens the store PATH (DBMTYPE) for reading as UID/GID (with USER's
 * groups), as the children will: in a child process when this process runs
 * as root and UID is another user, else as this process. 0 when it opens;
 * -1 with one line in ERR (ERRLEN bytes) naming the file and the reason. */
int svct_storecheck_open_as(const char *path, const char *dbmtype, uid_t uid, gid_t gid,
                            const char *user, char *err, size_t errlen);

/* 1 when the store has a token named NAME, 0 when it has none, -1 when the
 * store cannot be read. */
int svct_storecheck_has_name(const char *path, const char *dbmtype, const char *name);

#endif
