/*
 * The one parser of decimal numbers that the core reads from files and
 * from users: strict, so that a value has one spelling and strtoll's
 * leniency (sign, space, "0x", overflow) never applies.
 */
#ifndef SVCT_DECIMAL_H
#define SVCT_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* *OUT := S[0..LEN) when it is one or more ASCII digits worth at most MAX
 * (MAX >= 0); 0, else -1 and *OUT unchanged. Leading zeros are the caller's
 * to refuse. */
int svct_decimal_parse(const char *s, size_t len, int64_t max, int64_t *out);

#endif
