/*
 * The token record and its byte form in the store: one line of tab-separated
 * fields, starting with a format version so a later layout can be told apart
 * instead of misread:
 *
 *   v2 NAME CLIENT_ID HASH CREATED UPDATED EXPIRES ENABLED PREV_HASH PREV_EXPIRES ALLOW
 *
 * ALLOW is "-" (from any address) or the --allow-from CIDRs, comma-separated
 * in their canonical spelling. v1 records, written before ALLOW existed, have
 * the first ten fields only; they are read as "-" and written back as v2.
 *
 * HASH and PREV_HASH are lowercase hex SHA-256 (PREV_HASH "-" when there is no
 * previous secret, PREV_EXPIRES then "0"); times are decimal seconds since the
 * epoch (EXPIRES 0: never); ENABLED is 0 or 1. Names cannot hold a tab since
 * control characters are refused, so the fields need no escaping.
 */
#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "record.h"

#define SVCT_RECORD_FIELDS 11
#define SVCT_RECORD_V1_FIELDS 10

static int svct_utf8_cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF)
 * without C0/C1 controls or DEL. Returns the number of code points or -1. */
static long svct_utf8_count(const unsigned char *s, size_t len)
{
    size_t i = 0;
    long n = 0;

    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return -1;
            i += 1;
        } else if (c >= 0xc2 && c <= 0xdf) {
            if (i + 1 >= len || !svct_utf8_cont(s[i + 1]))
                return -1;
            if (c == 0xc2 && s[i + 1] <= 0x9f) /* U+0080..U+009F: C1 controls */
                return -1;
            i += 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
            if (i + 2 >= len || s[i + 1] < lo || s[i + 1] > hi || !svct_utf8_cont(s[i + 2]))
                return -1;
            i += 3;
        } else if (c >= 0xf0 && c <= 0xf4) {
            unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
            if (i + 3 >= len || s[i + 1] < lo || s[i + 1] > hi || !svct_utf8_cont(s[i + 2]) ||
                !svct_utf8_cont(s[i + 3]))
                return -1;
            i += 4;
        } else {
            return -1;
        }
        n++;
    }
    return n;
}

int svct_name_valid(const char *name, size_t len)
{
    long n;

    if (name == NULL || len == 0 || len > SVCT_NAME_MAX_BYTES)
        return 0;
    n = svct_utf8_count((const unsigned char *)name, len);
    /* A name shaped like a Client ID would make "ID-OR-NAME" ambiguous. */
    return n >= 1 && n <= SVCT_NAME_MAX_CHARS && !svct_client_id_valid(name, len);
}

static int svct_hash_nonzero(const unsigned char *h)
{
    unsigned char acc = 0;
    size_t i;

    for (i = 0; i < SVCT_HASH_LEN; i++)
        acc |= h[i];
    return acc != 0;
}

static int svct_time_valid(int64_t t)
{
    return t >= 0 && t <= SVCT_TIME_MAX;
}

/* The invariants shared by encode and decode, so that the store never writes
 * a record it would refuse to read back. */
static int svct_record_consistent(const svct_record_t *rec)
{
    size_t namelen = strnlen(rec->name, sizeof(rec->name));

    if (namelen == sizeof(rec->name) || !svct_name_valid(rec->name, namelen))
        return 0;
    if (!svct_client_id_valid(rec->client_id, strnlen(rec->client_id, sizeof(rec->client_id))))
        return 0;
    if (!svct_hash_nonzero(rec->secret_hash))
        return 0;
    if (!svct_time_valid(rec->created_at) || !svct_time_valid(rec->updated_at) ||
        !svct_time_valid(rec->expires_at))
        return 0;
    if (rec->enabled != 0 && rec->enabled != 1)
        return 0;
    if (rec->n_allow < 0 || rec->n_allow > SVCT_CIDR_MAX)
        return 0;
    for (int i = 0; i < rec->n_allow; i++)
        if (!svct_cidr_valid(&rec->allow_from[i]))
            return 0;
    if (rec->has_prev == 1)
        return svct_hash_nonzero(rec->prev_hash) && rec->prev_expires_at > 0 &&
               svct_time_valid(rec->prev_expires_at);
    return rec->has_prev == 0 && rec->prev_expires_at == 0;
}

/* The ALLOW field into BUF (CAP bytes, NUL-terminated): "-", or the
 * canonical CIDRs separated by commas. 0, or -1 when it does not fit. */
static int svct_allow_text(const svct_record_t *rec, char *buf, size_t cap)
{
    size_t pos = 0, n;
    int i;

    if (rec->n_allow == 0)
        return snprintf(buf, cap, "-") == 1 ? 0 : -1;
    for (i = 0; i < rec->n_allow; i++) {
        if (i > 0) {
            if (cap - pos < 2)
                return -1;
            buf[pos++] = ',';
        }
        n = svct_cidr_format(&rec->allow_from[i], buf + pos, cap - pos);
        if (n == 0)
            return -1;
        pos += n;
    }
    return 0;
}

/* Reads the ALLOW field; only the canonical spelling of each CIDR is taken,
 * so that a record has one byte form. */
static int svct_parse_allow(const char *s, size_t len, svct_record_t *r)
{
    char text[SVCT_CIDR_TEXT_MAX];
    size_t start = 0, i;

    if (len == 1 && s[0] == '-')
        return 0;
    for (i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        if (r->n_allow == SVCT_CIDR_MAX ||
            svct_cidr_parse(s + start, i - start, &r->allow_from[r->n_allow]) != 0 ||
            svct_cidr_format(&r->allow_from[r->n_allow], text, sizeof text) != i - start ||
            memcmp(text, s + start, i - start) != 0)
            return -1;
        r->n_allow++;
        start = i + 1;
    }
    return 0;
}

