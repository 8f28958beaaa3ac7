/* sandbox.h — a throwaway PostgreSQL cluster: initdb + pg_ctl on a free port
 * in a temporary directory, pg_stat_statements preloaded. Used by `pgdeck
 * demo` and by every test that needs a server. When run as root, the server
 * runs as an unprivileged user. A guardian process removes the cluster if its
 * owner dies without calling sandbox_stop (crash, SIGKILL).
 *
 * Authentication: every role is trusted (no password), except over TCP for
 * members of the role `pw_users` (created by the sandbox) and, on PostgreSQL
 * 16+, roles named pw_*: those need their scram-sha-256 password. PostgreSQL
 * 15 has no regular expressions in pg_hba.conf, so a password test creates
 * its role as: CREATE ROLE pw_alice LOGIN PASSWORD 'secret' IN ROLE pw_users.
 * The extension pg_stat_statements is created in database postgres when it is
 * preloaded. The server log is sandbox_datadir()/server.log; the unix socket
 * lives in the data directory too. */
#ifndef PGDECK_SANDBOX_H
#define PGDECK_SANDBOX_H

#include <stdbool.h>

typedef struct sandbox sandbox;

typedef struct sandbox_opts {
    int port;                /* 0: pick a free port */
    bool pg_stat_statements; /* preload it (default true via sandbox_opts_defaults) */
    const char *extra_conf;  /* lines appended to postgresql.conf, or NULL */
    /* Progress lines ("initdb in DIR", "server on HOST:PORT") go to the
     * caller, which decides where they are shown; NULL: none. */
    void (*progress)(void *ctx, const char *line);
    void *progress_ctx;
} sandbox_opts;

void sandbox_opts_defaults(sandbox_opts *o);
/* Starts a cluster; NULL and *err (malloc'd) when PostgreSQL's server
 * binaries cannot be found or the cluster does not start. */
sandbox *sandbox_start(const sandbox_opts *o, char **err);
/* Stops the server (fast) and removes the directory. NULL is fine. */
void sandbox_stop(sandbox *sb);

const char *sandbox_host(const sandbox *sb); /* "127.0.0.1" */
int sandbox_port(const sandbox *sb);
const char *sandbox_user(const sandbox *sb);   /* superuser role name */
const char *sandbox_dbname(const sandbox *sb); /* "postgres" */
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
