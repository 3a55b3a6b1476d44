/*
 * The token record: everything the store keeps about one service token, and
 * its versioned, strictly parsed byte form. No I/O here, so the parser can be
 * unit tested and fuzzed on its own.
 */
#ifndef SVCT_RECORD_H
#define SVCT_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "cidr.h"
#include "secret.h"

#define SVCT_NAME_MAX_CHARS 64
/* 64 code points of at most 4 UTF-8 bytes each. */
#define SVCT_NAME_MAX_BYTES (SVCT_NAME_MAX_CHARS * 4)
/* Upper bound of an encoded record, used to refuse oversized input early:
 * the longest v2 record, SVCT_CIDR_MAX IPv6 ranges included, is under 2 KB. */
#define SVCT_RECORD_MAX 2048
/* Latest time a record may hold (9999-12-31T23:59:59Z), so that every stored
 * time prints as RFC 3339 and "now + duration" cannot overflow. */
#define SVCT_TIME_MAX INT64_C(253402300799)

typedef struct svct_record {
    char name[SVCT_NAME_MAX_BYTES + 1];
    char client_id[SVCT_CLIENT_ID_LEN + 1];
    unsigned char secret_hash[SVCT_HASH_LEN];
    int64_t created_at; /* seconds since the epoch, UTC */
    int64_t updated_at;
    int64_t expires_at; /* 0: never expires */
    int enabled;
    /* After `rotate --grace D`: the previous secret's hash keeps working
     * until prev_expires_at. has_prev == 0 means there is none. */
    int has_prev;
    unsigned char prev_hash[SVCT_HASH_LEN];
    int64_t prev_expires_at;
    /* `--allow-from`: the token is refused from any address outside these
     * n_allow ranges. n_allow == 0: from anywhere. */
    int n_allow;
    svct_cidr_t allow_from[SVCT_CIDR_MAX];
} svct_record_t;

typedef enum {
    SVCT_STATUS_ACTIVE = 0,
    SVCT_STATUS_EXPIRED,
    SVCT_STATUS_DISABLED
} svct_status_t;

/* 1 when NAME[0..LEN) is an acceptable token name: valid UTF-8, 1 to 64
 * code points, no control characters, not shaped like a Client ID. */
int svct_name_valid(const char *name, size_t len);

/* Writes the encoded form of REC into BUF (at most CAP bytes, no NUL
 * added). Returns its length, or 0 if it would not fit. */
size_t svct_record_encode(const svct_record_t *rec, char *buf, size_t cap);

/* Strict parse of BUF[0..LEN) into *REC. Returns 0, or -1 for anything
 * malformed, of an unknown version, or inconsistent. Reads v1 records
 * (written before --allow-from existed: usable from anywhere) and v2;
 * svct_record_encode always writes v2. */
int svct_record_decode(const char *buf, size_t len, svct_record_t *rec);

svct_status_t svct_record_status(const svct_record_t *rec, int64_t now);
const char *svct_status_name(svct_status_t status);

/* 1 when the client address IP (text) may use the token (--allow-from). */
int svct_record_allows(const svct_record_t *rec, const char *ip);

/* 1 when SECRET[0..LEN) matches the current hash, or the previous one while
 * its grace period lasts. Constant-time in the secret. */
int svct_record_secret_matches(const svct_record_t *rec, const char *secret, size_t len,
                               int64_t now);

#endif
