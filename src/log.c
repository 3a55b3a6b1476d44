/*
 * The core's log lines (log.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* As long as httpd lets a line be (MAX_STRING_LEN). */
#define SVCT_LOG_LINE_MAX 8192

void svct_log(const svct_log_t *log, int level, const char *fmt, ...)
{
    char line[SVCT_LOG_LINE_MAX];
    va_list ap;

    if (!log || (log->wants && !log->wants(log->baton, level)))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log->write(log->baton, level, line);
}
