/* cmd_fleet.c — `pgdeck fleet`: one line per server, for scripts.
 *
 *   pgdeck fleet [CONN] [--server NAME=CONNINFO ...] [--once] [--json]
 *                [--interval S]
 *
 * The servers: [server NAME] sections of the config file, then each
 * --server (fleet_servers.h); each gets its own engine. --once prints one
 * sample; with --interval S it takes two samples S seconds apart, so tps has
 * a value. Without --once a sample is printed every S seconds (default: the
 * refresh setting), like top, until interrupted.
 *
 * Exit status: 0 when the command ran, whatever the servers' state (a down
 * server is a line with "up": false and its error: a script reads the
 * lines, and one dead server must not hide the others' figures); 2 usage
 * (or a bad conninfo). Never 3.
 *
 * JSON output — one object per sample, on one line; these keys are stable:
 *   taken_at            number   Unix epoch seconds
 *   interval_s          number   seconds since the previous sample, or null
 *   servers             array, in the order configured, each:
 *     name              string
 *     up                bool     the last fleet statement worked
 *     error             string   why not (null when up)
 *     role              string   "primary" or "standby" (pg_is_in_recovery),
 *                                null when down
 *     version           string   server_version ("16.2"), null when down
 *     version_num       int      server_version_num, null when down
 *     connections       int      client backends
 *     max_connections   int
 *     tps               number   (xact_commit + xact_rollback) per second over
 *                                the interval, null without two samples
 *     longest_xact_s    number   age of the oldest open transaction, null if none
 *     blocked           int      sessions waiting for another's lock
 *     lag_s             number   standby: replay lag (0 when all received WAL is
 *                                replayed); primary: the worst of its standbys';
 *                                null for a primary without standbys
 *     lag_bytes         number   WAL received/sent but not replayed (same scope)
 *     standbys          int      primary: streaming standbys
 *     slo               object   the Pool pane's success lines for pgdeck's pool
 *                                to this server: p95, availability, error_rate,
 *                                memory, each {"value", "target", "met", "idle"}
 *     pgbouncer         null, or {"error": string|null, "pools": [{"database",
 *                                "user", "cl_active", "cl_waiting", "sv_active",
 *                                "sv_idle", "maxwait"}]} (SHOW POOLS)
 */
#include "config.h"

#include "cli/cli_wait.h"
#include "cli/cliconf.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/fleet_servers.h"
#include "cli/sqlerror.h"
#include "cli/usage.h"
#include "common/clock.h"
#include "common/fmt.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/termsafe.h"
#include "common/xalloc.h"
#include "monitor/monitor_fleet.h"
#include "ui/rates.h"

#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_ONCE = 0x3101, OPT_JSON, OPT_INTERVAL, OPT_HELP };

#define FLEET_HISTORY 120 /* samples kept per server for the SLO window */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

typedef struct watched {
    mon_fleet_member m;
    pool_history hist;
    slo_result slo[SLO_COUNT];
} watched;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Feeds an engine's waiting events to its member (events not of it: freed). */
static void drain(watched *w)
{
    eng_event *ev;
    while ((ev = eng_event_next(w->m.e)) != NULL) {
        mon_fleet_on_event(&w->m, ev);
        eng_event_free(ev);
    }
    if (w->m.bouncer)
        while ((ev = eng_event_next(w->m.bouncer)) != NULL) {
            mon_fleet_on_bouncer_event(&w->m, ev);
            eng_event_free(ev);
        }
}

/* One sample of every server: submit all, then wait on every engine's
 * event fd until each has answered (a down server answers with its
 * connection error; the pool's timeout bounds a hung one). */
