/* cliconf.h — the settings options every subcommand shares:
 * --config FILE (instead of the default file) and --set SECTION.KEY=VALUE
 * (repeatable, applied after the file). Used in a getopt_long loop as
 * connargs.h is:  { CONNARGS_LONGOPTS, CLICONF_LONGOPTS, ... } and
 * default: if (cliconf_option(&cc, c, optarg)) break; */
#ifndef PGDECK_CLICONF_H
#define PGDECK_CLICONF_H

#include "common/conf.h"

#include <getopt.h>
#include <stdbool.h>

enum { CLICONF_OPT_CONFIG = 0x2001, CLICONF_OPT_SET = 0x2002, CLICONF_OPT_SERVER = 0x2003 };
/* clang-format off */
#define CLICONF_LONGOPTS \
    {"config", required_argument, NULL, CLICONF_OPT_CONFIG}, \
    {"set", required_argument, NULL, CLICONF_OPT_SET}
/* --server NAME=CONNINFO: only the commands that watch several servers (the
 * console, fleet) take it */
#define CLICONF_SERVER_LONGOPTS \
    {"server", required_argument, NULL, CLICONF_OPT_SERVER}
/* clang-format on */

typedef struct cliconf {
    const char *path;  /* --config, or NULL for the default (optional) file */
    const char **sets; /* "key=value" strings from argv */
    int nsets;
    const char **servers; /* --server NAME=CONNINFO strings from argv */
    int nservers;
} cliconf;

void cliconf_init(cliconf *cc);
void cliconf_free(cliconf *cc);
bool cliconf_option(cliconf *cc, int c, const char *arg);
/* Defaults, then the file, then each --set and --server. false with *err (malloc'd). */
bool cliconf_load(const cliconf *cc, pgdeck_config *cfg, char **err);

/* Each --server onto cfg (after the file: a name the file has gets the
 * command line's conninfo). false with *err (malloc'd). */
bool cliconf_apply_servers(const cliconf *cc, pgdeck_config *cfg, char **err);

#endif
