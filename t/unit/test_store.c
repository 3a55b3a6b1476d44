/*
 * Unit tests of the token store for each DBM type: open/create/missing-file
 * errors, insert/find/update/delete, duplicates, store-wide state, iteration,
 * hostile keys, damaged values, and the lock file's behaviour (held while a
 * handle lives, released by close or by the pool, waited for by readers).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <apr_dbm.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "clock.h"
#include "store.h"
#include "tap.h"
#include "store_test.h"

static char dir[] = "/tmp/svct-store-XXXXXX";

static int raw_get(const char *path, const char *type, const char *key, char *out, size_t cap)
{
    apr_dbm_t *dbm;
    apr_datum_t k, v;
    int found = 0;

    if (apr_dbm_open_ex(&dbm, type ? type : "default", path, APR_DBM_READONLY, APR_OS_DEFAULT,
                        pool) != APR_SUCCESS)
        return -1;
    k.dptr = (char *)key;
    k.dsize = strlen(key);
    if (apr_dbm_fetch(dbm, k, &v) == APR_SUCCESS && v.dptr != NULL && v.dsize < cap) {
        memcpy(out, v.dptr, v.dsize);
        out[v.dsize] = '\0';
        found = 1;
        apr_dbm_freedatum(dbm, v);
    }
    apr_dbm_close(dbm);
    return found;
}

/* 1 if a lock of kind HOW could be taken on PATH.lock right now. */
static int lockable(const char *path, int how)
{
    char lock[512];
    int fd, r;

    snprintf(lock, sizeof(lock), "%s.lock", path);
    fd = open(lock, O_RDONLY);
    if (fd < 0)
        return -1;
    r = flock(fd, how | LOCK_NB) == 0;
    close(fd);
    return r;
}

typedef struct {
    int count, stop_at;
    char seen[4000];
} visit_t;

static int visit(void *baton, const svct_record_t *rec)
{
    visit_t *v = baton;
    unsigned n = 0;

    sscanf(rec->client_id, "%32x", &n);
    if (n < sizeof(v->seen))
        v->seen[n]++;
    v->count++;
    return v->stop_at && v->count == v->stop_at ? 42 : 0;
}