static void sample(watched *ws, int n)
{
    for (int i = 0; i < n; i++)
        mon_fleet_refresh(&ws[i].m);
    struct pollfd *pfd = xcalloc((size_t)n * 2, sizeof *pfd);
    for (;;) {
        int busy = 0, k = 0;
        for (int i = 0; i < n; i++) {
            drain(&ws[i]);
            if (!mon_fleet_busy(&ws[i].m))
                continue;
            busy++;
            pfd[k++] = (struct pollfd){.fd = eng_event_fd(ws[i].m.e), .events = POLLIN};
            if (ws[i].m.bouncer)
                pfd[k++] = (struct pollfd){.fd = eng_event_fd(ws[i].m.bouncer), .events = POLLIN};
        }
        if (!busy || interrupted)
            break;
        poll(pfd, (nfds_t)k, 1000);
    }
    free(pfd);
    for (int i = 0; i < n; i++) {
        eng_stats st;
        eng_stats_get(ws[i].m.e, &st);
        pool_sample s;
        pool_sample_from_stats(&s, &st);
        pool_history_push(&ws[i].hist, &s);
        slo_evaluate(pool_history_window_start(&ws[i].hist, 60.0), &s,
                     pool_history_uptime(&ws[i].hist, 60.0), self_rss_bytes(), ws[i].slo);
    }
}

/* ---- JSON ----------------------------------------------------------- */

static void key(strbuf *sb, const char *k, bool first)
{
    if (!first)
        sb_append_c(sb, ',');
    json_append_cstr(sb, k);
    sb_append_c(sb, ':');
}

static const char *const slo_keys[SLO_COUNT] = {
    [SLO_P95] = "p95",
    [SLO_AVAILABILITY] = "availability",
    [SLO_ERROR_RATE] = "error_rate",
    [SLO_MEMORY] = "memory",
};

static void json_server(strbuf *sb, const watched *w)
{
    const mon_fleet_member *m = &w->m;
    const mon_fleet_sample *s = m->have ? &m->cur : NULL;
    sb_append_c(sb, '{');
    key(sb, "name", true);
    json_append_cstr(sb, m->name);
    key(sb, "up", false);
    sb_append(sb, m->up && s ? "true" : "false");
    key(sb, "error", false);
    json_append_cstr(sb, m->up && s ? NULL : m->error ? m->error : "no answer");
    key(sb, "role", false);
    json_append_cstr(sb, s ? (s->standby ? "standby" : "primary") : NULL);
    key(sb, "version", false);
    json_append_cstr(sb, s ? s->version : NULL);
    key(sb, "version_num", false);
    json_append_number(sb, s ? s->version_num : NAN);
    key(sb, "connections", false);
    json_append_number(sb, s ? s->connections : NAN);
    key(sb, "max_connections", false);
    json_append_number(sb, s ? s->max_conn : NAN);
    key(sb, "tps", false);
    json_append_number(sb, s ? m->tps : NAN);
    key(sb, "longest_xact_s", false);
    json_append_number(sb, s ? s->longest_xact : NAN);
    key(sb, "blocked", false);
    json_append_number(sb, s ? s->blocked : NAN);
    key(sb, "lag_s", false);
    json_append_number(sb, s ? s->lag_s : NAN);
    key(sb, "lag_bytes", false);
    json_append_number(sb, s ? s->lag_bytes : NAN);
    key(sb, "standbys", false);
    json_append_number(sb, s ? s->standbys : NAN);
    key(sb, "slo", false);
    sb_append_c(sb, '{');
    for (int i = 0; i < SLO_COUNT; i++) {
        key(sb, slo_keys[i], i == 0);
        sb_append_c(sb, '{');
        key(sb, "value", true);
        json_append_number(sb, w->slo[i].value);
        key(sb, "target", false);
        json_append_cstr(sb, w->slo[i].target);
        key(sb, "met", false);
        sb_append(sb, w->slo[i].met ? "true" : "false");
        key(sb, "idle", false);
        sb_append(sb, w->slo[i].idle ? "true" : "false");
        sb_append_c(sb, '}');
    }
    sb_append_c(sb, '}');
    key(sb, "pgbouncer", false);
    if (!m->bouncer) {
        sb_append(sb, "null");
    } else {
        sb_append_c(sb, '{');
        key(sb, "error", true);
        json_append_cstr(sb, m->pools_error);
        key(sb, "pools", false);
        sb_append_c(sb, '[');
        for (size_t i = 0; i < m->npools; i++) {
            const mon_bouncer_pool *p = &m->pools[i];
            if (i)
                sb_append_c(sb, ',');
            sb_append_c(sb, '{');
            key(sb, "database", true);
            json_append_cstr(sb, p->database);
            key(sb, "user", false);
            json_append_cstr(sb, p->user);
            key(sb, "cl_active", false);
            json_append_number(sb, p->cl_active);
            key(sb, "cl_waiting", false);
            json_append_number(sb, p->cl_waiting);
            key(sb, "sv_active", false);
            json_append_number(sb, p->sv_active);
            key(sb, "sv_idle", false);
            json_append_number(sb, p->sv_idle);
            key(sb, "maxwait", false);
            json_append_number(sb, p->maxwait);
            sb_append_c(sb, '}');
        }
        sb_append(sb, "]}");
    }
    sb_append_c(sb, '}');
}

