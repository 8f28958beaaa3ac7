/* cmd_top.c — `pgdeck top`: the slow lists for scripts.
 *
 *   pgdeck top [CONN] --once [--json] [--sort total|mean|calls|rows|read|temp]
 *              [--limit N] [--interval S]
 *
 * --once prints one sample; with --interval S it takes two snapshots S
 * seconds apart and adds per-second rates. Without --once a sample is printed
 * every S seconds (default: the refresh setting) until interrupted, each with
 * rates against the one before. Exit 0 ok, 1 pg_stat_statements unusable
 * (the same reason and remedy the Slow pane shows, on stderr) or an SQL
 * error, 2 usage, 3 cannot connect.
 *
 * JSON output — one object per sample, on one line; these keys are stable:
 *   server_version_num  int      e.g. 150004
 *   database, user      string   where pgdeck is connected
 *   pg_stat_statements  string   the installed extension version
 *   sort                string   total|mean|calls|rows|read|temp
 *   limit               int      rows asked for
 *   interval_s          number   seconds between the two snapshots, null
 *                                without --interval (or the first sample)
 *   reset_seen          bool     a statistics reset happened in the interval:
 *                                rates restart (rows have "rates": null)
 *   stats_reset         number   pg_stat_statements_info.stats_reset as Unix
 *                                epoch seconds (null before 14)
 *   total_entries       int      statements in pg_stat_statements (the
 *                                monitor's own left out); when truncated, a
 *                                lower bound: the --limit + 10 rows read
 *   truncated           bool     pg_stat_statements holds more than were read
 *   visibility_note     string   "" or why other roles' texts are hidden
 *   statements          array of objects, sorted by `sort`, descending:
 *     rank              int      1-based
 *     queryid           string   (a 64-bit id: a string so no digit is lost),
 *                                null when hidden
 *     database, user    string
 *     toplevel          bool
 *     query             string   normalized text, or "<insufficient privilege>"
 *     hidden_text       bool     true for "<insufficient privilege>" rows
 *     calls, total_ms, rows, shared_blks_hit, shared_blks_read,
 *     shared_blks_dirtied, shared_blks_written, local_blks_hit,
 *     local_blks_read, local_blks_dirtied, local_blks_written,
 *     temp_blks_read, temp_blks_written, blk_read_ms, blk_write_ms, plans,
 *     plan_ms, wal_records, wal_bytes           number, cumulative (null when
 *                                               the server lacks the column)
 *     mean_ms, min_ms, max_ms, stddev_ms        number
 *     rates             object or null: "<counter>_per_s" for each counter
 *                                above, and interval_mean_ms (mean time of
 *                                the calls in the interval, null if none)
 *   now                 array: statements running longer than slow_threshold
 *     pid int, database, user, application, client, state, wait_event_type,
 *     wait_event string, query_s, xact_s number (seconds), blocked_by [int],
 *     query string
 */
#include "config.h"

#include "common/clock.h"
#include "common/fmt.h"
#include "common/json.h"
#include "cli/cli_wait.h"
#include "cli/cliconf.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/output.h"
#include "cli/sqlerror.h"
#include "cli/top_views.h"
#include "cli/usage.h"
#include "common/strbuf.h"
#include "common/termsafe.h"
#include "common/xalloc.h"
#include "engine/engine.h"
#include "monitor/monitor.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_ONCE = 0x3001, OPT_JSON, OPT_SORT, OPT_LIMIT, OPT_INTERVAL, OPT_HELP, OPT_VIEW };

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

/* A step of the driver failed: says why on stderr, returns the exit code.
 * pg_stat_statements' own failures get the Slow pane's reason and remedy. */
static int report_failure(const mon_driver *d, mon_step step)
{
    const mon_failure *f = &d->fail[step];
    if (f->status == ENG_DONE_OK) { /* a result the parser refused */
        cli_eprintf("pgdeck top: %s\n", f->message);
        return EXIT_SQL;
    }
    if (step == MON_STEP_PGSS && f->status != ENG_DONE_CONN) {
        cli_eprintf("pgdeck top: %s\n", d->srv.reason);
        if (d->srv.remedy[0])
            cli_eprintf("  %s\n", d->srv.remedy);
        return EXIT_SQL;
    }
    const char *what = step == MON_STEP_PROBE ? "probe"
                       : step == MON_STEP_NOW ? "pg_stat_activity"
                                              : "connection lost";
    cli_eprintf("pgdeck top: %s: %s\n", what, f->message);
    return f->status == ENG_DONE_CONN ? EXIT_CONNECT : EXIT_SQL;
}

