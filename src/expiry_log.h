/*
 * The log lines of the start-up warning of tokens that expire soon
 * (expiry.h), at warn, in httpd's parent (SVCT1350-1352).
 */
#ifndef SVCT_EXPIRY_LOG_H
#define SVCT_EXPIRY_LOG_H

#include <stdint.h>

#include "expiry.h"
#include "log.h"

/* Reads the stores of X and logs to LOG each token that expires within
 * SVCT_EXPIRY_WARN_SECS of NOW or has expired, once. */
void svct_expiry_log(svct_expiry_t *x, int64_t now, const svct_log_t *log);

#endif