size_t svct_record_encode(const svct_record_t *rec, char *buf, size_t cap)
{
    char hash[2 * SVCT_HASH_LEN + 1], prev[2 * SVCT_HASH_LEN + 1] = "-";
    char line[SVCT_RECORD_MAX + 1], allow[SVCT_CIDR_MAX * SVCT_CIDR_TEXT_MAX];
    int n;

    if (rec == NULL || buf == NULL || !svct_record_consistent(rec))
        return 0;
    if (svct_allow_text(rec, allow, sizeof(allow)) != 0)
        return 0;
    svct_hex_encode(rec->secret_hash, SVCT_HASH_LEN, hash);
    if (rec->has_prev)
        svct_hex_encode(rec->prev_hash, SVCT_HASH_LEN, prev);
    n = snprintf(line, sizeof(line), "v2\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%d\t%s\t%lld\t%s",
                 rec->name, rec->client_id, hash, (long long)rec->created_at,
                 (long long)rec->updated_at, (long long)rec->expires_at, rec->enabled, prev,
                 (long long)rec->prev_expires_at, allow);
    if (n <= 0 || (size_t)n > SVCT_RECORD_MAX || (size_t)n > cap)
        return 0;
    memcpy(buf, line, (size_t)n);
    return (size_t)n;
}

/* A time field: digits only, no leading zero (one spelling), within
 * SVCT_TIME_MAX. */
static int svct_parse_time(const char *s, size_t len, int64_t *out)
{
    if (len > 1 && s[0] == '0')
        return -1;
    return svct_decimal_parse(s, len, SVCT_TIME_MAX, out);
}

int svct_record_decode(const char *buf, size_t len, svct_record_t *rec)
{
    const char *f[SVCT_RECORD_FIELDS];
    size_t flen[SVCT_RECORD_FIELDS];
    size_t i, start = 0, nf = 0;
    svct_record_t r;

    if (buf == NULL || rec == NULL || len == 0 || len > SVCT_RECORD_MAX)
        return -1;
    for (i = 0; i <= len; i++) {
        if (i == len || buf[i] == '\t') {
            if (nf == SVCT_RECORD_FIELDS)
                return -1;
            f[nf] = buf + start;
            flen[nf++] = i - start;
            start = i + 1;
        }
    }
    if (flen[0] != 2 || !((nf == SVCT_RECORD_V1_FIELDS && memcmp(f[0], "v1", 2) == 0) ||
                          (nf == SVCT_RECORD_FIELDS && memcmp(f[0], "v2", 2) == 0)))
        return -1;

    memset(&r, 0, sizeof(r));
    if (flen[1] > SVCT_NAME_MAX_BYTES || !svct_name_valid(f[1], flen[1]))
        return -1;
    memcpy(r.name, f[1], flen[1]);
    if (!svct_client_id_valid(f[2], flen[2]))
        return -1;
    memcpy(r.client_id, f[2], flen[2]);
    if (svct_hex_decode(f[3], flen[3], r.secret_hash, SVCT_HASH_LEN) != 0)
        return -1;
    if (svct_parse_time(f[4], flen[4], &r.created_at) != 0 ||
        svct_parse_time(f[5], flen[5], &r.updated_at) != 0 ||
        svct_parse_time(f[6], flen[6], &r.expires_at) != 0)
        return -1;
    if (flen[7] != 1 || (f[7][0] != '0' && f[7][0] != '1'))
        return -1;
    r.enabled = f[7][0] == '1';
    if (flen[8] == 1 && f[8][0] == '-') {
        r.has_prev = 0;
    } else {
        if (svct_hex_decode(f[8], flen[8], r.prev_hash, SVCT_HASH_LEN) != 0)
            return -1;
        r.has_prev = 1;
    }
    if (svct_parse_time(f[9], flen[9], &r.prev_expires_at) != 0)
        return -1;
    if (nf == SVCT_RECORD_FIELDS && svct_parse_allow(f[10], flen[10], &r) != 0)
        return -1;
    if (!svct_record_consistent(&r))
        return -1;
    *rec = r;
    return 0;
}

svct_status_t svct_record_status(const svct_record_t *rec, int64_t now)
{
    if (!rec->enabled)
        return SVCT_STATUS_DISABLED;
    if (rec->expires_at != 0 && now >= rec->expires_at)
        return SVCT_STATUS_EXPIRED;
    return SVCT_STATUS_ACTIVE;
}

const char *svct_status_name(svct_status_t status)
{
    switch (status) {
    case SVCT_STATUS_ACTIVE:
        return "active";
    case SVCT_STATUS_EXPIRED:
        return "expired";
    case SVCT_STATUS_DISABLED:
        return "disabled";
    }
    return "unknown";
}

int svct_record_allows(const svct_record_t *rec, const char *ip)
{
    return svct_cidr_list_allows(rec->allow_from, rec->n_allow, ip);
}

int svct_record_secret_matches(const svct_record_t *rec, const char *secret, size_t len,
                               int64_t now)
{
    unsigned char h[SVCT_HASH_LEN];
    int cur, prev, prev_live;

    if (rec == NULL || secret == NULL || svct_secret_hash_checked(secret, len, h) != 0)
        return 0;
    /* Both comparisons always run, so timing does not tell which one matched. */
    cur = svct_ct_equal(h, rec->secret_hash, SVCT_HASH_LEN);
    prev = svct_ct_equal(h, rec->prev_hash, SVCT_HASH_LEN);
    prev_live = rec->has_prev == 1 && now < rec->prev_expires_at;
    return cur | (prev & prev_live);
}
