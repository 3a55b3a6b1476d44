/*
 * export and import (transfer.h): JSON lines through jansson, strict on
 * the way in.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>
#include <apr_tables.h>
#include <jansson.h>

#include "cidr.h"
#include "secret.h"
#include "transfer.h"

/* Longest line import reads: a record with the longest name, JSON-escaped. */
#define SVCT_IMPORT_LINE_MAX 4096

const char *svct_time_format(int64_t t, char buf[32])
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return "?";
    return buf;
}

int svct_time_parse(const char *s, int64_t *t)
{
    struct tm tm;
    const char *end;
    char back[32];
    time_t v;

    memset(&tm, 0, sizeof(tm));
    end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    if (end == NULL || *end != '\0')
        return -1;
    v = timegm(&tm);
    /* Round trip: refuses what strptime takes loosely (one-digit fields,
     * the 31st of a short month, leading blanks). */
    if (v < 0 || (int64_t)v > SVCT_TIME_MAX || strcmp(svct_time_format(v, back), s) != 0)
        return -1;
    *t = (int64_t)v;
    return 0;
}

static json_t *svct_json_time(int64_t t)
{
    char buf[32];

    return json_string(svct_time_format(t, buf));
}

static json_t *svct_json_hash(const unsigned char *h)
{
    char hex[SVCT_HASH_LEN * 2 + 1];

    svct_hex_encode(h, SVCT_HASH_LEN, hex);
    return json_string(hex);
}

static int svct_export_visit(void *baton, const svct_record_t *rec)
{
    FILE *out = baton;
    json_t *o = json_object();
    char *line;

    json_object_set_new(o, "name", json_string(rec->name));
    json_object_set_new(o, "client_id", json_string(rec->client_id));
    json_object_set_new(o, "created_at", svct_json_time(rec->created_at));
    json_object_set_new(o, "updated_at", svct_json_time(rec->updated_at));
    json_object_set_new(o, "expires_at",
                        rec->expires_at ? svct_json_time(rec->expires_at) : json_null());
    json_object_set_new(o, "enabled", json_boolean(rec->enabled));
    json_object_set_new(o, "secret_sha256", svct_json_hash(rec->secret_hash));
    if (rec->has_prev) {
        json_object_set_new(o, "prev_secret_sha256", svct_json_hash(rec->prev_hash));
        json_object_set_new(o, "prev_expires_at", svct_json_time(rec->prev_expires_at));
    }
    if (rec->n_allow > 0) {
        json_t *a = json_array();
        char text[SVCT_CIDR_TEXT_MAX];
        int i;

        for (i = 0; i < rec->n_allow; i++)
            if (svct_cidr_format(&rec->allow_from[i], text, sizeof(text)))
                json_array_append_new(a, json_string(text));
        json_object_set_new(o, "allow_from", a);
    }
    line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (line == NULL)
        return 1;
    fputs(line, out);
    fputc('\n', out);
    free(line);
    return 0;
}

svct_store_rc_t svct_export(svct_store_t *st, FILE *out)
{
    int fn_rc = 0;
    svct_store_rc_t rc = svct_store_foreach(st, svct_export_visit, out, &fn_rc);

    return rc == SVCT_STORE_OK && fn_rc != 0 ? SVCT_STORE_EIO : rc;
}

static const char *svct_get_time(json_t *o, const char *key, int nullable, int64_t *t)
{
    json_t *v = json_object_get(o, key);

    if (nullable && json_is_null(v)) {
        *t = 0;
        return NULL;
    }
    if (!json_is_string(v) || svct_time_parse(json_string_value(v), t) != 0)
        return key;
    return NULL;
}

static const char *svct_get_hash(json_t *o, const char *key, unsigned char *h)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_string(v) ||
        svct_hex_decode(json_string_value(v), json_string_length(v), h, SVCT_HASH_LEN) != 0)
        return key;
    return NULL;
}

/* The optional "allow_from" of O (an array of CIDRs, or null) into REC. */
static const char *svct_get_allow(json_t *o, svct_record_t *rec)
{
    json_t *a = json_object_get(o, "allow_from"), *v;
    size_t i;

    if (a == NULL || json_is_null(a))
        return NULL;
    if (!json_is_array(a) || json_array_size(a) > SVCT_CIDR_MAX)
        return "allow_from";
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || svct_cidr_parse(json_string_value(v), json_string_length(v),
                                                  &rec->allow_from[rec->n_allow++]) != 0)
            return "allow_from";
    }
    return NULL;
}

