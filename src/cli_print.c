/*
 * What svctoken prints of tokens (cli_print.h): text for people, JSON for
 * scripts, and never a hash.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "cli_print.h"
#include "seen.h"
#include "transfer.h"

void svct_row_set(svct_cli_t *cli, svct_row_t *row, const svct_record_t *rec, int copy)
{
    row->name = copy ? apr_pstrdup(cli->pool, rec->name) : rec->name;
    row->n_allow = rec->n_allow;
    row->allow_from =
        copy ? apr_pmemdup(cli->pool, rec->allow_from, rec->n_allow * sizeof rec->allow_from[0])
             : rec->allow_from;
    memcpy(row->client_id, rec->client_id, sizeof(row->client_id));
    row->created_at = rec->created_at;
    row->updated_at = rec->updated_at;
    row->expires_at = rec->expires_at;
    row->status = svct_status_name(svct_record_status(rec, cli->now));
    row->prev_expires_at =
        rec->has_prev && cli->now < rec->prev_expires_at ? rec->prev_expires_at : 0;
    row->seen = 0;
    row->last_seen_at = 0;
}

/* Last seen for people: "never", or the time and how long ago. */
static const char *svct_cli_seen_text(svct_cli_t *cli, int64_t when)
{
    char t[32], ago[32];

    if (when == 0)
        return "never";
    return apr_psprintf(cli->pool, "%s (%s)", svct_time_format(when, t),
                        svct_seen_ago(cli->now, when, ago, sizeof ago));
}

/* --allow-from as JSON: an array of CIDRs, or null for any address. */
static json_t *svct_cli_json_allow(const svct_cidr_t *allow, int n)
{
    char text[SVCT_CIDR_TEXT_MAX];
    json_t *a;
    int i;

    if (n == 0)
        return json_null();
    a = json_array();
    for (i = 0; i < n; i++)
        if (svct_cidr_format(&allow[i], text, sizeof text))
            json_array_append_new(a, json_string(text));
    return a;
}

const char *svct_cli_allow_text(svct_cli_t *cli, const svct_record_t *rec)
{
    char text[SVCT_CIDR_TEXT_MAX];
    const char *out = NULL;
    int i;

    for (i = 0; i < rec->n_allow; i++)
        if (svct_cidr_format(&rec->allow_from[i], text, sizeof text))
            out =
                out ? apr_pstrcat(cli->pool, out, ", ", text, NULL) : apr_pstrdup(cli->pool, text);
    return out ? out : "any";
}

static json_t *svct_cli_json_row(const svct_row_t *row, const char *secret)
{
    json_t *o = json_object();
    char buf[32];

    json_object_set_new(o, "name", json_string(row->name));
    json_object_set_new(o, "client_id", json_string(row->client_id));
    json_object_set_new(o, "created_at", json_string(svct_time_format(row->created_at, buf)));
    json_object_set_new(o, "updated_at", json_string(svct_time_format(row->updated_at, buf)));
    json_object_set_new(o, "expires_at",
                        row->expires_at == 0 ? json_null()
                                             : json_string(svct_time_format(row->expires_at, buf)));
    json_object_set_new(o, "status", json_string(row->status));
    json_object_set_new(o, "previous_secret_expires_at",
                        row->prev_expires_at == 0
                            ? json_null()
                            : json_string(svct_time_format(row->prev_expires_at, buf)));
    json_object_set_new(o, "allow_from", svct_cli_json_allow(row->allow_from, row->n_allow));
    if (row->seen)
        json_object_set_new(o, "last_seen_at",
                            row->last_seen_at == 0
                                ? json_null()
                                : json_string(svct_time_format(row->last_seen_at, buf)));
    if (secret != NULL)
        json_object_set_new(o, "client_secret", json_string(secret));
    return o;
}

static json_t *svct_cli_json_record(svct_cli_t *cli, const svct_record_t *rec, const char *secret)
{
    svct_row_t row;

    svct_row_set(cli, &row, rec, 0);
    return svct_cli_json_row(&row, secret);
}

void svct_cli_json_print(svct_cli_t *cli, json_t *doc)
{
    json_dumpf(doc, cli->out, JSON_INDENT(2));
    fputc('\n', cli->out);
    json_decref(doc);
}

static void svct_cli_print_record(svct_cli_t *cli, const svct_record_t *rec)
{
    fprintf(cli->out, "Name:       %s\n", rec->name);
    fprintf(cli->out, "Client ID:  %s\n", rec->client_id);
    fprintf(cli->out, "Created:    %s\n", svct_cli_time(cli, rec->created_at));
    fprintf(cli->out, "Updated:    %s\n", svct_cli_time(cli, rec->updated_at));
    fprintf(cli->out, "Expires:    %s\n", svct_cli_expires(cli, rec->expires_at));
    fprintf(cli->out, "Status:     %s\n", svct_status_name(svct_record_status(rec, cli->now)));
    if (rec->n_allow)
        fprintf(cli->out, "Allow from: %s\n", svct_cli_allow_text(cli, rec));
    if (rec->has_prev && cli->now < rec->prev_expires_at)
        fprintf(cli->out, "Previous secret accepted until %s\n",
                svct_cli_time(cli, rec->prev_expires_at));
}

