/*
 * Unit tests of how changes reach the store, for each DBM type: nothing is
 * seen before svct_store_commit and everything after it; a handle closed
 * without a commit drops its writes and leaves no copy behind; a DBM
 * without the format marker is not a token store; the copy keeps the
 * store's mode; an interrupted SDBM commit is finished by the next reader;
 * svct_store_verify finds a damaged name index and repairs it; and
 * svctoken create/rotate writing to a full output (/dev/full) take their
 * change back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_dbm.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "cli.h"
#include "secret.h"
#include "store.h"
#include "tap.h"
#include "store_test.h"

static char dir[] = "/tmp/svct-commit-XXXXXX";

static int has_token(const char *path, const char *type, const char *name)
{
    svct_store_t *st = open_or_die(path, type, SVCT_STORE_READ);
    svct_record_t got;
    int found = svct_store_get_by_name(st, name, &got) == SVCT_STORE_OK;

    svct_store_close(st);
    return found;
}

static void raw_delete(const char *path, const char *type, const char *key)
{
    apr_dbm_t *dbm;
    apr_datum_t k;

    if (apr_dbm_open_ex(&dbm, type, path, APR_DBM_READWRITE, APR_OS_DEFAULT, pool) != APR_SUCCESS)
        return;
    k.dptr = (char *)key;
    k.dsize = strlen(key);
    apr_dbm_delete(dbm, k);
    apr_dbm_close(dbm);
}

/* Looks KEY up without the store's lock (a handle is open meanwhile). */
static int raw_has(const char *path, const char *type, const char *key)
{
    apr_dbm_t *dbm;
    apr_datum_t k;
    int found;

    if (apr_dbm_open_ex(&dbm, type, path, APR_DBM_READONLY, APR_OS_DEFAULT, pool) != APR_SUCCESS)
        return -1;
    k.dptr = (char *)key;
    k.dsize = strlen(key);
    found = apr_dbm_exists(dbm, k);
    apr_dbm_close(dbm);
    return found;
}

static int exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

static void problem_count(void *baton, const char *problem)
{
    (void)problem;
    (*(int *)baton)++;
}

static void test_commit(const char *type)
{
    const char *path = apr_psprintf(pool, "%s/c-%s", dir, type), *err = NULL;
    const char *copy = apr_psprintf(pool, "%s.new%s", path, strcmp(type, "SDBM") ? "" : ".pag");
    const char *main_file = apr_psprintf(pool, "%s%s", path, strcmp(type, "SDBM") ? "" : ".pag");
    svct_record_t a = make_record("alpha", 1), b = make_record("beta", 2);
    svct_store_verify_t v;
    svct_store_t *st;
    struct stat sb;
    int problems;

    /* A new store appears only at commit. */
    st = open_or_die(path, type, SVCT_STORE_WRITE);
    is_int(svct_store_insert(st, &a), SVCT_STORE_OK, "%s: insert", type);
    ok(!exists(main_file), "%s: no store before the first commit", type);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: commit", type);
    ok(exists(main_file) && !exists(copy), "%s: the store is in place, no copy left", type);
    is_int(svct_store_insert(st, &b), SVCT_STORE_OK, "%s: the handle writes on after a commit",
           type);
    svct_store_close(st);
    ok(has_token(path, type, "alpha"), "%s: the committed token is there", type);
    ok(!has_token(path, type, "beta"), "%s: close without commit dropped the other", type);
    ok(!exists(copy), "%s: and removed its copy", type);

    /* The copy keeps the store's mode (chmod by the admin). */
    chmod(main_file, 0604);
    st = open_or_die(path, type, SVCT_STORE_MODIFY);
    is_int(svct_store_insert(st, &b), SVCT_STORE_OK, "%s: insert beta", type);
    ok(!raw_has(path, type, "name:beta"), "%s: not in the store before commit", type);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: commit beta", type);
    svct_store_close(st);
    ok(stat(main_file, &sb) == 0 && (sb.st_mode & 0777) == 0604, "%s: mode kept (%o)", type,
       (unsigned)(sb.st_mode & 0777));
    ok(has_token(path, type, "beta"), "%s: beta there after commit", type);

    /* Verify: a healthy store, then a damaged index, then repaired. */
    st = open_or_die(path, type, SVCT_STORE_READ);
    problems = 0;
    is_int(svct_store_verify(st, 0, problem_count, &problems, &v), SVCT_STORE_OK, "%s: verify",
           type);
    ok(v.tokens == 2 && v.problems == 0 && problems == 0, "%s: 2 tokens, no problems", type);
    svct_store_close(st);
    raw_delete(path, type, "name:alpha");
    raw_put(path, type, "name:ghost", "0000000000000000000000000000dead.access");
    raw_put(path, type, "stray", "x");
    st = open_or_die(path, type, SVCT_STORE_READ);
    problems = 0;
    svct_store_verify(st, 0, problem_count, &problems, &v);
    ok(v.tokens == 2 && v.problems == 3 && problems == 3,
       "%s: a missing index entry, a dangling one and a stray key (%ld)", type, v.problems);
    is_int(svct_store_verify(st, 1, NULL, NULL, &v), SVCT_STORE_EIO,
           "%s: a read handle does not repair", type);
    svct_store_close(st);
    st = open_or_die(path, type, SVCT_STORE_MODIFY);
    svct_store_verify(st, 1, NULL, NULL, &v);
    ok(v.repaired == 2, "%s: repair fixes the two index entries (%ld)", type, v.repaired);
    is_int(svct_store_commit(st), SVCT_STORE_OK, "%s: repair committed", type);
    svct_store_close(st);
    ok(has_token(path, type, "alpha"), "%s: alpha found by name again", type);
    st = open_or_die(path, type, SVCT_STORE_READ);
    svct_store_verify(st, 0, NULL, NULL, &v);
    ok(v.tokens == 2 && v.problems == 1, "%s: only the stray key is left (%ld)", type, v.problems);
    svct_store_close(st);

    /* A DBM without the format marker is not a token store. */
    raw_put(apr_psprintf(pool, "%s/foreign-%s", dir, type), type, "some", "thing");
    is_int(svct_store_open(&st, apr_psprintf(pool, "%s/foreign-%s", dir, type), type,
                           SVCT_STORE_READ, pool, &err),
           SVCT_STORE_EIO, "%s: a foreign DBM is refused", type);
    ok(err && strstr(err, "not a token store"), "%s: message: %s", type, err ? err : "");
    is_int(svct_store_open(&st, apr_psprintf(pool, "%s/foreign-%s", dir, type), type,
                           SVCT_STORE_WRITE, pool, &err),
           SVCT_STORE_EIO, "%s: and not written to", type);
}

