/* conf.h — pgdeck's settings: defaults, then the config file
 * ($XDG_CONFIG_HOME/pgdeck/pgdeck.conf or --config FILE), then the command
 * line. Pure data and parsing: no libpq, no curses. */
#ifndef PGDECK_CONFIG_H
#define PGDECK_CONFIG_H

#include "common/pool_defaults.h"

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_KEYS 64
#define CONFIG_MAX_SESSION 64
#define CONFIG_MAX_SERVERS 128
#define CONFIG_SERVER_NAME_MAX 63

/* A server of the fleet: [server NAME] in the file or --server NAME=CONNINFO. */
typedef struct config_server {
    char *name;      /* letters, digits, '_', '-', '.' (at most 63) */
    char *conninfo;  /* a conninfo string or URI ("service=NAME" for a service) */
    char *pgbouncer; /* the PgBouncer admin console in front of it, or NULL */
} config_server;

typedef struct config_keybind {
    char *command; /* named command, e.g. "quit", "help", "pane_next" */
    char *key;     /* key spec, e.g. "F10", "C-x", "M-1", "q" */
} config_keybind;

typedef struct pgdeck_config {
    /* [pool] — psycopg_pool names, from common/pool_defaults.h */
    POOL_SETTINGS_FIELDS
    /* [console] */
    double refresh;        /* seconds between monitor refreshes (1.0) */
    double slow_threshold; /* milliseconds (50) */
    char *theme;           /* name or path ("default") */
    bool no_color;
    bool readonly;
    char *null_marker; /* how NULL is drawn in grids ("∅") */
    long row_limit;    /* result grid row cap (1000000) */
    char *pgbouncer;   /* conninfo of a PgBouncer admin console, or NULL */
    /* [editor] */
    bool autocommit; /* off: the editor opens a transaction before a statement */
    bool binary;     /* the editor asks results in binary (bindecode.c) */
    /* [session] — server settings (GUCs) every pool connection gets at
     * connect, in the order first set; a later set of a name replaces it */
    size_t nsession;
    char *session_names[CONFIG_MAX_SESSION];
    char *session_values[CONFIG_MAX_SESSION];
    /* [server NAME] sections, then --server: in the order first named */
    size_t nservers;
    config_server servers[CONFIG_MAX_SERVERS];
    /* [keys] */
    size_t nkeys;
    config_keybind keys[CONFIG_MAX_KEYS];
} pgdeck_config;

void config_defaults(pgdeck_config *cfg);
void config_free(pgdeck_config *cfg);

/* Parses an INI-like file into cfg (only the keys it names change). Returns
 * false with *err = "FILE:LINE: what is wrong" (malloc'd) on the first
 * unknown key or bad value; a missing file is not an error when optional. */
bool config_load_file(pgdeck_config *cfg, const char *path, bool optional, char **err);
/* Sets one "section.key" (or bare key) from a string, as the file would. */
bool config_set(pgdeck_config *cfg, const char *key, const char *value, char **err);
/* A server setting's name as [session] takes it: letters, digits and '_',
 * with at most one '.' (a custom "ext.name"), not starting with a digit. */
bool config_session_name_ok(const char *name);
/* The value of session setting `name` (case-insensitive), or NULL. */
const char *config_session_get(const pgdeck_config *cfg, const char *name);

/* Sets key (conninfo, service or pgbouncer) of server `name`, adding the
 * server when it is new. false with *err (malloc'd). */
bool config_server_set(pgdeck_config *cfg, const char *name, const char *key, const char *value,
                       char **err);
/* "NAME=CONNINFO" (--server): adds the server or replaces its conninfo. */
bool config_server_arg(pgdeck_config *cfg, const char *arg, char **err);
/* The server called name, or NULL. */
const config_server *config_server_find(const pgdeck_config *cfg, const char *name);

/* The default path: $XDG_CONFIG_HOME/pgdeck/pgdeck.conf or
 * ~/.config/pgdeck/pgdeck.conf (malloc'd). */
char *config_default_path(void);

#endif