/* Shared by create and rotate, the only two outputs that hold a secret. */
int svct_cli_print_secret(svct_cli_t *cli, const svct_record_t *rec, const char *secret,
                          const char *note)
{
    if (cli->json) {
        svct_cli_json_print(cli, svct_cli_json_record(cli, rec, secret));
        return svct_cli_flush(cli);
    }
    fprintf(cli->out, "Name:           %s\n", rec->name);
    fprintf(cli->out, "Client ID:      %s\n", rec->client_id);
    fprintf(cli->out, "Client Secret:  %s\n", secret);
    fprintf(cli->out, "Expires:        %s\n", svct_cli_expires(cli, rec->expires_at));
    if (rec->n_allow)
        fprintf(cli->out, "Allow from:     %s\n", svct_cli_allow_text(cli, rec));
    fputs("\nThe Client Secret is shown only this once: store it safely now.\n", cli->out);
    if (note != NULL)
        fprintf(cli->out, "%s\n", note);
    return svct_cli_flush(cli);
}

/* Display width of a name for table alignment: one column per code point,
 * which is right for the scripts names are usually written in. */
static size_t svct_width(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static void svct_cli_pad(FILE *out, const char *s, size_t width)
{
    size_t w = svct_width(s);

    fputs(s, out);
    for (; w < width + 2; w++)
        fputc(' ', out);
}

void svct_cli_print_one(svct_cli_t *cli, const char *key, json_t *value, const char *text)
{
    json_t *o;

    if (!cli->json) {
        fprintf(cli->out, "%s\n", text);
        json_decref(value);
        return;
    }
    o = json_object();
    json_object_set_new(o, key, value);
    svct_cli_json_print(cli, o);
}

void svct_cli_print_token(svct_cli_t *cli, const svct_record_t *rec)
{
    if (cli->json)
        svct_cli_json_print(cli, svct_cli_json_record(cli, rec, NULL));
    else
        svct_cli_print_record(cli, rec);
}

void svct_cli_print_token_seen(svct_cli_t *cli, const svct_record_t *rec, int64_t last_seen)
{
    svct_row_t row;

    if (!cli->json) {
        svct_cli_print_record(cli, rec);
        fprintf(cli->out, "Last seen:  %s\n", svct_cli_seen_text(cli, last_seen));
        return;
    }
    svct_row_set(cli, &row, rec, 0);
    row.seen = 1;
    row.last_seen_at = last_seen;
    svct_cli_json_print(cli, svct_cli_json_row(&row, NULL));
}

/* One object at a time, so a large store does not need a whole JSON tree
 * in memory. */
static int svct_cli_json_rows(svct_cli_t *cli, const svct_row_t *rows, int n)
{
    int i;

    fputs("[", cli->out);
    for (i = 0; i < n; i++) {
        json_t *o = svct_cli_json_row(&rows[i], NULL);
        char *text = json_dumps(o, JSON_INDENT(2));
        json_decref(o);
        if (text == NULL)
            return svct_cli_refuse(cli, "out of memory");
        /* Indent the object as an element of the array. */
        fputs(i ? ",\n  " : "\n  ", cli->out);
        for (char *c = text; *c != '\0'; c++) {
            fputc(*c, cli->out);
            if (*c == '\n')
                fputs("  ", cli->out);
        }
        free(text);
    }
    fputs(n ? "\n]\n" : "]\n", cli->out);
    return SVCT_EXIT_OK;
}

int svct_cli_print_rows(svct_cli_t *cli, const svct_row_t *rows, int n)
{
    size_t namew = strlen("NAME"), expw = strlen("EXPIRES");
    int i;

    if (cli->json)
        return svct_cli_json_rows(cli, rows, n);
    for (i = 0; i < n; i++) {
        size_t w = svct_width(rows[i].name);
        if (w > namew)
            namew = w;
        if (rows[i].expires_at != 0)
            expw = 20;
    }
    svct_cli_pad(cli->out, "NAME", namew);
    svct_cli_pad(cli->out, "CLIENT ID", SVCT_CLIENT_ID_LEN);
    svct_cli_pad(cli->out, "CREATED", 20);
    svct_cli_pad(cli->out, "UPDATED", 20);
    svct_cli_pad(cli->out, "EXPIRES", expw);
    svct_cli_pad(cli->out, "STATUS", strlen("disabled"));
    fputs("LAST SEEN\n", cli->out);
    for (i = 0; i < n; i++) {
        char buf[32];
        svct_cli_pad(cli->out, rows[i].name, namew);
        svct_cli_pad(cli->out, rows[i].client_id, SVCT_CLIENT_ID_LEN);
        svct_cli_pad(cli->out, svct_time_format(rows[i].created_at, buf), 20);
        svct_cli_pad(cli->out, svct_time_format(rows[i].updated_at, buf), 20);
        svct_cli_pad(cli->out,
                     rows[i].expires_at ? svct_time_format(rows[i].expires_at, buf) : "never",
                     expw);
        svct_cli_pad(cli->out, rows[i].status, strlen("disabled"));
        fprintf(cli->out, "%s\n", svct_cli_seen_text(cli, rows[i].last_seen_at));
    }
    return SVCT_EXIT_OK;
}
