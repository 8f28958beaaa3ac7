/* usage.h — the command line's help text, one section per subcommand: the
 * single source for `pgdeck --help`, `pgdeck CMD --help` and the man page. */
#ifndef PGDECK_USAGE_H
#define PGDECK_USAGE_H

#include <stdio.h>

/* Prints the help of one subcommand ("run", "import", "top", "demo",
 * "console"), or of everything when cmd is NULL. */
void usage_print(FILE *out, const char *cmd);
/* Prints "pgdeck CMD: MESSAGE" and a one-line hint to stderr; returns 2
 * (EXIT_USAGE) for `return usage_error(...)`. cmd may be NULL. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long returned '?' (opterr 0): says which option is unknown or lacks
 * its value; shortopts as given to getopt_long. Returns usage_error's code. */
int usage_bad_option(const char *cmd, const char *shortopts, char **argv);

#endif