static void print_json(const watched *ws, int n, double interval_s)
{
    strbuf sb;
    sb_init(&sb);
    sb_append_c(&sb, '{');
    key(&sb, "taken_at", true);
    json_append_number(&sb, wall_now());
    key(&sb, "interval_s", false);
    json_append_number(&sb, interval_s > 0 ? interval_s : NAN);
    key(&sb, "servers", false);
    sb_append_c(&sb, '[');
    for (int i = 0; i < n; i++) {
        if (i)
            sb_append_c(&sb, ',');
        json_server(&sb, &ws[i]);
    }
    sb_append(&sb, "]}\n");
    fputs(sb.data, stdout);
    fflush(stdout);
    sb_free(&sb);
}

/* ---- the table ------------------------------------------------------ */

static void num_or_dash(double v, int decimals, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.*f", decimals, v);
}

/* The SLO lines in one word: "ok", or the names of those missed. */
static void slo_word(const slo_result *slo, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int i = 0; i < SLO_COUNT; i++)
        if (!slo[i].met) {
            size_t len = strlen(buf);
            snprintf(buf + len, n - len, "%s%s", len ? "," : "", slo_keys[i]);
        }
    if (!buf[0])
        snprintf(buf, n, "ok");
}

static void print_table(const watched *ws, int n)
{
    printf("%-16s %-8s %-8s %-5s %11s %9s %9s %7s %9s %-12s %s\n", "NAME", "ROLE", "VERSION", "UP",
           "CONN/MAX", "TPS", "LONGEST", "BLOCKED", "LAG", "SLO", "ERROR");
    for (int i = 0; i < n; i++) {
        const mon_fleet_member *m = &ws[i].m;
        const mon_fleet_sample *s = m->have && m->up ? &m->cur : NULL;
        char conn[32] = "-", tps[32], longest[32] = "-", blocked[32], lag[32] = "-", slo[64];
        if (s) {
            snprintf(conn, sizeof conn, "%.0f/%.0f", s->connections, s->max_conn);
            if (!isnan(s->longest_xact))
                fmt_duration(s->longest_xact, longest, sizeof longest);
            if (!isnan(s->lag_s))
                fmt_duration(s->lag_s, lag, sizeof lag);
        }
        num_or_dash(s ? m->tps : NAN, 1, tps, sizeof tps);
        num_or_dash(s ? s->blocked : NAN, 0, blocked, sizeof blocked);
        slo_word(ws[i].slo, slo, sizeof slo);
        char *name = term_escape(m->name, TS_FLAT);
        char *err = term_escape(s ? "" : m->error ? m->error : "no answer", TS_FLAT);
        printf("%-16s %-8s %-8s %-5s %11s %9s %9s %7s %9s %-12s %s\n", name,
               s ? (s->standby ? "standby" : "primary") : "-", s ? s->version : "-",
               s ? "up" : "DOWN", conn, tps, longest, blocked, lag, slo, err);
        free(name);
        free(err);
        if (m->bouncer && m->pools_error) {
            char *e = term_escape(m->pools_error, TS_FLAT);
            printf("  pgbouncer: %s\n", e);
            free(e);
        }
        for (size_t k = 0; m->bouncer && k < m->npools; k++) {
            const mon_bouncer_pool *p = &m->pools[k];
            char *db = term_escape(p->database, TS_FLAT), *user = term_escape(p->user, TS_FLAT);
            printf("  pool %s/%s cl_active %.0f cl_waiting %.0f sv_active %.0f sv_idle %.0f "
                   "maxwait %.0f\n",
                   db, user, p->cl_active, p->cl_waiting, p->sv_active, p->sv_idle, p->maxwait);
            free(db);
            free(user);
        }
    }
    fflush(stdout);
}