/* One sample's steps, to completion: the exit code of the first that failed
 * (texts only count when the connection is gone: rows then say "<text not
 * available>"). */
static int run_sample(mon_driver *d)
{
    mon_driver_refresh(d);
    mon_driver_wait(d);
    static const mon_step order[] = {MON_STEP_PROBE, MON_STEP_PGSS, MON_STEP_TEXTS, MON_STEP_NOW};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const mon_failure *f = &d->fail[order[i]];
        if (f->failed && (order[i] != MON_STEP_TEXTS || f->status == ENG_DONE_CONN))
            return report_failure(d, order[i]);
        if (order[i] == MON_STEP_PROBE && d->srv.state != MON_PGSS_OK) {
            cli_eprintf("pgdeck top: %s\n", d->srv.reason);
            if (d->srv.remedy[0])
                cli_eprintf("  %s\n", d->srv.remedy);
            return EXIT_SQL;
        }
    }
    return d->cur ? EXIT_OK : EXIT_SQL;
}

static void json_key(strbuf *sb, const char *k)
{
    json_append_cstr(sb, k);
    sb_append_c(sb, ':');
}

static void print_json(const mon_server *srv, const mon_pgss_snap *snap, const mon_activity *now,
                       mon_sort sort, int limit, bool with_interval)
{
    strbuf sb;
    sb_init(&sb);
    sb_append_c(&sb, '{');
    json_key(&sb, "server_version_num");
    sb_printf(&sb, "%d,", srv->version_num);
    json_key(&sb, "database");
    json_append_cstr(&sb, srv->database);
    sb_append_c(&sb, ',');
    json_key(&sb, "user");
    json_append_cstr(&sb, srv->user);
    sb_append_c(&sb, ',');
    json_key(&sb, "pg_stat_statements");
    json_append_cstr(&sb, srv->installed_version);
    sb_append_c(&sb, ',');
    json_key(&sb, "sort");
    json_append_cstr(&sb, mon_sort_name(sort));
    sb_append_c(&sb, ',');
    json_key(&sb, "limit");
    sb_printf(&sb, "%d,", limit);
    json_key(&sb, "interval_s");
    json_append_number(&sb, with_interval && snap->interval_s > 0 ? snap->interval_s : NAN);
    sb_append_c(&sb, ',');
    json_key(&sb, "reset_seen");
    sb_append(&sb, snap->reset_seen ? "true," : "false,");
    json_key(&sb, "stats_reset");
    json_append_number(&sb, snap->stats_reset);
    sb_append_c(&sb, ',');
    json_key(&sb, "total_entries");
    sb_printf(&sb, "%ld,", snap->n ? snap->total_entries : 0L);
    json_key(&sb, "truncated");
    sb_append(&sb, snap->truncated ? "true," : "false,");
    json_key(&sb, "visibility_note");
    json_append_cstr(&sb, srv->visibility_note);
    sb_append_c(&sb, ',');
    json_key(&sb, "statements");
    sb_append_c(&sb, '[');
    for (size_t i = 0; i < snap->n && (int)i < limit; i++) {
        const mon_stmt *m = &snap->rows[i];
        if (i)
            sb_append_c(&sb, ',');
        sb_append_c(&sb, '{');
        json_key(&sb, "rank");
        sb_printf(&sb, "%zu,", i + 1);
        json_key(&sb, "queryid");
        if (m->has_queryid)
            sb_printf(&sb, "\"%lld\",", (long long)m->queryid);
        else
            sb_append(&sb, "null,");
        json_key(&sb, "database");
        json_append_cstr(&sb, m->database);
        sb_append_c(&sb, ',');
        json_key(&sb, "user");
        json_append_cstr(&sb, m->user);
        sb_append_c(&sb, ',');
        json_key(&sb, "toplevel");
        sb_append(&sb, m->toplevel ? "true," : "false,");
        json_key(&sb, "query");
        json_append_cstr(&sb, m->query);
        sb_append_c(&sb, ',');
        json_key(&sb, "hidden_text");
        sb_append(&sb, m->hidden_text ? "true" : "false");
        for (int k = 0; k < MC_COUNT; k++) {
            sb_append_c(&sb, ',');
            json_key(&sb, mon_counter_name((mon_counter)k));
            json_append_number(&sb, m->c[k]);
        }
        for (int k = 0; k < MG_COUNT; k++) {
            sb_append_c(&sb, ',');
            json_key(&sb, mon_gauge_name((mon_gauge)k));
            json_append_number(&sb, m->g[k]);
        }
        sb_append_c(&sb, ',');
        json_key(&sb, "rates");
        if (!m->has_rate) {
            sb_append(&sb, "null");
        } else {
            sb_append_c(&sb, '{');
            for (int k = 0; k < MC_COUNT; k++) {
                char key[64];
                snprintf(key, sizeof key, "%s_per_s", mon_counter_name((mon_counter)k));
                json_key(&sb, key);
                json_append_number(&sb, m->r[k]);
                sb_append_c(&sb, ',');
            }
            json_key(&sb, "interval_mean_ms");
            json_append_number(&sb, m->interval_mean_ms);
            sb_append_c(&sb, '}');
        }
        sb_append_c(&sb, '}');
    }
    sb_append(&sb, "],");
    json_key(&sb, "now");
    sb_append_c(&sb, '[');
    for (size_t i = 0; now && i < now->n; i++) {
        const mon_backend *b = &now->rows[i];
        if (i)
            sb_append_c(&sb, ',');
        sb_printf(&sb, "{\"pid\":%d,", b->pid);
        const char *keys[] = {"database",        "user",      "application", "client", "state",
                              "wait_event_type", "wait_event"};
        const char *vals[] = {b->database, b->user,      b->application, b->client,
                              b->state,    b->wait_type, b->wait_event};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            json_key(&sb, keys[k]);
            json_append_cstr(&sb, vals[k]);
            sb_append_c(&sb, ',');
        }
        json_key(&sb, "query_s");
        json_append_number(&sb, b->query_s);
        sb_append_c(&sb, ',');
        json_key(&sb, "xact_s");
        json_append_number(&sb, b->xact_s);
        sb_append_c(&sb, ',');
        json_key(&sb, "blocked_by");
        sb_append_c(&sb, '[');
        for (int k = 0; k < b->nblocked_by; k++)
            sb_printf(&sb, "%s%d", k ? "," : "", b->blocked_by[k]);
        sb_append(&sb, "],");
        json_key(&sb, "query");
        json_append_cstr(&sb, b->query);
        sb_append_c(&sb, '}');
    }
    sb_append(&sb, "]}\n");
    fputs(sb.data, stdout);
    fflush(stdout);
    sb_free(&sb);
}

