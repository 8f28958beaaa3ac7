/* engine_util.h — helpers shared by the engine's integration tests: a
 * throwaway cluster, an engine on it, running a request to its EV_DONE, and
 * waiting for a stats condition. Header-only (static), test code only. */
#ifndef PGDECK_TEST_ENGINE_UTIL_H
#define PGDECK_TEST_ENGINE_UTIL_H

#include "engine/engine.h"
#include "sandbox/sandbox.h"
#include "tests/lib/tap.h"

#include <libpq-fe.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Every event of one request, in order; the last is its EV_DONE. */
typedef struct ev_list {
    eng_event **ev;
    int n;
    eng_event *done;
} ev_list;

/* Events that arrived for other requests while we waited. */
static __attribute__((unused)) eng_event *tu_stash[4096];
static __attribute__((unused)) int tu_nstash;

static __attribute__((unused)) void tu_free_list(ev_list *l)
{
    for (int i = 0; i < l->n; i++)
        eng_event_free(l->ev[i]);
    free(l->ev);
    memset(l, 0, sizeof *l);
}

static __attribute__((unused)) double tu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Collects the events of `id` until its EV_DONE (or timeout: done NULL). */
static __attribute__((unused)) ev_list tu_collect(engine *e, eng_id id, int timeout_ms)
{
    ev_list l = {0};
    double until = tu_now() + timeout_ms / 1000.0;
    for (int i = 0; i < tu_nstash;) {
        if (tu_stash[i]->id == id) {
            eng_event *ev = tu_stash[i];
            memmove(tu_stash + i, tu_stash + i + 1, (size_t)(tu_nstash - i - 1) * sizeof ev);
            tu_nstash--;
            l.ev = realloc(l.ev, (size_t)(l.n + 1) * sizeof *l.ev);
            l.ev[l.n++] = ev;
            if (ev->kind == EV_DONE) {
                l.done = ev;
                return l;
            }
        } else {
            i++;
        }
    }
    for (;;) {
        int left = (int)((until - tu_now()) * 1000);
        if (left <= 0)
            return l;
        eng_event *ev = eng_event_wait(e, left);
        if (!ev)
            return l;
        if (ev->kind == EV_POOL) {
            eng_event_free(ev);
            continue;
        }
        if (ev->id != id) {
            if (tu_nstash < 4096)
                tu_stash[tu_nstash++] = ev;
            else
                eng_event_free(ev);
            continue;
        }
        l.ev = realloc(l.ev, (size_t)(l.n + 1) * sizeof *l.ev);
        l.ev[l.n++] = ev;
        if (ev->kind == EV_DONE) {
            l.done = ev;
            return l;
        }
    }
}

/* The first EV_RESULT's result in the list, or NULL. */
static __attribute__((unused)) eng_result *tu_first_result(const ev_list *l)
{
    for (int i = 0; i < l->n; i++)
        if (l->ev[i]->kind == EV_RESULT && l->ev[i]->result)
            return l->ev[i]->result;
    return NULL;
}

static __attribute__((unused)) eng_id tu_exec(engine *e, eng_session s, unsigned flags,
                                              const char *sql)
{
    eng_exec_args a = {.sql = sql, .session = s, .flags = flags};
    return eng_exec(e, &a);
}

/* Runs sql and returns its events (30 s bound). */
static __attribute__((unused)) ev_list tu_run(engine *e, eng_session s, const char *sql)
{
    return tu_collect(e, tu_exec(e, s, 0, sql), 30000);
}

/* Runs sql and returns the first value of the first row, malloc'd ("" if
 * none, "ERROR: ..." on failure). */
static __attribute__((unused)) char *tu_value(engine *e, eng_session s, const char *sql)
{
    ev_list l = tu_run(e, s, sql);
    char *out;
    eng_result *r = tu_first_result(&l);
    if (!l.done)
        out = strdup("TIMEOUT");
    else if (l.done->status != ENG_DONE_OK)
        out = l.done->error ? strdup(l.done->error->message) : strdup("ERROR");
    else if (r && eng_result_nrows(r) > 0 && eng_result_ncols(r) > 0)
        out = strdup(eng_result_value(r, 0, 0));
    else
        out = strdup("");
    tu_free_list(&l);
    return out;
}

