/*
 * The URL scope of a protected section: the path a session's default
 * audience and its cookie Path are made from. It is derived from the
 * section and the request, and is never "/" unless the section really
 * covers the whole site: a scope that cannot be derived is reported as such,
 * for the caller to ask for ServiceTokenAudience rather than fall back to a
 * scope shared by every application of the host.
 */
#ifndef SVCT_SCOPE_H
#define SVCT_SCOPE_H

#include <stddef.h>

/* The URL path that SECTION covers for a request of URI, FILENAME and
 * PATH_INFO (any may be NULL). SECTION is a <Location> URL, or a <Directory>
 * or .htaccess directory, either possibly with wildcards (*, ?, [...]) as
 * httpd matches them, one path segment each. A <Location> gives itself
 * (or, with wildcards, the leading segments of URI it matches); a directory
 * gives the part of URI that maps to it (URI less PATH_INFO, less the part
 * of FILENAME below the directory). Writes it into OUT (CAP bytes), without
 * a trailing '/', and returns 1; returns 0 with OUT "" when SECTION gives no
 * scope for this request: not a path, or one URI and FILENAME do not match. */
int svct_scope_path(const char *section, const char *uri, const char *filename,
                    const char *path_info, char *out, size_t cap);

/* The directory of URI (up to its last '/', without it) into OUT (CAP
 * bytes): a cookie Path no wider than the request, for a section whose scope
 * is not known. Returns 0 when that is "/" or does not fit, else 1. */
int svct_scope_uri_dir(const char *uri, char *out, size_t cap);

/* 1 when URL is an http or https URL of HOST (any port) whose path is
 * SCOPE or below it: an audience inside that URL space. */
int svct_scope_url_within(const char *url, const char *host, const char *scope);

#endif
