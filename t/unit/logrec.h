/*
 * A log sink (src/log.h) for the unit tests: it keeps the last line
 * written, its level and how many were, so that a test can say which
 * numbered line the core wrote at which level.
 */
#ifndef SVCT_LOGREC_H
#define SVCT_LOGREC_H

#include <stdio.h>
#include <string.h>

#include "log.h"

typedef struct {
    char line[8192];
    int level, count;
} logrec_t;

static void logrec_write(void *baton, int level, const char *line)
{
    logrec_t *rec = baton;

    snprintf(rec->line, sizeof rec->line, "%s", line);
    rec->level = level;
    rec->count++;
}

/* A sink into REC, emptied. */
static svct_log_t logrec_sink(logrec_t *rec)
{
    svct_log_t log = {NULL, logrec_write, rec};

    memset(rec, 0, sizeof *rec);
    return log;
}

#endif
