/* monitor_fleet.h — one line per server of the fleet (the Fleet pane and
 * `pgdeck fleet`): role, version, connections against max_connections,
 * transactions per second, the longest transaction, blocked sessions and
 * replication lag from ONE statement per server per refresh, and, for a
 * server with a PgBouncer admin console in front of it, SHOW POOLS.
 *
 * An engine API client like the other monitor views: the caller owns the
 * engines (one per server, one per PgBouncer), submits with
 * mon_fleet_refresh on its ticks and feeds every event of those engines to
 * mon_fleet_on_event / mon_fleet_on_bouncer_event. Never blocks. */
#ifndef PGDECK_MONITOR_FLEET_H
#define PGDECK_MONITOR_FLEET_H

#include "engine/engine.h"

#include <stdbool.h>
#include <stddef.h>

/* The fleet statement's one row (numbers NAN when NULL). */
typedef struct mon_fleet_sample {
    int version_num;     /* server_version_num: 150004 */
    char version[32];    /* server_version: "15.4" */
    bool standby;        /* pg_is_in_recovery() */
    double connections;  /* client backends */
    double max_conn;     /* max_connections */
    double xacts;        /* sum(xact_commit + xact_rollback) of pg_stat_database */
    double now_s;        /* the server's clock, epoch seconds (tps between two samples) */
    double longest_xact; /* seconds of the oldest open transaction (NAN: none) */
    double blocked;      /* sessions waiting for another's lock */
    double lag_s;        /* standby: replay lag; primary: max over its standbys (NAN: none) */
    double lag_bytes;    /* WAL not yet replayed, in bytes (same scope; NAN: none) */
    double standbys;     /* primary: streaming standbys (pg_stat_replication rows) */
} mon_fleet_sample;

/* The statement: works on PostgreSQL 13 to 18 (nothing version-specific). */
const char *mon_fleet_sql(void);
bool mon_fleet_parse(const eng_result *r, mon_fleet_sample *out, char **err);
/* Transactions per second between two samples; NAN when unusable (a reset). */
double mon_fleet_tps(const mon_fleet_sample *prev, const mon_fleet_sample *cur);

/* One row of PgBouncer's SHOW POOLS. */
typedef struct mon_bouncer_pool {
    char *database, *user;
    double cl_active, cl_waiting, sv_active, sv_idle, maxwait;
} mon_bouncer_pool;

/* Parses SHOW POOLS (columns found by name: PgBouncer versions differ). */
bool mon_bouncer_pools_parse(const eng_result *r, mon_bouncer_pool **out, size_t *n, char **err);
void mon_bouncer_pools_free(mon_bouncer_pool *p, size_t n);

/* A server of the fleet, as watched. */
typedef struct mon_fleet_member {
    char *name;
    engine *e;         /* the server's engine (the caller's) */
    engine *bouncer;   /* its PgBouncer admin console's engine, or NULL (the caller's) */
    char *tag;         /* the server's events carry it: "fleet:NAME" */
    char *bouncer_tag; /* the PgBouncer's: "fleet:pgb:NAME" */
    eng_id req, pools_req;
    bool have; /* cur holds an answer */
    mon_fleet_sample cur, prev;
    bool have_prev;
    double tps;  /* NAN until two samples */
    bool up;     /* the last statement worked */
    bool asked;  /* one statement was answered (up or down is known) */
    char *error; /* why the last one failed (raw server bytes: escape to show), or NULL */
    mon_bouncer_pool *pools;
    size_t npools;
    char *pools_error; /* SHOW POOLS failed: why, or NULL */
} mon_fleet_member;

void mon_fleet_member_init(mon_fleet_member *m, const char *name, engine *e, engine *bouncer);
void mon_fleet_member_free(mon_fleet_member *m);
/* Forgets every figure (the console's engine changed under it). */
void mon_fleet_member_reset(mon_fleet_member *m);
/* Submits the statement (and SHOW POOLS) unless one still runs: a slow
 * server gets no pile-up. */
void mon_fleet_refresh(mon_fleet_member *m);
/* An event of m->e / m->bouncer: true when it was this member's (taken). */
bool mon_fleet_on_event(mon_fleet_member *m, const eng_event *ev);
bool mon_fleet_on_bouncer_event(mon_fleet_member *m, const eng_event *ev);
/* The pool's own view (eng_stats' connected, last_error): a server the
 * pool cannot reach is down at once, not only when a statement's wait for
 * a connection ends (it may wait out the pool's timeout while reconnecting
 * backs off). */
void mon_fleet_pool_state(mon_fleet_member *m, bool connected, const char *last_error);
/* True while an answer is awaited. */
bool mon_fleet_busy(const mon_fleet_member *m);

#endif
