/*
 * The version of mod_access_svctoken and of svctoken: the one place it is
 * written. The CLI prints it, the module logs it at start-up, the Makefile
 * reads it for the Debian package, and t/cli/version.t checks that
 * debian/changelog's newest entry carries the same.
 */
#ifndef SVCT_VERSION_H
#define SVCT_VERSION_H

#define SVCT_VERSION "0.9.0"

#endif
