/*
 * A set of bytes as a 256-entry table (1: in the set), and the check that
 * every byte of a string is in it, with no branch per byte: how a cookie
 * value (cookie.c) and the hex digits of a Client ID or secret (secret.c)
 * are checked on every request.
 */
#ifndef SVCT_BYTESET_H
#define SVCT_BYTESET_H

#include <stddef.h>

/* 1 if each of the LEN bytes at S is in SET, else 0. */
static inline int svct_byteset_all(const unsigned char set[256], const char *s, size_t len)
{
    unsigned char all = 1;
    size_t i;

    for (i = 0; i < len; i++)
        all &= set[(unsigned char)s[i]];
    return all;
}

#endif