/* One line into REC; NULL, or the name of the field that is wrong. */
static const char *svct_import_parse(const char *line, svct_record_t *rec)
{
    static const char *const known[] = {
        "name",    "client_id",     "created_at",         "updated_at",      "expires_at",
        "enabled", "secret_sha256", "prev_secret_sha256", "prev_expires_at", "allow_from"};
    json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
    const char *key, *bad = NULL;
    json_t *v;
    size_t i;
    char buf[SVCT_RECORD_MAX];

    memset(rec, 0, sizeof(*rec));
    if (!json_is_object(o)) {
        json_decref(o);
        return "the line (not a JSON object)";
    }
    json_object_foreach(o, key, v)
    {
        for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            if (strcmp(key, known[i]) == 0)
                break;
        if (i == sizeof(known) / sizeof(known[0])) {
            bad = "an unknown key";
            goto out;
        }
    }
    v = json_object_get(o, "name");
    if (!json_is_string(v) || json_string_length(v) > SVCT_NAME_MAX_BYTES ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        bad = "name";
        goto out;
    }
    memcpy(rec->name, json_string_value(v), json_string_length(v) + 1);
    v = json_object_get(o, "client_id");
    if (!json_is_string(v) || json_string_length(v) != SVCT_CLIENT_ID_LEN) {
        bad = "client_id";
        goto out;
    }
    memcpy(rec->client_id, json_string_value(v), SVCT_CLIENT_ID_LEN + 1);
    v = json_object_get(o, "enabled");
    if (!json_is_boolean(v)) {
        bad = "enabled";
        goto out;
    }
    rec->enabled = json_is_true(v);
    if ((bad = svct_get_time(o, "created_at", 0, &rec->created_at)) ||
        (bad = svct_get_time(o, "updated_at", 0, &rec->updated_at)) ||
        (bad = svct_get_time(o, "expires_at", 1, &rec->expires_at)) ||
        (bad = svct_get_hash(o, "secret_sha256", rec->secret_hash)) ||
        (bad = svct_get_allow(o, rec)))
        goto out;
    if (json_object_get(o, "prev_secret_sha256") || json_object_get(o, "prev_expires_at")) {
        rec->has_prev = 1;
        if ((bad = svct_get_hash(o, "prev_secret_sha256", rec->prev_hash)) ||
            (bad = svct_get_time(o, "prev_expires_at", 0, &rec->prev_expires_at)))
            goto out;
    }
    /* The record's own checks: valid name and Client ID, consistent times. */
    if (svct_record_encode(rec, buf, sizeof(buf)) == 0)
        bad = "the token (name, Client ID or times not valid)";
out:
    json_decref(o);
    return bad;
}

svct_import_rc_t svct_import(svct_store_t *st, FILE *in, int replace, apr_pool_t *p, int *count,
                             const char **why)
{
    apr_array_header_t *recs = apr_array_make(p, 64, sizeof(svct_record_t));
    char *line = apr_palloc(p, SVCT_IMPORT_LINE_MAX + 2);
    svct_record_t *r, old;
    svct_store_rc_t rc;
    int lineno = 0, i, j;

    *count = 0;
    while (fgets(line, SVCT_IMPORT_LINE_MAX + 2, in) != NULL) {
        size_t len = strlen(line);
        const char *bad;

        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(in)) {
            *why = apr_psprintf(p, "line %d: longer than %d bytes", lineno, SVCT_IMPORT_LINE_MAX);
            return SVCT_IMPORT_REFUSED;
        }
        if (len == 0)
            continue;
        r = apr_array_push(recs);
        if ((bad = svct_import_parse(line, r)) != NULL) {
            *why = apr_psprintf(p, "line %d: bad %s", lineno, bad);
            return SVCT_IMPORT_REFUSED;
        }
    }
    if (ferror(in)) {
        *why = "cannot read the input";
        return SVCT_IMPORT_REFUSED;
    }
    r = (svct_record_t *)recs->elts;
    for (i = 0; i < recs->nelts; i++)
        for (j = 0; j < i; j++)
            if (strcmp(r[i].client_id, r[j].client_id) == 0 || strcmp(r[i].name, r[j].name) == 0) {
                *why = apr_psprintf(p, "the input holds the Client ID or name of %s twice",
                                    r[i].client_id);
                return SVCT_IMPORT_REFUSED;
            }
    /* Everything is checked before anything is written. */
    for (i = 0; i < recs->nelts && !replace; i++) {
        rc = svct_store_get_by_id(st, r[i].client_id, &old);
        if (rc == SVCT_STORE_NOTFOUND)
            rc = svct_store_get_by_name(st, r[i].name, &old);
        if (rc == SVCT_STORE_OK) {
            *why = apr_psprintf(p,
                                "token %s (Client ID %s) exists: nothing imported (--replace "
                                "replaces)",
                                old.name, old.client_id);
            return SVCT_IMPORT_REFUSED;
        }
        if (rc != SVCT_STORE_NOTFOUND)
            return SVCT_IMPORT_STORE;
    }
    for (i = 0; i < recs->nelts; i++) {
        rc = SVCT_STORE_OK;
        if (replace) {
            if (svct_store_get_by_id(st, r[i].client_id, &old) == SVCT_STORE_OK)
                rc = svct_store_delete(st, &old);
            if (rc == SVCT_STORE_OK && svct_store_get_by_name(st, r[i].name, &old) == SVCT_STORE_OK)
                rc = svct_store_delete(st, &old);
        }
        if (rc == SVCT_STORE_OK)
            rc = svct_store_insert(st, &r[i]);
        if (rc != SVCT_STORE_OK)
            return SVCT_IMPORT_STORE;
        (*count)++;
    }
    return SVCT_IMPORT_OK;
}
