/*
 * `svctoken help COMMAND`, read out of the --help text (see cli_help.h).
 */
#include <string.h>

#include "cli_help.h"

/* Length of the line at S, without its newline. */
static size_t svct_line_len(const char *s)
{
    return strcspn(s, "\n");
}

/* Prints LINE[0..LEN) without its leading and trailing blanks. */
static void svct_put_trimmed(FILE *out, const char *line, size_t len)
{
    while (len > 0 && line[0] == ' ')
        line++, len--;
    while (len > 0 && line[len - 1] == ' ')
        len--;
    fprintf(out, "  %.*s\n", (int)len, line);
}

int svct_cli_help_command(FILE *out, const char *help, const char *command)
{
    const char *s = strstr(help, "\nCommands:\n");
    size_t cmdlen = strlen(command);

    if (s == NULL || cmdlen == 0)
        return -1;
    /* Entries start with exactly two spaces; the section ends at a line
     * that does not start with a space. */
    for (s += strlen("\nCommands:\n"); *s == ' ';
         s += svct_line_len(s) + (s[svct_line_len(s)] != '\0')) {
        const char *gap;
        size_t len = svct_line_len(s);

        if (s[2] == ' ' || strncmp(s + 2, command, cmdlen) != 0 ||
            (s[2 + cmdlen] != ' ' && s[2 + cmdlen] != '\n'))
            continue;
        /* The synopsis ends where two spaces begin the description. */
        gap = strstr(s + 2, "  ");
        if (gap == NULL || gap > s + len)
            gap = s + len;
        fprintf(out, "usage: svctoken [STORE OPTIONS] %.*s [--json]\n\n", (int)(gap - (s + 2)),
                s + 2);
        if (gap < s + len)
            svct_put_trimmed(out, gap, (size_t)(s + len - gap));
        /* Continuation lines: indented by more than two spaces. */
        for (s += len + (s[len] != '\0'); strncmp(s, "   ", 3) == 0; s += len + (s[len] != '\0')) {
            len = svct_line_len(s);
            svct_put_trimmed(out, s, len);
        }
        fputs(
            "\nStore options (-f, -t, --dbd) and exit status: svctoken --help, or man svctoken.\n",
            out);
        return 0;
    }
    return -1;
}
