/*
 * Unit tests of token names, the record's byte form (round trips and every
 * kind of malformed input), token status and secret matching with a grace
 * period.
 */
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "tap.h"

#define ID "0123456789abcdef0123456789abcdef.access"
#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

static svct_record_t sample(void)
{
    svct_record_t r;

    memset(&r, 0, sizeof(r));
    strcpy(r.name, "build-bot");
    strcpy(r.client_id, ID);
    svct_secret_hash("current", 7, r.secret_hash);
    r.created_at = 1700000000;
    r.updated_at = 1700000100;
    r.expires_at = 1731536000;
    r.enabled = 1;
    return r;
}

static int same(const svct_record_t *a, const svct_record_t *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->client_id, b->client_id) == 0 &&
           memcmp(a->secret_hash, b->secret_hash, SVCT_HASH_LEN) == 0 &&
           a->created_at == b->created_at && a->updated_at == b->updated_at &&
           a->expires_at == b->expires_at && a->enabled == b->enabled &&
           a->has_prev == b->has_prev &&
           (!a->has_prev || memcmp(a->prev_hash, b->prev_hash, SVCT_HASH_LEN) == 0) &&
           a->prev_expires_at == b->prev_expires_at && a->n_allow == b->n_allow &&
           memcmp(a->allow_from, b->allow_from, a->n_allow * sizeof a->allow_from[0]) == 0;
}

static void roundtrip(const svct_record_t *r, const char *what)
{
    char buf[SVCT_RECORD_MAX];
    svct_record_t back;
    size_t n = svct_record_encode(r, buf, sizeof(buf));

    ok(n > 0 && n <= SVCT_RECORD_MAX, "%s: encodes (%zu bytes)", what, n);
    memset(&back, 0x5a, sizeof(back));
    ok(n > 0 && svct_record_decode(buf, n, &back) == 0 && same(r, &back), "%s: decodes the same",
       what);
}

static void bad(const char *text, const char *what)
{
    svct_record_t r;

    memset(&r, 0x5a, sizeof(r));
    is_int(svct_record_decode(text, strlen(text), &r), -1, "refused: %s", what);
}

/* A valid line with field I (0-based) replaced by VALUE. */
static const char *with_field(int i, const char *value)
{
    static char buf[2048];
    const char *f[10] = {"v1",         "bot",        ID,  H1,  "1700000000",
                         "1700000100", "1731536000", "1", "-", "0"};
    int k;

    f[i] = value;
    buf[0] = '\0';
    for (k = 0; k < 10; k++) {
        if (k)
            strcat(buf, "\t");
        strcat(buf, f[k]);
    }
    return buf;
}

