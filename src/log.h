/*
 * The numbered lines (SVCTnnnn) that the core writes to httpd's error log,
 * without httpd: the module hands the core a sink that writes through
 * ap_log_error/ap_log_rerror, and the unit tests one that records the lines.
 * The levels are httpd's own (APLOG_CRIT ... APLOG_TRACE1), so that the
 * module passes them on unchanged.
 */
#ifndef SVCT_LOG_H
#define SVCT_LOG_H

enum {
    SVCT_LOG_CRIT = 2,
    SVCT_LOG_ERR = 3,
    SVCT_LOG_WARNING = 4,
    SVCT_LOG_NOTICE = 5,
    SVCT_LOG_INFO = 6,
    SVCT_LOG_DEBUG = 7,
    SVCT_LOG_TRACE1 = 8
};

typedef struct svct_log {
    /* 1 when a line at LEVEL would be written, asked before the line is
     * formatted; NULL: every line is. */
    int (*wants)(void *baton, int level);
    void (*write)(void *baton, int level, const char *line);
    void *baton;
} svct_log_t;

/* Formats and writes one line at LEVEL (one of the above). */
void svct_log(const svct_log_t *log, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
