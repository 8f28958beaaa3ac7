/* fleet_servers.h — the servers the console and `pgdeck fleet` watch, each
 * with its own engine (one engine thread per server), and for a server with
 * a PgBouncer admin conninfo a second engine for that admin console.
 *
 * Which servers: every [server NAME] of the config file and every --server
 * NAME=CONNINFO (conf.h), in that order; the connection of the usual
 * options (-h -p -U -d, DBNAME, libpq's environment) comes first as the
 * server "default" when those options were given or no server is named. */
#ifndef PGDECK_FLEET_SERVERS_H
#define PGDECK_FLEET_SERVERS_H

#include "cli/connargs.h"
#include "common/conf.h"
#include "engine/engine.h"

typedef struct fleet_server {
    char *name;
    engine *e;
    engine *bouncer; /* NULL without a pgbouncer admin conninfo */
} fleet_server;

typedef struct fleet_servers {
    fleet_server *v;
    int n;
} fleet_servers;

/* True when the usual connection options name a server. */
bool fleet_connargs_given(const connargs *ca);
/* Starts every server's engine with pool (the PgBouncer's with the admin
 * console's simple-protocol settings). false with *err (malloc'd, names the
 * server, never a password) on a bad conninfo; what started is stopped. */
bool fleet_servers_start(fleet_servers *fs, const pgdeck_config *cfg, const connargs *ca,
                         const eng_pool_config *pool, char **err);
void fleet_servers_stop(fleet_servers *fs);

#endif