static void names(void)
{
    char big[400];
    int i;

    ok(svct_name_valid("build-bot", 9), "plain name");
    ok(svct_name_valid("a", 1), "one character");
    ok(svct_name_valid("my token (ci)", 13), "spaces and punctuation");
    ok(svct_name_valid("caf\xc3\xa9", 5), "two-byte UTF-8");
    ok(svct_name_valid("\xe6\x97\xa5\xe6\x9c\xac", 6), "three-byte UTF-8");
    ok(svct_name_valid("\xf0\x9f\x94\x91", 4), "four-byte UTF-8");
    ok(svct_name_valid("0123456789ABCDEF0123456789abcdef.access", 39),
       "uppercase id shape is a name");
    ok(svct_name_valid("0123456789abcdef0123456789abcdef", 32), "hex without .access");
    ok(!svct_name_valid("", 0), "empty");
    ok(!svct_name_valid(NULL, 3), "NULL");
    ok(!svct_name_valid(ID, strlen(ID)), "shaped like a Client ID");
    ok(!svct_name_valid("a\tb", 3), "tab");
    ok(!svct_name_valid("a\nb", 3), "newline");
    ok(!svct_name_valid("a\0b", 3), "NUL");
    ok(!svct_name_valid("a\x7f", 2), "DEL");
    ok(!svct_name_valid("a\x1b[31m", 6), "escape");
    ok(!svct_name_valid("a\xc2\x85", 3), "C1 control U+0085");
    ok(!svct_name_valid("a\xc2\x9f", 3), "C1 control U+009F");
    ok(svct_name_valid("a\xc2\xa0", 3), "U+00A0 is not a control");
    ok(!svct_name_valid("\xc3", 1), "truncated sequence");
    ok(!svct_name_valid("\xc3\x28", 2), "bad continuation");
    ok(!svct_name_valid("\x80", 1), "lone continuation byte");
    ok(!svct_name_valid("\xc0\xaf", 2), "overlong 2-byte");
    ok(!svct_name_valid("\xe0\x80\xaf", 3), "overlong 3-byte");
    ok(!svct_name_valid("\xf0\x80\x80\xaf", 4), "overlong 4-byte");
    ok(!svct_name_valid("\xed\xa0\x80", 3), "surrogate");
    ok(!svct_name_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF");
    ok(!svct_name_valid("\xf5\x80\x80\x80", 4), "F5 lead byte");
    ok(!svct_name_valid("\xff", 1), "FF byte");

    memset(big, 'x', sizeof(big));
    ok(svct_name_valid(big, 64), "64 characters");
    ok(!svct_name_valid(big, 65), "65 characters");
    for (i = 0; i < 64; i++)
        memcpy(big + 4 * i, "\xf0\x9f\x94\x91", 4);
    ok(svct_name_valid(big, 256), "64 four-byte characters (256 bytes)");
    memcpy(big + 256, "\xf0\x9f\x94\x91", 4);
    ok(!svct_name_valid(big, 260), "65 four-byte characters");
    for (i = 0; i < 65; i++)
        memcpy(big + 2 * i, "\xc3\xa9", 2);
    ok(svct_name_valid(big, 128), "64 two-byte characters");
    ok(!svct_name_valid(big, 130), "65 two-byte characters");
}

static void codec(void)
{
    svct_record_t r = sample(), back;
    char buf[SVCT_RECORD_MAX], line[SVCT_RECORD_MAX + 64];
    size_t n;
    int i;

    roundtrip(&r, "plain record");
    n = svct_record_encode(&r, buf, sizeof(buf));
    snprintf(line, sizeof(line), "v2\tbuild-bot\t%s\t", ID);
    ok(n > strlen(line) && memcmp(buf, line, strlen(line)) == 0, "starts with version, name, id");
    ok(memchr(buf, '\n', n) == NULL, "no newline in the encoding");

    r.expires_at = 0;
    roundtrip(&r, "never expires");
    r.enabled = 0;
    roundtrip(&r, "disabled");
    r = sample();
    r.has_prev = 1;
    svct_secret_hash("previous", 8, r.prev_hash);
    r.prev_expires_at = 1700003600;
    roundtrip(&r, "with a previous secret");
    r = sample();
    for (i = 0; i < 64; i++)
        memcpy(r.name + 4 * i, "\xf0\x9f\x94\x91", 4);
    r.name[256] = '\0';
    r.created_at = r.updated_at = r.expires_at = SVCT_TIME_MAX;
    r.has_prev = 1;
    memset(r.prev_hash, 0xff, SVCT_HASH_LEN);
    r.prev_expires_at = SVCT_TIME_MAX;
    roundtrip(&r, "longest record");
    n = svct_record_encode(&r, buf, sizeof(buf));
    ok(n < 600, "longest record stays far below SDBM's 1008-byte pair limit (%zu)", n);
    is_int(svct_record_encode(&r, buf, n - 1), 0, "encode refuses a buffer one byte short");
    is_int(svct_record_encode(&r, buf, n), n, "encode fits an exact buffer");
    r.created_at = 0;
    roundtrip(&r, "time 0");

    /* Encode refuses what decode would refuse. */
    r = sample();
    strcpy(r.name, "a\tb");
    is_int(svct_record_encode(&r, buf, sizeof(buf)), 0, "encode refuses a bad name");
    r = sample();
    r.client_id[0] = 'X';
    is_int(svct_record_encode(&r, buf, sizeof(buf)), 0, "encode refuses a bad id");
    r = sample();
    r.expires_at = -1;
    is_int(svct_record_encode(&r, buf, sizeof(buf)), 0, "encode refuses a negative time");
    r = sample();
    r.enabled = 2;
    is_int(svct_record_encode(&r, buf, sizeof(buf)), 0, "encode refuses enabled=2");
    r = sample();
    memset(r.secret_hash, 0, SVCT_HASH_LEN);
    is_int(svct_record_encode(&r, buf, sizeof(buf)), 0, "encode refuses an all-zero hash");
    r = sample();
    r.has_prev = 1;
    is_int(svct_record_encode(&r, buf, sizeof(buf)), 0, "encode refuses prev without expiry");
    r = sample();
    r.prev_expires_at = 5;
    is_int(svct_record_encode(&r, buf, sizeof(buf)), 0, "encode refuses expiry without prev");
    is_int(svct_record_encode(NULL, buf, sizeof(buf)), 0, "encode refuses NULL");

    /* The reference line decodes. */
    ok(svct_record_decode(with_field(0, "v1"), strlen(with_field(0, "v1")), &back) == 0 &&
           strcmp(back.name, "bot") == 0 && back.expires_at == 1731536000 && back.enabled == 1 &&
           back.has_prev == 0,
       "reference line decodes");

    bad("", "empty");
    bad("v1", "version only");
    bad(with_field(0, "v2"), "v2 without its eleventh field");
    bad(with_field(0, "v3"), "unknown version v3");
    bad(with_field(0, "V1"), "version V1");
    bad(with_field(0, "v10"), "version v10");
    bad(with_field(1, ""), "empty name");
    bad(with_field(1, "a\x01"), "control char in name");
    bad(with_field(1, "\xc3"), "invalid UTF-8 name");
    bad(with_field(1, ID), "name shaped like an id");
    bad(with_field(2, "0123456789abcdef0123456789abcdeF.access"), "uppercase in id");
    bad(with_field(2, "0123456789abcdef0123456789abcdef.acces"), "short id");
    bad(with_field(2, ""), "empty id");
    bad(with_field(3, "1111"), "short hash");
    bad(with_field(3, H1 "11"), "long hash");
    bad(with_field(3, "111111111111111111111111111111111111111111111111111111111111111A"),
        "uppercase hash");
    bad(with_field(3, "0000000000000000000000000000000000000000000000000000000000000000"),
        "all-zero hash");
    bad(with_field(3, "-"), "no current hash");
    bad(with_field(4, ""), "empty created");
    bad(with_field(4, "-1"), "negative created");
    bad(with_field(4, "+1"), "signed created");
    bad(with_field(4, "01700000000"), "leading zero");
    bad(with_field(4, "17000x0000"), "non-digit");
    bad(with_field(4, "1700000000 "), "trailing space");
    bad(with_field(5, "253402300800"), "updated past year 9999");
    bad(with_field(6, "99999999999999999999"), "expires overflows");
    bad(with_field(6, "1e9"), "exponent");
    bad(with_field(7, "2"), "enabled 2");
    bad(with_field(7, ""), "enabled empty");
    bad(with_field(7, "01"), "enabled 01");
    bad(with_field(8, "--"), "prev --");
    bad(with_field(8, H2), "prev hash with prev_expires 0");
    bad(with_field(8, "0000000000000000000000000000000000000000000000000000000000000000"),
        "all-zero prev hash");
    bad(with_field(9, "5"), "prev_expires without prev hash");
    bad(with_field(9, ""), "empty prev_expires");

    snprintf(line, sizeof(line), "%s\t", with_field(0, "v1"));
    bad(line, "trailing tab (11 fields)");
    snprintf(line, sizeof(line), "%s\n", with_field(0, "v1"));
    bad(line, "trailing newline");
    snprintf(line, sizeof(line), "%s\t0", with_field(0, "v1"));
    bad(line, "eleven fields");
    snprintf(line, sizeof(line), "v1\tbot\t%s\t%s\t1\t1\t1\t1\t-", ID, H1);
    bad(line, "nine fields");
    snprintf(line, sizeof(line), "%s", with_field(0, "v1"));
    line[5] = '\0';
    is_int(svct_record_decode(line, strlen(with_field(0, "v1")), &back), -1,
           "refused: NUL byte inside");
    memset(line, 'a', sizeof(line));
    is_int(svct_record_decode(line, SVCT_RECORD_MAX + 1, &back), -1, "refused: over the maximum");
    is_int(svct_record_decode(NULL, 10, &back), -1, "refused: NULL");

    /* A failed decode leaves the output alone. */
    r = sample();
    back = r;
    svct_record_decode("v1\tjunk", 7, &back);
    ok(same(&r, &back), "failed decode does not touch the record");
}

/* A v2 line: the reference fields and ALLOW. */
static const char *with_allow(const char *allow)
{
    static char buf[4096];

    snprintf(buf, sizeof buf, "%s\t%s", with_field(0, "v2"), allow);
    return buf;
}

static void allow_from(void)
{
    svct_record_t r = sample(), back;
    char buf[SVCT_RECORD_MAX], line[4096];
    const char *v1 = with_field(0, "v1");
    size_t n;
    int i;

    /* A record written before --allow-from: usable from anywhere, and
     * written back as v2 with the same fields and ALLOW "-". */
    ok(svct_record_decode(v1, strlen(v1), &back) == 0 && back.n_allow == 0, "v1 record decodes");
    ok(svct_record_allows(&back, "203.0.113.9"), "a v1 record is usable from anywhere");
    n = svct_record_encode(&back, buf, sizeof buf);
    snprintf(line, sizeof line, "v2%s\t-", v1 + 2);
    ok(n == strlen(line) && memcmp(buf, line, n) == 0, "a v1 record is written back as v2");

    ok(svct_record_decode(with_allow("-"), strlen(with_allow("-")), &back) == 0 &&
           back.n_allow == 0,
       "v2 with ALLOW -");
    ok(svct_record_decode(with_allow("10.0.0.0/8,2001:db8::/32"),
                          strlen(with_allow("10.0.0.0/8,2001:db8::/32")), &back) == 0 &&
           back.n_allow == 2 && back.allow_from[0].family == 4 && back.allow_from[1].bits == 32,
       "v2 with two ranges");
    ok(svct_record_allows(&back, "10.1.2.3") && svct_record_allows(&back, "2001:db8::1") &&
           !svct_record_allows(&back, "127.0.0.1"),
       "the ranges decide");

    bad(with_allow(""), "empty ALLOW");
    bad(with_allow("--"), "ALLOW --");
    bad(with_allow("any"), "ALLOW any (the store spells it -)");
    bad(with_allow("10.0.0.0/8,"), "trailing comma");
    bad(with_allow(",10.0.0.0/8"), "leading comma");
    bad(with_allow("10.0.0.0/08"), "non-canonical prefix");
    bad(with_allow("10.0.0.1"), "a host without its /32");
    bad(with_allow("10.1.0.0/8"), "host bits set");
    bad(with_allow("2001:DB8::/32"), "uppercase IPv6");
    bad(with_allow("2001:db8:0::/32"), "non-canonical IPv6");
    bad(with_allow("::ffff:10.0.0.0/104"), "an IPv4 range spelled as IPv6");
    bad(with_allow("10.0.0.0/8 "), "trailing space");
    line[0] = '\0';
    for (i = 0; i < SVCT_CIDR_MAX + 1; i++)
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s10.0.%d.0/24", i ? "," : "",
                 i);
    bad(with_allow(line), "33 ranges");

    /* The largest allow list round-trips and fits SVCT_RECORD_MAX. */
    for (i = 0; i < 64; i++)
        memcpy(r.name + 4 * i, "\xf0\x9f\x94\x91", 4);
    r.name[256] = '\0';
    r.has_prev = 1;
    memset(r.prev_hash, 0xff, SVCT_HASH_LEN);
    r.prev_expires_at = SVCT_TIME_MAX;
    r.created_at = r.updated_at = r.expires_at = SVCT_TIME_MAX;
    r.n_allow = SVCT_CIDR_MAX;
    for (i = 0; i < SVCT_CIDR_MAX; i++) {
        snprintf(line, sizeof line, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.%d/128", i);
        ok(svct_cidr_parse(line, strlen(line), &r.allow_from[i]) == 0, "longest range %d", i);
    }
    roundtrip(&r, "longest record with 32 IPv6 ranges");

    /* Encode refuses an allow list decode would refuse. */
    r = sample();
    r.n_allow = SVCT_CIDR_MAX + 1;
    is_int(svct_record_encode(&r, buf, sizeof buf), 0, "encode refuses 33 ranges");
    r.n_allow = -1;
    is_int(svct_record_encode(&r, buf, sizeof buf), 0, "encode refuses a negative count");
    r.n_allow = 1;
    r.allow_from[0].family = 5;
    is_int(svct_record_encode(&r, buf, sizeof buf), 0, "encode refuses an unknown family");
    ok(svct_cidr_parse("10.0.0.0/8", 10, &r.allow_from[0]) == 0, "10/8 parses");
    r.allow_from[0].addr[3] = 1;
    is_int(svct_record_encode(&r, buf, sizeof buf), 0, "encode refuses host bits");
}

static void status(void)
{
    svct_record_t r = sample();

    is_int(svct_record_status(&r, r.expires_at - 1), SVCT_STATUS_ACTIVE, "active before expiry");
    is_int(svct_record_status(&r, r.expires_at), SVCT_STATUS_EXPIRED, "expired at expiry");
    is_int(svct_record_status(&r, r.expires_at + 1), SVCT_STATUS_EXPIRED, "expired after");
    r.expires_at = 0;
    is_int(svct_record_status(&r, SVCT_TIME_MAX), SVCT_STATUS_ACTIVE, "never expires");
    r.enabled = 0;
    is_int(svct_record_status(&r, 0), SVCT_STATUS_DISABLED, "disabled");
    r.expires_at = 10;
    is_int(svct_record_status(&r, 20), SVCT_STATUS_DISABLED, "disabled wins over expired");
    is_str(svct_status_name(SVCT_STATUS_ACTIVE), "active", "name of active");
    is_str(svct_status_name(SVCT_STATUS_EXPIRED), "expired", "name of expired");
    is_str(svct_status_name(SVCT_STATUS_DISABLED), "disabled", "name of disabled");
}

static void matching(void)
{
    svct_record_t r = sample();
    int64_t t = 1700000000;

    ok(svct_record_secret_matches(&r, "current", 7, t), "current secret matches");
    ok(!svct_record_secret_matches(&r, "curren", 6, t), "prefix does not match");
    ok(!svct_record_secret_matches(&r, "currentx", 8, t), "extension does not match");
    ok(!svct_record_secret_matches(&r, "previous", 8, t), "other secret does not match");
    ok(!svct_record_secret_matches(&r, NULL, 0, t), "NULL does not match");

    r.has_prev = 1;
    svct_secret_hash("previous", 8, r.prev_hash);
    r.prev_expires_at = t + 60;
    ok(svct_record_secret_matches(&r, "previous", 8, t), "previous matches during grace");
    ok(svct_record_secret_matches(&r, "previous", 8, t + 59),
       "previous matches at the last second");
    ok(!svct_record_secret_matches(&r, "previous", 8, t + 60), "previous refused when grace ends");
    ok(svct_record_secret_matches(&r, "current", 7, t + 60), "current still matches");
    r.has_prev = 0;
    ok(!svct_record_secret_matches(&r, "previous", 8, t), "prev hash ignored without has_prev");
}

int main(void)
{
    names();
    codec();
    allow_from();
    status();
    matching();
    return done_testing();
}
