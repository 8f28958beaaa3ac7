/* sandbox.h — a throwaway PostgreSQL cluster: initdb + pg_ctl on a free port
 * in a temporary directory, pg_stat_statements preloaded. Used by `pgdeck
 * demo` and by every test that needs a server. When run as root, the server
 * runs as an unprivileged user. A guardian process removes the cluster if its
 * owner dies without calling sandbox_stop (crash, SIGKILL). */
#ifndef PGDECK_SANDBOX_H
#define PGDECK_SANDBOX_H

#include <stdbool.h>

typedef struct sandbox sandbox;

typedef struct sandbox_opts {
    int port;                /* 0: pick a free port */
    bool pg_stat_statements; /* preload it (default true via sandbox_opts_defaults) */
    const char *extra_conf;  /* lines appended to postgresql.conf, or NULL */
    bool quiet;              /* no progress on stderr */
} sandbox_opts;

void sandbox_opts_defaults(sandbox_opts *o);
/* Starts a cluster; NULL and *err (malloc'd) when PostgreSQL's server
 * binaries cannot be found or the cluster does not start. */
sandbox *sandbox_start(const sandbox_opts *o, char **err);
/* Stops the server (fast) and removes the directory. NULL is fine. */
void sandbox_stop(sandbox *sb);

const char *sandbox_host(const sandbox *sb); /* "127.0.0.1" */
int sandbox_port(const sandbox *sb);
const char *sandbox_user(const sandbox *sb);    /* superuser role name */
const char *sandbox_dbname(const sandbox *sb);  /* "postgres" */
const char *sandbox_datadir(const sandbox *sb);
const char *sandbox_bindir(const sandbox *sb);
/* A conninfo string for libpq ("host=... port=... user=... dbname=..."). */
const char *sandbox_conninfo(const sandbox *sb);
/* pg_ctl restart -m fast (RELIABILITY K1); also stop / start for outage tests. */
bool sandbox_restart(sandbox *sb, char **err);
bool sandbox_pause(sandbox *sb, char **err);  /* pg_ctl stop -m fast, keep the data */
bool sandbox_resume(sandbox *sb, char **err); /* pg_ctl start again */
/* Finds the server's bin directory (pg_config --bindir, /usr/lib/postgresql/N/bin);
 * NULL if none. Static string. */
const char *sandbox_find_bindir(void);

#endif
