/*
 * The session cookie and the request headers that carry credentials:
 * building the Set-Cookie value, finding one cookie in a Cookie header, and
 * recognising every spelling of a header that must not reach a backend.
 * Plain C over byte ranges so that it can be fuzzed without httpd.
 */
#ifndef SVCT_COOKIE_H
#define SVCT_COOKIE_H

#include <stddef.h>
#include <stdint.h>

/* Browsers keep cookies up to about 4096 bytes; longer values are refused. */
#define SVCT_COOKIE_MAX 4096

typedef struct svct_cookie_attrs {
    const char *path; /* Path=; NULL or "" means "/" */
    int secure;       /* add Secure (the request came over HTTPS) */
    int64_t max_age;  /* Max-Age=, seconds; <= 0 leaves it out */
} svct_cookie_attrs_t;

/* Writes "NAME=VALUE; Path=...; Max-Age=...; HttpOnly; SameSite=Lax[; Secure]"
 * NUL-terminated into OUT (CAP bytes). Returns its length, or 0 if it does not
 * fit or NAME, VALUE or the path holds bytes a cookie may not carry. */
size_t svct_cookie_build(char *out, size_t cap, const char *name, const char *value,
                         const svct_cookie_attrs_t *attrs);

/* Finds the next cookie NAME in the Cookie header at *POS (start with *POS
 * pointing at the header; a header may join several cookies with "; ").
 * Points *VALUE at the value bytes inside the header, sets *LEN to their
 * number, and advances *POS
 * past it. Returns 1 if found, 0 if there are no more. A browser sends one
 * cookie per matching Path, most specific first, so callers try each. Values
 * longer than SVCT_COOKIE_MAX are skipped. */
int svct_cookie_next(const char **pos, const char *name, const char **value, size_t *len);

/* 1 when header name NAME[0..LEN) equals WANT ignoring case and treating
 * '-' and '_' alike: how a header is spelt to slip past a scrub, or reach a
 * CGI or a backend that folds the two. */
int svct_header_name_matches(const char *name, size_t len, const char *want);

#endif