/* A committed SDBM change whose renames did not all happen (the writer
 * died): the next reader finishes it before it reads. */
static void test_sdbm_roll_forward(void)
{
    const char *path = apr_psprintf(pool, "%s/rf", dir);
    svct_record_t a = make_record("alpha", 1), b = make_record("beta", 2);
    svct_store_t *st;

    st = open_or_die(path, "SDBM", SVCT_STORE_WRITE);
    svct_store_insert(st, &a);
    svct_store_commit(st);
    svct_store_close(st);
    /* Make the committed state by hand: both copies, the marker, and only
     * the .pag renamed. */
    st = open_or_die(path, "SDBM", SVCT_STORE_WRITE);
    svct_store_insert(st, &b);
    svct_store_commit(st);
    svct_store_close(st);
    if (system(apr_psprintf(pool,
                            "cd %s && cp rf.dir rf.new.dir && cp rf.pag rf.new.pag && "
                            "touch rf.commit && mv rf.new.pag rf.pag",
                            dir)) != 0)
        ok(0, "setting up the interrupted commit");
    ok(has_token(path, "SDBM", "beta") && has_token(path, "SDBM", "alpha"),
       "SDBM: a reader finished the interrupted commit");
    ok(!exists(apr_psprintf(pool, "%s.commit", path)) &&
           !exists(apr_psprintf(pool, "%s.new.dir", path)),
       "SDBM: marker and copies are gone");
    /* Copies without a marker never committed: a writer removes them. */
    if (system(apr_psprintf(pool, "cd %s && echo junk > rf.new.pag", dir)) != 0)
        ok(0, "setting up a stale copy");
    st = open_or_die(path, "SDBM", SVCT_STORE_MODIFY);
    svct_store_close(st);
    ok(!exists(apr_psprintf(pool, "%s.new.pag", path)), "SDBM: a stale copy is removed");
}

/* The ids a read handle notes are those of the file its DBM opened, not of
 * whatever file the path names later (a symlink flipped, a rename). */