static __attribute__((unused)) long tu_long(engine *e, eng_session s, const char *sql)
{
    char *v = tu_value(e, s, sql);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

/* A plain libpq connection beside the engine, to look at the server. */
static __attribute__((unused)) PGconn *tu_side(sandbox *sb)
{
    PGconn *c = PQconnectdb(sandbox_conninfo(sb));
    if (PQstatus(c) != CONNECTION_OK)
        diag("side connection: %s", PQerrorMessage(c));
    return c;
}

static __attribute__((unused)) char *tu_side_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    char *out;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
        out = strdup(PQgetvalue(r, 0, 0));
    else if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK)
        out = strdup("");
    else
        out = strdup(PQresultErrorMessage(r));
    PQclear(r);
    return out;
}

static __attribute__((unused)) long tu_side_long(PGconn *c, const char *sql)
{
    char *v = tu_side_value(c, sql);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

static __attribute__((unused)) bool tu_side_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        diag("side: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Polls the stats until cond(stats, arg) holds; false after timeout_ms. */
typedef bool (*tu_stat_cond)(const eng_stats *s, long arg);
static __attribute__((unused)) bool tu_wait_stats(engine *e, tu_stat_cond cond, long arg,
                                                  int timeout_ms, eng_stats *out)
{
    double until = tu_now() + timeout_ms / 1000.0;
    static eng_stats s;
    for (;;) {
        eng_stats_get(e, &s);
        if (cond(&s, arg)) {
            if (out)
                *out = s;
            return true;
        }
        if (tu_now() >= until) {
            if (out)
                *out = s;
            return false;
        }
        /* drop pool events so the queue does not grow */
        eng_event *ev;
        while (tu_nstash < 4096 && (ev = eng_event_next(e)) != NULL) {
            if (ev->kind == EV_POOL)
                eng_event_free(ev);
            else
                tu_stash[tu_nstash++] = ev;
        }
        usleep(20000);
    }
}

static __attribute__((unused)) bool tu_cond_available(const eng_stats *s, long n)
{
    return s->pool_available >= n;
}

static __attribute__((unused)) bool tu_cond_size(const eng_stats *s, long n)
{
    return s->pool_size == n && s->pool_available == n;
}

static __attribute__((unused)) bool tu_cond_lost(const eng_stats *s, long n)
{
    return (long)s->connections_lost >= n;
}

static __attribute__((unused)) sandbox *tu_sandbox(void)
{
    if (!sandbox_find_bindir())
        skip_all("PostgreSQL server binaries not found");
    sandbox_opts o;
    sandbox_opts_defaults(&o);
    char *err = NULL;
    sandbox *sb = sandbox_start(&o, &err);
    if (!sb) {
        printf("Bail out! sandbox: %s\n", err ? err : "?");
        exit(1);
    }
    return sb;
}

static __attribute__((unused)) eng_conninfo *tu_conninfo(sandbox *sb)
{
    eng_conninfo *ci = eng_conninfo_new();
    eng_conninfo_set(ci, "dbname", sandbox_conninfo(sb));
    return ci;
}

static __attribute__((unused)) engine *tu_engine(sandbox *sb, const eng_pool_config *cfg)
{
    eng_conninfo *ci = tu_conninfo(sb);
    char *err = NULL;
    engine *e = engine_start(ci, cfg, &err);
    eng_conninfo_free(ci);
    if (!e) {
        printf("Bail out! engine_start: %s\n", err ? err : "?");
        exit(1);
    }
    if (!engine_wait_ready(e, 30000, &err)) {
        printf("Bail out! engine_wait_ready: %s\n", err ? err : "?");
        exit(1);
    }
    return e;
}

static __attribute__((unused)) void tu_stop(engine *e)
{
    for (int i = 0; i < tu_nstash; i++)
        eng_event_free(tu_stash[i]);
    tu_nstash = 0;
    engine_stop(e);
}

static __attribute__((unused)) int tu_count_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

#endif
