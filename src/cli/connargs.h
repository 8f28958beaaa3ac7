/* connargs.h — the connection options every subcommand shares, as psql
 * spells them: -h/--host, -p/--port, -U/--username, -d/--dbname,
 * -W/--password (prompt), -w/--no-password, then positional [DBNAME [USER]]
 * where DBNAME may be a conninfo string or a postgres:// URI. libpq's
 * environment variables, service files and .pgpass apply as in psql.
 *
 * Usage in a subcommand's getopt_long loop:
 *   static const struct option opts[] = { CONNARGS_LONGOPTS, {"table", 1, 0, 't'}, {0} };
 *   getopt_long(argc, argv, CONNARGS_SHORTOPTS "t:", opts, NULL)
 *   default: if (connargs_option(&ca, c, optarg)) break; ... usage error
 * and after the loop: connargs_positional(&ca, argc - optind, argv + optind).
 */
#ifndef PGDECK_CONNARGS_H
#define PGDECK_CONNARGS_H

#include "common/conf.h"
#include "engine/engine.h"

#include <getopt.h>
#include <stdbool.h>

#define CONNARGS_SHORTOPTS "h:p:U:d:Ww"
#define CONNARGS_LONGOPTS                                                                          \
    {"host", required_argument, NULL, 'h'}, {"port", required_argument, NULL, 'p'},                \
        {"username", required_argument, NULL, 'U'}, {"dbname", required_argument, NULL, 'd'},      \
        {"password", no_argument, NULL, 'W'},                                                      \
    {                                                                                              \
        "no-password", no_argument, NULL, 'w'                                                      \
    }

typedef struct connargs {
    eng_conninfo *ci; /* always the result of the options so far, in psql's order */
    bool prompt_password;
    bool no_password;
    int npositional;
    /* As given: -h, -p, -U (or the positional USER) and the last -d (or the
     * positional DBNAME). ci is rebuilt from them as psql builds its
     * keyword list: host, port, user, then dbname, whose conninfo or URI
     * fields win over -h/-p/-U whatever the order on the command line. */
    char *host, *port, *user, *dbname;
} connargs;

void connargs_init(connargs *ca);
void connargs_free(connargs *ca);
/* Handles one option of CONNARGS_*; returns false when c is not one of them. */
bool connargs_option(connargs *ca, int c, const char *arg);
/* Takes up to two positionals (DBNAME, USER); returns the number consumed. */
int connargs_positional(connargs *ca, int argc, char **argv);
/* Final checks and the -W prompt (no echo, from /dev/tty). Returns false with
 * *err (malloc'd) on a bad conninfo. The password goes into the conninfo,
 * never into argv or the environment. */
bool connargs_finish(connargs *ca, char **err);
/* After connargs_finish failed, the same for every command: prints why and
 * returns the exit code — EXIT_CONNECT when the -W prompt got no password
 * (cannot connect), EXIT_USAGE for malformed options. cmd as usage_error's
 * ("run", "console"...). Frees err. */
int connargs_fail(const connargs *ca, const char *cmd, char *err);

/* What every connecting command does once its options are parsed: the
 * config (defaults, file, --set) into *cfg, then connargs_finish. -1 when
 * both went well; else the exit code, with the reason printed as cmd's
 * usage_error or connargs_fail. *cfg must be config_free'd either way once
 * it was attempted (cliconf_load leaves it valid on failure). */
struct cliconf;
int connargs_load_settings(connargs *ca, const struct cliconf *cc, const char *cmd,
                           pgdeck_config *cfg);

/* Pool settings from the config (file + command line). */
void connargs_pool_config(const pgdeck_config *cfg, eng_pool_config *pool);

/* Exit codes, the command-line contract. */
enum { EXIT_OK = 0, EXIT_SQL = 1, EXIT_USAGE = 2, EXIT_CONNECT = 3 };

/* The exit code for engine_wait_ready's error: EXIT_USAGE when the server
 * refused a [session] setting (the pool never started with it), else
 * EXIT_CONNECT. */
int connargs_connect_exit(const char *connect_error);

#endif
