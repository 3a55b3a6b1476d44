/*
 * Durations as users write them in svctoken options and directives:
 * an integer followed by one unit s, m, h, d, w or y (1y = 365 days), or the
 * word "forever" where a token may never expire.
 */
#ifndef SVCT_DURATION_H
#define SVCT_DURATION_H

#include <stdint.h>

/* The value svct_duration_parse() stores for "forever". */
#define SVCT_DURATION_FOREVER INT64_C(-1)

/* Parses TEXT (NUL-terminated, no surrounding space) into *SECONDS.
 * ALLOW_FOREVER says whether "forever" is acceptable here.
 * Returns 0 on success, -1 on anything else (empty, no unit, unknown unit,
 * zero, negative, overflow, trailing garbage); *SECONDS is then untouched. */
int svct_duration_parse(const char *text, int allow_forever, int64_t *seconds);

#endif
