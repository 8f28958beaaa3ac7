/* fleet_servers.c — one engine per server of the fleet. See fleet_servers.h. */
#include "config.h"

#include "cli/fleet_servers.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

bool fleet_connargs_given(const connargs *ca)
{
    return ca->host || ca->port || ca->user || ca->dbname;
}

/* A conninfo string, URI or "service=NAME" as libpq's expanded dbname. */
static eng_conninfo *conninfo_of(const char *conninfo)
{
    eng_conninfo *ci = eng_conninfo_new();
    eng_conninfo_set(ci, "dbname", conninfo);
    if (!eng_conninfo_get(ci, "application_name"))
        eng_conninfo_set(ci, "application_name", "pgdeck");
    return ci;
}

static engine *start_bouncer(const char *conninfo, char **err)
{
    eng_conninfo *ci = conninfo_of(conninfo);
    engine *e = NULL;
    if (eng_conninfo_check(ci, err)) {
        eng_pool_config cfg;
        eng_pool_config_defaults(&cfg);
        /* the admin console speaks only the simple query protocol */
        cfg.min_size = 1;
        cfg.max_size = 1;
        cfg.prepare_threshold = -1;
        cfg.check = false;
        cfg.timeout = 5;
        cfg.connect_timeout = 5;
        cfg.reconnect_timeout = 3600;
        e = engine_start(ci, &cfg, err);
    }
    eng_conninfo_free(ci);
    return e;
}

static bool add(fleet_servers *fs, const char *name, const eng_conninfo *ci, const char *bouncer,
                const eng_pool_config *pool, char **err)
{
    char *why = NULL;
    engine *e = eng_conninfo_check(ci, &why) ? engine_start(ci, pool, &why) : NULL;
    if (!e) {
        *err = xasprintf("server %s: %s", name, why ? why : "cannot start");
        free(why);
        return false;
    }
    engine *b = NULL;
    if (bouncer) {
        b = start_bouncer(bouncer, &why);
        if (!b) {
            *err = xasprintf("server %s: pgbouncer: %s", name, why ? why : "cannot start");
            free(why);
            engine_stop(e);
            return false;
        }
    }
    fs->v = xrealloc(fs->v, sizeof *fs->v * (size_t)(fs->n + 1));
    fs->v[fs->n++] = (fleet_server){.name = xstrdup(name), .e = e, .bouncer = b};
    return true;
}

bool fleet_servers_start(fleet_servers *fs, const pgdeck_config *cfg, const connargs *ca,
                         const eng_pool_config *pool, char **err)
{
    memset(fs, 0, sizeof *fs);
    *err = NULL;
    bool ok = true;
    if (fleet_connargs_given(ca) || cfg->nservers == 0)
        ok = add(fs, config_server_find(cfg, "default") ? "default-conn" : "default", ca->ci,
                 cfg->pgbouncer, pool, err);
    for (size_t i = 0; ok && i < cfg->nservers; i++) {
        eng_conninfo *ci = conninfo_of(cfg->servers[i].conninfo);
        ok = add(fs, cfg->servers[i].name, ci, cfg->servers[i].pgbouncer, pool, err);
        eng_conninfo_free(ci);
    }
    if (!ok)
        fleet_servers_stop(fs);
    return ok;
}

void fleet_servers_stop(fleet_servers *fs)
{
    for (int i = 0; i < fs->n; i++) {
        engine_stop(fs->v[i].e);
        if (fs->v[i].bouncer)
            engine_stop(fs->v[i].bouncer);
        free(fs->v[i].name);
    }
    free(fs->v);
    memset(fs, 0, sizeof *fs);
}
