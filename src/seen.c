/*
 * Last seen (seen.h): a child's memory of what it recorded, and the DBM
 * store's last-seen directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "seen.h"

/* ---- the memory ---- */

/* A slot names its store by a 64-bit hash of the store's name: two stores
 * whose names collide would only share entries (a missed write). */
typedef struct {
    char client_id[SVCT_CLIENT_ID_LEN + 1];
    uint64_t store;
    int64_t when;
} svct_seen_slot_t;

struct svct_seen_memo {
    pthread_mutex_t lock;
    size_t nslots;
    svct_seen_slot_t *slots;
};

svct_seen_memo_t *svct_seen_memo_create(size_t slots)
{
    svct_seen_memo_t *m = calloc(1, sizeof(*m));

    if (m == NULL || slots == 0) {
        free(m);
        return NULL;
    }
    m->slots = calloc(slots, sizeof(*m->slots));
    if (m->slots == NULL || pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m->slots);
        free(m);
        return NULL;
    }
    m->nslots = slots;
    return m;
}

void svct_seen_memo_destroy(svct_seen_memo_t *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m->slots);
    free(m);
}

/* FNV-1a, 64 bits, of at most MAX bytes of S, continuing from H. */
static uint64_t svct_seen_hash(uint64_t h, const char *s, size_t max)
{
    for (; max && *s; s++, max--)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

uint64_t svct_seen_store_key(const char *store)
{
    return svct_seen_hash(UINT64_C(0xcbf29ce484222325), store, SIZE_MAX);
}

/* The slot of (KEY, CLIENT_ID). A Client ID begins with random hex, so its
 * first 16 characters (64 random bits) spread the tokens of one store well;
 * the slot still compares the whole ID. */
static svct_seen_slot_t *svct_seen_slot(svct_seen_memo_t *m, uint64_t key, const char *client_id)
{
    return &m->slots[svct_seen_hash(key, client_id, 16) % m->nslots];
}

static int svct_seen_slot_is(const svct_seen_slot_t *slot, uint64_t key, const char *client_id)
{
    return slot->store == key && strncmp(slot->client_id, client_id, sizeof(slot->client_id)) == 0;
}

static void svct_seen_slot_fill(svct_seen_slot_t *slot, uint64_t key, const char *client_id,
                                int64_t when)
{
    snprintf(slot->client_id, sizeof(slot->client_id), "%s", client_id);
    slot->store = key;
    slot->when = when;
}

int svct_seen_memo_due(svct_seen_memo_t *m, uint64_t key, const char *client_id, int64_t now,
                       int64_t interval)
{
    svct_seen_slot_t *slot = svct_seen_slot(m, key, client_id);
    int due;

    pthread_mutex_lock(&m->lock);
    due = !svct_seen_slot_is(slot, key, client_id) || now - slot->when >= interval ||
          slot->when > now;
    if (due)
        svct_seen_slot_fill(slot, key, client_id, now);
    pthread_mutex_unlock(&m->lock);
    return due;
}

void svct_seen_memo_set(svct_seen_memo_t *m, uint64_t key, const char *client_id, int64_t when)
{
    svct_seen_slot_t *slot = svct_seen_slot(m, key, client_id);

    pthread_mutex_lock(&m->lock);
    svct_seen_slot_fill(slot, key, client_id, when);
    pthread_mutex_unlock(&m->lock);
}

/* ---- the directory ---- */

/* "<STORE_PATH>.seen" (ID NULL) or "<STORE_PATH>.seen/<ID>" into BUF; 0, or
 * -1 when it does not fit or ID is not a Client ID (hostile input never
 * names a file). */
static int svct_seen_path(char *buf, size_t cap, const char *store_path, const char *id)
{
    int n;

    if (id != NULL && !svct_client_id_valid(id, strnlen(id, SVCT_CLIENT_ID_LEN + 1)))
        return -1;
    n = id ? snprintf(buf, cap, "%s" SVCT_SEEN_SUFFIX "/%s", store_path, id)
           : snprintf(buf, cap, "%s" SVCT_SEEN_SUFFIX, store_path);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int svct_seen_prepare(const char *store_path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
    char dir[4096];
    struct stat sb;
    int fd;

    if (svct_seen_path(dir, sizeof dir, store_path, NULL) != 0) {
        snprintf(err, errlen, "the path of %s is too long", store_path);
        return -1;
    }
    if (mkdir(dir, 0711) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %s: %s", dir, strerror(errno));
        return -1;
    }
    /* Opened without following a link, and changed through the descriptor:
     * what root gives away is the very directory it looked at. */
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (geteuid() == 0 && (sb.st_uid != uid || sb.st_gid != gid) && fchown(fd, uid, gid) != 0) {
        snprintf(err, errlen, "cannot give %s to the user httpd's children run as: %s", dir,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if ((sb.st_mode & 07777) != 0711 && fchmod(fd, 0711) != 0) {
        snprintf(err, errlen, "cannot chmod %s: %s", dir, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* A new entry holding NOW; an entry this user may not change (made by
 * another user httpd once ran as) or that is not a plain file is replaced. */
static svct_seen_rc_t svct_seen_create(const char *path, int64_t now, int replace, char *err,
                                       size_t errlen)
{
    struct timespec times[2] = {{(time_t)now, 0}, {(time_t)now, 0}};
    int fd;

    if (replace && unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
        return SVCT_SEEN_ERROR;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return SVCT_SEEN_NO_DIR;
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return SVCT_SEEN_ERROR;
    }
    if (futimens(fd, times) != 0) {
        snprintf(err, errlen, "cannot set the time of %s: %s", path, strerror(errno));
        close(fd);
        return SVCT_SEEN_ERROR;
    }
    close(fd);
    return SVCT_SEEN_WRITTEN;
}

svct_seen_rc_t svct_seen_record(const char *store_path, const char *client_id, int64_t now,
                                int64_t interval, int64_t *stored, char *err, size_t errlen)
{
    struct timespec times[2] = {{(time_t)now, 0}, {(time_t)now, 0}};
    char path[4096];
    struct stat sb;

    if (svct_seen_path(path, sizeof path, store_path, client_id) != 0) {
        snprintf(err, errlen, "no last-seen entry can be named for %s", store_path);
        return SVCT_SEEN_ERROR;
    }
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            return svct_seen_create(path, now, 0, err, errlen);
        snprintf(err, errlen, "cannot look at %s: %s", path, strerror(errno));
        return SVCT_SEEN_ERROR;
    }
    if (!S_ISREG(sb.st_mode))
        return svct_seen_create(path, now, 1, err, errlen);
    if (now - (int64_t)sb.st_mtime < interval && (int64_t)sb.st_mtime <= now) {
        *stored = (int64_t)sb.st_mtime;
        return SVCT_SEEN_FRESH;
    }
    if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) == 0)
        return SVCT_SEEN_WRITTEN;
    if (errno == EPERM || errno == EACCES)
        return svct_seen_create(path, now, 1, err, errlen);
    if (errno == ENOENT) /* forgotten by svctoken delete meanwhile */
        return svct_seen_create(path, now, 0, err, errlen);
    snprintf(err, errlen, "cannot set the time of %s: %s", path, strerror(errno));
    return SVCT_SEEN_ERROR;
}

int svct_seen_get(const char *store_path, const char *client_id, int64_t *when, char *err,
                  size_t errlen)
{
    char path[4096];
    struct stat sb;

    *when = 0;
    if (svct_seen_path(path, sizeof path, store_path, client_id) != 0)
        return 0;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        snprintf(err, errlen, "cannot read the last-seen time of %s: %s: %s", client_id, path,
                 strerror(errno));
        return -1;
    }
    if (S_ISREG(sb.st_mode) && sb.st_mtime > 0)
        *when = (int64_t)sb.st_mtime;
    return 0;
}

void svct_seen_forget(const char *store_path, const char *client_id)
{
    char path[4096];

    if (svct_seen_path(path, sizeof path, store_path, client_id) == 0)
        (void)unlink(path);
}

svct_seen_rc_t svct_seen_note(svct_seen_memo_t *m, const char *store_path, uint64_t store_key,
                              const char *client_id, int64_t now, int64_t interval, char *err,
                              size_t errlen)
{
    int64_t stored = 0;
    svct_seen_rc_t rc;

    if (!svct_seen_memo_due(m, store_key, client_id, now, interval))
        return SVCT_SEEN_NOT_DUE;
    rc = svct_seen_record(store_path, client_id, now, interval, &stored, err, errlen);
    if (rc == SVCT_SEEN_FRESH)
        svct_seen_memo_set(m, store_key, client_id, stored);
    return rc;
}

const char *svct_seen_ago(int64_t now, int64_t when, char *buf, size_t cap)
{
    int64_t d = now - when;

    /* Another server's clock may be a little ahead of this one. */
    if (d < -60)
        snprintf(buf, cap, "in the future");
    else if (d < 1)
        snprintf(buf, cap, "just now");
    else if (d < 60)
        snprintf(buf, cap, "%lld s ago", (long long)d);
    else if (d < 3600)
        snprintf(buf, cap, "%lld min ago", (long long)(d / 60));
    else if (d < 2 * 86400)
        snprintf(buf, cap, "%lld h ago", (long long)(d / 3600));
    else
        snprintf(buf, cap, "%lld d ago", (long long)(d / 86400));
    return buf;
}
