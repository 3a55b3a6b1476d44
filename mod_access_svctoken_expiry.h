/*
 * The module's side of the start-up warning of tokens that expire soon
 * (src/expiry.h): the log lines, at warn, of httpd's parent.
 */
#ifndef SVCT_MOD_EXPIRY_H
#define SVCT_MOD_EXPIRY_H

#include "httpd.h"

#include "expiry.h"

/* Reads the stores of X and logs, on S, each token that expires within
 * SVCT_EXPIRY_WARN_SECS or has expired, once. */
void svct_expiry_log(server_rec *s, svct_expiry_t *x);

#endif