static void test_type(const char *type)
{
    const char *path = apr_psprintf(pool, "%s/tokens-%s", dir, type ? type : "null");
    const char *err = NULL, *lockpath = apr_pstrcat(pool, path, ".lock", NULL);
    svct_store_t *st = NULL;
    svct_record_t a = make_record("alpha", 1), b = make_record("beta", 2), got, c;
    char big[10240], val[64];
    int64_t when = -5;
    struct stat sb;
    visit_t v;
    int fn_rc = 0, i, all_once;
    const char *t = type ? type : "(NULL)";
    apr_pool_t *sub;

    printf("# DBM type %s\n", t);

    /* A missing store is an error for readers, with one line naming it. */
    is_int(svct_store_open(&st, path, type, SVCT_STORE_READ, pool, &err), SVCT_STORE_EIO,
           "%s: read open of a missing store fails", t);
    ok(st == NULL, "%s: no handle on failure", t);
    ok(err && strstr(err, path) && strstr(err, "No such file or directory") && !strchr(err, '\n'),
       "%s: one-line error naming the file: %s", t, err ? err : "(null)");
    ok(stat(lockpath, &sb) != 0, "%s: a failed read open creates no lock file", t);
    is_int(svct_store_open(&st, path, type, SVCT_STORE_MODIFY, pool, &err), SVCT_STORE_EIO,
           "%s: modify open of a missing store fails", t);
    ok(err && strstr(err, path) && strstr(err, "No such file or directory"), "%s: message: %s", t,
       err ? err : "(null)");
    ok(stat(lockpath, &sb) != 0, "%s: a failed modify open creates no lock file", t);

    /* A writer creates it, with the format marker, 0640 store, 0644 lock. */
    st = open_or_die(path, type, SVCT_STORE_WRITE);
    ok(stat(lockpath, &sb) == 0 && (sb.st_mode & 0777) == 0644, "%s: lock file is 0644", t);
    ok(lockable(path, LOCK_SH) == 0, "%s: writer holds the lock exclusively", t);
    is_int(svct_store_insert(st, &a), SVCT_STORE_OK, "%s: insert alpha", t);
    is_int(svct_store_insert(st, &b), SVCT_STORE_OK, "%s: insert beta", t);
    is_int(svct_store_insert(st, &a), SVCT_STORE_EXISTS, "%s: same token again", t);
    c = make_record("alpha", 3);
    is_int(svct_store_insert(st, &c), SVCT_STORE_EXISTS, "%s: duplicate name", t);
    ok(strstr(svct_store_error(st), "alpha") != NULL, "%s: error names it: %s", t,
       svct_store_error(st));
    c = make_record("gamma", 1);
    is_int(svct_store_insert(st, &c), SVCT_STORE_EXISTS, "%s: duplicate client id", t);
    c = make_record("bad\tname", 5);
    is_int(svct_store_insert(st, &c), SVCT_STORE_CORRUPT, "%s: invalid record refused", t);
    is_int(svct_store_get_revoked_before(st, &when), SVCT_STORE_OK, "%s: revoked_before", t);
    is_int(when, 0, "%s: revoked_before is 0 when never set", t);
    is_int(svct_store_set_revoked_before(st, 1700000001), SVCT_STORE_OK, "%s: set revoked", t);
    is_int(svct_store_set_revoked_before(st, -1), SVCT_STORE_CORRUPT, "%s: negative refused", t);
    {
        /* The module's cache re-checks the files every SVCT_STORE_VISIBLE_NS
         * / 2 at most: a change is only complete once that has passed. */
        int64_t t0 = svct_clock_mono_ns(), took;

        svct_store_commit(st);
        svct_store_close(st);
        took = svct_clock_mono_ns() - t0;
        ok(took >= SVCT_STORE_VISIBLE_NS, "%s: closing after a change waits %lld ns (>= %lld)", t,
           (long long)took, (long long)SVCT_STORE_VISIBLE_NS);
    }
    ok(lockable(path, LOCK_EX) == 1, "%s: close releases the lock", t);
    ok(raw_get(path, type, "meta:format", val, sizeof(val)) == 1 && strcmp(val, "1") == 0,
       "%s: meta:format is 1", t);
    ok(raw_get(path, type, "meta:revoked_before", val, sizeof(val)) == 1 &&
           strcmp(val, "1700000001") == 0,
       "%s: meta:revoked_before stored as decimal", t);
    ok(raw_get(path, type, "name:alpha", val, sizeof(val)) == 1 && strcmp(val, a.client_id) == 0,
       "%s: name:alpha -> its client id", t);

    /* Readers. */
    st = open_or_die(path, type, SVCT_STORE_READ);
    ok(lockable(path, LOCK_SH) == 1 && lockable(path, LOCK_EX) == 0,
       "%s: reader holds the lock shared", t);
    is_int(svct_store_get_by_id(st, a.client_id, &got), SVCT_STORE_OK, "%s: get alpha by id", t);
    ok(strcmp(got.name, "alpha") == 0 && memcmp(got.secret_hash, a.secret_hash, 32) == 0 &&
           got.created_at == a.created_at && got.expires_at == a.expires_at && got.enabled,
       "%s: fields as inserted", t);
    is_int(svct_store_get_by_name(st, "beta", &got), SVCT_STORE_OK, "%s: get beta by name", t);
    is_str(got.client_id, b.client_id, "%s: beta's client id", t);
    is_int(svct_store_find(st, "alpha", &got), SVCT_STORE_OK, "%s: find by name", t);
    is_int(svct_store_find(st, b.client_id, &got), SVCT_STORE_OK, "%s: find by id", t);
    is_str(got.name, "beta", "%s: found beta", t);
    is_int(svct_store_get_by_name(st, "gamma", &got), SVCT_STORE_NOTFOUND, "%s: no gamma", t);
    is_int(svct_store_get_by_id(st, "ffffffffffffffffffffffffffffffff.access", &got),
           SVCT_STORE_NOTFOUND, "%s: unknown id", t);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big, "0123456789abcdef0123456789abcdef.access", 39);
    is_int(svct_store_get_by_id(st, big, &got), SVCT_STORE_NOTFOUND, "%s: 10KB id", t);
    is_int(svct_store_get_by_name(st, big, &got), SVCT_STORE_NOTFOUND, "%s: 10KB name", t);
    is_int(svct_store_find(st, big, &got), SVCT_STORE_NOTFOUND, "%s: find 10KB", t);
    is_int(svct_store_get_by_name(st, "\xff\xfe", &got), SVCT_STORE_NOTFOUND, "%s: bad UTF-8", t);
    is_int(svct_store_get_by_name(st, "", &got), SVCT_STORE_NOTFOUND, "%s: empty name", t);
    is_int(svct_store_get_by_id(st, NULL, &got), SVCT_STORE_NOTFOUND, "%s: NULL id", t);
    is_int(svct_store_find(st, NULL, &got), SVCT_STORE_NOTFOUND, "%s: find NULL", t);
    is_int(svct_store_get_by_name(st, "meta:format", &got), SVCT_STORE_NOTFOUND,
           "%s: a name cannot reach meta keys", t);
    is_int(svct_store_get_revoked_before(st, &when), SVCT_STORE_OK, "%s: read revoked", t);
    is_int(when, 1700000001, "%s: revoked_before as set", t);
    is_int(svct_store_insert(st, &c), SVCT_STORE_EIO, "%s: read handle cannot insert", t);
    is_int(svct_store_update(st, &a), SVCT_STORE_EIO, "%s: read handle cannot update", t);
    is_int(svct_store_delete(st, &a), SVCT_STORE_EIO, "%s: read handle cannot delete", t);
    is_int(svct_store_set_revoked_before(st, 5), SVCT_STORE_EIO, "%s: nor set revoked", t);
    svct_store_commit(st);
    svct_store_close(st);

    /* Update and delete. */
    st = open_or_die(path, type, SVCT_STORE_WRITE);
    got = a;
    got.expires_at = 0;
    got.enabled = 0;
    got.updated_at = 1750000000;
    got.has_prev = 1;
    memcpy(got.prev_hash, b.secret_hash, 32);
    got.prev_expires_at = 1750003600;
    is_int(svct_store_update(st, &got), SVCT_STORE_OK, "%s: update alpha", t);
    c = make_record("zeta", 9);
    is_int(svct_store_update(st, &c), SVCT_STORE_NOTFOUND, "%s: update of unknown token", t);
    c = got;
    strcpy(c.name, "renamed");
    is_int(svct_store_update(st, &c), SVCT_STORE_CORRUPT, "%s: update cannot rename", t);
    is_int(svct_store_get_by_name(st, "alpha", &c), SVCT_STORE_OK, "%s: reread alpha", t);
    ok(c.expires_at == 0 && c.enabled == 0 && c.updated_at == 1750000000 && c.has_prev &&
           memcmp(c.prev_hash, b.secret_hash, 32) == 0 && c.prev_expires_at == 1750003600,
       "%s: update stored every field", t);
    is_int(svct_store_delete(st, &b), SVCT_STORE_OK, "%s: delete beta", t);
    is_int(svct_store_get_by_id(st, b.client_id, &c), SVCT_STORE_NOTFOUND, "%s: beta gone (id)", t);
    is_int(svct_store_get_by_name(st, "beta", &c), SVCT_STORE_NOTFOUND, "%s: beta gone (name)", t);
    is_int(svct_store_delete(st, &b), SVCT_STORE_NOTFOUND, "%s: second delete", t);
    c = make_record("beta", 4);
    is_int(svct_store_insert(st, &c), SVCT_STORE_OK, "%s: name reusable after delete", t);

    /* Many tokens: iteration sees each once, and stops on request. */
    for (i = 10; i < 1010; i++) {
        char name[32];
        snprintf(name, sizeof(name), "tok-%d", i);
        c = make_record(name, i);
        if (svct_store_insert(st, &c) != SVCT_STORE_OK)
            break;
    }
    is_int(i, 1010, "%s: 1000 more tokens inserted", t);
    memset(&v, 0, sizeof(v));
    is_int(svct_store_foreach(st, visit, &v, &fn_rc), SVCT_STORE_OK, "%s: foreach", t);
    is_int(v.count, 1002, "%s: foreach visits every token", t);
    all_once = v.seen[1] == 1 && v.seen[4] == 1 && v.seen[2] == 0;
    for (i = 10; i < 1010; i++)
        all_once = all_once && v.seen[i] == 1;
    ok(all_once, "%s: ... each exactly once", t);
    is_int(fn_rc, 0, "%s: fn_rc 0 when not stopped", t);
    memset(&v, 0, sizeof(v));
    v.stop_at = 7;
    is_int(svct_store_foreach(st, visit, &v, &fn_rc), SVCT_STORE_OK, "%s: foreach stopped", t);
    ok(v.count == 7 && fn_rc == 42, "%s: stops at the first non-zero return", t);
    svct_store_commit(st);
    svct_store_close(st);

    /* Damaged values are reported, never misread. */
    raw_put(path, type, "id:00000000000000000000000000000001.access", "v1\tgarbage");
    st = open_or_die(path, type, SVCT_STORE_READ);
    is_int(svct_store_get_by_id(st, a.client_id, &got), SVCT_STORE_CORRUPT, "%s: corrupt record",
           t);
    ok(strstr(svct_store_error(st), a.client_id) != NULL, "%s: error names it: %s", t,
       svct_store_error(st));
    is_int(svct_store_get_by_name(st, "alpha", &got), SVCT_STORE_CORRUPT, "%s: via name too", t);
    memset(&v, 0, sizeof(v));
    is_int(svct_store_foreach(st, visit, &v, NULL), SVCT_STORE_CORRUPT, "%s: foreach reports it",
           t);
    svct_store_commit(st);
    svct_store_close(st);
    raw_put(path, type, "id:00000000000000000000000000000001.access",
            "v1\tbeta\t00000000000000000000000000000001.access\t"
            "1111111111111111111111111111111111111111111111111111111111111111\t1\t1\t0\t1\t-\t0");
    st = open_or_die(path, type, SVCT_STORE_READ);
    is_int(svct_store_get_by_name(st, "alpha", &got), SVCT_STORE_CORRUPT,
           "%s: name index and record disagree", t);
    svct_store_commit(st);
    svct_store_close(st);
    raw_put(path, type, "id:00000000000000000000000000000001.access",
            "v1\talpha\t00000000000000000000000000000002.access\t"
            "1111111111111111111111111111111111111111111111111111111111111111\t1\t1\t0\t1\t-\t0");
    st = open_or_die(path, type, SVCT_STORE_READ);
    is_int(svct_store_get_by_id(st, a.client_id, &got), SVCT_STORE_CORRUPT,
           "%s: record under another id's key", t);
    svct_store_commit(st);
    svct_store_close(st);
    raw_put(path, type, "name:dangling", "ffffffffffffffffffffffffffffffff.access");
    raw_put(path, type, "name:badindex", "not-an-id");
    raw_put(path, type, "meta:revoked_before", "12x");
    st = open_or_die(path, type, SVCT_STORE_WRITE);
    is_int(svct_store_get_by_name(st, "dangling", &got), SVCT_STORE_NOTFOUND,
           "%s: dangling name index is not a token", t);
    c = make_record("dangling", 3000);
    is_int(svct_store_insert(st, &c), SVCT_STORE_OK, "%s: and its name can be reused", t);
    is_int(svct_store_get_by_name(st, "dangling", &got), SVCT_STORE_OK, "%s: reused name found", t);
    is_int(svct_store_get_by_name(st, "badindex", &got), SVCT_STORE_CORRUPT,
           "%s: malformed name index", t);
    is_int(svct_store_get_revoked_before(st, &when), SVCT_STORE_CORRUPT,
           "%s: malformed revoked_before", t);
    svct_store_commit(st);
    svct_store_close(st);

    /* An unknown format version is refused by readers and writers. */
    raw_put(path, type, "meta:format", "2");
    is_int(svct_store_open(&st, path, type, SVCT_STORE_READ, pool, &err), SVCT_STORE_EIO,
           "%s: format 2 refused", t);
    ok(err && strstr(err, "format"), "%s: says why: %s", t, err ? err : "");
    is_int(svct_store_open(&st, path, type, SVCT_STORE_WRITE, pool, &err), SVCT_STORE_EIO,
           "%s: format 2 refused for writing", t);
    ok(lockable(path, LOCK_EX) == 1, "%s: a failed open releases the lock", t);
    raw_put(path, type, "meta:format", "1");

    /* Without a lock file (store made elsewhere) readers still read. */
    unlink(lockpath);
    st = open_or_die(path, type, SVCT_STORE_READ);
    is_int(svct_store_get_by_name(st, "beta", &got), SVCT_STORE_OK, "%s: read without lock file",
           t);
    svct_store_commit(st);
    svct_store_close(st);
    ok(stat(lockpath, &sb) != 0, "%s: a reader does not create the lock file", t);
    st = open_or_die(path, type, SVCT_STORE_MODIFY);
    ok(stat(lockpath, &sb) == 0, "%s: modify open of an existing store makes the lock file", t);
    ok(lockable(path, LOCK_SH) == 0, "%s: modify holds the lock exclusively", t);
    is_int(svct_store_get_by_name(st, "beta", &got), SVCT_STORE_OK, "%s: modify handle reads", t);
    got.updated_at++;
    is_int(svct_store_update(st, &got), SVCT_STORE_OK, "%s: modify handle writes", t);
    svct_store_commit(st);
    svct_store_close(st);

    /* A handle left to its pool releases the lock when the pool goes. */
    apr_pool_create(&sub, pool);
    if (svct_store_open(&st, path, type, SVCT_STORE_WRITE, sub, &err) == SVCT_STORE_OK) {
        ok(lockable(path, LOCK_SH) == 0, "%s: lock held by a handle in a sub-pool", t);
        apr_pool_destroy(sub);
        ok(lockable(path, LOCK_EX) == 1, "%s: destroying the pool released it", t);
    } else {
        ok(0, "%s: open in sub-pool: %s", t, err);
        ok(0, "%s: skipped", t);
    }
}