static void test_file_ids(const char *type)
{
    const char *path = apr_psprintf(pool, "%s/ids-%s", dir, type);
    const char *other = apr_psprintf(pool, "%s/ids2-%s", dir, type);
    const char *file = NULL, *file2 = NULL, *ofile = NULL, *ofile2 = NULL;
    svct_record_t a = make_record("alpha", 1), got;
    uint64_t dev[2], ino[2];
    struct stat before, after;
    svct_store_t *st;
    int n;

    apr_dbm_get_usednames_ex(pool, type, path, &file, &file2);
    apr_dbm_get_usednames_ex(pool, type, other, &ofile, &ofile2);
    st = open_or_die(path, type, SVCT_STORE_WRITE);
    svct_store_insert(st, &a);
    svct_store_commit(st);
    svct_store_close(st);
    st = open_or_die(other, type, SVCT_STORE_WRITE); /* an empty store, committed */
    svct_store_commit(st);
    svct_store_close(st);

    stat(file, &before);
    st = open_or_die(path, type, SVCT_STORE_READ);
    n = svct_store_file_ids(st, dev, ino);
    ok(n >= 1 && dev[0] == (uint64_t)before.st_dev && ino[0] == (uint64_t)before.st_ino,
       "%s: a reader notes the device and inode it opened", type);
    /* Another store renamed over the path while the handle is open. */
    if (rename(ofile, file) != 0 || (file2 != NULL && rename(ofile2, file2) != 0))
        ok(0, "%s: rename: %s", type, strerror(errno));
    stat(file, &after);
    ok(after.st_ino != before.st_ino && ino[0] == (uint64_t)before.st_ino,
       "%s: the path names another file now; the handle's ids do not follow it", type);
    is_int(svct_store_get_by_name(st, "alpha", &got), SVCT_STORE_OK,
           "%s: and the handle still reads the file it opened", type);
    svct_store_close(st);
    st = open_or_die(path, type, SVCT_STORE_WRITE);
    svct_store_insert(st, &a);
    is_int(svct_store_file_ids(st, dev, ino), 0, "%s: a handle writing a copy has no ids", type);
    svct_store_close(st);
}

/* svctoken create and rotate with their output on /dev/full. */
static void test_cli_full_output(void)
{
    const char *path = apr_psprintf(pool, "%s/cli", dir);
    char *create[] = {"svctoken", "-f", (char *)path, "create", "alpha", NULL};
    char *rotate[] = {"svctoken", "-f", (char *)path, "rotate", "alpha", NULL};
    char *second[] = {"svctoken", "-f", (char *)path, "create", "beta", NULL};
    svct_record_t before, after;
    FILE *full = fopen("/dev/full", "w"), *sink = fopen("/dev/null", "w");
    FILE *err = tmpfile();
    svct_store_t *st;
    char msg[512];
    size_t n;

    if (full == NULL || sink == NULL || err == NULL) {
        ok(0, "cannot open /dev/full, /dev/null or a temporary file");
        return;
    }
    is_int(svct_cli_run(5, create, NULL, sink, err, pool), SVCT_EXIT_OK, "create alpha");
    st = open_or_die(path, NULL, SVCT_STORE_READ);
    svct_store_get_by_name(st, "alpha", &before);
    svct_store_close(st);

    is_int(svct_cli_run(5, rotate, NULL, full, err, pool), SVCT_EXIT_STORE,
           "rotate to a full output: exit 3");
    st = open_or_die(path, NULL, SVCT_STORE_READ);
    is_int(svct_store_get_by_name(st, "alpha", &after), SVCT_STORE_OK, "alpha is still there");
    svct_store_close(st);
    ok(memcmp(before.secret_hash, after.secret_hash, SVCT_HASH_LEN) == 0 && !after.has_prev,
       "the rotation was taken back: the old secret still works");

    rewind(err);
    is_int(svct_cli_run(5, second, NULL, full, err, pool), SVCT_EXIT_STORE,
           "create to a full output: exit 3");
    st = open_or_die(path, NULL, SVCT_STORE_READ);
    is_int(svct_store_get_by_name(st, "beta", &after), SVCT_STORE_NOTFOUND,
           "the token whose secret was never shown is gone again");
    svct_store_close(st);
    fflush(err);
    rewind(err);
    n = fread(msg, 1, sizeof msg - 1, err);
    msg[n] = '\0';
    ok(strstr(msg, "cannot write the output") && strstr(msg, "undone"), "says so: %s", msg);
    fclose(full);
    fclose(sink);
    fclose(err);
}

int main(void)
{
    const char *types[] = {"SDBM", "GDBM", "DB", "default", NULL};
    int i;

    umask(022);
    store_test_start(dir);
    for (i = 0; types[i] != NULL; i++) {
        test_commit(types[i]);
        test_file_ids(types[i]);
    }
    test_sdbm_roll_forward();
    test_cli_full_output();
    return store_test_finish(dir);
}