/* One line of server text (query, names, states): newlines and tabs become
 * spaces, every control, C1 and bidi character is escaped (termsafe.h) —
 * another role writes these texts, and they must not drive our terminal. */
static void print_flat(const char *s)
{
    char *safe = term_escape(s ? s : "", TS_FLAT);
    fputs(safe, stdout);
    free(safe);
}

/* The same, padded to width columns (names in the table). */
static void print_flat_field(const char *s, int width)
{
    char *safe = term_escape(s ? s : "", TS_FLAT);
    printf("%-*s", width, safe);
    free(safe);
}

static void print_text(const mon_server *srv, const mon_pgss_snap *snap, const mon_activity *now,
                       mon_sort sort, int limit, double threshold_ms)
{
    fputs("pg_stat_statements ", stdout);
    print_flat(srv->installed_version ? srv->installed_version : "?");
    fputs(" · ", stdout);
    print_flat(srv->user ? srv->user : "?");
    putchar('@');
    print_flat(srv->database ? srv->database : "?");
    printf(" · %ld%s statements · sort %s", snap->n ? snap->total_entries : 0L,
           snap->truncated ? "+" : "", mon_sort_name(sort));
    if (snap->interval_s > 0)
        printf(" · rates over %.1fs", snap->interval_s);
    if (snap->reset_seen)
        printf(" · statistics were reset: rates restart");
    putchar('\n');
    if (srv->visibility_note[0]) {
        fputs("note: ", stdout);
        print_flat(srv->visibility_note);
        putchar('\n');
    }
    bool rates = snap->interval_s > 0;
    printf("%4s %9s %11s %10s %10s %10s %10s %9s %9s", "rank", "calls", "total_ms", "mean_ms",
           "min_ms", "max_ms", "stddev_ms", "rows", "shr_read");
    printf(" %9s", "temp_wr");
    if (rates)
        printf(" %9s %9s", "calls/s", "ms/s");
    printf("  %-12s %-12s query\n", "database", "user");
    for (size_t i = 0; i < snap->n && (int)i < limit; i++) {
        const mon_stmt *m = &snap->rows[i];
        char calls[16], total[16], mean[16], min[16], max[16], sd[16], rows[16], rd[16], tw[16];
        fmt_count(m->c[MC_CALLS], calls, sizeof calls);
        fmt_ms(m->c[MC_TOTAL_MS], total, sizeof total);
        fmt_ms(m->g[MG_MEAN_MS], mean, sizeof mean);
        fmt_ms(m->g[MG_MIN_MS], min, sizeof min);
        fmt_ms(m->g[MG_MAX_MS], max, sizeof max);
        fmt_ms(m->g[MG_STDDEV_MS], sd, sizeof sd);
        fmt_count(m->c[MC_ROWS], rows, sizeof rows);
        fmt_count(m->c[MC_SHARED_READ], rd, sizeof rd);
        fmt_count(m->c[MC_TEMP_WRITTEN], tw, sizeof tw);
        printf("%4zu %9s %11s %10s %10s %10s %10s %9s %9s %9s", i + 1, calls, total, mean, min, max,
               sd, rows, rd, tw);
        if (rates) {
            /* the Slow pane's calls/s and ms/s columns, the same way */
            char cps[16], msps[16];
            fmt_count(m->has_rate ? m->r[MC_CALLS] : NAN, cps, sizeof cps);
            fmt_ms(m->has_rate ? m->r[MC_TOTAL_MS] : NAN, msps, sizeof msps);
            printf(" %9s %9s", cps, msps);
        }
        fputs("  ", stdout);
        print_flat_field(m->database, 12);
        putchar(' ');
        print_flat_field(m->user, 12);
        putchar(' ');
        print_flat(m->query);
        putchar('\n');
    }
    printf("now: %zu statement%s running longer than %g ms\n", now ? now->n : 0,
           now && now->n == 1 ? "" : "s", threshold_ms);
    for (size_t i = 0; now && i < now->n; i++) {
        const mon_backend *b = &now->rows[i];
        char dur[32];
        fmt_duration(b->query_s, dur, sizeof dur);
        printf("  pid %-7d %8s ", b->pid, dur);
        print_flat_field(b->database, 12);
        putchar(' ');
        print_flat_field(b->user, 12);
        putchar(' ');
        print_flat_field(b->wait_event[0] ? b->wait_event : b->state, 10);
        putchar(' ');
        print_flat(b->query);
        putchar('\n');
    }
    fflush(stdout);
}

