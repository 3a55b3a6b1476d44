/*
 * `svctoken help COMMAND`: one command's part of the CLI's help text, found
 * in that text itself, so a command documented in --help is documented here
 * too without a second copy.
 */
#ifndef SVCT_CLI_HELP_H
#define SVCT_CLI_HELP_H

#include <stdio.h>

/* HELP is the whole --help text, whose "Commands:" section has one entry per
 * command: "  NAME ARGS", two or more spaces, a description, and lines
 * indented further that continue it. Prints COMMAND's usage line and
 * description on OUT and returns 0, or returns -1 (printing nothing) when
 * the section has no entry for COMMAND. */
int svct_cli_help_command(FILE *out, const char *help, const char *command);

#endif