/* A reader must wait for a writer, never fail. The writer, a child, takes
 * the lock, says so through a pipe, and makes its change only once the
 * reader has opened the lock file to wait for it (inotify tells it so):
 * the reader then gets in when the writer is done, and sees all of it. */
static void test_reader_waits(const char *type)
{
    const char *path = apr_psprintf(pool, "%s/wait-%s", dir, type);
    const char *lockpath = apr_pstrcat(pool, path, ".lock", NULL);
    int held[2], done[2], status = 0;
    svct_store_t *st;
    svct_record_t r = make_record("waited", 77), got;
    pid_t pid;
    char c;

    st = open_or_die(path, type, SVCT_STORE_WRITE);
    svct_store_commit(st);
    svct_store_close(st);
    if (pipe(held) != 0 || pipe(done) != 0)
        return;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct inotify_event ev;
        struct pollfd fds[2];
        svct_store_t *w;
        apr_pool_t *cp;
        int in;

        close(held[0]);
        close(done[1]);
        apr_pool_create(&cp, NULL);
        if (svct_store_open(&w, path, type, SVCT_STORE_WRITE, cp, NULL) != SVCT_STORE_OK)
            _exit(1);
        in = inotify_init1(IN_CLOEXEC);
        if (in < 0 || inotify_add_watch(in, lockpath, IN_OPEN) < 0)
            _exit(1);
        if (write(held[1], "x", 1) != 1)
            _exit(1);
        /* The reader's open of the lock file, or the reader done first. */
        fds[0].fd = in;
        fds[0].events = POLLIN;
        fds[1].fd = done[0];
        fds[1].events = POLLIN;
        if (poll(fds, 2, -1) != 1 || !(fds[0].revents & POLLIN) ||
            read(in, &ev, sizeof ev) < (ssize_t)sizeof ev)
            _exit(2);
        svct_store_insert(w, &r);
        svct_store_commit(w);
        svct_store_close(w);
        _exit(0);
    }
    close(held[1]);
    close(done[0]);
    if (read(held[0], &c, 1) != 1)
        c = 0;
    close(held[0]);
    st = open_or_die(path, type, SVCT_STORE_READ);
    is_int(svct_store_get_by_name(st, "waited", &got), SVCT_STORE_OK,
           "%s: and then saw its whole change", type);
    svct_store_commit(st);
    svct_store_close(st);
    close(done[1]);
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "%s: the reader waited in the lock while the writer held it", type);
}

