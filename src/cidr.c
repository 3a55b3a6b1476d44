/*
 * CIDR parsing, canonical printing and matching for --allow-from. Addresses
 * are read and printed by libc (inet_pton, inet_ntop); this file only adds
 * the prefix, the IPv4-mapped folding and the strictness.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int max_bits(unsigned family)
{
    return family == 4 ? 32 : 128;
}

/* 1 when no bit of ADDR past the first BITS is set. */
static int host_bits_clear(const unsigned char *addr, int bits, int total)
{
    int i;

    for (i = bits; i < total; i++)
        if (addr[i / 8] & (0x80 >> (i % 8)))
            return 0;
    return 1;
}

/* Reads an address into *OUT's family and addr; ::ffff:a.b.c.d becomes the
 * IPv4 address and sets *MAPPED. Returns 0 or -1. */
static int parse_addr(const char *text, svct_cidr_t *out, int *mapped)
{
    unsigned char buf[16];

    if (inet_pton(AF_INET, text, buf) == 1) {
        out->family = 4;
        memcpy(out->addr, buf, 4);
        return 0;
    }
    if (inet_pton(AF_INET6, text, buf) != 1)
        return -1;
    if (memcmp(buf, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0) {
        out->family = 4;
        memcpy(out->addr, buf + 12, 4);
        *mapped = 1;
        return 0;
    }
    out->family = 6;
    memcpy(out->addr, buf, 16);
    return 0;
}

/* Strict decimal prefix length: no sign, no leading zero, at most 3 digits. */
static int parse_bits(const char *s, size_t len, int *bits)
{
    size_t i;
    int v = 0;

    if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *bits = v;
    return 0;
}

int svct_cidr_parse(const char *text, size_t len, svct_cidr_t *out)
{
    char addr[SVCT_CIDR_TEXT_MAX];
    const char *slash;
    size_t alen;
    svct_cidr_t c;
    int bits, mapped = 0;

    if (text == NULL || out == NULL || len == 0 || len >= sizeof addr)
        return -1;
    slash = memchr(text, '/', len);
    alen = slash ? (size_t)(slash - text) : len;
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    memset(&c, 0, sizeof c);
    if (memchr(addr, '\0', alen) || parse_addr(addr, &c, &mapped) != 0)
        return -1;
    if (!slash)
        bits = mapped ? 128 : max_bits(c.family);
    else if (parse_bits(slash + 1, len - alen - 1, &bits) != 0)
        return -1;
    if (mapped) {
        /* A prefix inside ::ffff:0:0/96 is an IPv4 prefix. */
        if (bits < 96 || bits > 128)
            return -1;
        bits -= 96;
    }
    if (bits > max_bits(c.family) || !host_bits_clear(c.addr, bits, max_bits(c.family)))
        return -1;
    c.bits = (unsigned char)bits;
    *out = c;
    return 0;
}

int svct_cidr_valid(const svct_cidr_t *c)
{
    int total;

    if (c == NULL || (c->family != 4 && c->family != 6))
        return 0;
    total = max_bits(c->family);
    if (c->bits > total || !host_bits_clear(c->addr, c->bits, total))
        return 0;
    /* An IPv4-mapped range is always held as IPv4. */
    return c->family == 4 || memcmp(c->addr, v4_mapped_prefix, sizeof v4_mapped_prefix) != 0 ||
           c->bits < 96;
}

size_t svct_cidr_format(const svct_cidr_t *c, char *buf, size_t cap)
{
    char addr[INET6_ADDRSTRLEN];
    int n;

    if (!svct_cidr_valid(c) || buf == NULL ||
        !inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, addr, sizeof addr))
        return 0;
    n = snprintf(buf, cap, "%s/%u", addr, (unsigned)c->bits);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

svct_cidr_list_rc_t svct_cidr_list_parse(const char *text, svct_cidr_t *out, int *n,
                                         const char **bad, size_t *bad_len)
{
    const char *item = text, *end;
    size_t len;
    int count = 0;

    if (text == NULL || *text == '\0')
        return SVCT_CIDR_LIST_EMPTY;
    if (strcmp(text, "any") == 0) {
        *n = 0;
        return SVCT_CIDR_LIST_OK;
    }
    for (;;) {
        end = strchr(item, ',');
        len = end ? (size_t)(end - item) : strlen(item);
        if (len == 0)
            return SVCT_CIDR_LIST_EMPTY;
        if (count == SVCT_CIDR_MAX)
            return SVCT_CIDR_LIST_TOO_MANY;
        if (svct_cidr_parse(item, len, &out[count]) != 0) {
            *bad = item;
            *bad_len = len;
            return SVCT_CIDR_LIST_BAD;
        }
        count++;
        if (!end)
            break;
        item = end + 1;
    }
    *n = count;
    return SVCT_CIDR_LIST_OK;
}

static int cidr_contains(const svct_cidr_t *c, const svct_cidr_t *host)
{
    int full = c->bits / 8, rest = c->bits % 8;

    if (c->family != host->family || memcmp(c->addr, host->addr, full) != 0)
        return 0;
    return rest == 0 || ((c->addr[full] ^ host->addr[full]) & (0xff00 >> rest)) == 0;
}

int svct_cidr_list_allows(const svct_cidr_t *list, int n, const char *ip)
{
    svct_cidr_t host;
    int i, mapped = 0;

    if (n == 0)
        return 1;
    memset(&host, 0, sizeof host);
    if (ip == NULL || parse_addr(ip, &host, &mapped) != 0)
        return 0;
    for (i = 0; i < n; i++)
        if (cidr_contains(&list[i], &host))
            return 1;
    return 0;
}
