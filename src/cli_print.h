/*
 * What the svctoken commands print of tokens, as text or as JSON: one token
 * (show and every change), the table of list, and the one output that holds
 * a new secret (create and rotate). Never a hash.
 */
#ifndef SVCT_CLI_PRINT_H
#define SVCT_CLI_PRINT_H

#include <jansson.h>

#include "cidr.h"
#include "cli_cmd.h"
#include "record.h"

/* What list, show and --json print of a token. */
typedef struct svct_row {
    const char *name;
    char client_id[SVCT_CLIENT_ID_LEN + 1];
    int64_t created_at, updated_at, expires_at;
    int64_t prev_expires_at; /* 0: no previous secret works */
    const char *status;
    int n_allow;
    const svct_cidr_t *allow_from;
    int seen;             /* last_seen_at was looked up (list, show) */
    int64_t last_seen_at; /* 0: never */
} svct_row_t;

/* ROW from REC as of cli->now; with COPY, what it points to is copied into
 * the command's pool (REC is about to be reused). */
void svct_row_set(svct_cli_t *cli, svct_row_t *row, const svct_record_t *rec, int copy);
/* --allow-from as text: "10.0.0.0/8, 2001:db8::/32", or "any". */
const char *svct_cli_allow_text(svct_cli_t *cli, const svct_record_t *rec);

/* Prints DOC on the output, indented, and releases it. */
void svct_cli_json_print(svct_cli_t *cli, json_t *doc);
/* With --json, the object {KEY: VALUE}; else TEXT and a newline. VALUE is
 * released either way. */
void svct_cli_print_one(svct_cli_t *cli, const char *key, json_t *value, const char *text);
/* One token, as show prints it (with --json, as an object). */
void svct_cli_print_token(svct_cli_t *cli, const svct_record_t *rec);
/* The same with when it was LAST_SEEN (0: never), as show prints it. */
void svct_cli_print_token_seen(svct_cli_t *cli, const svct_record_t *rec, int64_t last_seen);
/* ROWS, sorted already, as list prints them: a table, or a JSON array. */
int svct_cli_print_rows(svct_cli_t *cli, const svct_row_t *rows, int n);
/* A token and its new SECRET, shown only this once, then NOTE if any.
 * Returns svct_cli_flush(): a secret that did not reach the output was
 * never seen. */
int svct_cli_print_secret(svct_cli_t *cli, const svct_record_t *rec, const char *secret,
                          const char *note);

#endif
