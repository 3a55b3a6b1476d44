/*
 * Token names as people and logs see them. A name ends up in REMOTE_USER,
 * in `%u` of the access log and in error log lines, so a new name must not be
 * able to forge a log field or pass for another name or for no name at all.
 * Names already in a store that svct_name_valid() accepts keep working: they
 * are only escaped where the module logs them.
 */
#ifndef SVCT_NAME_H
#define SVCT_NAME_H

#include <stddef.h>

/* The ASCII punctuation a new name may hold, besides letters and digits. */
#define SVCT_NAME_PUNCT "!#$%&*+,-./:;=?@^_|~"

/* 1 when NAME[0..LEN) may be given to a new token: svct_name_valid(), and
 * made of ASCII letters, digits and SVCT_NAME_PUNCT and of characters
 * beyond ASCII other than spaces, line and paragraph separators, format
 * characters (bidi controls, zero-width characters, tags...), Hangul fillers
 * and non-characters; and not a lone "-" (which logs show for "no user"). */
int svct_name_creatable(const char *name, size_t len);

/* NAME (NUL-terminated, svct_name_valid) for a log line inside double
 * quotes: what svct_name_creatable() would refuse, except a plain space, is
 * written as \xHH (ASCII) or \u{HHHH}. Writes at most CAP bytes with the NUL
 * into OUT, cut short at a character if it does not fit; returns OUT. */
char *svct_name_escape(const char *name, char *out, size_t cap);

/* Room for any escaped valid name: 64 characters of at most 8 bytes each. */
#define SVCT_NAME_ESCAPED_MAX (64 * 8 + 1)

#endif
