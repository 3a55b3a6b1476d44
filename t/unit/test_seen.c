/*
 * Unit tests of last seen (src/seen.h): a child's memory says when a token
 * is due and claims it; the DBM store's last-seen directory is made 0711,
 * written once per interval (the stored time is looked at first), read back
 * as "never" where there is nothing, refused for a name that is no Client
 * ID, repaired when an entry is not a plain file, forgotten on delete; the
 * relative times people read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "seen.h"
#include "tap.h"

#define ID1 "0123456789abcdef0123456789abcdef.access"
#define ID2 "fedcba9876543210fedcba9876543210.access"
/* ID1's first 16 characters, which alone choose a slot */
#define ID3 "0123456789abcdef9999999999999999.access"

static void memo_tests(void)
{
    svct_seen_memo_t *m = svct_seen_memo_create(64);
    uint64_t s = svct_seen_store_key("/s");

    ok(m != NULL, "memo created");
    ok(svct_seen_memo_due(m, s, ID1, 1000, 300), "a token never recorded is due");
    ok(!svct_seen_memo_due(m, s, ID1, 1000, 300), "and claimed: not due again at once");
    ok(!svct_seen_memo_due(m, s, ID1, 1299, 300), "nor within the interval");
    ok(svct_seen_memo_due(m, s, ID1, 1300, 300), "due once the interval has passed");
    ok(svct_seen_memo_due(m, svct_seen_store_key("/other"), ID1, 1300, 300),
       "another store's copy is its own");
    ok(svct_seen_memo_due(m, s, ID2, 1300, 300), "another token is its own");
    svct_seen_memo_set(m, s, ID2, 1250);
    ok(!svct_seen_memo_due(m, s, ID2, 1549, 300), "a stored time found sets the next due");
    ok(svct_seen_memo_due(m, s, ID2, 1550, 300), "... to that time + interval");
    ok(svct_seen_memo_due(m, s, ID2, 10, 300), "a clock set back makes it due again");
    ok(svct_seen_memo_due(m, s, ID3, 1300, 300) && svct_seen_memo_due(m, s, ID1, 1301, 300),
       "two IDs with the same first 16 characters share a slot, not a time");
    svct_seen_memo_destroy(m);
    m = svct_seen_memo_create(1);
    ok(svct_seen_memo_due(m, s, ID1, 1000, 300) && svct_seen_memo_due(m, s, ID2, 1000, 300) &&
           svct_seen_memo_due(m, s, ID1, 1000, 300),
       "two tokens in one slot push each other out: each costs a look, none is lost");
    svct_seen_memo_destroy(m);
    ok(svct_seen_memo_create(0) == NULL, "no slots: no memo");
}

static void dir_tests(void)
{
    char tmpl[] = "/tmp/test_seen.XXXXXX", store[256], entry[512], err[512];
    const char *dir = mkdtemp(tmpl);
    int64_t when = -1, stored = -1, now = (int64_t)time(NULL);
    struct stat sb;

    snprintf(store, sizeof store, "%s/tokens.db", dir);
    snprintf(entry, sizeof entry, "%s.seen/%s", store, ID1);
    is_int(svct_seen_get(store, ID1, &when, err, sizeof err), 0, "no directory: readable");
    is_int((int)when, 0, "as never");
    is_int(svct_seen_record(store, ID1, now, 300, &stored, err, sizeof err), SVCT_SEEN_NO_DIR,
           "no directory: nothing recorded, and no error");

    is_int(svct_seen_prepare(store, getuid(), getgid(), err, sizeof err), 0, "prepare");
    ok(stat(entry, &sb) != 0 && errno == ENOENT, "makes no entry");
    snprintf(entry, sizeof entry, "%s.seen", store);
    ok(stat(entry, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 07777) == 0711,
       "the directory, mode 0711");
    chmod(entry, 0755);
    is_int(svct_seen_prepare(store, getuid(), getgid(), err, sizeof err), 0, "prepare again");
    ok(stat(entry, &sb) == 0 && (sb.st_mode & 07777) == 0711, "puts the mode back");
    snprintf(entry, sizeof entry, "%s.seen/%s", store, ID1);

    is_int(svct_seen_record(store, ID1, now - 1000, 300, &stored, err, sizeof err),
           SVCT_SEEN_WRITTEN, "first use: written");
    ok(stat(entry, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0777) == 0600 &&
           sb.st_size == 0,
       "an empty file of mode 0600");
    is_int(svct_seen_get(store, ID1, &when, err, sizeof err), 0, "read back");
    is_int((int)(now - when), 1000, "the time given");
    is_int(svct_seen_record(store, ID1, now - 800, 300, &stored, err, sizeof err), SVCT_SEEN_FRESH,
           "within the interval: not written");
    is_int((int)(now - stored), 1000, "the stored time is told");
    svct_seen_get(store, ID1, &when, err, sizeof err);
    is_int((int)(now - when), 1000, "and kept");
    is_int(svct_seen_record(store, ID1, now, 300, &stored, err, sizeof err), SVCT_SEEN_WRITTEN,
           "after the interval: written");
    svct_seen_get(store, ID1, &when, err, sizeof err);
    ok(when == now, "the new time");
    is_int(svct_seen_record(store, ID1, now - 5000, 300, &stored, err, sizeof err),
           SVCT_SEEN_WRITTEN, "a stored time ahead of the clock is overwritten");

    unlink(entry);
    ok(symlink("/etc/passwd", entry) == 0, "an entry replaced by a symbolic link");
    is_int(svct_seen_get(store, ID1, &when, err, sizeof err), 0, "is read");
    is_int((int)when, 0, "as never, without following it");
    is_int(svct_seen_record(store, ID1, now, 300, &stored, err, sizeof err), SVCT_SEEN_WRITTEN,
           "and replaced by a plain entry when recording");
    ok(lstat(entry, &sb) == 0 && S_ISREG(sb.st_mode), "which is a file again");

    is_int(svct_seen_record(store, "../../etc/x", now, 300, &stored, err, sizeof err),
           SVCT_SEEN_ERROR, "a name that is no Client ID names no file");
    is_int(svct_seen_get(store, "../tokens.db", &when, err, sizeof err), 0, "nor when read");
    is_int((int)when, 0, "never");

    svct_seen_forget(store, ID1);
    ok(lstat(entry, &sb) != 0 && errno == ENOENT, "forget removes the entry");
    svct_seen_get(store, ID1, &when, err, sizeof err);
    is_int((int)when, 0, "never again");
    snprintf(entry, sizeof entry, "%s.seen", store);
    rmdir(entry);
    rmdir(dir);
}