static void test_errors(void)
{
    svct_store_t *st = NULL;
    const char *err = NULL;
    const char *sub = apr_psprintf(pool, "%s/adir", dir);

    ok(svct_store_type_name(NULL) && strcmp(svct_store_type_name(NULL), "default") == 0,
       "NULL type is default");
    is_str(svct_store_type_name("sdbm"), "SDBM", "sdbm is SDBM");
    is_str(svct_store_type_name("Gdbm"), "GDBM", "Gdbm is GDBM");
    is_str(svct_store_type_name("db"), "DB", "db is DB");
    is_str(svct_store_type_name("DEFAULT"), "default", "DEFAULT is default");
    ok(svct_store_type_name("NDBM") == NULL, "NDBM refused");
    ok(svct_store_type_name("") == NULL, "empty type refused");

    is_int(
        svct_store_open(&st, apr_psprintf(pool, "%s/x", dir), "ndbm", SVCT_STORE_WRITE, pool, &err),
        SVCT_STORE_EIO, "unknown DBM type refused");
    ok(err && strstr(err, "ndbm") && strstr(err, "SDBM"), "message lists the types: %s",
       err ? err : "");
    is_int(svct_store_open(&st, "", NULL, SVCT_STORE_READ, pool, &err), SVCT_STORE_EIO,
           "empty path refused");
    is_int(svct_store_open(&st, NULL, NULL, SVCT_STORE_READ, pool, NULL), SVCT_STORE_EIO,
           "NULL path and NULL err");
    mkdir(sub, 0755);
    is_int(svct_store_open(&st, sub, "DB", SVCT_STORE_READ, pool, &err), SVCT_STORE_EIO,
           "a directory is not a store");
    ok(err && strstr(err, sub), "message: %s", err ? err : "");
    is_int(svct_store_open(&st, apr_psprintf(pool, "%s/no/such/dir/x", dir), NULL, SVCT_STORE_WRITE,
                           pool, &err),
           SVCT_STORE_EIO, "write open in a missing directory fails");
    ok(err && strstr(err, "No such file or directory") && !strchr(err, '\n'), "message: %s",
       err ? err : "");
    svct_store_close(NULL);
    is_str(svct_store_error(NULL), "", "error of NULL handle is empty");
}

