/*
 * Start-up checks of a token store (storecheck.h).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_pools.h>

#include "storecheck.h"
#include "store.h"

/* Opens and closes the store as this process; 0, or -1 with ERR. */
static int open_here(const char *path, const char *dbmtype, char *err, size_t errlen)
{
    apr_pool_t *p;
    svct_store_t *st;
    const char *why = NULL;
    int rc = -1;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (svct_store_open(&st, path, dbmtype, SVCT_STORE_READ, p, &why) == SVCT_STORE_OK) {
        svct_store_close(st);
        rc = 0;
    } else {
        snprintf(err, errlen, "%s", why ? why : "cannot open it");
    }
    apr_pool_destroy(p);
    return rc;
}

int svct_storecheck_open_as(const char *path, const char *dbmtype, uid_t uid, gid_t gid,
                            const char *user, char *err, size_t errlen)
{
    int fds[2], status = 0;
    ssize_t n;
    pid_t pid;

    err[0] = '\0';
    if (geteuid() != 0 || uid == 0)
        return open_here(path, dbmtype, err, errlen);
    if (pipe(fds) != 0) {
        snprintf(err, errlen, "cannot check: %s", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        char why[512];
        int rc;

        close(fds[0]);
        rc = setgid(gid) != 0 || initgroups(user, gid) != 0 || setuid(uid) != 0
                 ? (snprintf(why, sizeof why, "cannot become %s: %s", user, strerror(errno)), 1)
                 : open_here(path, dbmtype, why, sizeof why) != 0;
        if (rc && write(fds[1], why, strlen(why)) < 0)
            _exit(2);
        _exit(rc);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        snprintf(err, errlen, "cannot check: %s", strerror(errno));
        return -1;
    }
    n = read(fds[0], err, errlen - 1);
    err[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (!err[0])
        snprintf(err, errlen, "the check failed");
    return -1;
}

int svct_storecheck_has_name(const char *path, const char *dbmtype, const char *name)
{
    apr_pool_t *p;
    svct_store_t *st;
    svct_record_t rec;
    svct_store_rc_t rc;
    const char *why = NULL;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS)
        return -1;
    rc = svct_store_open(&st, path, dbmtype, SVCT_STORE_READ, p, &why);
    if (rc == SVCT_STORE_OK) {
        rc = svct_store_get_by_name(st, name, &rec);
        svct_store_close(st);
    }
    apr_pool_destroy(p);
    return rc == SVCT_STORE_OK ? 1 : rc == SVCT_STORE_NOTFOUND ? 0 : -1;
}