static svct_sql_t *no_connection(void *baton, const char **err)
{
    (*(int *)baton)++;
    *err = "no database here";
    return NULL;
}

/* The request path: the memory first, then the file or the database. */
static void note_tests(void)
{
    char tmpl[] = "/tmp/test_seen_note.XXXXXX", store[256], err[512];
    const char *dir = mkdtemp(tmpl);
    svct_seen_memo_t *m = svct_seen_memo_create(64), *m2 = svct_seen_memo_create(64);
    svct_sql_view_t *view = svct_sql_view_create(1000000, 0, 16);
    int64_t now = (int64_t)time(NULL);
    int tries = 0;
    uint64_t key;

    snprintf(store, sizeof store, "%s/tokens.db", dir);
    key = svct_seen_store_key(store);
    svct_seen_prepare(store, getuid(), getgid(), err, sizeof err);
    is_int(svct_seen_note(m, store, key, ID1, now, 300, err, sizeof err), SVCT_SEEN_WRITTEN,
           "note: the first use is written");
    is_int(svct_seen_note(m, store, key, ID1, now + 10, 300, err, sizeof err), SVCT_SEEN_NOT_DUE,
           "then not due: no file is looked at");
    is_int(svct_seen_note(m2, store, key, ID1, now + 10, 300, err, sizeof err), SVCT_SEEN_FRESH,
           "another child finds it fresh");
    is_int(svct_seen_note(m2, store, key, ID1, now + 299, 300, err, sizeof err), SVCT_SEEN_NOT_DUE,
           "and is next due at the stored time + interval");
    is_int(svct_seen_note(m2, store, key, ID1, now + 300, 300, err, sizeof err), SVCT_SEEN_WRITTEN,
           "when it writes");
    svct_seen_forget(store, ID1);
    snprintf(store, sizeof store, "%s/tokens.db.seen", dir);
    rmdir(store);
    rmdir(dir);

    is_int(svct_seen_note_sql(m, svct_seen_store_key("dbd"), NULL, no_connection, &tries, ID2, now,
                              300, err, sizeof err),
           SVCT_SEEN_NOT_DUE, "SQL without a view: nothing");
    is_int(svct_seen_note_sql(m, svct_seen_store_key("dbd"), view, no_connection, &tries, ID2, now,
                              300, err, sizeof err),
           SVCT_SEEN_NOT_DUE, "nor while the view has not reached the database");
    is_int(tries, 0, "which is not asked");
    svct_sql_view_destroy(view);
    svct_seen_memo_destroy(m);
    svct_seen_memo_destroy(m2);
}

static void ago_tests(void)
{
    char buf[32];

    is_str(svct_seen_ago(1000, 1000, buf, sizeof buf), "just now", "0 s: just now");
    is_str(svct_seen_ago(1000, 1010, buf, sizeof buf), "just now", "a little ahead: just now");
    is_str(svct_seen_ago(1000, 2000, buf, sizeof buf), "in the future", "well ahead");
    is_str(svct_seen_ago(1042, 1000, buf, sizeof buf), "42 s ago", "seconds");
    is_str(svct_seen_ago(1000 + 3 * 60 + 59, 1000, buf, sizeof buf), "3 min ago", "minutes");
    is_str(svct_seen_ago(1000 + 47 * 3600, 1000, buf, sizeof buf), "47 h ago", "hours to 2 days");
    is_str(svct_seen_ago(1000 + 12 * 86400, 1000, buf, sizeof buf), "12 d ago", "days");
}

int main(void)
{
    int64_t before;

    memo_tests();
    dir_tests();
    note_tests();
    ago_tests();
    svct_clock_manual();
    before = svct_clock_real_ns();
    svct_clock_advance(INT64_C(5000000000));
    ok(svct_clock_real_ns() - before >= INT64_C(5000000000),
       "the real-time clock moves with an advance");
    return done_testing();
}
