/* argscrub.h — passwords out of the process's own command line.
 *
 * /proc/PID/cmdline (ps, top) shows argv to every user of the machine. Right
 * after start-up pgdeck copies its arguments for parsing and overwrites, in
 * place in the original argv, every password an argument holds — as daemons
 * do — so the password lives on only in libpq's connection options:
 *   - a URI's userinfo:        postgres://user:SECRET@host/db
 *   - a URI's query parameter: postgresql://host/db?password=SECRET
 *   - a conninfo keyword:      host=h password=SECRET, password = 'SE CRET'
 * whatever the argument's position (-d, --dbname=, a positional DBNAME,
 * --pgbouncer=, or inside any other value). Each secret byte becomes 'x'. */
#ifndef PGDECK_ARGSCRUB_H
#define PGDECK_ARGSCRUB_H

#include <stdbool.h>

/* Overwrites the passwords in arg (in place); true when there were any. */
bool argscrub_arg(char *arg);
/* argscrub_arg on argv[1..argc). */
void argscrub_argv(int argc, char **argv);

#endif