int cmd_top_main(int argc, char **argv)
{
    static const struct option opts[] = {CONNARGS_LONGOPTS,
                                         CLICONF_LONGOPTS,
                                         {"once", no_argument, NULL, OPT_ONCE},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"sort", required_argument, NULL, OPT_SORT},
                                         {"limit", required_argument, NULL, OPT_LIMIT},
                                         {"interval", required_argument, NULL, OPT_INTERVAL},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {"view", required_argument, NULL, OPT_VIEW},
                                         {NULL, 0, NULL, 0}};
    connargs ca;
    cliconf cc;
    connargs_init(&ca);
    cliconf_init(&cc);
    bool once = false, json = false;
    mon_sort sort = MON_SORT_TOTAL;
    int limit = 20;
    double interval = -1;
    const char *view = NULL; /* --view: the Server pane's figures (top_views.c) */
    int c, rc = EXIT_OK;
    optind = 1;
    opterr = 0; /* one message, ours */
    while ((c = getopt_long(argc, argv, ":" CONNARGS_SHORTOPTS, opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case OPT_ONCE:
            once = true;
            break;
        case OPT_JSON:
            json = true;
            break;
        case OPT_SORT:
            if (!mon_sort_parse(optarg, &sort)) {
                rc = usage_error("top",
                                 "--sort takes total, mean, calls, rows, read or temp, "
                                 "not '%s'",
                                 optarg);
                goto out;
            }
            break;
        case OPT_LIMIT:
            errno = 0;
            limit = (int)strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || limit < 1 || limit > MON_DEFAULT_LIMIT) {
                rc = usage_error("top", "--limit takes a number from 1 to %d, not '%s'",
                                 MON_DEFAULT_LIMIT, optarg);
                goto out;
            }
            break;
        case OPT_INTERVAL:
            errno = 0;
            interval = strtod(optarg, &end);
            if (errno || *end || end == optarg || !(interval > 0) || interval > 86400) {
                rc = usage_error("top", "--interval takes seconds > 0, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_VIEW:
            if (!top_view_known(optarg)) {
                rc = usage_error("top", "--view takes %s, not '%s'", top_view_names(), optarg);
                goto out;
            }
            view = optarg;
            break;
        case OPT_HELP:
            usage_print(stdout, "top");
            goto out;
        case ':':
            rc = usage_error("top", "option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            if (connargs_option(&ca, c, optarg) || cliconf_option(&cc, c, optarg))
                break;
            rc = usage_error("top", "unknown option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    int used = connargs_positional(&ca, argc - optind, argv + optind);
    if (optind + used < argc) {
        rc = usage_error("top", "unexpected argument '%s'", argv[optind + used]);
        goto out;
    }

    pgdeck_config cfg;
    char *err = NULL;
    if (!cliconf_load(&cc, &cfg, &err)) { /* defaults, file, --set */
        cli_eprintf("pgdeck top: %s\n", err);
        free(err);
        config_free(&cfg);
        rc = EXIT_USAGE;
        goto out;
    }
    if (!connargs_finish(&ca, &err)) {
        rc = connargs_fail(&ca, "top", err);
        config_free(&cfg);
        goto out;
    }
    if (!once && interval <= 0)
        interval = cfg.refresh > 0 ? cfg.refresh : 1.0;
    double threshold_ms = cfg.slow_threshold;
    eng_pool_config pool;
    connargs_pool_config(&cfg, &pool);
    pool.min_size = 1;
    pool.max_size = 1;
    config_free(&cfg);

    engine *e = engine_start(ca.ci, &pool, &err);
    if (!e) {
        cli_eprintf("pgdeck top: %s\n", err ? err : "cannot start");
        free(err);
        rc = EXIT_CONNECT;
        goto out;
    }
    if (!engine_wait_ready(e, (int)(pool.connect_timeout * 1000) + 1000, &err)) {
        cli_eprintf("pgdeck top: cannot connect: %s\n", err ? err : "?");
        rc = connargs_connect_exit(err);
        free(err);
        engine_stop(e);
        goto out;
    }

    if (view) {
        rc = top_views_run(e, view, once, json, interval, limit);
        engine_stop(e);
        goto out;
    }
    mon_driver d;
    mon_driver_init(&d, e, "top", MON_PART_PGSS | MON_PART_NOW);
    d.sort = sort;
    d.limit = limit + 10;            /* a few more than shown: the monitor's own */
    d.text_rows = (size_t)limit + 8; /* rows are dropped after the texts came */
    d.threshold_ms = threshold_ms;

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    bool baseline = once && interval > 0; /* --once --interval: two snapshots */
    while (rc == EXIT_OK) {
        /* the first of two snapshots needs no "now" list */
        d.parts = baseline ? MON_PART_PGSS : MON_PART_PGSS | MON_PART_NOW;
        if ((rc = run_sample(&d)) != EXIT_OK)
            break;
        if (baseline) {
            baseline = false;
            if (!cli_sleep(interval, &interrupted))
                break;
            continue;
        }
        if (json)
            print_json(&d.srv, d.cur, d.now, sort, limit, interval > 0);
        else
            print_text(&d.srv, d.cur, d.now, sort, limit, threshold_ms);
        if (once || !cli_sleep(interval, &interrupted))
            break;
        if (!json)
            putchar('\n');
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    mon_driver_free(&d);
    engine_stop(e);
out:
    cliconf_free(&cc);
    connargs_free(&ca);
    return rc;
}
