/*
 * The svctoken commands on tokens (cli_token.h). Every change runs under the
 * store's exclusive lock from the first read to the last write, so
 * concurrent runs and a serving httpd only ever see whole commands; a new
 * secret is shown before that lock is released, and the change taken back
 * if it could not be.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/crypto.h>

#include "cidr.h"
#include "cli_print.h"
#include "cli_token.h"
#include "duration.h"
#include "name.h"
#include "record.h"
#include "secret.h"
#include "store.h"
#include "store_seen.h"

#define SVCT_DEFAULT_DURATION "1y"

/* The output failed after a change holding a new secret was committed: the
 * secret was never seen, so the change is undone (UNDO is the store call
 * that does it, already made on ST) and committed again. WHAT says what
 * the change was, for the message. Exit 3 either way. */
static int svct_cli_undo(svct_cli_t *cli, svct_store_t *st, svct_store_rc_t undo, const char *what)
{
    int saved = errno;

    if (undo == SVCT_STORE_OK)
        undo = svct_store_commit(st);
    if (undo == SVCT_STORE_OK)
        fprintf(cli->err,
                "svctoken: cannot write the output: %s; the new secret was not shown, so %s "
                "is undone\n",
                strerror(saved), what);
    else
        fprintf(cli->err,
                "svctoken: cannot write the output: %s; the new secret was not shown, and %s "
                "could not be undone: %s\n",
                strerror(saved), what, svct_store_error(st));
    svct_store_close(st);
    return SVCT_EXIT_STORE;
}

static int svct_cli_new_secret(svct_cli_t *cli, char *secret, unsigned char *hash)
{
    if (svct_secret_new(secret) != 0 ||
        svct_secret_hash_checked(secret, SVCT_SECRET_LEN, hash) != 0)
        return svct_cli_refuse(cli, "cannot make a secret: OpenSSL's random generator failed");
    return SVCT_EXIT_OK;
}

/* Parses --allow-from into REC, if it was given. */
static int svct_cli_allow_from(svct_cli_t *cli, svct_record_t *rec)
{
    const char *bad = NULL;
    size_t bad_len = 0;

    if (cli->allow_from == NULL)
        return SVCT_EXIT_OK;
    switch (svct_cidr_list_parse(cli->allow_from, rec->allow_from, &rec->n_allow, &bad, &bad_len)) {
    case SVCT_CIDR_LIST_OK:
        return SVCT_EXIT_OK;
    case SVCT_CIDR_LIST_BAD:
        return svct_cli_refuse(cli,
                               "bad --allow-from \"%s\": not a CIDR (like 10.0.0.0/8 or "
                               "2001:db8::/32, no bits set past the prefix)",
                               svct_shown(cli->pool, apr_pstrmemdup(cli->pool, bad, bad_len)));
    case SVCT_CIDR_LIST_TOO_MANY:
        return svct_cli_refuse(cli, "--allow-from takes at most %d CIDRs", SVCT_CIDR_MAX);
    case SVCT_CIDR_LIST_EMPTY:
        break;
    }
    return svct_cli_refuse(cli, "--allow-from needs CIDRs separated by commas, or \"any\"");
}

/* SDBM keeps a key and its value in one page, and the SQL store's record
 * column holds 1024 characters: a record that does not fit is refused
 * before anything is written. */
#define SVCT_SDBM_PAIR_MAX 1008

#define SVCT_SQL_RECORD_MAX 1024

static int svct_cli_fits(svct_cli_t *cli, const svct_record_t *rec)
{
    char buf[SVCT_RECORD_MAX];
    const char *type = svct_store_type_name(cli->dbmtype);
    size_t n, max;

    if (cli->dbd != NULL)
        max = SVCT_SQL_RECORD_MAX;
    else if (type != NULL && strcmp(type, "SDBM") == 0)
        max = SVCT_SDBM_PAIR_MAX - 3 - SVCT_CLIENT_ID_LEN; /* the key is "id:" + Client ID */
    else
        return SVCT_EXIT_OK;
    n = svct_record_encode(rec, buf, sizeof buf);
    if (n <= max)
        return SVCT_EXIT_OK;
    return svct_cli_refuse(cli,
                           "this --allow-from list is too long for %s store (%zu bytes in a "
                           "record that holds %zu): use fewer ranges%s",
                           cli->dbd ? "a SQL" : "an SDBM", n, max,
                           cli->dbd ? "" : " or a default, GDBM or DB store");
}

