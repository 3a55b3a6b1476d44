/*
 * Address ranges a token may be used from (`svctoken ... --allow-from`):
 * IPv4 and IPv6 CIDRs, parsed strictly, printed in one canonical spelling,
 * and matched against the client address httpd reports. No I/O and no httpd
 * types, so the CLI, the record format and the module share this code.
 *
 * An IPv4 client seen on a dual-stack socket as ::ffff:a.b.c.d is matched as
 * a.b.c.d, and a CIDR written inside ::ffff:0:0/96 is kept as the IPv4 CIDR
 * it means, so one range covers the client however its socket was bound.
 */
#ifndef SVCT_CIDR_H
#define SVCT_CIDR_H

#include <stddef.h>

/* At most this many CIDRs per token. */
#define SVCT_CIDR_MAX 32
/* Longest canonical CIDR text: a full IPv6 address with an IPv4 tail and
 * "/128", plus the NUL. */
#define SVCT_CIDR_TEXT_MAX 50

typedef struct svct_cidr {
    unsigned char family;   /* 4 or 6 */
    unsigned char bits;     /* prefix length: 0..32 or 0..128 */
    unsigned char addr[16]; /* network address; bits past the prefix are 0 */
} svct_cidr_t;

/* Parses TEXT[0..LEN): "ADDR/BITS" or a bare address (one host). Refuses a
 * prefix with a sign, a leading zero or out of range, and an address with
 * bits set past the prefix (10.1.2.3/8 is a mistake, not 10.0.0.0/8).
 * Returns 0 or -1. */
int svct_cidr_parse(const char *text, size_t len, svct_cidr_t *out);

/* The canonical text of C ("10.0.0.0/8", "2001:db8::/32") into BUF (CAP
 * bytes, NUL-terminated). Returns its length, 0 if it does not fit or C is
 * not valid. */
size_t svct_cidr_format(const svct_cidr_t *c, char *buf, size_t cap);

/* 1 when C is a CIDR svct_cidr_parse could have made. */
int svct_cidr_valid(const svct_cidr_t *c);

typedef enum {
    SVCT_CIDR_LIST_OK = 0,
    SVCT_CIDR_LIST_BAD,      /* an item is not a CIDR: *BAD, *BAD_LEN point at it */
    SVCT_CIDR_LIST_TOO_MANY, /* more than SVCT_CIDR_MAX */
    SVCT_CIDR_LIST_EMPTY     /* nothing, or an empty item */
} svct_cidr_list_rc_t;

/* Parses the comma-separated list TEXT into OUT (room for SVCT_CIDR_MAX)
 * and *N. "any" alone gives *N = 0: no restriction. */
svct_cidr_list_rc_t svct_cidr_list_parse(const char *text, svct_cidr_t *out, int *n,
                                         const char **bad, size_t *bad_len);

/* 1 when the client address IP (text, as httpd's useragent_ip) is inside one
 * of the N CIDRs of LIST, or when N is 0. An address that does not parse is
 * inside nothing. */
int svct_cidr_list_allows(const svct_cidr_t *list, int n, const char *ip);

#endif