/* APR's SDBM loses keys in a large file written through one handle (see
 * svct_store_reopen); slow, so only with SVCT_SLOW_TESTS=1. */
static void test_sdbm_many(void)
{
    const char *path = apr_psprintf(pool, "%s/many-SDBM", dir);
    svct_store_t *st = open_or_die(path, "SDBM", SVCT_STORE_WRITE);
    svct_record_t r, got;
    int i, n = 120000, lost = 0;
    char name[32];

    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "many-%d", i);
        r = make_record(name, i * 7 + 1);
        if (svct_store_insert(st, &r) != SVCT_STORE_OK)
            break;
    }
    svct_store_commit(st);
    svct_store_close(st);
    is_int(i, n, "SDBM: %d tokens inserted through one handle", n);
    st = open_or_die(path, "SDBM", SVCT_STORE_READ);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "many-%d", i);
        if (svct_store_get_by_name(st, name, &got) != SVCT_STORE_OK)
            lost++;
    }
    svct_store_commit(st);
    svct_store_close(st);
    is_int(lost, 0, "SDBM: every one of them found again");
}

int main(void)
{
    const char *types[] = {"SDBM", "GDBM", "DB", "default", "sdbm", NULL};
    int i;

    umask(022);
    store_test_start(dir);
    /* Closing after a write waits: on this clock, without waiting. */
    svct_clock_manual();
    for (i = 0; types[i] != NULL; i++)
        test_type(types[i]);
    test_type(NULL);
    test_reader_waits("SDBM");
    test_reader_waits("GDBM");
    test_reader_waits("DB");
    test_errors();
    if (getenv("SVCT_SLOW_TESTS") != NULL)
        test_sdbm_many();

    {
        struct stat sb;
        const char *p = apr_psprintf(pool, "%s/tokens-GDBM", dir);
        int rc = stat(p, &sb);
        ok(rc == 0 && (sb.st_mode & 0777) == 0640, "store file created 0640 (%o)",
           rc == 0 ? (unsigned)(sb.st_mode & 0777) : 0u);
    }

    return store_test_finish(dir);
}