/* ---- main ----------------------------------------------------------- */

typedef struct fleet_opts {
    connargs ca;
    cliconf cc;
    bool once, json;
    double interval; /* 0 = not given */
} fleet_opts;

static int parse_options(fleet_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        CONNARGS_LONGOPTS,
        CLICONF_LONGOPTS,
        CLICONF_SERVER_LONGOPTS,
        {"once", no_argument, NULL, OPT_ONCE},
        {"json", no_argument, NULL, OPT_JSON},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, CONNARGS_SHORTOPTS, longopts, NULL)) != -1) {
        switch (c) {
        case OPT_ONCE:
            o->once = true;
            break;
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_INTERVAL: {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v >= 0.1 && v <= 3600))
                return usage_error(
                    "fleet", "--interval must be seconds from 0.1 to 3600, not \"%s\"", optarg);
            o->interval = v;
            break;
        }
        case OPT_HELP:
            usage_print(stdout, "fleet");
            return EXIT_OK;
        case '?':
            return usage_bad_option("fleet", CONNARGS_SHORTOPTS, argv);
        default:
            if (connargs_option(&o->ca, c, optarg) || cliconf_option(&o->cc, c, optarg))
                break;
            return usage_error("fleet", "unknown option");
        }
    }
    int used = connargs_positional(&o->ca, argc - optind, argv + optind);
    if (optind + used < argc)
        return usage_error("fleet", "unexpected argument \"%s\"", argv[optind + used]);
    return -1;
}

int cmd_fleet_main(int argc, char **argv)
{
    fleet_opts o;
    memset(&o, 0, sizeof o);
    connargs_init(&o.ca);
    cliconf_init(&o.cc);
    pgdeck_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bool cfg_loaded = false;
    fleet_servers fs = {0};
    watched *ws = NULL;
    char *err = NULL;
    int rc = parse_options(&o, argc, argv);
    if (rc >= 0)
        goto out;
    cfg_loaded = true;
    if ((rc = connargs_load_settings(&o.ca, &o.cc, "fleet", &cfg)) >= 0)
        goto out;
    eng_pool_config pool;
    connargs_pool_config(&cfg, &pool);
    /* one connection per server is all a line needs */
    pool.min_size = 1;
    pool.max_size = 1;
    if (!fleet_servers_start(&fs, &cfg, &o.ca, &pool, &err)) {
        rc = usage_error("fleet", "%s", err);
        goto out;
    }
    ws = xcalloc((size_t)fs.n, sizeof *ws);
    for (int i = 0; i < fs.n; i++) {
        mon_fleet_member_init(&ws[i].m, fs.v[i].name, fs.v[i].e, fs.v[i].bouncer);
        pool_history_init(&ws[i].hist, FLEET_HISTORY);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    double interval = o.interval > 0 ? o.interval : cfg.refresh;
    double last = 0;
    rc = EXIT_OK;
    for (int round = 0; !interrupted; round++) {
        double t = clock_mono_s();
        sample(ws, fs.n);
        if (o.once && o.interval > 0 && round == 0) {
            if (!cli_sleep(o.interval, &interrupted))
                break;
            last = t;
            continue; /* the second sample gives the rates */
        }
        if (interrupted)
            break;
        if (o.json)
            print_json(ws, fs.n, last > 0 ? t - last : 0);
        else
            print_table(ws, fs.n);
        if (o.once)
            break;
        last = t;
        if (!cli_sleep(interval, &interrupted))
            break;
        if (!o.json)
            putchar('\n');
    }
out:
    for (int i = 0; ws && i < fs.n; i++) {
        mon_fleet_member_free(&ws[i].m);
        pool_history_free(&ws[i].hist);
    }
    free(ws);
    fleet_servers_stop(&fs);
    free(err);
    if (cfg_loaded)
        config_free(&cfg);
    cliconf_free(&o.cc);
    connargs_free(&o.ca);
    return rc;
}