int svct_cli_create(svct_cli_t *cli)
{
    const char *name = cli->args[0];
    char secret[SVCT_SECRET_LEN + 1];
    svct_record_t rec, old;
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc, tries;

    if (!svct_name_creatable(name, strlen(name)))
        return svct_cli_refuse(cli,
                               "invalid name \"%s\": use 1 to %d letters, digits and "
                               "characters of %s, or characters beyond ASCII other than spaces "
                               "and invisible ones; not a lone \"-\", not shaped like a "
                               "Client ID",
                               svct_shown(cli->pool, name), SVCT_NAME_MAX_CHARS, SVCT_NAME_PUNCT);
    memset(&rec, 0, sizeof(rec));
    exit_rc = svct_cli_expiry(
        cli, "duration", cli->duration ? cli->duration : SVCT_DEFAULT_DURATION, 1, &rec.expires_at);
    if (exit_rc != SVCT_EXIT_OK)
        return exit_rc;
    if ((exit_rc = svct_cli_allow_from(cli, &rec)) != SVCT_EXIT_OK)
        return exit_rc;
    memcpy(rec.name, name, strlen(name) + 1);
    rec.created_at = rec.updated_at = cli->now;
    rec.enabled = 1;

    if (svct_cli_open(cli, SVCT_STORE_WRITE, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_get_by_name(st, name, &old);
    if (rc == SVCT_STORE_OK) {
        svct_store_close(st);
        return svct_cli_refuse(cli, "a token named \"%s\" already exists", name);
    }
    if (rc != SVCT_STORE_NOTFOUND)
        goto fail;
    /* 128 random bits do not collide in practice; the loop only makes the
     * store's refusal of a duplicate id impossible to hit. */
    for (tries = 0; tries < 4; tries++) {
        if (svct_client_id_new(rec.client_id) != 0) {
            svct_store_close(st);
            return svct_cli_refuse(cli, "cannot make a Client ID: OpenSSL's random generator "
                                        "failed");
        }
        rc = svct_store_get_by_id(st, rec.client_id, &old);
        if (rc != SVCT_STORE_OK)
            break;
    }
    if (rc != SVCT_STORE_NOTFOUND)
        goto fail;
    if ((exit_rc = svct_cli_new_secret(cli, secret, rec.secret_hash)) != SVCT_EXIT_OK ||
        (exit_rc = svct_cli_fits(cli, &rec)) != SVCT_EXIT_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        svct_store_close(st);
        return exit_rc;
    }
    rc = svct_store_insert(st, &rec);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_commit(st);
    if (rc != SVCT_STORE_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        goto fail;
    }
    /* Printed before the store is closed (which waits, store.h), while the
     * lock still keeps every other change out, so that the token can be
     * taken back if its secret cannot be shown. */
    exit_rc = svct_cli_print_secret(cli, &rec, secret, NULL);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (exit_rc != 0)
        return svct_cli_undo(cli, st, svct_store_delete(st, &rec), "the token's creation");
    svct_store_close(st);
    return SVCT_EXIT_OK;

fail:
    /* Not svct_cli_close: RC is OK here too when every Client ID tried was
     * taken, and that is a failure. */
    exit_rc = svct_cli_store_rc(cli, st, rc, name);
    svct_store_close(st);
    return exit_rc;
}

typedef struct svct_list {
    svct_cli_t *cli;
    apr_array_header_t *rows;
} svct_list_t;

static int svct_cli_list_visit(void *baton, const svct_record_t *rec)
{
    svct_list_t *l = baton;

    svct_row_set(l->cli, apr_array_push(l->rows), rec, 1);
    return 0;
}

static int svct_row_cmp(const void *a, const void *b)
{
    const svct_row_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : strcmp(x->client_id, y->client_id);
}

/* Looks up every row's last seen; with INACTIVE >= 0, keeps only the rows
 * not seen for INACTIVE seconds (or never). */
static svct_store_rc_t svct_cli_list_seen(svct_cli_t *cli, svct_store_t *st,
                                          apr_array_header_t *rows, int64_t inactive)
{
    svct_row_t *row = (svct_row_t *)rows->elts;
    svct_store_rc_t rc;
    int i, kept = 0;

    for (i = 0; i < rows->nelts; i++) {
        if ((rc = svct_store_last_seen(st, row[i].client_id, &row[i].last_seen_at)) !=
            SVCT_STORE_OK)
            return rc;
        row[i].seen = 1;
        if (inactive < 0 || row[i].last_seen_at == 0 || cli->now - row[i].last_seen_at >= inactive)
            row[kept++] = row[i];
    }
    rows->nelts = kept;
    return SVCT_STORE_OK;
}

/* The tokens, sorted, with their last seen, printed as list prints them;
 * only those that expire before EXPIRING_BEFORE (store.h) when it is not 0,
 * and those not seen for INACTIVE seconds (or never) when it is >= 0.
 * *COUNT: how many. */
static int svct_cli_list_tokens(svct_cli_t *cli, int64_t expiring_before, int64_t inactive,
                                int *count)
{
    svct_list_t l;
    svct_store_t *st;
    svct_store_rc_t rc;
    svct_row_t *rows;
    int exit_rc;

    *count = 0;
    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    l.cli = cli;
    l.rows = apr_array_make(cli->pool, 64, sizeof(svct_row_t));
    rc = expiring_before != 0
             ? svct_store_foreach_expiring(st, expiring_before, svct_cli_list_visit, &l, NULL)
             : svct_store_foreach(st, svct_cli_list_visit, &l, NULL);
    if (rc == SVCT_STORE_OK)
        rc = svct_cli_list_seen(cli, st, l.rows, inactive);
    if ((exit_rc = svct_cli_close(cli, st, rc, NULL)) != SVCT_EXIT_OK)
        return exit_rc;
    rows = (svct_row_t *)l.rows->elts;
    qsort(rows, (size_t)l.rows->nelts, sizeof(*rows), svct_row_cmp);
    *count = l.rows->nelts;
    /* Nothing at all for none, so that cron mails nothing; JSON is always
     * a document. */
    if (*count == 0 && expiring_before != 0 && !cli->json)
        return SVCT_EXIT_OK;
    return svct_cli_print_rows(cli, rows, l.rows->nelts);
}

int svct_cli_list(svct_cli_t *cli)
{
    int64_t inactive = -1;
    int count;

    if (cli->inactive != NULL && svct_duration_parse(cli->inactive, 0, &inactive) != 0)
        return svct_cli_refuse(cli,
                               "bad --inactive \"%s\": use a number and a unit s, m, h, d, w or y "
                               "(like 90d)",
                               svct_shown(cli->pool, cli->inactive));
    return svct_cli_list_tokens(cli, 0, inactive, &count);
}

int svct_cli_expiring(svct_cli_t *cli)
{
    int64_t within = SVCT_EXPIRING_DEFAULT, before;
    int count, rc;

    if (cli->within != NULL && svct_duration_parse(cli->within, 0, &within) != 0)
        return svct_cli_usage(cli->err,
                              "bad --within \"%s\": use a number and a unit s, m, h, d, w or y "
                              "(like 30d)",
                              svct_shown(cli->pool, cli->within));
    before = within > SVCT_TIME_MAX - cli->now ? SVCT_TIME_MAX + 1 : cli->now + within;
    rc = svct_cli_list_tokens(cli, before, -1, &count);
    if (rc != SVCT_EXIT_OK)
        return rc;
    /* For cron and monitoring checks: 1 says there is something to do. */
    return count > 0 ? SVCT_EXIT_REFUSED : SVCT_EXIT_OK;
}

int svct_cli_show(svct_cli_t *cli)
{
    svct_record_t rec;
    svct_store_t *st;
    svct_store_rc_t rc;
    int64_t seen = 0;
    int exit_rc;

    if (svct_cli_open(cli, SVCT_STORE_READ, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_find(st, cli->args[0], &rec);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_last_seen(st, rec.client_id, &seen);
    if ((exit_rc = svct_cli_close(cli, st, rc, cli->args[0])) != SVCT_EXIT_OK)
        return exit_rc;
    svct_cli_print_token_seen(cli, &rec, seen);
    return SVCT_EXIT_OK;
}

typedef enum {
    SVCT_CHANGE_REFRESH,
    SVCT_CHANGE_ROTATE,
    SVCT_CHANGE_DISABLE,
    SVCT_CHANGE_ENABLE,
    SVCT_CHANGE_DELETE,
    SVCT_CHANGE_SET
} svct_change_t;

/* The read-modify-write commands: one exclusive lock from find to write. */
static int svct_cli_change(svct_cli_t *cli, svct_change_t change)
{
    const char *key = cli->args[0];
    char secret[SVCT_SECRET_LEN + 1];
    unsigned char hash[SVCT_HASH_LEN];
    int64_t expires_at = 0, prev_expires_at = 0;
    svct_record_t rec, before, set;
    svct_store_t *st;
    svct_store_rc_t rc;
    int exit_rc;

    /* Options first, so a bad value is refused before the store is touched. */
    if (change == SVCT_CHANGE_REFRESH) {
        exit_rc = svct_cli_expiry(
            cli, "duration", cli->duration ? cli->duration : SVCT_DEFAULT_DURATION, 1, &expires_at);
        if (exit_rc != SVCT_EXIT_OK)
            return exit_rc;
    }
    if (change == SVCT_CHANGE_ROTATE && cli->grace != NULL && strcmp(cli->grace, "0") != 0) {
        exit_rc = svct_cli_expiry(cli, "grace", cli->grace, 0, &prev_expires_at);
        if (exit_rc != SVCT_EXIT_OK)
            return exit_rc;
    }
    if (change == SVCT_CHANGE_SET) {
        if (cli->allow_from == NULL)
            return svct_cli_usage(cli->err, "set needs --allow-from CIDR,...|any");
        if ((exit_rc = svct_cli_allow_from(cli, &set)) != SVCT_EXIT_OK)
            return exit_rc;
    }

    if (svct_cli_open(cli, SVCT_STORE_MODIFY, &st, &exit_rc) != SVCT_STORE_OK)
        return exit_rc;
    rc = svct_store_find(st, key, &rec);
    if (rc != SVCT_STORE_OK)
        goto fail;
    before = rec;
    rec.updated_at = cli->now;
    switch (change) {
    case SVCT_CHANGE_REFRESH:
        rec.expires_at = expires_at;
        break;
    case SVCT_CHANGE_ROTATE:
        /* A new secret for a token that cannot get in would never work. */
        if (rec.expires_at != 0 && cli->now >= rec.expires_at) {
            svct_store_close(st);
            return svct_cli_refuse(cli, "token expired: refresh it first");
        }
        if ((exit_rc = svct_cli_new_secret(cli, secret, hash)) != SVCT_EXIT_OK) {
            svct_store_close(st);
            return exit_rc;
        }
        /* A still-running older grace period ends here: only the secret
         * just replaced may overlap with the new one. */
        rec.has_prev = prev_expires_at != 0;
        rec.prev_expires_at = prev_expires_at;
        if (rec.has_prev)
            memcpy(rec.prev_hash, rec.secret_hash, SVCT_HASH_LEN);
        else
            memset(rec.prev_hash, 0, SVCT_HASH_LEN);
        memcpy(rec.secret_hash, hash, SVCT_HASH_LEN);
        break;
    case SVCT_CHANGE_DISABLE:
        rec.enabled = 0;
        break;
    case SVCT_CHANGE_ENABLE:
        rec.enabled = 1;
        break;
    case SVCT_CHANGE_DELETE:
        break;
    case SVCT_CHANGE_SET:
        rec.n_allow = set.n_allow;
        memcpy(rec.allow_from, set.allow_from, sizeof rec.allow_from);
        if ((exit_rc = svct_cli_fits(cli, &rec)) != SVCT_EXIT_OK) {
            svct_store_close(st);
            return exit_rc;
        }
        break;
    }
    if (change == SVCT_CHANGE_DELETE)
        rc = svct_store_delete(st, &rec);
    else
        rc = svct_store_update(st, &rec);
    if (rc == SVCT_STORE_OK)
        rc = svct_store_commit(st);
    if (rc != SVCT_STORE_OK) {
        if (change == SVCT_CHANGE_ROTATE)
            OPENSSL_cleanse(secret, sizeof(secret));
        goto fail;
    }

    if (change == SVCT_CHANGE_ROTATE) {
        /* As in create: shown under the lock, taken back if it cannot be. */
        exit_rc = svct_cli_print_secret(
            cli, &rec, secret,
            cli->json      ? NULL
            : rec.has_prev ? apr_psprintf(cli->pool, "The previous secret is accepted until %s.",
                                          svct_cli_time(cli, rec.prev_expires_at))
                           : "The previous secret no longer works.");
        OPENSSL_cleanse(secret, sizeof(secret));
        if (exit_rc != 0)
            return svct_cli_undo(cli, st, svct_store_update(st, &before), "the rotation");
        svct_store_close(st);
        return SVCT_EXIT_OK;
    }
    if (change == SVCT_CHANGE_DELETE)
        svct_store_forget_seen(st, rec.client_id);
    svct_store_close(st);
    if (cli->json) {
        svct_cli_print_token(cli, &rec);
    } else if (change == SVCT_CHANGE_REFRESH) {
        fprintf(cli->out, "Refreshed \"%s\" (%s): expires %s.\n", rec.name, rec.client_id,
                svct_cli_expires(cli, rec.expires_at));
    } else if (change == SVCT_CHANGE_SET) {
        fprintf(cli->out, "\"%s\" (%s) is accepted from %s.\n", rec.name, rec.client_id,
                rec.n_allow ? svct_cli_allow_text(cli, &rec) : "any address");
    } else {
        fprintf(cli->out, "%s \"%s\" (%s).\n",
                change == SVCT_CHANGE_DISABLE  ? "Disabled"
                : change == SVCT_CHANGE_ENABLE ? "Enabled"
                                               : "Deleted",
                rec.name, rec.client_id);
    }
    return SVCT_EXIT_OK;

fail:
    return svct_cli_close(cli, st, rc, key);
}

int svct_cli_refresh(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_REFRESH);
}

int svct_cli_rotate(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_ROTATE);
}

int svct_cli_disable(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_DISABLE);
}

int svct_cli_enable(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_ENABLE);
}

int svct_cli_delete(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_DELETE);
}

int svct_cli_set(svct_cli_t *cli)
{
    return svct_cli_change(cli, SVCT_CHANGE_SET);
}
